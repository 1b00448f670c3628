// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Fleet metrics: after each VM's boot summary, DIR/boot_trace.prom is rewritten (temp file +
 * rename, so node_exporter's textfile collector never reads half a file) in the Prometheus
 * text exposition format: histograms of time from VM creation to each stage (the debug
 * port's five always, then every other label seen, e.g. a label map's or Guest-boot-time,
 * up to PROM_MAX_STAGES names per comm, the rest under stage="other"), the same histograms
 * again by how many VMs were booting at once (the concurrency label: see struct boot_ring),
 * the last boot of each comm as gauges (its stage durations, time to Userspace, and an info
 * series naming the VM), and counters (events, VMs, console lines, I/O delays, every kind
 * of loss), labelled by the VMM's comm. Stages that console rules or host phases mark ("VMM
 * set-up", "Ready") are stages like the others; one that began before the VM's creation (VMM
 * set-up, when run saw its VMM start) is observed at 0 s from it. Every family is bounded:
 * PROM_MAX_COMMS comms, PROM_MAX_STAGES + 1 stages per comm, NR_CONCURRENCY concurrency buckets,
 * one last boot per comm.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "output.h"

#define PROM_FILE      "boot_trace.prom"
#define PROM_MAX_COMMS 64 /* beyond that, VMMs are counted under comm="other" */
/*
 * Distinct stage names per comm, the debug port's five included (always kept, first): a label
 * file with hundreds of names must not multiply the series without bound. Names past that are
 * counted under stage="other" (which a label of that name shares).
 */
#define PROM_MAX_STAGES 32
#define PROM_OTHER	"other"
#define BOOT_RING_SIZE	256 /* recent boot intervals kept for the concurrency label */

static const double bucket_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
				       0.5,   1,      2.5,   5,	   10,	  30,	60};
#define NR_BUCKETS (sizeof(bucket_bounds) / sizeof(bucket_bounds[0]))

struct histogram {
	uint64_t bucket[NR_BUCKETS]; /* observations <= bound (not cumulative here) */
	uint64_t count;
	double sum;
};

/*
 * How many VMs of the host were booting when a VM was created (itself included), bucketed:
 * "1", "2-3", "4-7", "8+".
 */
#define NR_CONCURRENCY 4
static const char *const concurrency_names[NR_CONCURRENCY] = {"1", "2-3", "4-7", "8+"};

static int concurrency_bucket(unsigned int booting)
{
	return booting <= 1 ? 0 : booting <= 3 ? 1 : booting <= 7 ? 2 : 3;
}

/* One stage: a label, by name (the debug port's five, a label map's, Guest-boot-time). */
struct stage_histogram {
	const char *label; /* first, for label_index; lives as long as the program (labels.h) */
	struct histogram h;
	struct histogram by_concurrency[NR_CONCURRENCY];
	uint64_t last_ns; /* the stage's duration in the comm's last boot */
	bool in_last;	  /* the stage was seen in that boot */
};

/* The last boot of a comm whose summary was written: the gauges' VM. */
struct last_boot {
	bool seen;
	pid_t pid;
	uint32_t id;
	bool complete;
	bool have_userspace;
	uint64_t userspace_ns; /* from VM creation */
};

/*
 * Boot intervals of recent VMs, for the concurrency label: a VM's boot runs from its creation
 * to the first code that ends the boot (Userspace, ...), or to the VMM's end when none came;
 * end 0 is a boot still going. A VM's concurrency is the number of boots in the ring that
 * overlap its creation, its own included. What it misses: VMs whose creation was not seen
 * (already running when tracing started, or their record lost), boots older than the last
 * BOOT_RING_SIZE creations, and VMs this daemon does not see (another host's, a nested
 * guest's). A boot whose end record was lost stays "going" until it leaves the ring: the label
 * then errs high.
 */
struct boot_interval {
	struct vm_key key;
	uint64_t start_ns;
	uint64_t end_ns;
};

struct boot_ring {
	struct boot_interval item[BOOT_RING_SIZE];
	unsigned int next; /* where the next creation goes */
	unsigned int nr;
};

