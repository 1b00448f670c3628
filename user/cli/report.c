// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * boot-trace report FILE...: replay recorded jsonl traces, in order, as one stream of runs.
 * Prints the same per-VM boot summary as run (the summary table, on stdout), draws a boot
 * chart (--svg) and converts to another format (-f, -o), all from one pass over the files.
 * The filters (--vm, --pid, --comm, --since, --until) sit between the reader and every output.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "args.h"
#include "commands.h"
#include "jsonl_reader.h"
#include "output.h"
#include "text.h"

#define EXIT_BAD_INPUT 2

struct report {
	/* The summary table, then the conversion (-f/-o) and the chart (--svg) if asked for. */
	struct output *outs[3];
	int nr_outs;
};

static void rep_vm_start(void *ctx, const struct traced_vm *vm)
{
	struct report *r = ctx;

	outputs_vm_start(r->outs, r->nr_outs, vm);
}

static void rep_event(void *ctx, const struct traced_vm *vm, const struct boot_event *ev)
{
	struct report *r = ctx;

	outputs_event(r->outs, r->nr_outs, vm, ev);
}

static void rep_vm_end(void *ctx, const struct traced_vm *vm)
{
	struct report *r = ctx;

	outputs_vm_end(r->outs, r->nr_outs, vm);
}

static void rep_vm_summary(void *ctx, const struct traced_vm *vm)
{
	struct report *r = ctx;

	outputs_vm_summary(r->outs, r->nr_outs, vm);
}

static void rep_run_end(void *ctx, const struct vm_table *vms, const struct trace_totals *totals)
{
	struct report *r = ctx;

	outputs_summary(r->outs, r->nr_outs, vms, totals);
}

static void rep_clock(void *ctx, const struct clock_anchor *anchor)
{
	struct report *r = ctx;

	outputs_clock(r->outs, r->nr_outs, anchor);
}

static const struct replay_ops report_ops = {
    .clock = rep_clock,
    .vm_start = rep_vm_start,
    .event = rep_event,
    .vm_end = rep_vm_end,
    .vm_summary = rep_vm_summary,
    .run_end = rep_run_end,
};

/* ---- the filters ----------------------------------------------------------------------- */

/*
 * The outputs see only the VMs kept, and each as a copy of ours whose statistics count only
 * the events kept: the tables, a conversion and the chart all show what the filter kept, and
 * a filtered jsonl file reads back to the same tables.
 */
struct filter {
	const struct options *opts;
	struct report *r;
	struct vm_table shown;	 /* this run's VMs the outputs have seen: the copies */
	struct vm_table waiting; /* started outside the window: shown at a first event inside */
	struct vm_table late;	 /* shown at a write after their end: ended at the run's end */
	uint64_t events;	 /* kept in this run */
	bool oom;
};

static bool vm_matches(const struct options *o, const struct traced_vm *vm)
{
	bool vm_ok = !o->nr_vm_ids, pid_ok = !o->nr_pids, comm_ok = !o->nr_comms;

	for (int i = 0; i < o->nr_vm_ids && !vm_ok; i++)
		vm_ok = vm->id == o->vm_ids[i];
	for (int i = 0; i < o->nr_pids && !pid_ok; i++)
		pid_ok = vm->pid == o->pids[i];
	for (int i = 0; i < o->nr_comms && !comm_ok; i++)
		comm_ok = !strcmp(vm->comm, o->comms[i]);
	return vm_ok && pid_ok && comm_ok;
}

static bool in_window(const struct options *o, uint64_t ts_ns)
{
	return (!o->has_since || ts_ns >= o->since_ns) && (!o->has_until || ts_ns <= o->until_ns);
}

static void out_of_memory(struct filter *f)
{
	if (!f->oom)
		fprintf(stderr, "boot-trace: out of memory: VMs left out of the report\n");
	f->oom = true;
}

/* What the reader knows of the VM's life, into our copy (not its statistics: ours). */
static void sync_vm(struct traced_vm *copy, const struct traced_vm *vm)
{
	copy->start_ns = vm->start_ns;
	copy->found_ns = vm->found_ns;
	copy->end_ns = vm->end_ns;
	copy->fd = vm->fd;
	copy->end_reason = vm->end_reason;
	copy->exit_status = vm->exit_status;
	memcpy(copy->cmdline, vm->cmdline, sizeof(copy->cmdline));
}

/* Our copy of a VM the outputs have seen, or NULL. */
static struct traced_vm *shown(struct filter *f, const struct traced_vm *vm)
{
	return vm_table_find(&f->shown, vm->pid, vm->id);
}

static struct traced_vm *show(struct filter *f, const struct traced_vm *vm)
{
	struct traced_vm *copy = vm_table_get(&f->shown, vm->pid, vm->id, vm->comm);

