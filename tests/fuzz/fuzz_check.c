// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "fuzz_check.h"

__attribute__((noreturn)) static void broken(const char *what, const char *rule, const char *buf,
					     size_t len, size_t at)
{
	size_t from = at > 80 ? at - 80 : 0, to = at + 80 < len ? at + 80 : len;

	fprintf(stderr, "\nfuzz oracle: %s output breaks its format: %s at byte %zu:\n%.*s\n", what,
		rule, at, (int)(to - from), buf + from);
	abort();
}

/*
 * The length of the UTF-8 sequence at p (RFC 3629: shortest form, no surrogates, at most
 * U+10FFFF), or 0. Written apart from text.c on purpose: an oracle must not share the bugs of
 * the code it checks.
 */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
	unsigned int cp, n;

	if (p[0] < 0x80)
		return 1;
	n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc0 ? 2 : 0;
	if (!n || n > avail)
		return 0;
	cp = p[0] & (0x7f >> n);
	for (unsigned int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Valid UTF-8; no control character but LF (and TAB). */
void check_text(const char *what, const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf;

	for (size_t i = 0; i < len;) {
		size_t n = utf8_len(p + i, len - i);

		if (p[i] == '\0')
			broken(what, "NUL byte", buf, len, i);
		if (n == 0)
			broken(what, "invalid UTF-8", buf, len, i);
		if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') || p[i] == 0x7f)
			broken(what, "control character", buf, len, i);
		i += n;
	}
}

static struct json_object *parse_strict(const char *what, const char *buf, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;
	size_t end;

	if (!tok)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, len);
	if (!obj || json_tokener_get_error(tok) != json_tokener_success)
		broken(what, json_tokener_error_desc(json_tokener_get_error(tok)), buf, len,
		       json_tokener_get_parse_end(tok));
	end = json_tokener_get_parse_end(tok);
	for (; end < len; end++)
		if (!strchr(" \t\n", buf[end]))
			broken(what, "text after the JSON document", buf, len, end);
	json_tokener_free(tok);
	return obj;
}

void check_json_document(const char *what, const char *buf, size_t len)
{
	struct json_object *obj, *events;

	check_text(what, buf, len);
	obj = parse_strict(what, buf, len);
	if (!json_object_object_get_ex(obj, "traceEvents", &events) ||
	    !json_object_is_type(events, json_type_array))
		broken(what, "no traceEvents array", buf, len, 0);
	json_object_put(obj);
}

void check_jsonl(const char *what, const char *buf, size_t len)
{
	check_text(what, buf, len);
	if (len && buf[len - 1] != '\n')
		broken(what, "last line not ended", buf, len, len - 1);
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t n = nl - (buf + i);
		struct json_object *obj = parse_strict(what, buf + i, n);

		if (!json_object_is_type(obj, json_type_object))
			broken(what, "a line that is not a JSON object", buf, len, i);
		json_object_put(obj);
		i += n + 1;
	}
}

/* RFC 4180 with LF line ends: every record has the same number of fields. */
void check_csv(const char *what, const char *buf, size_t len, int fields)
{
	int n = 1;
	bool quoted = false, field_start = true;

	check_text(what, buf, len);
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (quoted) {
			if (c == '"' && i + 1 < len && buf[i + 1] == '"')
				i++;
			else if (c == '"')
				quoted = false;
			continue;
		}
		if (c == '"') {
			if (!field_start)
				broken(what, "quote inside an unquoted field", buf, len, i);
			quoted = true;
		} else if (c == ',') {
			n++;
			field_start = true;
			continue;
		} else if (c == '\n') {
			if (n != fields)
				broken(what, "a record with the wrong number of fields", buf, len,
				       i);
			n = 1;
		} else if (c == '\r') {
			broken(what, "CR outside quotes", buf, len, i);
		}
		field_start = c == '\n';
	}
	if (quoted)
		broken(what, "unterminated quoted field", buf, len, len);
	if (len && buf[len - 1] != '\n')
		broken(what, "last record not ended", buf, len, len - 1);
}

/*
 * Not a full XML parser: markup only where the writer puts it (every '<' opens a tag, every
 * '>' closes one), every '&' starts an entity, and no number attribute is inf or nan.
 */
