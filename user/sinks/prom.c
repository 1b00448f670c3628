// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Fleet metrics: after each VM's boot summary, DIR/boot_trace.prom is rewritten (temp file +
 * rename, so node_exporter's textfile collector never reads half a file) in the Prometheus
 * text exposition format: histograms of time from VM creation to each stage (the debug
 * port's five always, then every other label seen, e.g. a label map's or Guest-boot-time),
 * and counters, labelled by the VMM's comm.
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

static const double bucket_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
				       0.5,   1,      2.5,   5,	   10,	  30,	60};
#define NR_BUCKETS (sizeof(bucket_bounds) / sizeof(bucket_bounds[0]))

struct histogram {
	uint64_t bucket[NR_BUCKETS]; /* observations <= bound (not cumulative here) */
	uint64_t count;
	double sum;
};

/* One stage: a label, by name (the debug port's five, a label map's, Guest-boot-time). */
struct stage_histogram {
	const char *label; /* first, for label_index; lives as long as the program (labels.h) */
	struct histogram h;
};

struct comm_metrics {
	char comm[EVENT_THREAD_MAX];
	/* The debug port's five first, always exported; then other labels as they come. */
	struct stage_histogram *stage;
	int nr_stages, cap_stages;
	struct label_index *index; /* of stage[], once there are many (stages.h) */
	struct histogram userspace;
	uint64_t events;
	uint64_t vms_complete;
	uint64_t vms_incomplete;
};

struct prom_state {
	struct comm_metrics comms[PROM_MAX_COMMS + 1]; /* the last one is "other" */
	int nr_comms;
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

/* The histogram of a stage, added if new; NULL when out of memory. */
static struct histogram *stage_histogram(struct comm_metrics *m, const char *label)
{
	struct stage_histogram *grown;
	int i = label_index_find(&m->index, m->stage, sizeof(*m->stage), m->nr_stages, label);

	if (i >= 0)
		return &m->stage[i].h;
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
	return &m->stage[m->nr_stages - 1].h;
}

/* A comm's metrics, with the debug port's five stages in place. NULL when out of memory. */
static struct comm_metrics *comm_init(struct comm_metrics *m, const char *comm)
{
	if (!m->comm[0]) {
		snprintf(m->comm, sizeof(m->comm), "%s", comm);
		for (int r = 0; r < LABEL_RANK_OTHER; r++)
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

static void print_histogram(FILE *fp, const char *name, const char *comm, const char *stage,
			    const struct histogram *h)
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
					list[i]->stage[k].label, &list[i]->stage[k].h);
	fputs("# HELP boot_trace_time_to_userspace_seconds Time from VM creation to the first "
	      "Userspace code (or other code that ends the boot).\n"
	      "# TYPE boot_trace_time_to_userspace_seconds histogram\n",
	      fp);
	for (int i = 0; i < nr; i++)
		print_histogram(fp, "boot_trace_time_to_userspace_seconds", list[i]->comm, NULL,
				&list[i]->userspace);
	fputs("# HELP boot_trace_events_total Guest writes captured (ports and --mmio).\n"
	      "# TYPE boot_trace_events_total counter\n",
	      fp);
	for (int i = 0; i < nr; i++)
		print_counter(fp, "boot_trace_events_total", list[i]->comm, "", list[i]->events);
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

static void prom_vm_summary(struct output *out, const struct traced_vm *vm)
{
	struct comm_metrics *m = metrics_for(out->priv, vm->comm);
	struct stage_row *rows;
	int n = boot_summary(&vm->stats, &rows);
	uint64_t user_ns;

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
	/* Times from VM creation exist only where the creation was seen. */
	if (vm->start_ns) {
		for (int i = 0; i < n; i++) {
			struct histogram *h = stage_histogram(m, rows[i].label);

			if (h)
				observe(h, rows[i].first_ns - vm->start_ns);
		}
		if (boot_userspace_ns(&vm->stats, &user_ns))
			observe(&m->userspace, user_ns - vm->start_ns);
	}
	free(rows);
	write_file(out);
}

const struct output_ops output_prom_ops = {
    .open = prom_open,
    .close = prom_close,
    .vm_summary = prom_vm_summary,
    .own_files = true,
};
