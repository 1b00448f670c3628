// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * boot-trace diff BASE NEW: the boots of two recorded jsonl traces (every complete boot of
 * every run in each file), stage by stage. A stage is a label as the files recorded it (the
 * debug port's five, a label map's, Guest-boot-time), matched by name. A stage fails when NEW
 * is significantly slower (compare.h: p below --alpha) AND slower by more than the threshold:
 * noise alone fails nothing, and a tiny significant change fails nothing either. Exit status
 * for CI: 0 when no stage failed, 1 when one did (or a stage of BASE is missing from NEW),
 * 2 on bad input. The same results as JSON (--json) and JUnit XML (--junit) for CI systems.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include "args.h"
#include "commands.h"
#include "jsonl_reader.h"
#include "output.h"
#include "compare.h"
#include "samples.h"
#include "text.h"

#define EXIT_REGRESSION 1
#define EXIT_BAD_INPUT	2

/* The boots of one file, and the incomplete ones left out. */
struct collected {
	struct boot_samples samples;
	bool include_incomplete;
	unsigned int left_out;
};

static void collect_vm(void *ctx, const struct traced_vm *vm)
{
	struct collected *c = ctx;

	if (!boot_stages_guest_seen(&vm->stats))
		return; /* no stage: no code, and no console line a rule matched */
	/*
	 * A VMM killed mid-boot (or gone) has no later stages: it would read as "Userspace
	 * -100 %". A VM still running when the trace stopped has booted as far as it got: kept.
	 */
	if (!c->include_incomplete && vm->end_ns && !vm_boot_complete(vm)) {
		c->left_out++;
		return;
	}
	if (boot_samples_add(&c->samples, &vm->stats, vm->start_ns))
		fprintf(stderr, "boot-trace: out of memory\n");
}

static const struct replay_ops collect_ops = {
    .vm_summary = collect_vm,
};

static int load(const char *path, struct collected *c)
{
	char msg[512];

	if (jsonl_replay(path, &collect_ops, c, msg, sizeof(msg))) {
		fprintf(stderr, "boot-trace: %s\n", msg);
		return -1;
	}
	if (!c->samples.boots) {
		fprintf(stderr, "boot-trace: %s: no %sboot codes to compare\n", path,
			c->left_out ? "complete " : "");
		return -1;
	}
	return 0;
}

enum verdict {
	SAME,	     /* not significantly slower, or not by more than the threshold */
	SLOWER,	     /* significantly slower by more than the threshold: fails */
	MISSING,     /* BASE has it, NEW does not: fails */
	NEW_STAGE,   /* NEW has it, BASE does not */
	UNDECIDABLE, /* too few boots for any change to be significant */
};

static const char *const verdict_text[] = {
    [SAME] = "",
    [SLOWER] = "  SLOWER",
    [MISSING] = "  MISSING in new",
    [NEW_STAGE] = "  new stage",
    [UNDECIDABLE] = "  too few boots",
};

/* In the JSON results (docs/formats.md). */
static const char *const verdict_name[] = {
    [SAME] = "same",
    [SLOWER] = "slower",
    [MISSING] = "missing",
    [NEW_STAGE] = "new_stage",
    [UNDECIDABLE] = "too_few_boots",
};

/* One row: a stage, or the time to Userspace; its figures as the table prints them too. */
struct row {
	const char *name;
	size_t n_base, n_new;
	bool compared; /* both sides have boots: c holds the test */
	bool failed;   /* out of memory: not printed */
	struct comparison c;
	double median_base, median_new; /* ns; NAN for a side without boots */
	enum verdict verdict;
	char base[32], new[32], change[32], ci[80], p[16];
};

/* "+12.3%" of base; "from 0" when the base is 0. */
static void format_change(char *buf, size_t len, double delta, double base)
{
	if (base > 0)
		snprintf(buf, len, "%+.1f%%", delta / base * 100.0);
	else
		snprintf(buf, len, delta > 0 ? "from 0" : "%+.1f%%", 0.0);
}