struct comm_metrics {
	char comm[EVENT_THREAD_MAX];
	/* The debug port's five first, always exported; then other labels as they come. */
	struct stage_histogram *stage;
	int nr_stages, cap_stages;
	struct label_index *index; /* of stage[], once there are many (stages.h) */
	struct histogram userspace;
	struct histogram userspace_by_concurrency[NR_CONCURRENCY];
	struct last_boot last;
	uint64_t events;
	uint64_t console_lines; /* counted as they come, not at the summary */
	uint64_t io_delays;
	uint64_t vms_complete;
	uint64_t vms_incomplete;
};

struct prom_state {
	struct comm_metrics comms[PROM_MAX_COMMS + 1]; /* the last one is "other" */
	int nr_comms;
	struct boot_ring boots;
	char path[PATH_MAX];
	char tmp_path[PATH_MAX];
};

static void observe(struct histogram *h, uint64_t ns)
{
	double secs = ns / 1e9;

	for (size_t i = 0; i < NR_BUCKETS; i++) {
		if (secs <= bucket_bounds[i]) {
			h->bucket[i]++;
			break;
		}
	}
	h->count++;
	h->sum += secs;
}

/*
 * The metrics of a stage, added if new (past PROM_MAX_STAGES names: "other"); NULL when out of
 * memory.
 */
static struct stage_histogram *stage_histogram(struct comm_metrics *m, const char *label)
{
	struct stage_histogram *grown;
	int i = label_index_find(&m->index, m->stage, sizeof(*m->stage), m->nr_stages, label);

	if (i >= 0)
		return &m->stage[i];
	if (m->nr_stages >= PROM_MAX_STAGES && strcmp(label, PROM_OTHER))
		return stage_histogram(m, PROM_OTHER);
	if (m->nr_stages == m->cap_stages) {
		int cap = m->cap_stages ? 2 * m->cap_stages : 8;

		grown = realloc(m->stage, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		m->stage = grown;
		m->cap_stages = cap;
	}
	m->stage[m->nr_stages++] = (struct stage_histogram){.label = label};
	label_index_inserted(&m->index, m->stage, sizeof(*m->stage), m->nr_stages,
			     m->nr_stages - 1);
	return &m->stage[m->nr_stages - 1];
}

/* A comm's metrics, with the debug port's five stages in place. NULL when out of memory. */
static struct comm_metrics *comm_init(struct comm_metrics *m, const char *comm)
{
	if (!m->comm[0]) {
		snprintf(m->comm, sizeof(m->comm), "%s", comm);
		for (int r = 0; r < label_map_debug_port.nr; r++)
			if (!stage_histogram(m, label_map_debug_port.ranges[r].label.name))
				return NULL;
	}
	return m;
}

static struct comm_metrics *metrics_for(struct prom_state *st, const char *comm)
{
	for (int i = 0; i < st->nr_comms; i++)
		if (!strcmp(st->comms[i].comm, comm))
			return &st->comms[i];
	if (st->nr_comms < PROM_MAX_COMMS)
		return comm_init(&st->comms[st->nr_comms++], comm);
	return comm_init(&st->comms[PROM_MAX_COMMS], "other");
}

static struct boot_interval *boot_find(struct boot_ring *r, const struct traced_vm *vm)
{
	for (unsigned int i = 0; i < r->nr; i++)
		if (r->item[i].key.id == vm->id && r->item[i].key.pid == vm->pid)
			return &r->item[i];
	return NULL;
}

/* A VM's boot began (its creation was seen): it takes the place of the oldest one. */
static struct boot_interval *boot_add(struct boot_ring *r, const struct traced_vm *vm)
{
	struct boot_interval *b = &r->item[r->next];

	*b =
	    (struct boot_interval){.key = {.id = vm->id, .pid = vm->pid}, .start_ns = vm->start_ns};
	r->next = (r->next + 1) % BOOT_RING_SIZE;
	if (r->nr < BOOT_RING_SIZE)
		r->nr++;
	return b;
}

/* When the VM's boot ended (first code that ends it, else the VMM's end); 0: still going. */
static uint64_t boot_end_ns(const struct traced_vm *vm)
{
	uint64_t ns;

	return boot_userspace_ns(&vm->stats, &ns) ? ns : vm->end_ns;
}

/* The boots in the ring that were going when start_ns came, that one included. */
static unsigned int booting_at(const struct boot_ring *r, uint64_t start_ns)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < r->nr; i++)
		if (r->item[i].start_ns <= start_ns &&
		    (!r->item[i].end_ns || r->item[i].end_ns > start_ns))
			n++;
	return n;
}

