/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Label maps: what a code written to a traced port means. A map names code ranges (codes are
 * the low byte of a write, 0x00-0xff); each --port has one. Built in: "debug-port"
 * (cloud-hypervisor's five ranges, the default) and "qboot" (qboot / qemu-boot-time's values
 * 1..7 on port 0xf4). Users can write their own in a small file (format in README.md).
 * Each label is a stage of the boot summary.
 */
#ifndef LABELS_H
#define LABELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LABEL_NAME_MAX	   32	/* including the terminating NUL */
#define LABEL_CODE_MAX	   0xff /* codes are the low byte of a write */
#define LABEL_FILE_MAX	   (1 << 20)
#define LABEL_MAP_NAME_MAX 256
#define LABEL_PORTS_MAX	   8 /* ports traced at once (BT_MAX_PORTS) */

struct label {
	char name[LABEL_NAME_MAX];
	bool userspace; /* its first code is the summary's "time to Userspace" */
};

struct label_range {
	uint8_t low, high;
	struct label label;
};

struct label_map {
	char name[LABEL_MAP_NAME_MAX]; /* "debug-port", "qboot" or the file it came from */
	int nr;
	struct label_range ranges[LABEL_CODE_MAX + 1]; /* disjoint */
};

/* Which map labels which traced port (a port without one uses "debug-port"). */
struct label_set {
	int nr;
	uint16_t ports[LABEL_PORTS_MAX];
	const struct label_map *maps[LABEL_PORTS_MAX];
};

extern const struct label_map label_map_debug_port;
extern const struct label_map label_map_qboot;
/* The label of every --mmio write (Firecracker's boot timer). */
extern const struct label label_guest_boot_time;
/* A code that the port's map does not name. */
extern const struct label label_unknown;
/* A port-0x80 write that is an I/O delay, not a marker (event.h): no stage. */
extern const struct label label_io_delay;
/* The host-side stage from the VMM's start (or VM creation) to the guest's first entry. */
extern const struct label label_vmm_setup;

/* The built-in map with this name, or NULL. */
const struct label_map *label_map_builtin(const char *name);

/*
 * Parse the text of a label file into map. Returns 0, or -EINVAL with the problem in err,
 * prefixed "LINE: " when it is on one line.
 */
int label_map_parse(struct label_map *map, const char *text, size_t len, char *err, size_t errlen);

/*
 * A built-in map by name, else a label file read from path. Returns 0 with *map set (a file's
 * map is allocated: label_map_close() it), or -errno / -EINVAL with a one-line problem in err
 * (naming the file, and the line where there is one).
 */
int label_map_open(const char *arg, const struct label_map **map, char *err, size_t errlen);

/* Free a map from label_map_open() (a built-in one stays); NULL is fine. */
void label_map_close(const struct label_map *map);

/* The label of a code in a map: only its low byte counts. label_unknown if unnamed. */
const struct label *label_of_code(const struct label_map *map, uint32_t value);

/*
 * The label of one traced write (the decoder resolves it once for every sink and the
 * summary): an MMIO write is the Guest-boot-time; a port write is labelled by its port's map
 * (set may be NULL: debug-port for every port).
 */
const struct label *label_of_write(const struct label_set *set, bool mmio, uint16_t port,
				   uint32_t value);

/*
 * A label read back from a recorded trace, by name: one per name for the program's lifetime
 * (so the statistics and writers may keep it). Its first code ends the boot if it is one of
 * the built-in labels that do (Userspace, linux_start_user, Guest-boot-time). NULL when out
 * of memory or past LABEL_INTERN_MAX names.
 */
#define LABEL_INTERN_MAX 4096
const struct label *label_intern(const char *name);

/*
 * The place of a stage in tables and legends: the known stages first, in boot order (0..6:
 * "VMM set-up", then the debug-port map's Firmware, Bootloader, Kernel, Userspace, then
 * "Ready", then Custom), then every other label (LABEL_RANK_OTHER), in the order it was first
 * seen. A rank is no index into the debug-port map: label_rank_name() names it.
 */
#define LABEL_RANK_OTHER 7
int label_rank(const char *name);
/* The known stage of a rank below LABEL_RANK_OTHER (NULL for any other rank). */
const char *label_rank_name(int rank);

#endif