static void compare(struct row *row, struct samples *base, struct samples *new,
		    const struct options *opts)
{
	struct comparison *c = &row->c;
	char lo[32], hi[32];

	row->n_base = base->n;
	row->n_new = new->n;
	row->median_base = row->median_new = NAN;
	row->verdict = SAME;
	snprintf(row->base, sizeof(row->base), "-");
	snprintf(row->new, sizeof(row->new), "-");
	if (base->n && new->n) {
		if (samples_compare(base, new, opts->alpha, c)) {
			fprintf(stderr, "boot-trace: out of memory\n");
			row->failed = true;
			row->verdict = MISSING;
			return;
		}
		row->compared = true;
		row->median_base = c->median_base;
		row->median_new = c->median_new;
		format_change(row->change, sizeof(row->change), c->diff_ns, c->median_base);
		format_change(lo, sizeof(lo), c->ci_low_ns, c->median_base);
		format_change(hi, sizeof(hi), c->ci_high_ns, c->median_base);
		snprintf(row->ci, sizeof(row->ci), "[%s, %s]", lo, hi);
		snprintf(row->p, sizeof(row->p), "%.4f", c->p_value);
		if (!c->decidable)
			row->verdict = UNDECIDABLE;
		else if (c->p_value < opts->alpha &&
			 (c->median_base > 0 ? c->diff_ns / c->median_base * 100.0 > opts->threshold
					     : c->diff_ns > 0))
			row->verdict = SLOWER;
	} else if (base->n) {
		row->median_base = samples_percentile(base, 50);
		row->verdict = MISSING;
	} else if (new->n) {
		row->median_new = samples_percentile(new, 50);
		row->verdict = NEW_STAGE;
	}
	if (!isnan(row->median_base))
		format_seconds(row->base, sizeof(row->base), llround(row->median_base));
	if (!isnan(row->median_new))
		format_seconds(row->new, sizeof(row->new), llround(row->median_new));
}

static void print_row(const struct row *row, int width)
{
	if (!row->failed)
		printf("  %-*s %4zu %4zu %12s %12s %9s %20s %8s%s\n", width, row->name, row->n_base,
		       row->n_new, row->base, row->new, row->change, row->ci, row->p,
		       verdict_text[row->verdict]);
}

/*
 * Every stage of either file, by label: BASE's in their order, then those only NEW has, each
 * after the last one of the same or a lower label_rank(). NULL when out of memory.
 */
static const char **stage_names(const struct boot_samples *base, const struct boot_samples *new,
				int *nr)
{
	const char **names = calloc(base->nr + new->nr, sizeof(*names));
	int n = 0;

	if (!names)
		return NULL;
	for (int i = 0; i < base->nr; i++)
		names[n++] = base->stage[i].label;
	for (int i = 0; i < new->nr; i++) {
		const char *label = new->stage[i].label;
		int at;

		if (boot_samples_stage(base, label))
			continue;
		for (at = n; at > 0 && label_rank(names[at - 1]) > label_rank(label); at--)
			;
		memmove(&names[at + 1], &names[at], (n - at) * sizeof(names[0]));
		names[at] = label;
		n++;
	}
	*nr = n;
	return names;
}

/* "a, b, c": the rows with this verdict. */
static void print_stages(const struct row *rows, int nr, enum verdict which)
{
	for (int i = 0, n = 0; i < nr; i++)
		if (rows[i].verdict == which)
			printf("%s%s", n++ ? ", " : "", rows[i].name);
	putchar('\n');
}

/* ---- the results for machines: --json and --junit -------------------------------------- */

/* Written like every output file (output.c's safe-file rules), by the functions below. */
static const struct output_ops results_ops = {};

static bool to_stdout(const char *path)
{
	return path && !strcmp(path, "-");
}

struct results {
	const struct options *opts;
	const struct collected *base, *new;
	const struct row *rows;
	int nr_rows; /* the stages, then the time to Userspace */
	int failures, skipped;
};

/* A file name kept printable UTF-8: the JSON must stay valid whatever the name. */
static struct json_object *json_name(const char *name)
{
	char *copy = strdup(name);
	struct json_object *s;

	if (!copy)
		return NULL;
	text_sanitize(copy);
	s = json_object_new_string(copy);
	free(copy);
	return s;
}

/* A finite double, written short ("%.6g" is a JSON number too); null otherwise. */
static struct json_object *json_number(double v)
{
	char buf[32];

	if (!isfinite(v))
		return NULL;
	snprintf(buf, sizeof(buf), "%.6g", v);
	return json_object_new_double_s(v, buf);
}

static struct json_object *json_ns(double ns)
{
	return isnan(ns) ? NULL : json_object_new_int64(llround(ns));
}