/* Label values escape backslash, double quote and newline. */
static void print_label(FILE *fp, const char *value)
{
	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			fprintf(fp, "\\%c", *value);
		else if (*value == '\n')
			fputs("\\n", fp);
		else
			fputc(*value, fp);
	}
}

/* concurrency: NULL for the histograms without that label. */
static void print_histogram(FILE *fp, const char *name, const char *comm, const char *stage,
			    const char *concurrency, const struct histogram *h)
{
	uint64_t cumulative = 0;

#define LABELS()                                                                                   \
	do {                                                                                       \
		fputs("{comm=\"", fp);                                                             \
		print_label(fp, comm);                                                             \
		if (stage) {                                                                       \
			fputs("\",stage=\"", fp);                                                  \
			print_label(fp, stage);                                                    \
		}                                                                                  \
		if (concurrency)                                                                   \
			fprintf(fp, "\",concurrency=\"%s", concurrency);                           \
		fputc('"', fp);                                                                    \
	} while (0)
	for (size_t i = 0; i < NR_BUCKETS; i++) {
		cumulative += h->bucket[i];
		fprintf(fp, "%s_bucket", name);
		LABELS();
		fprintf(fp, ",le=\"%g\"} %" PRIu64 "\n", bucket_bounds[i], cumulative);
	}
	fprintf(fp, "%s_bucket", name);
	LABELS();
	fprintf(fp, ",le=\"+Inf\"} %" PRIu64 "\n", h->count);
	fprintf(fp, "%s_sum", name);
	LABELS();
	fprintf(fp, "} %.9f\n", h->sum);
	fprintf(fp, "%s_count", name);
	LABELS();
	fprintf(fp, "} %" PRIu64 "\n", h->count);
#undef LABELS
}

/* Every comm with metrics, "other" last if it was needed. */
static int comms_in_use(const struct prom_state *st, const struct comm_metrics **list)
{
	int n = 0;

	for (int i = 0; i < st->nr_comms; i++)
		list[n++] = &st->comms[i];
	if (st->comms[PROM_MAX_COMMS].comm[0])
		list[n++] = &st->comms[PROM_MAX_COMMS];
	return n;
}

static void print_counter(FILE *fp, const char *name, const char *comm, const char *extra,
			  uint64_t value)
{
	fprintf(fp, "%s{comm=\"", name);
	print_label(fp, comm);
	fprintf(fp, "\"%s} %" PRIu64 "\n", extra, value);
}

/* The last boot of each comm: one info series, its stage durations, its time to Userspace. */
static void print_last_boots(FILE *fp, const struct comm_metrics *const *list, int nr)
{
	char buf[32];

	fputs("# HELP boot_trace_last_boot_info The last VM of a comm whose boot summary was "
	      "written (complete: the VMM exited normally or closed the VM).\n"
	      "# TYPE boot_trace_last_boot_info gauge\n",
	      fp);
	for (int i = 0; i < nr; i++) {
		const struct last_boot *l = &list[i]->last;

		if (!l->seen)
			continue;
		if (l->id == EVENT_VM_UNKNOWN)
			snprintf(buf, sizeof(buf), "?");
		else
			snprintf(buf, sizeof(buf), "%" PRIu32, l->id);
		fprintf(fp, "boot_trace_last_boot_info{comm=\"");
		print_label(fp, list[i]->comm);
		fprintf(fp, "\",pid=\"%d\",vm=\"%s\",complete=\"%s\"} 1\n", (int)l->pid, buf,
			l->complete ? "true" : "false");
	}
	fputs("# HELP boot_trace_last_boot_stage_seconds Duration of each stage in the last boot "
	      "of a comm (to the next stage's first code; the last stage to its last code).\n"
	      "# TYPE boot_trace_last_boot_stage_seconds gauge\n",
	      fp);
	for (int i = 0; i < nr; i++)
		for (int k = 0; k < list[i]->nr_stages; k++) {
			const struct stage_histogram *s = &list[i]->stage[k];

			if (!list[i]->last.seen || !s->in_last)
				continue;
			fputs("boot_trace_last_boot_stage_seconds{comm=\"", fp);
			print_label(fp, list[i]->comm);
			fputs("\",stage=\"", fp);
			print_label(fp, s->label);
			fprintf(fp, "\"} %.9f\n", s->last_ns / 1e9);
		}
	fputs("# HELP boot_trace_last_boot_time_to_userspace_seconds Time from VM creation to the "
	      "first code that ends the boot, in the last boot of a comm (absent when it had "
	      "none).\n"
	      "# TYPE boot_trace_last_boot_time_to_userspace_seconds gauge\n",
	      fp);
	for (int i = 0; i < nr; i++)
		if (list[i]->last.seen && list[i]->last.have_userspace) {
			fputs("boot_trace_last_boot_time_to_userspace_seconds{comm=\"", fp);
			print_label(fp, list[i]->comm);
			fprintf(fp, "\"} %.9f\n", list[i]->last.userspace_ns / 1e9);
		}
}