	if (!copy)
		out_of_memory(f);
	return copy;
}

static void flt_vm_start(void *ctx, const struct traced_vm *vm)
{
	struct filter *f = ctx;
	struct traced_vm *copy;

	if (!vm_matches(f->opts, vm))
		return;
	copy = shown(f, vm);
	if (!copy && !in_window(f->opts, vm->start_ns ?: vm->found_ns)) {
		if (!vm_table_get(&f->waiting, vm->pid, vm->id, vm->comm))
			out_of_memory(f);
		return;
	}
	copy = copy ?: show(f, vm);
	if (!copy)
		return;
	sync_vm(copy, vm);
	outputs_vm_start(f->r->outs, f->r->nr_outs, copy);
}

static void flt_event(void *ctx, const struct traced_vm *vm, const struct boot_event *ev)
{
	struct filter *f = ctx;
	struct traced_vm *copy, *waiting;

	if (!vm_matches(f->opts, vm) || !in_window(f->opts, ev->ts_ns))
		return;
	copy = shown(f, vm);
	if (!copy) {
		copy = show(f, vm);
		if (!copy)
			return;
		/* Its start, held back, comes first: the outputs see a whole VM. */
		waiting = vm_table_find(&f->waiting, vm->pid, vm->id);
		if (waiting) {
			vm_table_remove(&f->waiting, waiting);
			sync_vm(copy, vm);
			outputs_vm_start(f->r->outs, f->r->nr_outs, copy);
		}
		/* Its end and summary went by unseen: they come at the end of the run. */
		if (vm->end_ns && !vm_table_get(&f->late, vm->pid, vm->id, vm->comm))
			out_of_memory(f);
	}
	sync_vm(copy, vm);
	/* As the reader does: the statistics count the event before the outputs get it. */
	if (traced_vm_observe(copy, ev))
		out_of_memory(f);
	f->events += ev->kind == EVENT_CODE; /* as live: console lines and phases are not codes */
	outputs_event(f->r->outs, f->r->nr_outs, copy, ev);
}

static void flt_vm_end(void *ctx, const struct traced_vm *vm)
{
	struct filter *f = ctx;
	struct traced_vm *copy = shown(f, vm);

	if (!copy)
		return;
	sync_vm(copy, vm);
	outputs_vm_end(f->r->outs, f->r->nr_outs, copy);
}

static void flt_vm_summary(void *ctx, const struct traced_vm *vm)
{
	struct filter *f = ctx;
	struct traced_vm *copy = shown(f, vm);

	if (!copy)
		return;
	sync_vm(copy, vm);
	outputs_vm_summary(f->r->outs, f->r->nr_outs, copy);
}

static void filter_reset(struct filter *f)
{
	vm_table_free(&f->shown);
	vm_table_free(&f->waiting);
	vm_table_free(&f->late);
	f->events = 0;
}

/*
 * Every run still ends with its counts: the events kept, and the losses of the whole
 * recording (they cannot be told apart per VM; nothing is lost silently).
 */
static void flt_run_end(void *ctx, const struct vm_table *vms, const struct trace_totals *totals)
{
	struct filter *f = ctx;
	struct trace_totals kept = *totals;

	kept.events = f->events;
	for (struct traced_vm *copy = f->shown.head; copy; copy = copy->next) {
		if (!vm_table_find(&f->late, copy->pid, copy->id))
			continue;
		outputs_vm_end(f->r->outs, f->r->nr_outs, copy);
		outputs_vm_summary(f->r->outs, f->r->nr_outs, copy);
	}
	outputs_summary(f->r->outs, f->r->nr_outs, &f->shown, &kept);
	filter_reset(f);
}

/* The anchor is no VM's: it passes every filter. */
static void flt_clock(void *ctx, const struct clock_anchor *anchor)
{
	struct filter *f = ctx;

	rep_clock(f->r, anchor);
}

static const struct replay_ops filter_ops = {
    .clock = flt_clock,
    .vm_start = flt_vm_start,
    .event = flt_event,
    .vm_end = flt_vm_end,
    .vm_summary = flt_vm_summary,
    .run_end = flt_run_end,
};

static bool filtering(const struct options *o)
{
	return o->nr_vm_ids || o->nr_pids || o->nr_comms || o->has_since || o->has_until;
}