/* Percent of the base median; null without a comparison or when the base median is 0. */
static struct json_object *json_pct(const struct row *row, double delta)
{
	return row->compared && row->c.median_base > 0
		   ? json_number(delta / row->c.median_base * 100.0)
		   : NULL;
}

static struct json_object *json_row(const struct row *row)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(row->name));
	json_object_object_add(o, "n_base", json_object_new_uint64(row->n_base));
	json_object_object_add(o, "n_new", json_object_new_uint64(row->n_new));
	json_object_object_add(o, "median_base_ns", json_ns(row->median_base));
	json_object_object_add(o, "median_new_ns", json_ns(row->median_new));
	json_object_object_add(o, "change_pct", json_pct(row, row->c.diff_ns));
	json_object_object_add(o, "ci_low_pct", json_pct(row, row->c.ci_low_ns));
	json_object_object_add(o, "ci_high_pct", json_pct(row, row->c.ci_high_ns));
	json_object_object_add(o, "p_value", row->compared ? json_number(row->c.p_value) : NULL);
	json_object_object_add(o, "verdict", json_object_new_string(verdict_name[row->verdict]));
	return o;
}

static void write_json(FILE *fp, const struct results *res)
{
	const struct options *opts = res->opts;
	struct json_object *o = json_object_new_object(), *stages = json_object_new_array();

	json_object_object_add(o, "base", json_name(opts->files[0]));
	json_object_object_add(o, "new", json_name(opts->files[1]));
	json_object_object_add(o, "test", json_object_new_string(COMPARE_TEST_NAME));
	json_object_object_add(o, "alpha", json_number(opts->alpha));
	json_object_object_add(o, "threshold_pct", json_number(opts->threshold));
	json_object_object_add(o, "ci_level_pct", json_object_new_int(COMPARE_CI_LEVEL));
	json_object_object_add(o, "min_boots",
			       json_object_new_uint64(compare_min_boots(opts->alpha)));
	json_object_object_add(o, "boots_base", json_object_new_uint64(res->base->samples.boots));
	json_object_object_add(o, "boots_new", json_object_new_uint64(res->new->samples.boots));
	json_object_object_add(o, "include_incomplete",
			       json_object_new_boolean(opts->include_incomplete));
	json_object_object_add(o, "incomplete_left_out_base",
			       json_object_new_uint64(res->base->left_out));
	json_object_object_add(o, "incomplete_left_out_new",
			       json_object_new_uint64(res->new->left_out));
	for (int i = 0; i < res->nr_rows; i++)
		json_object_array_add(stages, json_row(&res->rows[i]));
	json_object_object_add(o, "stages", stages);
	json_object_object_add(o, "result",
			       json_object_new_string(res->failures ? "fail" : "pass"));
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE),
	      fp);
	fputc('\n', fp);
	json_object_put(o);
}

static void xml_property(FILE *fp, const char *name, const char *value)
{
	fprintf(fp, "      <property name=\"%s\" value=\"", name);
	xml_escape(fp, value);
	fputs("\"/>\n", fp);
}

/* The row's figures, as in the table: for the message of a failure and the test's output. */
static void row_figures(char *buf, size_t len, const struct row *row)
{
	const char *side[2] = {"base", "new"}, *median[2] = {row->base, row->new};
	size_t n[2] = {row->n_base, row->n_new}, at = 0;

	buf[0] = '\0';
	for (int i = 0; i < 2 && at < len; i++)
		at += n[i] ? snprintf(buf + at, len - at, "%s%s %s s (%zu boot%s)", i ? ", " : "",
				      side[i], median[i], n[i], n[i] == 1 ? "" : "s")
			   : snprintf(buf + at, len - at, "%s%s: no boots", i ? ", " : "", side[i]);
	if (row->compared && at < len)
		snprintf(buf + at, len - at, ", change %s, %d%% CI %s, p = %s", row->change,
			 COMPARE_CI_LEVEL, row->ci, row->p);
}