static void print_metrics(FILE *fp, const struct prom_state *st, const struct trace_totals *t)
{
	const struct comm_metrics *list[PROM_MAX_COMMS + 1];
	int nr = comms_in_use(st, list);

	fputs("# HELP boot_trace_stage_start_seconds Time from VM creation to the first code of "
	      "a boot stage.\n# TYPE boot_trace_stage_start_seconds histogram\n",
	      fp);
	for (int i = 0; i < nr; i++)
		for (int k = 0; k < list[i]->nr_stages; k++)
			print_histogram(fp, "boot_trace_stage_start_seconds", list[i]->comm,
					list[i]->stage[k].label, NULL, &list[i]->stage[k].h);
	/* Only the concurrency buckets seen: four times every stage would be mostly zeros. */
	fputs("# HELP boot_trace_stage_start_by_concurrency_seconds Time from VM creation to the "
	      "first code of a boot stage, by how many VMs were booting when it was created.\n"
	      "# TYPE boot_trace_stage_start_by_concurrency_seconds histogram\n",
	      fp);
	for (int i = 0; i < nr; i++)
		for (int k = 0; k < list[i]->nr_stages; k++)
			for (int c = 0; c < NR_CONCURRENCY; c++)
				if (list[i]->stage[k].by_concurrency[c].count)
					print_histogram(
					    fp, "boot_trace_stage_start_by_concurrency_seconds",
					    list[i]->comm, list[i]->stage[k].label,
					    concurrency_names[c],
					    &list[i]->stage[k].by_concurrency[c]);
	fputs("# HELP boot_trace_time_to_userspace_seconds Time from VM creation to the first "
	      "Userspace code (or other code that ends the boot).\n"
	      "# TYPE boot_trace_time_to_userspace_seconds histogram\n",
	      fp);
	for (int i = 0; i < nr; i++)
		print_histogram(fp, "boot_trace_time_to_userspace_seconds", list[i]->comm, NULL,
				NULL, &list[i]->userspace);
	fputs("# HELP boot_trace_time_to_userspace_by_concurrency_seconds Time from VM creation "
	      "to the first code that ends the boot, by how many VMs were booting when it was "
	      "created.\n"
	      "# TYPE boot_trace_time_to_userspace_by_concurrency_seconds histogram\n",
	      fp);
	for (int i = 0; i < nr; i++)
		for (int c = 0; c < NR_CONCURRENCY; c++)
			if (list[i]->userspace_by_concurrency[c].count)
				print_histogram(
				    fp, "boot_trace_time_to_userspace_by_concurrency_seconds",
				    list[i]->comm, NULL, concurrency_names[c],
				    &list[i]->userspace_by_concurrency[c]);
	print_last_boots(fp, list, nr);
	fputs("# HELP boot_trace_events_total Guest writes captured (ports and --mmio).\n"
	      "# TYPE boot_trace_events_total counter\n",
	      fp);
	for (int i = 0; i < nr; i++)
		print_counter(fp, "boot_trace_events_total", list[i]->comm, "", list[i]->events);
	fputs("# HELP boot_trace_console_lines_total Lines of console text captured (--console, "
	      "--debugcon).\n"
	      "# TYPE boot_trace_console_lines_total counter\n",
	      fp);
	for (int i = 0; i < nr; i++)
		print_counter(fp, "boot_trace_console_lines_total", list[i]->comm, "",
			      list[i]->console_lines);
	fputs("# HELP boot_trace_io_delay_writes_total Port-0x80 writes that were I/O delays, not "
	      "markers (no stage).\n"
	      "# TYPE boot_trace_io_delay_writes_total counter\n",
	      fp);
	for (int i = 0; i < nr; i++)
		print_counter(fp, "boot_trace_io_delay_writes_total", list[i]->comm, "",
			      list[i]->io_delays);
	fputs("# HELP boot_trace_vms_total VMs whose boot ended, by whether it completed.\n"
	      "# TYPE boot_trace_vms_total counter\n",
	      fp);
	for (int i = 0; i < nr; i++) {
		print_counter(fp, "boot_trace_vms_total", list[i]->comm, ",complete=\"true\"",
			      list[i]->vms_complete);
		print_counter(fp, "boot_trace_vms_total", list[i]->comm, ",complete=\"false\"",
			      list[i]->vms_incomplete);
	}
	fprintf(fp,
		"# HELP boot_trace_dropped_events_total Records lost to a full ring buffer.\n"
		"# TYPE boot_trace_dropped_events_total counter\n"
		"boot_trace_dropped_events_total %" PRIu64 "\n",
		t ? t->lost[LOSS_DROPPED] : 0);
	fputs("# HELP boot_trace_losses_total Everything lost on the way, by kind (as in the "
	      "summary).\n"
	      "# TYPE boot_trace_losses_total counter\n",
	      fp);
	FOR_EACH_LOSS (i)
		fprintf(fp, "boot_trace_losses_total{kind=\"%s\"} %" PRIu64 "\n",
			loss_counters[i].key, t ? t->lost[i] : 0);
	fprintf(fp,
		"# HELP boot_trace_reopen_failures_total SIGHUPs whose log files could not be "
		"reopened.\n"
		"# TYPE boot_trace_reopen_failures_total counter\n"
		"boot_trace_reopen_failures_total %" PRIu64 "\n",
		t ? t->reopen_failures : 0);
}

