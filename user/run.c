// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * boot-trace run: the command is forked but held before exec until its pid is in the
 * kernel's filter, so its VM is traced from KVM_CREATE_VM on; the kernel side then follows
 * it through fork (a wrapper script that starts the VMM works).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "commands.h"
#include "session.h"

#define EXIT_NOT_FOUND	127
#define EXIT_NOT_EXEC	126

/* Child: wait for the go byte, restore signals, exec; report exec errors over err_fd. */
static void child_exec(char **argv, int go_fd, int err_fd, const sigset_t *old_mask)
{
	char go;
	int err;

	if (read(go_fd, &go, 1) != 1)
		_exit(EXIT_NOT_FOUND); /* the tracer died before releasing us */
	close(go_fd);
	sigprocmask(SIG_SETMASK, old_mask, NULL);
	execvp(argv[0], argv);
	err = errno;
	if (write(err_fd, &err, sizeof(err)) < 0)
		_exit(EXIT_NOT_FOUND);
	_exit(err == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXEC);
}

static int exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

int cmd_run(const struct options *opts)
{
	int go_pipe[2], err_pipe[2], exec_err = 0, wstatus = 0, sig = 0, status;
	struct session s;
	sigset_t mask, old_mask;
	pid_t child;
	ssize_t n;

	/*
	 * SIGINT/SIGTERM are read from a signalfd in the loop and passed on to the command.
	 * A shell starts background jobs with SIGINT ignored, which would discard them:
	 * take the default action back (the command inherits it, so the forward works too).
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old_mask);

	if (session_open(&s, opts, true, true))
		return 1;
	if (pipe2(go_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC)) {
		fprintf(stderr, "boot-trace: pipe: %s\n", strerror(errno));
		session_close(&s);
		return 1;
	}
	child = fork();
	if (child < 0) {
		fprintf(stderr, "boot-trace: fork: %s\n", strerror(errno));
		session_close(&s);
		return 1;
	}
	if (child == 0) {
		close(go_pipe[1]);
		close(err_pipe[0]);
		child_exec(opts->argv, go_pipe[0], err_pipe[1], &old_mask);
	}
	close(go_pipe[0]);
	close(err_pipe[1]);

	/* Traced before it can run a single instruction of COMMAND. */
	if (session_add_process(&s, child) || write(go_pipe[1], "g", 1) != 1) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		session_close(&s);
		return 1;
	}
	close(go_pipe[1]);
	n = read(err_pipe[0], &exec_err, sizeof(exec_err));
	close(err_pipe[0]);
	if (n == sizeof(exec_err)) {
		waitpid(child, &wstatus, 0);
		for (int i = 0; i < s.nr_outs; i++)
			s.outs[i].quiet = true;
		session_close(&s);
		fprintf(stderr, "boot-trace: cannot run '%s': %s\n", opts->argv[0],
			strerror(exec_err));
		return exit_status(wstatus);
	}

	session_loop(&s, &child, 1, child, &sig);
	if (waitpid(child, &wstatus, 0) < 0)
		wstatus = 0;
	status = exit_status(wstatus);
	if (session_close(&s) && status == 0)
		status = 1;
	return status;
}
