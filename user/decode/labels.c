// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "labels.h"
#include "text.h"

#define RANGE(lo, hi, label_name, user)                                                            \
	{                                                                                          \
		.low = (lo), .high = (hi), .label = {.name = label_name, .userspace = user }       \
	}

/* cloud-hypervisor's convention for port 0x80. */
const struct label_map label_map_debug_port = {
    .name = "debug-port",
    .nr = 5,
    .ranges =
	{
	    RANGE(0x00, 0x1f, "Firmware", false),
	    RANGE(0x20, 0x3f, "Bootloader", false),
	    RANGE(0x40, 0x5f, "Kernel", false),
	    RANGE(0x60, 0x7f, "Userspace", true),
	    RANGE(0x80, 0xff, "Custom", false),
	},
};

/* qboot's benchmark values as extended by qemu-boot-time (port 0xf4; firmware uses 0xf5). */
const struct label_map label_map_qboot = {
    .name = "qboot",
    .nr = 7,
    .ranges =
	{
	    RANGE(1, 1, "fw_start", false),
	    RANGE(2, 2, "linux_start_fwcfg", false),
	    RANGE(3, 3, "linux_start_boot", false),
	    RANGE(4, 4, "linux_start_pvhboot", false),
	    RANGE(5, 5, "fw_do_boot", false),
	    RANGE(6, 6, "linux_start_kernel", false),
	    RANGE(7, 7, "linux_start_user", true),
	},
};

const struct label label_io_delay = {.name = "I/O delay"};
const struct label label_vmm_setup = {.name = "VMM set-up"};
/* Firecracker's boot timer is written by the guest's init: boot is done. */
const struct label label_guest_boot_time = {.name = "Guest-boot-time", .userspace = true};
const struct label label_unknown = {.name = "Unknown"};

static const struct label_map *const builtin_maps[] = {&label_map_debug_port, &label_map_qboot};

const struct label_map *label_map_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof(builtin_maps) / sizeof(builtin_maps[0]); i++)
		if (!strcmp(builtin_maps[i]->name, name))
			return builtin_maps[i];
	return NULL;
}

/*
 * Whether a label, by its name, ends the boot ("time to Userspace"): the same test for the
 * built-in maps, a label file's labels and labels read back, so a trace and its report agree.
 */
static bool ends_boot(const char *name)
{
	return !strcmp(name, "Userspace") || !strcmp(name, "linux_start_user") ||
	       !strcmp(name, label_guest_boot_time.name);
}

const struct label *label_of_code(const struct label_map *map, uint32_t value)
{
	uint8_t code = value & 0xff;

	for (int i = 0; i < map->nr; i++)
		if (code >= map->ranges[i].low && code <= map->ranges[i].high)
			return &map->ranges[i].label;
	return &label_unknown;
}

const struct label *label_of_write(const struct label_set *set, bool mmio, uint16_t port,
				   uint32_t value)
{
	const struct label_map *map = NULL;

	if (mmio)
		return &label_guest_boot_time;
	for (int i = 0; set && i < set->nr; i++)
		if (set->ports[i] == port)
			map = set->maps[i];
	return label_of_code(map ?: &label_map_debug_port, value);
}

/* ---- labels read back from recorded traces ---------------------------------------------- */

#define INTERN_SLOTS (2 * LABEL_INTERN_MAX) /* open addressing, at most half full */

const struct label *label_intern(const char *name)
{
	static struct label *slots[INTERN_SLOTS];
	static int nr;
	uint32_t h = 2166136261u; /* FNV-1a */
	struct label *l;

	if (strlen(name) >= LABEL_NAME_MAX)
		return NULL;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (h %= INTERN_SLOTS; slots[h]; h = (h + 1) % INTERN_SLOTS)
		if (!strcmp(slots[h]->name, name))
			return slots[h];
	if (nr == LABEL_INTERN_MAX)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	strcpy(l->name, name);
	l->userspace = ends_boot(name);
	slots[h] = l;
	nr++;
	return l;
}

/*
 * The known stages in boot order: the host's set-up before the guest runs, the debug-port
 * map's stages, with "Ready" (the console rules' last stage: a login prompt, systemd's
 * multi-user target) right after Userspace and before the user's own Custom codes.
 */
static const char *const ranked[LABEL_RANK_OTHER] = {
    "VMM set-up", "Firmware", "Bootloader", "Kernel", "Userspace", "Ready", "Custom",
};

int label_rank(const char *name)
{
	for (int i = 0; i < LABEL_RANK_OTHER; i++)
		if (!strcmp(ranked[i], name))
			return i;
	return LABEL_RANK_OTHER;
}

const char *label_rank_name(int rank)
{
	return rank >= 0 && rank < LABEL_RANK_OTHER ? ranked[rank] : NULL;
}

/* ---- label files ---------------------------------------------------------------------- */

/* A code: decimal, 0x hex or 0 octal, the whole token. -EINVAL, or -ERANGE past 0xff. */
static int parse_code(const char *s, unsigned long *code)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*code = strtoul(s, &end, 0);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || *code > LABEL_CODE_MAX)
		return -ERANGE;
	return 0;
}