/* Temp file in the same directory, then rename: readers see the old or the new file. */
static int write_file(struct output *out)
{
	struct prom_state *st = out->priv;
	char tmp_path[PATH_MAX];
	FILE *fp = NULL;
	int fd = -1, err;

	/*
	 * The file it replaces must be one we may replace (in a shared directory, not another
	 * user's: output_may_replace() says why, once). The temporary file has a name nobody can
	 * guess and is created by us (mkostemp: O_EXCL), not one another user put there.
	 */
	if (out->failed && output_may_replace(st->path, true))
		return -EPERM;
	err = out->failed ? 0 : output_may_replace(st->path, false);
	if (err) {
		out->failed = true;
		return err;
	}
	snprintf(tmp_path, sizeof(tmp_path), "%s", st->tmp_path);
	fd = mkostemp(tmp_path, O_CLOEXEC);
	if (fd >= 0 && fchmod(fd, 0644) == 0)
		fp = fdopen(fd, "w");
	if (!fp) {
		err = -errno;
		if (fd >= 0)
			close(fd);
	} else {
		print_metrics(fp, st, out->totals);
		if (fflush(fp) || ferror(fp) || fsync(fileno(fp)))
			err = -errno ?: -EIO;
		if (fclose(fp) && !err)
			err = -errno;
		if (!err && rename(tmp_path, st->path))
			err = -errno;
	}
	if (err) {
		if (fd >= 0)
			unlink(tmp_path);
		if (!out->failed)
			fprintf(stderr, "boot-trace: cannot write %s: %s\n", st->path,
				strerror(-err));
		out->failed = true;
	}
	return err;
}

static int prom_open(struct output *out)
{
	struct prom_state *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		return -ENOMEM;
	snprintf(st->path, sizeof(st->path), "%s/" PROM_FILE, out->path);
	snprintf(st->tmp_path, sizeof(st->tmp_path), "%s/." PROM_FILE ".XXXXXX", out->path);
	out->priv = st;
	err = write_file(out); /* names a bad directory at once, and exports zeros */
	if (err) {
		free(st);
		out->priv = NULL;
	}
	return err;
}