/* Writing the output would truncate the input before it is read. */
static bool same_file(const char *in, const char *out)
{
	struct stat a, b;

	return out && strcmp(in, "-") && !stat(in, &a) && !stat(out, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int cmd_report(const struct options *opts)
{
	struct output table, conv, svg;
	struct report r = {};
	struct filter f = {.opts = opts, .r = &r};
	const struct replay_ops *ops;
	void *ctx;
	bool convert = opts->format || opts->output;
	unsigned int flags =
	    (opts->quiet ? OUTPUT_QUIET : 0) | (opts->wall_clock ? OUTPUT_WALL_CLOCK : 0);
	int status = 0, err = 0;
	char msg[512];

	for (int i = 0; i < opts->nr_files; i++) {
		const char *in = opts->files[i];

		if (same_file(in, opts->output) || same_file(in, opts->svg)) {
			fprintf(stderr, "boot-trace: %s is both the input and an output\n", in);
			return EXIT_BAD_INPUT;
		}
	}
	/* Two writers on one file would interleave (a file that does not exist yet: by name). */
	if (opts->output && opts->svg &&
	    (!strcmp(opts->output, opts->svg) || same_file(opts->output, opts->svg))) {
		fprintf(stderr, "boot-trace: -o and --svg name the same file %s\n", opts->svg);
		return EXIT_BAD_INPUT;
	}
	/* The tables go to stdout, unless the converted trace does. */
	output_open_stream(&table, &output_summary_ops, convert && !opts->output ? stderr : stdout,
			   flags);
	r.outs[r.nr_outs++] = &table;
	if (convert) {
		if (output_open(&conv, opts->format ?: &output_log_ops, opts->output, flags))
			return 1;
		r.outs[r.nr_outs++] = &conv;
	}
	if (opts->svg) {
		if (output_open(&svg, &output_svg_ops, opts->svg, flags)) {
			if (convert)
				output_close(&conv);
			return 1;
		}
		r.outs[r.nr_outs++] = &svg;
	}

	vm_table_init(&f.shown);
	vm_table_init(&f.waiting);
	vm_table_init(&f.late);
	/* Without a filter the outputs get the reader's own VMs, as they always did. */
	ops = filtering(opts) ? &filter_ops : &report_ops;
	ctx = filtering(opts) ? (void *)&f : (void *)&r;
	/* One stream of runs: each file's in turn, through the same outputs (and filter). */
	for (int i = 0; i < opts->nr_files && !err; i++)
		err = jsonl_replay(opts->files[i], ops, ctx, msg, sizeof(msg));
	filter_reset(&f); /* a bad file stops in the middle of a run */
	if (err) {
		fprintf(stderr, "boot-trace: %s\n", msg);
		status = EXIT_BAD_INPUT;
	} else if (f.oom) {
		status = 1;
	}
	for (int i = 1; i < r.nr_outs; i++) {
		/* Half a chart or half a trace of a bad file would only mislead. */
		r.outs[i]->discard = err != 0;
		if (output_close(r.outs[i]) && !status)
			status = 1;
	}
	return status; /* main() says so if standard output could not be written */
}

/* ---- command line ---------------------------------------------------------------------- */

/* ns as the shortest seconds that say it: "2881.74". */
static const char *seconds_text(char buf[32], uint64_t ns)
{
	int len = snprintf(buf, 32, "%" PRIu64 ".%09" PRIu64, ns / NSEC_PER_SEC, ns % NSEC_PER_SEC);

	while (buf[len - 1] == '0')
		buf[--len] = '\0';
	if (buf[len - 1] == '.')
		buf[len - 1] = '\0';
	return buf;
}

static int set_time(const char *option, const char *arg, bool *has, uint64_t *ns)
{
	if (parse_seconds(arg, ns))
		return usage_error("invalid %s '%s': seconds on the trace's clock with at most 9 "
				   "decimals, such as 2881.74",
				   option, arg);
	*has = true;
	return 0;
}

static int add_vm(struct options *opts, const char *arg)
{
	unsigned long id;

	if (parse_ulong(arg, UINT32_MAX, &id) || id == EVENT_VM_UNKNOWN)
		return usage_error(
		    "invalid --vm '%s': a VM number from 1 to %u (vmN in the tables)", arg,
		    UINT32_MAX);
	if (opts->nr_vm_ids == MAX_FILTER)
		return usage_error("too many --vm at '%s': at most %d", arg, MAX_FILTER);
	opts->vm_ids[opts->nr_vm_ids++] = id;
	return 0;
}

/* As record's -p takes them. */
static int add_pid(struct options *opts, const char *arg)
{
	unsigned long pid;

	if (parse_ulong(arg, 0x3fffffff, &pid) || pid == 0)
		return usage_error("invalid pid '%s'", arg);
	if (opts->nr_pids == MAX_PIDS)
		return usage_error("too many pids at '%s': at most %d", arg, MAX_PIDS);
	opts->pids[opts->nr_pids++] = pid;
	return 0;
}

static int add_comm(struct options *opts, const char *arg)
{
	if (!*arg)
		return usage_error("%s", "empty --comm name");
	/* A trace holds the kernel's name, cut at 15 bytes: a longer one would match nothing. */
	if (strlen(arg) >= EVENT_THREAD_MAX)
		return usage_error("--comm '%s' is longer than a process name: the kernel keeps %d "
				   "bytes, '%.*s'",
				   arg, EVENT_THREAD_MAX - 1, EVENT_THREAD_MAX - 1, arg);
	if (opts->nr_comms == MAX_FILTER)
		return usage_error("too many --comm at '%s': at most %d", arg, MAX_FILTER);
	opts->comms[opts->nr_comms++] = arg;
	return 0;
}

static int report_option(struct options *opts, int opt, char *arg, int argc, char **argv)
{
	int err = output_option(opts, opt, arg);

	if (err != 1)
		return err;
	switch (opt) {
	case OPT_VM:
		return add_vm(opts, arg);
	case OPT_PID:
		return add_pid(opts, arg);
	case OPT_COMM:
		return add_comm(opts, arg);
	case OPT_SINCE:
		return set_time("--since", arg, &opts->has_since, &opts->since_ns);
	case OPT_UNTIL:
		return set_time("--until", arg, &opts->has_until, &opts->until_ns);
	default: /* OPT_SVG */
		if (!*arg)
			return usage_error("%s", "empty SVG file name");
		opts->svg = arg;
		return 0;
	}
}

static int report_finish(struct options *opts, int argc, char **argv)
{
	char since[32], until[32];
	bool stdin_seen = false;

	if (argc - optind < 1)
		return usage_error("%s", "report needs one FILE (a jsonl trace)");
	for (int i = optind; i < argc; i++) {
		if (!*argv[i])
			return usage_error("%s", "empty file name");
		/* Standard input ends at the end of the first read of it. */
		if (!strcmp(argv[i], "-") && stdin_seen)
			return usage_error("%s",
					   "standard input (-) named twice: it can be read once");
		stdin_seen |= !strcmp(argv[i], "-");
	}
	if (opts->has_since && opts->has_until && opts->until_ns < opts->since_ns)
		return usage_error("--until %s is before --since %s",
				   seconds_text(until, opts->until_ns),
				   seconds_text(since, opts->since_ns));
	opts->files = argv + optind;
	opts->nr_files = argc - optind;
	return 0;
}

static const struct option report_options[] = {
    COMMON_LONG_OPTIONS,
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, 'f'},
    {"svg", required_argument, NULL, OPT_SVG},
    {"vm", required_argument, NULL, OPT_VM},
    {"pid", required_argument, NULL, OPT_PID},
    {"comm", required_argument, NULL, OPT_COMM},
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"wall-clock", no_argument, NULL, OPT_WALL_CLOCK},
    {},
};