/* The name: printable ASCII, spaces inside allowed, at most LABEL_NAME_MAX - 1 bytes. */
static int check_name(const char *name, size_t len, char *err, size_t errlen, int line)
{
	if (len >= LABEL_NAME_MAX)
		return line_error(err, errlen, line,
				  "label name '%.*s...' is too long (at most %d "
				  "characters)",
				  20, name, LABEL_NAME_MAX - 1);
	for (size_t i = 0; i < len; i++)
		if (name[i] < 0x20 || name[i] > 0x7e)
			return line_error(err, errlen, line,
					  "label name has a byte 0x%02x that is "
					  "not printable ASCII",
					  (unsigned char)name[i]);
	return 0;
}

/* One line without comment and surrounding blanks: "VALUE NAME" or "LOW-HIGH NAME". */
static int parse_line(struct label_map *map, int *line_of, char *s, int line, char *err,
		      size_t errlen)
{
	char *name = s, *dash;
	unsigned long low, high;
	int rl, rh, r;

	while (*name && !text_is_blank(*name))
		name++;
	if (!*name)
		return line_error(err, errlen, line,
				  "expected 'VALUE NAME' or 'LOW-HIGH NAME', "
				  "got '%.40s'",
				  s);
	*name++ = '\0';
	while (text_is_blank(*name))
		name++;
	if (*name == '-')
		return line_error(err, errlen, line, "write a range as LOW-HIGH, without blanks");
	r = check_name(name, strlen(name), err, errlen, line);
	if (r)
		return r;

	dash = strchr(s, '-');
	if (dash)
		*dash = '\0';
	rl = parse_code(s, &low);
	rh = dash ? parse_code(dash + 1, &high) : rl;
	if (!dash)
		high = low;
	if (rl == -EINVAL || rh == -EINVAL) {
		if (dash)
			*dash = '-';
		return line_error(err, errlen, line,
				  "'%.40s' is not a code or a LOW-HIGH range "
				  "(codes are numbers like 7, 0x1f)",
				  s);
	}
	if (rl || rh) {
		if (dash)
			*dash = '-';
		return line_error(err, errlen, line,
				  "'%.40s' is out of range: codes are 0x00-0xff "
				  "(the low byte of a write)",
				  s);
	}
	if (low > high)
		return line_error(err, errlen, line, "range 0x%lx-0x%lx runs backwards", low, high);

	for (unsigned long c = low; c <= high; c++) {
		if (line_of[c])
			return line_error(err, errlen, line,
					  "code 0x%lx is already labelled '%s' on "
					  "line %d",
					  c, label_of_code(map, c)->name, line_of[c]);
	}
	for (unsigned long c = low; c <= high; c++)
		line_of[c] = line;
	map->ranges[map->nr] = (struct label_range){.low = low, .high = high};
	strcpy(map->ranges[map->nr].label.name, name);
	map->ranges[map->nr].label.userspace = ends_boot(name);
	map->nr++;
	return 0;
}

int label_map_parse(struct label_map *map, const char *text, size_t len, char *err, size_t errlen)
{
	int line_of[LABEL_CODE_MAX + 1] = {}; /* line that labelled each code, 0: none */
	const char *p = text, *end = text + len;
	char buf[512];
	int line = 0, r;

	map->nr = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p) ?: end;
		size_t n = nl - p;
		char *s = buf, *hash;

		line++;
		if (memchr(p, '\0', n))
			return line_error(err, errlen, line, "a NUL byte: not a text file");
		if (n >= sizeof(buf))
			return line_error(err, errlen, line, "line too long (at most %zu bytes)",
					  sizeof(buf) - 1);
		memcpy(buf, p, n);
		buf[n] = '\0';
		p = nl + 1;
		hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		while (text_is_blank(*s))
			s++;
		for (size_t k = strlen(s); k && text_is_blank(s[k - 1]); k--)
			s[k - 1] = '\0';
		if (!*s)
			continue;
		r = parse_line(map, line_of, s, line, err, errlen);
		if (r)
			return r;
	}
	if (!map->nr)
		return line_error(err, errlen, 0,
				  "no labels (lines 'VALUE NAME' or 'LOW-HIGH NAME')");
	return 0;
}

int label_map_open(const char *arg, const struct label_map **out, char *err, size_t errlen)
{
	const struct label_map *builtin = label_map_builtin(arg);
	struct label_map *map;
	char problem[256], *text = NULL;
	size_t len = 0;
	int r;

	if (builtin) {
		*out = builtin;
		return 0;
	}
	r = read_small_file(arg, LABEL_FILE_MAX, &text, &len);
	if (r) {
		snprintf(err, errlen,
			 "cannot read label map '%s': %s (built-in maps: debug-port, "
			 "qboot)",
			 arg, r == -EFBIG ? "larger than 1 MiB" : strerror(-r));
		return r;
	}
	map = calloc(1, sizeof(*map));
	if (!map) {
		free(text);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = label_map_parse(map, text, len, problem, sizeof(problem));
	free(text);
	if (r) {
		snprintf(err, errlen, "%s:%s%s", arg, isdigit((unsigned char)problem[0]) ? "" : " ",
			 problem);
		free(map);
		return r;
	}
	snprintf(map->name, sizeof(map->name), "%s", arg);
	*out = map;
	return 0;
}

void label_map_close(const struct label_map *map)
{
	if (map && map != label_map_builtin(map->name))
		free((void *)map);
}