void check_svg(const char *what, const char *buf, size_t len)
{
	static const char *const entities[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
	static const char *const bad_numbers[] = {"\"inf", "\"-inf", "\"nan", "\"-nan"};
	bool in_tag = false;

	check_text(what, buf, len);
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '<') {
			if (in_tag)
				broken(what, "'<' inside a tag", buf, len, i);
			in_tag = true;
		} else if (buf[i] == '>') {
			if (!in_tag)
				broken(what, "'>' outside a tag", buf, len, i);
			in_tag = false;
		} else if (buf[i] == '&') {
			bool ok = false;

			for (size_t e = 0; e < sizeof(entities) / sizeof(entities[0]); e++)
				ok |= !strncmp(buf + i, entities[e], strlen(entities[e]));
			if (!ok)
				broken(what, "'&' that starts no entity", buf, len, i);
		} else if (buf[i] == '"' && in_tag) {
			for (size_t b = 0; b < sizeof(bad_numbers) / sizeof(bad_numbers[0]); b++)
				if (!strncmp(buf + i, bad_numbers[b], strlen(bad_numbers[b])))
					broken(what, "a number that is not finite", buf, len, i);
		}
	}
	if (in_tag)
		broken(what, "unclosed tag", buf, len, len);
	/* One document: nothing before it, nothing after it (no table of the summary's). */
	if (len && strncmp(buf, "<?xml ", 6))
		broken(what, "text before the XML declaration", buf, len, 0);
	if (len && (len < 7 || strcmp(buf + len - 7, "</svg>\n")))
		broken(what, "not ended by </svg>", buf, len, len);
}

void check_lines_start(const char *what, const char *buf, size_t len, const char *const *prefixes)
{
	check_text(what, buf, len);
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(buf + i, '\n', len - i);
		bool ok = false;

		if (!nl)
			broken(what, "last line not ended", buf, len, i);
		for (const char *const *p = prefixes; *p; p++)
			ok |= !strncmp(buf + i, *p, strlen(*p));
		if (!ok)
			broken(what, "a line that starts like no line of the format", buf, len, i);
		i = nl - buf + 1;
	}
}

void fuzz_output_open(struct output *out, struct fuzz_buf *fb, const struct output_ops *ops,
		      unsigned int flags)
{
	memset(fb, 0, sizeof(*fb));
	fb->ops = ops;
	fb->flags = flags;
	fb->fp = open_memstream(&fb->buf, &fb->len);
	if (!fb->fp || output_open_stream(out, ops, fb->fp, flags))
		abort();
}

void fuzz_buf_free(struct fuzz_buf *fb)
{
	fclose(fb->fp);
	free(fb->buf);
	memset(fb, 0, sizeof(*fb));
}

void fuzz_buf_check(struct fuzz_buf *fb)
{
	static const char *const log_lines[] = {"[", NULL};
	static const char *const summary_lines[] = {"boot-trace: ", "  ", NULL};
	/* -q, or the daemon's stderr: the final counts, no table. */
	static const char *const totals_lines[] = {"boot-trace: ", NULL};

	fclose(fb->fp);
	fb->fp = NULL;
	if (fb->ops == &output_log_ops)
		check_lines_start("log", fb->buf, fb->len, log_lines);
	else if (fb->ops == &output_jsonl_ops)
		check_jsonl("jsonl", fb->buf, fb->len);
	else if (fb->ops == &output_chrome_ops)
		check_json_document("chrome", fb->buf, fb->len);
	else if (fb->ops == &output_csv_ops)
		check_csv("csv", fb->buf, fb->len, 16);
	else if (fb->ops == &output_svg_ops)
		check_svg("svg", fb->buf, fb->len);
	else if (fb->ops == &output_summary_ops)
		check_lines_start("summary", fb->buf, fb->len,
				  fb->flags & (OUTPUT_QUIET | OUTPUT_TOTALS_ONLY) ? totals_lines
										  : summary_lines);
	else
		abort(); /* a writer without an oracle */
	if (fb->ops == &output_jsonl_ops && (fb->flags & OUTPUT_QUIET)) {
		/* -q: the trace only (a record's type comes first; a string cannot hold '"'). */
		const char *sum = strstr(fb->buf, "{\"type\":\"summary\"");
		const char *vm_sum = strstr(fb->buf, "{\"type\":\"vm_summary\"");

		if (sum || vm_sum)
			broken("jsonl", "a summary record with -q", fb->buf, fb->len,
			       (sum ?: vm_sum) - fb->buf);
	}
	free(fb->buf);
	memset(fb, 0, sizeof(*fb));
}

/* Less memory held in ASan's quarantine: each input allocates anew, and faults in fresh pages. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=32";
}