static void prom_close(struct output *out)
{
	struct prom_state *st = out->priv;

	if (!st)
		return;
	write_file(out); /* the final drop count */
	for (int i = 0; i <= PROM_MAX_COMMS; i++) {
		free(st->comms[i].stage);
		label_index_free(&st->comms[i].index);
	}
	free(st);
	out->priv = NULL;
}

/* A VM was created: its boot joins the ring (only where its creation was seen). */
static void prom_vm_start(struct output *out, const struct traced_vm *vm)
{
	struct prom_state *st = out->priv;

	if (vm->start_ns && !boot_find(&st->boots, vm))
		boot_add(&st->boots, vm);
}

/*
 * Console lines and I/O delays are counted as they come. The first code (or console line)
 * that ends a boot ends its interval in the ring.
 */
static void prom_event(struct output *out, const struct traced_vm *vm, const struct boot_event *ev)
{
	struct prom_state *st = out->priv;
	struct boot_interval *b;
	struct comm_metrics *m;

	if (ev->kind == EVENT_CONSOLE || (ev->kind == EVENT_CODE && ev->code.io_delay)) {
		m = metrics_for(st, vm->comm);
		if (m && ev->kind == EVENT_CONSOLE)
			m->console_lines++;
		else if (m)
			m->io_delays++;
	}
	if (!ev->label || !ev->label->userspace || !vm->start_ns)
		return;
	b = boot_find(&st->boots, vm);
	if (b && !b->end_ns)
		b->end_ns = ev->ts_ns;
}

static void prom_vm_summary(struct output *out, const struct traced_vm *vm)
{
	struct prom_state *st = out->priv;
	struct comm_metrics *m = metrics_for(st, vm->comm);
	struct stage_row *rows;
	int n = boot_summary(&vm->stats, &rows);
	uint64_t user_ns;
	bool have_user = boot_userspace_ns(&vm->stats, &user_ns);
	struct boot_interval *b;
	int c = 0;

	if (!m || n < 0) {
		fprintf(stderr, "boot-trace: out of memory: metrics of %s[%d] left out\n", vm->comm,
			vm->pid);
		free(rows);
		return;
	}
	m->events += vm->stats.events;
	if (vm_boot_complete(vm))
		m->vms_complete++;
	else
		m->vms_incomplete++;
	/* The gauges show this boot now: its stages (past the cap: "other", summed). */
	for (int k = 0; k < m->nr_stages; k++) {
		m->stage[k].in_last = false;
		m->stage[k].last_ns = 0;
	}
	m->last = (struct last_boot){.seen = true,
				     .pid = vm->pid,
				     .id = vm->id,
				     .complete = vm_boot_complete(vm),
				     .have_userspace = have_user && vm->start_ns,
				     .userspace_ns =
					 have_user && vm->start_ns ? user_ns - vm->start_ns : 0};
	/* Times from VM creation exist only where the creation was seen. */
	if (vm->start_ns) {
		b = boot_find(&st->boots, vm);
		if (!b) /* its vm_start came before the ring's oldest, or not at all */
			b = boot_add(&st->boots, vm);
		b->end_ns = boot_end_ns(vm);
		c = concurrency_bucket(booting_at(&st->boots, vm->start_ns));
	}
	for (int i = 0; i < n; i++) {
		struct stage_histogram *s = stage_histogram(m, rows[i].label);

		if (!s)
			continue;
		s->in_last = true;
		s->last_ns += rows[i].duration_ns;
		if (vm->start_ns) {
			uint64_t since = rows[i].first_ns > vm->start_ns
					     ? rows[i].first_ns - vm->start_ns
					     : 0; /* VMM set-up began before the VM */

			observe(&s->h, since);
			observe(&s->by_concurrency[c], since);
		}
	}
	if (vm->start_ns && have_user) {
		observe(&m->userspace, user_ns - vm->start_ns);
		observe(&m->userspace_by_concurrency[c], user_ns - vm->start_ns);
	}
	free(rows);
	write_file(out);
}

const struct output_ops output_prom_ops = {
    .open = prom_open,
    .close = prom_close,
    .vm_start = prom_vm_start,
    .event = prom_event,
    .vm_summary = prom_vm_summary,
    .own_files = true,
};