static void write_junit(FILE *fp, const struct results *res)
{
	const struct options *opts = res->opts;
	char buf[384], figures[256];
	int tests = res->nr_rows;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", fp);
	fprintf(fp,
		"<testsuites name=\"boot-trace diff\" tests=\"%d\" failures=\"%d\" errors=\"0\" "
		"skipped=\"%d\">\n",
		tests, res->failures, res->skipped);
	fprintf(fp,
		"  <testsuite name=\"boot-trace diff\" tests=\"%d\" failures=\"%d\" errors=\"0\" "
		"skipped=\"%d\">\n",
		tests, res->failures, res->skipped);
	fputs("    <properties>\n", fp);
	xml_property(fp, "base", opts->files[0]);
	xml_property(fp, "new", opts->files[1]);
	xml_property(fp, "test", COMPARE_TEST_NAME);
	snprintf(buf, sizeof(buf), "%g", opts->alpha);
	xml_property(fp, "alpha", buf);
	snprintf(buf, sizeof(buf), "%g", opts->threshold);
	xml_property(fp, "threshold_pct", buf);
	snprintf(buf, sizeof(buf), "%u", res->base->samples.boots);
	xml_property(fp, "boots_base", buf);
	snprintf(buf, sizeof(buf), "%u", res->new->samples.boots);
	xml_property(fp, "boots_new", buf);
	snprintf(buf, sizeof(buf), "%u", res->base->left_out);
	xml_property(fp, "incomplete_left_out_base", buf);
	snprintf(buf, sizeof(buf), "%u", res->new->left_out);
	xml_property(fp, "incomplete_left_out_new", buf);
	fputs("    </properties>\n", fp);
	for (int i = 0; i < res->nr_rows; i++) {
		const struct row *row = &res->rows[i];

		row_figures(figures, sizeof(figures), row);
		fputs("    <testcase classname=\"boot-trace diff\" name=\"", fp);
		xml_escape(fp, row->name);
		fputs("\">\n", fp);
		switch (row->verdict) {
		case SLOWER:
			snprintf(buf, sizeof(buf), "slower (p < %g, by more than %g%%): %s",
				 opts->alpha, opts->threshold, figures);
			fputs("      <failure type=\"slower\" message=\"", fp);
			break;
		case MISSING:
			snprintf(buf, sizeof(buf), "missing in NEW: %s", figures);
			fputs("      <failure type=\"missing\" message=\"", fp);
			break;
		case UNDECIDABLE:
			snprintf(buf, sizeof(buf),
				 "too few boots to decide (at least %zu a side are needed for "
				 "p < %g): %s",
				 compare_min_boots(opts->alpha), opts->alpha, figures);
			fputs("      <skipped message=\"", fp);
			break;
		default: /* passed: the figures as the test's output */
			snprintf(buf, sizeof(buf), "%s%s",
				 row->verdict == NEW_STAGE ? "only in NEW: " : "", figures);
			fputs("      <system-out>", fp);
			xml_escape(fp, buf);
			fputs("</system-out>\n    </testcase>\n", fp);
			continue;
		}
		xml_escape(fp, buf);
		fputs("\">", fp);
		xml_escape(fp, figures);
		fprintf(fp, "</%s>\n    </testcase>\n",
			row->verdict == UNDECIDABLE ? "skipped" : "failure");
	}
	fputs("  </testsuite>\n</testsuites>\n", fp);
}

