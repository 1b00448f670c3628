// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Fuzz target: label files (--labels FILE). Any text is either refused with a one-line
 * problem, or gives a map whose ranges are ordered within 0..0xff, disjoint, and named with
 * non-empty printable names that fit, and that labels exactly the codes its ranges cover.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "labels.h"

static void check_map(const struct label_map *map)
{
	if (map->nr < 0 || map->nr > LABEL_CODE_MAX + 1)
		abort();
	for (int i = 0; i < map->nr; i++) {
		const struct label_range *r = &map->ranges[i];
		size_t len = strnlen(r->label.name, LABEL_NAME_MAX);

		if (r->low > r->high || len == 0 || len == LABEL_NAME_MAX)
			abort();
		for (size_t c = 0; c < len; c++)
			if ((unsigned char)r->label.name[c] < 0x20 || r->label.name[c] == 0x7f)
				abort();
		for (int j = 0; j < i; j++)
			if (!(r->high < map->ranges[j].low || r->low > map->ranges[j].high))
				abort();
	}
	/* Every code: labelled by the range that covers it, or Unknown. */
	for (uint32_t code = 0; code <= LABEL_CODE_MAX; code++) {
		const struct label *want = &label_unknown, *got = label_of_code(map, code);

		for (int i = 0; i < map->nr; i++)
			if (code >= map->ranges[i].low && code <= map->ranges[i].high)
				want = &map->ranges[i].label;
		if (got != want && strcmp(got->name, want->name))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct label_map *map = calloc(1, sizeof(*map));
	char err[512] = "";

	if (!map)
		return 0;
	if (label_map_parse(map, (const char *)data, size, err, sizeof(err)) == 0) {
		check_map(map);
	} else if (!err[0] || strchr(err, '\n')) {
		abort(); /* a refusal is one non-empty line */
	}
	free(map);
	return 0;
}
