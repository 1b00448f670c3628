// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * boot-mark: write one boot marker code to the debug I/O port (0x80) from inside a Linux
 * guest, for boot-trace on the host to stamp. Static and small, for initramfs images and
 * minimal root filesystems. See README.md ("Marking a Linux guest's boot").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/io.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include "mark_args.h"

static const char usage_text[] =
    "USAGE: boot-mark [-p PORT] [-d] [-n] CODE\n"
    "\n"
    "Write CODE (one byte) to the debug I/O port, where boot-trace on the host stamps it.\n"
    "\n"
    "CODE: 0..255 (0x60, 96), or a range of the debug-port convention, optionally +N:\n"
    "  firmware 0x00  bootloader 0x20  kernel 0x40  userspace 0x60  custom 0x80\n"
    "\n"
    "  -p, --port PORT  write to PORT instead of 0x80 (e.g. 0xf4 for qboot's values)\n"
    "  -d, --dev-port   write through /dev/port (default: ioperm(2), or /dev/port on a\n"
    "                   kernel without ioperm)\n"
    "  -n, --dry-run    print what would be written, write nothing\n"
    "  -h, --help       this help\n"
    "\n"
    "Needs root (CAP_SYS_RAWIO). Exit status: 0 written, 1 not written, 2 usage error.\n"
    "\n"
    "EXAMPLES:\n"
    "  boot-mark userspace      # 0x60: init has started\n"
    "  boot-mark userspace+3    # 0x63\n"
    "  boot-mark -p 0xf4 7      # qboot's linux_start_user\n";

/* Port access needs CAP_SYS_RAWIO: say so plainly rather than relay an EPERM. */
static bool has_rawio(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return true; /* cannot tell: let the write itself report */
	return data[CAP_SYS_RAWIO / 32].effective & (1u << (CAP_SYS_RAWIO % 32));
}

static const char *hint(int err)
{
	return err == EPERM || err == EACCES ? " (a locked-down kernel refuses port access "
					       "even to root)"
					     : "";
}

/* 0, or -errno of ioperm() (nothing printed: the caller may fall back to /dev/port). */
static int write_ioperm(uint16_t port, uint8_t code)
{
	if (ioperm(port, 1, 1))
		return -errno;
	outb(code, port);
	return 0;
}

/* 0, or 1 after printing the problem. */
static int write_dev_port(uint16_t port, uint8_t code, const char *why_not_ioperm)
{
	int fd = open("/dev/port", O_WRONLY | O_CLOEXEC), err;
	ssize_t n;

	if (fd < 0) {
		err = errno;
		if (err == ENOENT && why_not_ioperm)
			fprintf(stderr,
				"boot-mark: cannot write port 0x%x: this kernel has neither "
				"ioperm(2) (%s) nor /dev/port\n",
				port, why_not_ioperm);
		else
			fprintf(stderr, "boot-mark: cannot open /dev/port: %s%s\n", strerror(err),
				err == ENOENT ? " (kernel without CONFIG_DEVPORT: try without -d)"
					      : hint(err));
		return 1;
	}
	n = pwrite(fd, &code, 1, port);
	err = errno;
	close(fd);
	if (n != 1) {
		fprintf(stderr, "boot-mark: cannot write port 0x%x through /dev/port: %s%s\n", port,
			n < 0 ? strerror(err) : "short write", n < 0 ? hint(err) : "");
		return 1;
	}
	return 0;
}

static int write_code(const struct mark_args *args)
{
	int err;

	if (!has_rawio()) {
		fprintf(stderr, "boot-mark: writing port 0x%x needs root (CAP_SYS_RAWIO)\n",
			args->port);
		return 1;
	}
	if (args->method == MARK_DEV_PORT)
		return write_dev_port(args->port, args->code, NULL);
	err = write_ioperm(args->port, args->code);
	if (!err)
		return 0;
	/* A kernel built without CONFIG_X86_IOPL_IOPERM may still have /dev/port. */
	if (err == -ENOSYS)
		return write_dev_port(args->port, args->code, strerror(-err));
	fprintf(stderr, "boot-mark: cannot write port 0x%x: ioperm: %s%s\n", args->port,
		strerror(-err), hint(-err));
	return 1;
}

int main(int argc, char **argv)
{
	struct mark_args args;
	char err[256];

	if (mark_args_parse(&args, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "boot-mark: %s (see boot-mark --help)\n", err);
		return 2;
	}
	if (args.help) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (args.dry_run) {
		printf("boot-mark: would write 0x%02x to port 0x%x through %s\n", args.code,
		       args.port, args.method == MARK_DEV_PORT ? "/dev/port" : "ioperm");
		return 0;
	}
	return write_code(&args);
}