/* Writing the results would truncate an input before it is read. */
static bool same_file(const char *in, const char *out)
{
	struct stat a, b;

	return out && strcmp(in, "-") && strcmp(out, "-") && !stat(in, &a) && !stat(out, &b) &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Open --json and --junit first: a path that cannot be written fails before any work. */
static int open_results(const struct options *opts, struct output *json, struct output *junit)
{
	const char *path[2] = {opts->json_file, opts->junit_file};
	struct output *out[2] = {json, junit};

	for (int f = 0; f < 2; f++)
		for (int i = 0; i < 2 && path[f]; i++)
			if (same_file(opts->files[i], path[f])) {
				fprintf(stderr, "boot-trace: %s is both an input and an output\n",
					opts->files[i]);
				return EXIT_BAD_INPUT;
			}
	if (path[0] && path[1] && same_file(path[0], path[1])) {
		fprintf(stderr, "boot-trace: --json and --junit name the same file %s\n", path[1]);
		return EXIT_BAD_INPUT;
	}
	for (int f = 0; f < 2; f++) {
		if (!path[f])
			continue;
		if (output_open(out[f], &results_ops, to_stdout(path[f]) ? NULL : path[f], 0)) {
			if (f == 1 && path[0]) {
				out[0]->discard = true; /* not left behind empty */
				output_close(out[0]);
			}
			return 1;
		}
	}
	return 0;
}

int cmd_diff(const struct options *opts)
{
	struct collected base = {.include_incomplete = opts->include_incomplete};
	struct collected new = {.include_incomplete = opts->include_incomplete};
	struct output json, junit;
	struct samples none = {};
	const char **stages = NULL;
	struct row *rows = NULL;
	int nr = 0, width = 18, count[UNDECIDABLE + 1] = {};
	/* stdout holds a results file: no table there. */
	bool table = !opts->quiet && !to_stdout(opts->json_file) && !to_stdout(opts->junit_file);
	int status = open_results(opts, &json, &junit);

	if (status)
		return status;
	status = EXIT_BAD_INPUT;
	if (load(opts->files[0], &base) || load(opts->files[1], &new))
		goto out;
	stages = stage_names(&base.samples, &new.samples, &nr);
	rows = calloc(nr + 1, sizeof(*rows));
	if (!stages || !rows) {
		fprintf(stderr, "boot-trace: out of memory\n");
		goto out;
	}
	for (int i = 0; i < nr; i++)
		if ((int)strlen(stages[i]) > width)
			width = strlen(stages[i]);
	if (table) {
		printf("boot-trace: BASE %s (%u boot%s) vs NEW %s (%u boot%s): %s; a stage fails "
		       "when p < %g and it is more than %g%% slower\n",
		       opts->files[0], base.samples.boots, base.samples.boots == 1 ? "" : "s",
		       opts->files[1], new.samples.boots, new.samples.boots == 1 ? "" : "s",
		       COMPARE_TEST_NAME, opts->alpha, opts->threshold);
		printf("  %-*s %4s %4s %12s %12s %9s %20s %8s\n", width, "stage", "n", "n",
		       "base (s)", "new (s)", "change", "95% CI of change", "p");
	}
	for (int i = 0; i <= nr; i++) {
		const char *name = i < nr ? stages[i] : "time to Userspace";
		struct samples *b =
		    i < nr ? boot_samples_stage(&base.samples, name) : &base.samples.userspace;
		struct samples *n =
		    i < nr ? boot_samples_stage(&new.samples, name) : &new.samples.userspace;

		rows[i].name = name;
		compare(&rows[i], b ?: &none, n ?: &none, opts);
		if (table)
			print_row(&rows[i], width);
		count[rows[i].verdict]++;
	}
	status = count[SLOWER] || count[MISSING] ? EXIT_REGRESSION : 0;
	if (table) {
		if (count[SLOWER]) {
			printf("boot-trace: slower (p < %g, by more than %g%%): ", opts->alpha,
			       opts->threshold);
			print_stages(rows, nr + 1, SLOWER);
		}
		if (count[MISSING]) {
			printf("boot-trace: missing in NEW: ");
			print_stages(rows, nr + 1, MISSING);
		}
		if (!status)
			printf("boot-trace: no stage significantly slower (p < %g) by more than "
			       "%g%%\n",
			       opts->alpha, opts->threshold);
	}
	/* On stderr even with -q: a gate that could not decide must not pass unseen. */
	if (count[UNDECIDABLE])
		fprintf(stderr,
			"boot-trace: too few boots to decide %d stage%s: at least %zu a side are "
			"needed for p < %g (run --repeat)\n",
			count[UNDECIDABLE], count[UNDECIDABLE] == 1 ? "" : "s",
			compare_min_boots(opts->alpha), opts->alpha);
	if (base.left_out || new.left_out)
		fprintf(stderr,
			"boot-trace: left out %u incomplete boot%s of BASE and %u of NEW (killed "
			"mid-boot; --include-incomplete counts them)\n",
			base.left_out, base.left_out == 1 ? "" : "s", new.left_out);
out:
	if (opts->json_file || opts->junit_file) {
		struct results res = {
		    .opts = opts,
		    .base = &base,
		    .new = &new,
		    .rows = rows,
		    .nr_rows = nr + 1,
		    .failures = count[SLOWER] + count[MISSING],
		    .skipped = count[UNDECIDABLE],
		};
		struct output *outs[2] = {opts->json_file ? &json : NULL,
					  opts->junit_file ? &junit : NULL};

		for (int f = 0; f < 2; f++) {
			if (!outs[f])
				continue;
			/* No results of a bad input: a file from an earlier run must not pass. */
			if (status == EXIT_BAD_INPUT)
				outs[f]->discard = true;
			else if (f == 0)
				write_json(outs[f]->fp, &res);
			else
				write_junit(outs[f]->fp, &res);
			if (output_close(outs[f]) && status == 0)
				status = 1;
		}
	}
	free(stages);
	free(rows);
	boot_samples_free(&base.samples);
	boot_samples_free(&new.samples);
	return status; /* main() says so if standard output could not be written */
}

/* ---- command line ---------------------------------------------------------------------- */

static int diff_option(struct options *opts, int opt, char *arg, int argc, char **argv)
{
	switch (opt) {
	case OPT_INCLUDE_INCOMPLETE:
		opts->include_incomplete = true;
		return 0;
	case OPT_JSON:
		return set_path(&opts->json_file, "--json", arg);
	case OPT_JUNIT:
		return set_path(&opts->junit_file, "--junit", arg);
	default:
		return gate_option(opts, opt, arg); /* --threshold, --alpha: shared with run --ab */
	}
}

static int diff_finish(struct options *opts, int argc, char **argv)
{
	const char *what = "diff needs two files: BASE.jsonl NEW.jsonl";

	if (argc - optind < 2)
		return usage_error("%s", what);
	if (argc - optind > 2)
		return usage_error("unexpected argument '%s': %s", argv[optind + 2], what);
	for (int i = 0; i < 2; i++)
		if (!*argv[optind + i])
			return usage_error("%s", "empty file name");
	if (opts->json_file && opts->junit_file && !strcmp(opts->json_file, opts->junit_file))
		return usage_error("--json and --junit name the same %s",
				   to_stdout(opts->json_file) ? "standard output" : "file");
	opts->files = argv + optind;
	opts->nr_files = 2;
	return 0;
}

static const struct option diff_options[] = {
    COMMON_LONG_OPTIONS,
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"alpha", required_argument, NULL, OPT_ALPHA},
    {"include-incomplete", no_argument, NULL, OPT_INCLUDE_INCOMPLETE},
    {"json", required_argument, NULL, OPT_JSON},
    {"junit", required_argument, NULL, OPT_JUNIT},
    {},
};