/* clang-format off */
static const char report_usage[] =
	"USAGE: boot-trace report [-q] [--svg OUT.svg] [-f FORMAT] [-o OUT] [--vm ID] [--pid PID]\n"
	"                         [--comm NAME] [--since T] [--until T] FILE.jsonl...\n"
	"\n"
	"Read recorded jsonl traces back (FILE - : standard input, once), in order, as one stream\n"
	"of runs: print each VM's boot summary (stdout), draw a boot chart (--svg), or write the\n"
	"trace in another format (-f, -o), all in one pass. Every record is checked: the first\n"
	"problem stops it with FILE:LINE.\n"
	"\n"
	"Options:\n"
	"      --svg OUT         draw a boot chart into OUT\n"
	"  -o, --output FILE     write the converted trace to FILE (default: stdout)\n"
	"  -f, --format FORMAT   log (default), jsonl, chrome (Chrome/Perfetto trace), csv or svg\n"
	"      --vm ID           keep only the VM vmID; repeatable (any ID), as --pid and\n"
	"                        --comm, and a VM must match each of these options given\n"
	"      --pid PID         keep only the VMs of process PID\n"
	"      --comm NAME       keep only the VMs of VMMs named NAME (exactly, <= 15 bytes)\n"
	"      --since T         keep only the events at T or later, T in seconds of the\n"
	"                        trace's clock (2881.74), and the VMs started or writing then\n"
	"      --until T         keep only the events at T or earlier: the same\n"
	"  -q, --quiet           no boot summary (losses are still reported)\n"
	WALL_CLOCK_USAGE
	COMMON_USAGE
	"\n"
	"EXAMPLES:\n"
	"  boot-trace report boot.jsonl\n"
	"  boot-trace report --svg boot.svg boot.jsonl\n"
	"  boot-trace report -f chrome -o boot.json boot.jsonl    # open in Perfetto UI\n"
	"  boot-trace report --comm qemu-system-x86 --since 4100.1 monday.jsonl tuesday.jsonl\n";
/* clang-format on */

const struct command_parser report_parser = {
    .cmd = CMD_REPORT,
    .name = "report",
    .optstring = "o:f:",
    .longopts = report_options,
    .option = report_option,
    .finish = report_finish,
    .usage = report_usage,
};