/* clang-format off */
static const char diff_usage[] =
	"USAGE: boot-trace diff [-q] [--threshold PCT] [--alpha P] [--include-incomplete]\n"
	"                       [--json FILE] [--junit FILE] BASE.jsonl NEW.jsonl\n"
	"\n"
	"Compare the boots of two recorded jsonl traces (every complete boot of every run in\n"
	"each), stage by stage: both medians, the change with its 95% bootstrap interval, and the\n"
	"p-value of a one-sided Mann-Whitney U test. A stage fails when NEW is significantly\n"
	"slower (p < P) AND slower by more than PCT percent. Exit 0 when no stage failed, 1 when\n"
	"one did (or a stage of BASE is missing from NEW), 2 on bad input. With too few boots\n"
	"(fewer than 5 a side at p < 0.01) no change can be significant: diff says so on stderr.\n"
	"\n"
	"Options:\n"
	"      --threshold PCT   the least change that can fail, in percent (default 10)\n"
	"      --alpha P         the significance level (default 0.01)\n"
	"      --include-incomplete  count boots that ended before they completed (a VMM\n"
	"                        killed mid-boot): left out by default, with a note\n"
	"      --json FILE       also write the results as one JSON object into FILE\n"
	"      --junit FILE      also write them as JUnit XML into FILE, a test case per stage,\n"
	"                        for CI (GitLab, Jenkins); either FILE - : standard output,\n"
	"                        instead of the table\n"
	"  -q, --quiet           no table: the exit status only\n"
	COMMON_USAGE
	"\n"
	"EXAMPLES:\n"
	"  boot-trace run --repeat 10 -f jsonl -o base.jsonl -- ./start-vm.sh   # boots base.1..10\n"
	"  cat base.*.jsonl > base.jsonl; ...; boot-trace diff base.jsonl new.jsonl\n"
	"  boot-trace diff --threshold 5 --alpha 0.05 base.jsonl new.jsonl || echo 'slower'\n"
	"  boot-trace diff --junit boot-junit.xml base.jsonl new.jsonl    # a CI test report\n";
/* clang-format on */

const struct command_parser diff_parser = {
    .cmd = CMD_DIFF,
    .name = "diff",
    .optstring = "",
    .longopts = diff_options,
    .option = diff_option,
    .finish = diff_finish,
    .usage = diff_usage,
};
