// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "boot_trace.h" /* before the skeletons: their .rodata holds our types */
#include "writes.skel.h"
#include "lifecycle.skel.h"
#include "core_btf.h"
#include "tracer.h"

#define TRACEFS "/sys/kernel/tracing"

/*
 * Two BPF objects on the same maps (bpf/state.bpf.h): skel has the maps and the write
 * programs, and is ready to trace soonest; lifecycle has the rest (VM and vCPU creation,
 * exits, forks, kvm_entry, kvm_exit), loaded while the first writes are already being captured.
 */
struct tracer {
	struct writes_bpf *skel;
	struct lifecycle_bpf *lifecycle;
	int core_fd; /* the built-in BTF subset, until both are loaded; -1: none */
	char core_path[64];
	struct ring_buffer *rb;
	/* The ring buffer's consumer and producer positions (its first two pages, read-only). */
	const volatile unsigned long *ring_pos;
	size_t ring_pos_len;
	struct tracer_features features;
	unsigned int batch;	  /* records handed over by this tracer_consume() */
	struct tracer_config cfg; /* a copy: its ports point into the caller's options */
};

static bool verbose;

/* libbpf speaks only with -v: its warnings are followed by our own one-line errors. */
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return verbose ? vfprintf(stderr, fmt, args) : 0;
}

/* -v: the time each start-up step took, since the previous one (NULL: start counting). */
static void verbose_step(const char *step)
{
	static struct timespec last;
	struct timespec now;

	if (!verbose)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (step)
		fprintf(stderr, "boot-trace: %s in %.2f ms\n", step,
			(now.tv_sec - last.tv_sec) * 1e3 + (now.tv_nsec - last.tv_nsec) / 1e6);
	last = now;
}

static int fail(int err, const char *fmt, ...)
{
	va_list args;

	fprintf(stderr, "boot-trace: ");
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
	return err;
}

/* Root, or CAP_BPF + CAP_PERFMON: name what is missing rather than fail in bpf(). */
static int check_privileges(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {};
	const char *missing = NULL;

	if (syscall(SYS_capget, &hdr, data))
		return fail(-errno, "cannot read capabilities: %s", strerror(errno));
#define HAS_CAP(c) (data[(c) / 32].effective & (1u << ((c) % 32)))
	if (HAS_CAP(CAP_SYS_ADMIN))
		return 0;
	if (!HAS_CAP(CAP_BPF))
		missing = HAS_CAP(CAP_PERFMON) ? "CAP_BPF" : "CAP_BPF and CAP_PERFMON";
	else if (!HAS_CAP(CAP_PERFMON))
		missing = "CAP_PERFMON";
#undef HAS_CAP
	if (missing)
		return fail(-EPERM, "permission denied: tracing needs root or %s (try sudo)",
			    missing);
	return 0;
}

static bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/*
 * Test and diagnostic knob, not an option: BOOT_TRACE_TEST_MISSING=raw_tp,kvm_exit,... makes
 * the probe behave as if this kernel lacked those features, so that the fallbacks and the
 * messages naming what is missing can be exercised on a kernel that has everything
 * (tests/e2e/boot-trace-faults.bats). Names: btf (/sys/kernel/btf/vmlinux), raw_tp (the raw
 * kvm_pio/kvm_mmio programs), core_btf (the built-in BTF subset, see open_core_btf), and the
 * tracepoints kvm_pio, kvm_exit, kvm_update_master_clock, kvm_write_tsc_offset. It can only
 * take features away.
 */
static bool pretend_missing(const char *feature)
{
	const char *list = getenv("BOOT_TRACE_TEST_MISSING");
	size_t len = strlen(feature);

	for (const char *p = list; p && *p; p += strcspn(p, ","), p += *p == ',')
		if (strcspn(p, ",") == len && !strncmp(p, feature, len))
			return true;
	return false;
}

/* Classic tracepoints are looked up in tracefs: mount it if nobody has. */
static int ensure_tracefs(void)
{
	if (path_exists(TRACEFS "/events"))
		return 0;
	if (path_exists("/sys/kernel/debug/tracing/events"))
		return 0;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY)
		return fail(-errno, "cannot mount tracefs at " TRACEFS ": %s", strerror(errno));
	return 0;
}

static bool tracepoint_exists(const char *category, const char *name)
{
	char path[256];

	if (pretend_missing(name))
		return false;
	snprintf(path, sizeof(path), TRACEFS "/events/%s/%s", category, name);
	if (path_exists(path))
		return true;
	snprintf(path, sizeof(path), "/sys/kernel/debug/tracing/events/%s/%s", category, name);
	return path_exists(path);
}

static int handle_record(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;

	if (size != BT_WAKE_RECORD_SIZE) /* a wake-up, nothing else */
		t->cfg.on_record(t->cfg.ctx, data, size);
	/* A negative return makes libbpf stop after this record (which it has consumed). */
	return ++t->batch < TRACER_CONSUME_BATCH ? 0 : -EAGAIN;
}

/* The writes object: the whole configuration (.rodata, shared with lifecycle) and the maps. */
static int configure_writes(struct writes_bpf *skel, const struct tracer_config *cfg, bool raw,
			    bool lifecycle)
{
	bool full = cfg->nr_consoles || cfg->phases; /* see pio_exit() in writes.bpf.c */
	uint64_t bytes = (uint64_t)cfg->buffer_kib * 1024;

	for (int i = 0; i < cfg->nr_ports; i++)
		skel->rodata->trace_ports[i] = cfg->ports[i];
	skel->rodata->nr_trace_ports = cfg->nr_ports;
	skel->rodata->filter_tgids = cfg->filter_tgids;
	skel->rodata->follow_forks = cfg->follow_forks;
	skel->rodata->ringbuf_bytes = bytes;
	skel->rodata->mmio_gpa = cfg->mmio_gpa;
	skel->rodata->mmio_match_value = cfg->mmio_match_value;
	skel->rodata->mmio_value = cfg->mmio_value;
	skel->rodata->name_unseen_vms = !lifecycle;
	for (int i = 0; i < cfg->nr_consoles && i < BT_MAX_CONSOLES; i++) {
		skel->rodata->console_ports[i] = cfg->console_ports[i];
		skel->rodata->console_kinds[i] = cfg->console_kinds[i];
	}
	skel->rodata->nr_consoles = cfg->nr_consoles;
	skel->rodata->trace_phases = cfg->phases;
	skel->rodata->trace_rip = cfg->rip;
	bpf_program__set_autoload(skel->progs.kvm_pio_raw, raw && !full);
	bpf_program__set_autoload(skel->progs.kvm_pio_console_raw, raw && full);
	bpf_program__set_autoload(skel->progs.kvm_pio_tp, !raw);
	bpf_program__set_autoload(skel->progs.kvm_mmio_raw, cfg->mmio && raw);
	bpf_program__set_autoload(skel->progs.kvm_mmio_tp, cfg->mmio && !raw);
	/* Hash maps cost ~0.2 ms each to create: the console's and the phases' only when used. */
	bpf_map__set_autocreate(skel->maps.console_lines, cfg->nr_consoles > 0);
	bpf_map__set_autocreate(skel->maps.awaiting_entry, cfg->phases);
	bpf_map__set_autocreate(skel->maps.last_exit, cfg->rip);
	return bpf_map__set_max_entries(skel->maps.events, bytes);
}

/* The lifecycle object: which of its programs this configuration needs. */
static void configure_lifecycle(struct lifecycle_bpf *skel, const struct tracer_config *cfg,
				bool raw, bool lifecycle)
{
	bpf_program__set_autoload(skel->progs.kvm_exit_tp,
				  cfg->rip && tracepoint_exists("kvm", "kvm_exit"));
	bpf_program__set_autoload(skel->progs.kvm_entry_raw,
				  raw && cfg->phases && tracepoint_exists("kvm", "kvm_entry"));
	bpf_program__set_autoload(skel->progs.vm_create_raw, raw && lifecycle);
	bpf_program__set_autoload(skel->progs.vm_create_tp, !raw && lifecycle);
	bpf_program__set_autoload(skel->progs.vcpu_create_raw, raw && lifecycle);
	bpf_program__set_autoload(skel->progs.vcpu_create_tp, !raw && lifecycle);
	bpf_program__set_autoload(skel->progs.process_exit_raw, raw);
	bpf_program__set_autoload(skel->progs.process_exit_tp, !raw);
	bpf_program__set_autoload(skel->progs.process_fork, cfg->follow_forks);
}

/*
 * A map's counterpart in the other object: the same name, or for global data (.rodata, .bss)
 * the same section, whose map name starts with the object's own name.
 */
static struct bpf_map *counterpart(struct bpf_object *from, const struct bpf_map *map)
{
	const char *name = bpf_map__name(map), *section = strchr(name, '.');
	struct bpf_map *src;

	if (!bpf_map__is_internal(map) || !section)
		return bpf_object__find_map_by_name(from, name);
	bpf_object__for_each_map (src, from) {
		const char *s = strchr(bpf_map__name(src), '.');

		if (bpf_map__is_internal(src) && s && !strcmp(s, section))
			return src;
	}
	return NULL;
}

/* The lifecycle object uses the maps of the writes object: it creates none of its own. */
static int share_maps(struct bpf_object *from, struct bpf_object *to)
{
	struct bpf_map *map;

	bpf_object__for_each_map (map, to) {
		struct bpf_map *src = counterpart(from, map);
		int err;

		if (src && !bpf_map__autocreate(src)) { /* not used by this configuration */
			bpf_map__set_autocreate(map, false);
			continue;
		}
		/* The build checks that both lay global data out alike (check-shared-data.sh). */
		if (src && bpf_map__value_size(src) != bpf_map__value_size(map))
			return -EPROTO;
		err = src ? bpf_map__reuse_fd(map, bpf_map__fd(src)) : -ENOENT;
		if (err)
			return err;
	}
	return 0;
}

/*
 * The BTF subset built in (core_btf.h), in a memfd that libbpf can open by path, if this is
 * the kernel it was cut from: libbpf then needs no vmlinux BTF, whose parsing (megabytes)
 * would be most of our start-up time and memory. -1 otherwise: libbpf reads the kernel's.
 */
static int open_core_btf(char *path, size_t len)
{
	/* One byte more than ours: a longer identity must not match by truncation. */
	char id[sizeof(core_btf_kernel) + 1] = "";
	struct stat st;
	ssize_t n;
	int fd;

	if (!core_btf_len || pretend_missing("core_btf") || stat("/sys/kernel/btf/vmlinux", &st))
		return -1;
	fd = open("/proc/version", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = snprintf(id, sizeof(id), "%lld ", (long long)st.st_size);
	if (n > 0 && (size_t)n < sizeof(id)) {
		ssize_t r = read(fd, id + n, sizeof(id) - n - 1);

		n = r > 0 ? n + r : -1;
	}
	close(fd);
	if (n <= 0)
		return -1;
	id[strcspn(id, "\n")] = '\0';
	if (strcmp(id, core_btf_kernel))
		return -1; /* another kernel: its own BTF is the truth */
	fd = memfd_create("boot-trace-core-btf", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, core_btf, core_btf_len) != (ssize_t)core_btf_len) {
		close(fd);
		return -1;
	}
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

static void loading_failed(const char *what, bool raw, bool built_in_btf, int err)
{
	if (verbose)
		fprintf(stderr,
			"boot-trace: loading %s with %s tracepoints and %s BTF failed: %s\n", what,
			raw ? "raw" : "classic", built_in_btf ? "the built-in" : "the kernel's",
			strerror(-err));
}

/*
 * Load the write programs: raw tracepoints where the kernel takes them, else the classic
 * ones. CO-RE against the built-in BTF subset where it fits this kernel; else, or if that
 * fails, against the kernel's own BTF.
 */
static int load_writes(struct tracer *t)
{
	const struct tracer_config *cfg = &t->cfg;
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	bool raw_ok = !pretend_missing("raw_tp");
	struct writes_bpf *skel;
	int err = 0;

	/* Attempts: raw + built-in BTF, raw + the kernel's, classic + the kernel's. */
	for (int attempt = t->core_fd < 0 ? 1 : 0; attempt < 3; attempt++) {
		bool raw = attempt < 2;

		if (raw && !raw_ok)
			continue;
		opts.btf_custom_path = attempt == 0 ? t->core_path : NULL;
		skel = writes_bpf__open_opts(&opts);
		if (!skel)
			return fail(-errno, "cannot open the BPF object: %s", strerror(errno));
		err = configure_writes(skel, cfg, raw, t->features.vm_create);
		if (err) {
			writes_bpf__destroy(skel);
			return fail(err, "invalid ring buffer size: %s", strerror(-err));
		}
		err = writes_bpf__load(skel);
		if (!err) {
			t->skel = skel;
			t->features.raw_tp = raw;
			t->features.core_btf = attempt == 0;
			if (verbose)
				fprintf(stderr,
					"boot-trace: loaded with %s tracepoints, CO-RE against "
					"%s BTF\n",
					raw ? "raw" : "classic",
					attempt == 0 ? "the built-in" : "the kernel's");
			if (!raw && !cfg->quiet)
				fprintf(
				    stderr,
				    "boot-trace: no raw kvm_pio tracepoint: using the classic one; "
				    "string I/O may show its first element only, the rest is "
				    "counted "
				    "as unseen\n");
			return 0;
		}
		loading_failed("the write programs", raw, attempt == 0, err);
		writes_bpf__destroy(skel);
	}
	return fail(err, "the kernel refused the BPF programs: %s (run with -v for details)",
		    strerror(-err));
}

/*
 * Load the other programs on the write programs' maps: the same attempts as load_writes(),
 * from the one that loaded the write programs on.
 */
static int load_lifecycle(struct tracer *t)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	/* load_writes()'s attempts: raw + built-in BTF, raw + the kernel's, classic. */
	int first = !t->features.raw_tp ? 2 : t->features.core_btf ? 0 : 1, err = 0;
	struct lifecycle_bpf *skel;

	for (int attempt = first; attempt < 3; attempt++) {
		bool raw = attempt < 2;

		opts.btf_custom_path = attempt == 0 ? t->core_path : NULL;
		skel = lifecycle_bpf__open_opts(&opts);
		if (!skel)
			return fail(-errno, "cannot open the BPF object: %s", strerror(errno));
		configure_lifecycle(skel, &t->cfg, raw, t->features.vm_create);
		err = share_maps(t->skel->obj, skel->obj);
		if (err) {
			lifecycle_bpf__destroy(skel);
			return fail(err, "cannot share the BPF maps: %s", strerror(-err));
		}
		err = lifecycle_bpf__load(skel);
		if (!err) {
			t->lifecycle = skel;
			return 0;
		}
		loading_failed("the other programs", raw, attempt == 0, err);
		lifecycle_bpf__destroy(skel);
	}
	return fail(err, "the kernel refused the BPF programs: %s (run with -v for details)",
		    strerror(-err));
}

#define ATTACH(skel, prog, required)                                                               \
	({                                                                                         \
		int __err = 0;                                                                     \
		if (bpf_program__autoload((skel)->progs.prog)) {                                   \
			(skel)->links.prog = bpf_program__attach((skel)->progs.prog);              \
			if (!(skel)->links.prog) {                                                 \
				__err = -errno;                                                    \
				if (required)                                                      \
					fail(__err, "cannot attach %s: %s", #prog,                 \
					     strerror(-__err));                                    \
			}                                                                          \
		}                                                                                  \
		(required) ? __err : 0;                                                            \
	})

int tracer_open(struct tracer **tracer, const struct tracer_config *cfg)
{
	struct tracer *t;
	int err;

	verbose = cfg->verbose;
	verbose_step(NULL);
	libbpf_set_print(print_libbpf);
	err = check_privileges();
	if (err)
		return err;
	if (pretend_missing("btf") || !path_exists("/sys/kernel/btf/vmlinux"))
		return fail(-ENOENT, "kernel has no BTF (/sys/kernel/btf/vmlinux is missing; "
				     "needs CONFIG_DEBUG_INFO_BTF=y)");
	err = ensure_tracefs();
	if (err)
		return err;
	if (!tracepoint_exists("kvm", "kvm_pio"))
		return fail(-ENOENT, "kernel has no kvm:kvm_pio tracepoint (is KVM loaded? "
				     "try: modprobe kvm)");
	if (cfg->mmio && !tracepoint_exists("kvm", "kvm_mmio"))
		return fail(-ENOENT, "kernel has no kvm:kvm_mmio tracepoint (needed by --mmio)");
	if (cfg->nr_consoles > BT_MAX_CONSOLES)
		return fail(-EINVAL, "at most %d consoles can be traced at once", BT_MAX_CONSOLES);

	t = calloc(1, sizeof(*t));
	if (!t)
		return fail(-ENOMEM, "out of memory");
	t->cfg = *cfg;
	/* Both are x86 KVM's: without them VMs are found at their first write, not created. */
	t->features.vm_create = tracepoint_exists("kvm", "kvm_update_master_clock") &&
				tracepoint_exists("kvm", "kvm_write_tsc_offset");
	if (!t->features.vm_create && !cfg->quiet)
		fprintf(stderr,
			"boot-trace: kernel has no kvm:kvm_update_master_clock or "
			"kvm:kvm_write_tsc_offset tracepoint: VM creation is not seen, times "
			"are from each VM's first write\n");
	t->core_fd = open_core_btf(t->core_path, sizeof(t->core_path));
	verbose_step("kernel checked");
	err = load_writes(t);
	if (err) {
		tracer_close(t);
		return err;
	}
	verbose_step("write programs loaded");
	*tracer = t;
	return 0;
}

/*
 * The writes first: the trace is ready once kvm_pio is attached. Then the rest: VM creation
 * is seen from the moment userspace may look for VMs in /proc (after this returns), and
 * the first writes of a VM found there are its own (see vm_for() in session.c).
 */
int tracer_start(struct tracer *t)
{
	struct writes_bpf *skel = t->skel;
	struct lifecycle_bpf *rest;
	int err;

	err = ATTACH(skel, kvm_pio_raw, true) ?: ATTACH(skel, kvm_pio_console_raw, true) ?:
	      ATTACH(skel, kvm_pio_tp, true) ?:
	      ATTACH(skel, kvm_mmio_raw, true) ?: ATTACH(skel, kvm_mmio_tp, true);
	if (err)
		return err;
	verbose_step("writes traced");

	err = load_lifecycle(t);
	if (t->core_fd >= 0)
		close(t->core_fd);
	t->core_fd = -1;
	if (err)
		return err;
	rest = t->lifecycle;
	err = ATTACH(rest, vm_create_raw, true) ?: ATTACH(rest, vm_create_tp, true) ?:
	      ATTACH(rest, vcpu_create_raw, true) ?: ATTACH(rest, vcpu_create_tp, true) ?:
	      ATTACH(rest, process_exit_raw, true) ?: ATTACH(rest, process_exit_tp, true) ?:
	      ATTACH(rest, process_fork, true) ?: ATTACH(rest, kvm_exit_tp, false) ?:
	      ATTACH(rest, kvm_entry_raw, false);
	if (err)
		return err;
	t->features.kvm_exit = rest->links.kvm_exit_tp != NULL;
	t->features.kvm_entry = rest->links.kvm_entry_raw != NULL;
	if (verbose && t->cfg.rip && !t->features.kvm_exit)
		fprintf(stderr,
			"boot-trace: kvm:kvm_exit not attached: no guest RIP in the trace\n");
	verbose_step("the other programs loaded and attached");

	t->rb = ring_buffer__new(bpf_map__fd(skel->maps.events), handle_record, t, NULL);
	if (!t->rb)
		return fail(-errno, "cannot set up the ring buffer: %s", strerror(errno));
	/* libbpf before 1.3 has no call for the positions: map them as it does. */
	t->ring_pos_len = 2 * sysconf(_SC_PAGESIZE);
	t->ring_pos =
	    mmap(NULL, t->ring_pos_len, PROT_READ, MAP_SHARED, bpf_map__fd(skel->maps.events), 0);
	if (t->ring_pos == MAP_FAILED) {
		t->ring_pos = NULL;
		return fail(-errno, "cannot map the ring buffer positions: %s", strerror(errno));
	}
	return 0;
}

void tracer_close(struct tracer *t)
{
	if (!t)
		return;
	if (t->ring_pos)
		munmap((void *)t->ring_pos, t->ring_pos_len);
	ring_buffer__free(t->rb);
	if (t->core_fd >= 0)
		close(t->core_fd);
	lifecycle_bpf__destroy(t->lifecycle);
	writes_bpf__destroy(t->skel);
	free(t);
}

const struct tracer_features *tracer_features(const struct tracer *t)
{
	return &t->features;
}

int tracer_trace_process(struct tracer *t, pid_t pid)
{
	uint32_t key = pid;
	uint8_t one = 1;

	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.traced_tgids), &key, &one, BPF_ANY))
		return fail(-errno, "cannot trace pid %d: %s", pid, strerror(errno));
	/* Its threads may be cached as untraced (vcpu_cache in the BPF side). */
	__atomic_add_fetch(&t->skel->bss->vm_generation, 1, __ATOMIC_SEQ_CST);
	return 0;
}

uint32_t tracer_new_vm_id(struct tracer *t)
{
	/* The .bss map is mmap'ed: this is the very counter the BPF side increments. */
	return __atomic_add_fetch(&t->skel->bss->next_vm_id, 1, __ATOMIC_SEQ_CST);
}

/*
 * The vms entries (struct kvm bindings) of pid's VM vm_id: renamed to *new_id, or deleted if
 * new_id is NULL. Returns how many.
 */
static int update_vm_bindings(struct tracer *t, pid_t pid, uint32_t vm_id, const uint32_t *new_id)
{
	int map_fd = bpf_map__fd(t->skel->maps.vms), n = 0;
	uint64_t key, next, *prev = NULL;

	while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
		struct bt_vm_info info;

		bool ours = bpf_map_lookup_elem(map_fd, &next, &info) == 0 &&
			    info.tgid == (uint32_t)pid && info.vm_id == vm_id;

		if (ours && !new_id && bpf_map_delete_elem(map_fd, &next) == 0) {
			n++;
			continue; /* deleting the current key leaves prev valid */
		}
		if (ours && new_id) {
			info.vm_id = *new_id;
			n += bpf_map_update_elem(map_fd, &next, &info, BPF_EXIST) == 0;
		}
		key = next;
		prev = &key;
	}
	return n;
}

void tracer_forget_vm(struct tracer *t, pid_t pid, int fd, uint32_t vm_id)
{
	struct bt_fd_key fd_key = {.tgid = pid, .fd = fd};
	int map_fd = bpf_map__fd(t->skel->maps.vm_fds);
	uint32_t fd_vm;

	update_vm_bindings(t, pid, vm_id, NULL);
	/* A VM closed before it ran: no longer awaited (the mmap'ed counter is the BPF side's). */
	if (t->cfg.phases && vm_id != BT_VM_UNKNOWN &&
	    bpf_map_delete_elem(bpf_map__fd(t->skel->maps.awaiting_entry), &vm_id) == 0)
		__atomic_sub_fetch(&t->skel->bss->vms_awaiting_entry, 1, __ATOMIC_SEQ_CST);
	/* The fd may be the next VM's already. */
	if (fd >= 0 && bpf_map_lookup_elem(map_fd, &fd_key, &fd_vm) == 0 && fd_vm == vm_id)
		bpf_map_delete_elem(map_fd, &fd_key);
}

int tracer_add_vm_fd(struct tracer *t, pid_t pid, int fd, uint32_t vm_id, bool only_vm)
{
	struct bt_fd_key key = {.tgid = pid, .fd = fd};
	uint32_t tgid = pid;
	uint8_t one = 1;

	/* BPF_NOEXIST: a VM created after attach is already known, with its real start. */
	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.vm_fds), &key, &vm_id, BPF_NOEXIST) ||
	    bpf_map_update_elem(bpf_map__fd(t->skel->maps.vm_tgids), &tgid, &one, BPF_ANY))
		return -errno;
	if (!only_vm)
		return 0;
	/* A struct kvm of pid the kernel side met before userspace named its VM (between attach
	 * and seeding) is this VM. */
	if (update_vm_bindings(t, pid, BT_VM_UNKNOWN, &vm_id)) {
		/* The BPF side's per-CPU vCPU caches may hold the old name. */
		__atomic_add_fetch(&t->skel->bss->vm_generation, 1, __ATOMIC_SEQ_CST);
		return 0;
	}
	/* Its struct kvm is bound to it at the next write. */
	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.pending_vm), &tgid, &vm_id, BPF_ANY))
		return -errno;
	return 0;
}

static bool process_gone(uint32_t tgid)
{
	return kill(tgid, 0) && errno == ESRCH;
}

/*
 * Delete the entries of a map whose process is gone: the first u32 of the key (or, with
 * in_value, of the value) is its tgid.
 */
static void forget_dead_keys(int map_fd, size_t key_size, bool in_value)
{
	uint64_t key = 0, next; /* bt_fd_key, struct kvm * or a bare tgid: at most 8 bytes */
	void *prev = NULL;

	while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
		struct bt_vm_info info;
		uint32_t tgid;

		if (!in_value)
			memcpy(&tgid, &next, sizeof(tgid));
		else if (bpf_map_lookup_elem(map_fd, &next, &info) == 0)
			tgid = info.tgid;
		else
			tgid = 0; /* deleted meanwhile: kill(0) is never ESRCH, so it is kept */
		/* Deleting the current key leaves prev valid: the walk goes on after it. */
		if (process_gone(tgid) && bpf_map_delete_elem(map_fd, &next) == 0)
			continue;
		memcpy(&key, &next, key_size);
		prev = &key;
	}
}

/* VMs awaiting their first entry whose process is gone (its exit was not seen). */
static void forget_dead_awaited(struct tracer *t)
{
	int map_fd = bpf_map__fd(t->skel->maps.awaiting_entry);
	uint32_t key, next, *prev = NULL, tgid;

	while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
		/* Only a delete that succeeds takes one off the count: the BPF side's too. */
		if (bpf_map_lookup_elem(map_fd, &next, &tgid) == 0 && process_gone(tgid) &&
		    bpf_map_delete_elem(map_fd, &next) == 0) {
			__atomic_sub_fetch(&t->skel->bss->vms_awaiting_entry, 1, __ATOMIC_SEQ_CST);
			continue; /* deleting the current key leaves prev valid */
		}
		key = next;
		prev = &key;
	}
}

void tracer_forget_dead(struct tracer *t)
{
	if (t->cfg.phases) /* its map exists only then */
		forget_dead_awaited(t);
	forget_dead_keys(bpf_map__fd(t->skel->maps.vms), sizeof(uint64_t), true);
	forget_dead_keys(bpf_map__fd(t->skel->maps.vm_fds), sizeof(struct bt_fd_key), false);
	forget_dead_keys(bpf_map__fd(t->skel->maps.pending_vm), sizeof(uint32_t), false);
	forget_dead_keys(bpf_map__fd(t->skel->maps.vm_tgids), sizeof(uint32_t), false);
	forget_dead_keys(bpf_map__fd(t->skel->maps.traced_tgids), sizeof(uint32_t), false);
}

int tracer_traced_pids(struct tracer *t, pid_t *pids, int max)
{
	int map_fd = bpf_map__fd(t->skel->maps.traced_tgids), n = 0;
	uint32_t key, next, *prev = NULL;

	while (n < max && bpf_map_get_next_key(map_fd, prev, &next) == 0) {
		bool seen = false;

		/* A walk whose last key was deleted (an exit) starts again from the first. */
		for (int i = 0; i < n && !seen; i++)
			seen = pids[i] == (pid_t)next;
		if (!seen)
			pids[n++] = next;
		key = next;
		prev = &key;
	}
	return n;
}

int tracer_signal_traced(struct tracer *t, int sig)
{
	pid_t *pids = malloc(TRACED_PIDS_MAX * sizeof(*pids));
	int n, sent = 0;

	if (!pids)
		return -ENOMEM;
	/* Listed first, then signalled: each gets sig once, however the map changes meanwhile. */
	n = tracer_traced_pids(t, pids, TRACED_PIDS_MAX);
	for (int i = 0; i < n; i++)
		sent += kill(pids[i], sig) == 0;
	free(pids);
	return sent;
}

/* A line taken out of the kernel map, as the kernel side would have sent it. */
static void hand_over_line(struct tracer *t, const struct bt_console_key *key,
			   const struct bt_console_line *line)
{
	struct bt_console_event ce = {
	    .ev =
		{
		    .ts_ns = line->first_ts,
		    .aux = line->last_ts,
		    .tgid = key->tgid,
		    .tid = line->tid,
		    .vm_id = key->vm_id,
		    .vcpu = BT_VCPU_UNKNOWN,
		    .value = line->kind,
		    .port = key->port,
		    .type = BT_EV_CONSOLE,
		},
	    .len = line->len > BT_CONSOLE_LINE_MAX ? BT_CONSOLE_LINE_MAX : line->len,
	    .line_flags = line->line_flags | BT_LINE_UNTERMINATED,
	};

	memcpy(ce.ev.comm, line->comm, sizeof(ce.ev.comm));
	memcpy(ce.text, line->text, sizeof(ce.text));
	t->cfg.on_record(t->cfg.ctx, &ce, sizeof(ce));
}

/*
 * The kernel side appends to a line in place, so a line is taken with one lookup-and-delete
 * (a byte written in the same microsecond as that may be lost: only quiet lines are taken).
 * A UART's divisor latch state goes back in, unless the kernel made a new line meanwhile.
 */
int tracer_flush_console(struct tracer *t, pid_t pid, const uint32_t *vm_id, uint64_t quiet_ns)
{
	int map_fd, n = 0;
	struct bt_console_key key, next, *prev = NULL;
	uint64_t now = 0;
	struct timespec ts;

	if (!t->cfg.nr_consoles || !t->skel)
		return 0;
	map_fd = bpf_map__fd(t->skel->maps.console_lines);
	if (quiet_ns && clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
		now = ts.tv_sec * 1000000000ull + ts.tv_nsec;
	while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
		struct bt_console_line line;
		bool gone, take;

		if ((pid && next.tgid != (uint32_t)pid) || (vm_id && next.vm_id != *vm_id) ||
		    bpf_map_lookup_elem(map_fd, &next, &line)) {
			key = next;
			prev = &key;
			continue;
		}
		gone = process_gone(next.tgid) || vm_id; /* a closed VM's console is gone too */
		take = gone || (line.len && (!quiet_ns || line.last_ts + quiet_ns <= now));
		if (!take || bpf_map_lookup_and_delete_elem(map_fd, &next, &line)) {
			key = next;
			prev = &key;
			continue;
		}
		/* Deleting the current key leaves prev valid: the walk goes on after it. */
		if (line.len) {
			hand_over_line(t, &next, &line);
			n++;
		}
		if (!gone && line.dlab) {
			struct bt_console_line latch = {.kind = line.kind, .dlab = line.dlab};

			bpf_map_update_elem(map_fd, &next, &latch, BPF_NOEXIST);
		}
	}
	return n;
}

int tracer_ring_fd(const struct tracer *t)
{
	return ring_buffer__epoll_fd(t->rb);
}

int tracer_consume(struct tracer *t)
{
	int n;

	if (!t->rb)
		return 0; /* never started */
	t->batch = 0;
	n = ring_buffer__consume(t->rb);
	return n == -EAGAIN ? (int)t->batch : n;
}

static void *destroy_link(void *link)
{
	bpf_link__destroy(link);
	return NULL;
}

/*
 * Detaching a program waits for an RCU grace period in the kernel, ~70 ms each here: one
 * after the other, `run` ended ~0.3 s after its command. All at once, they share one.
 */
static void detach_all(struct tracer *t)
{
	struct bpf_object_skeleton *skels[] = {
	    t->skel->skeleton,
	    t->lifecycle ? t->lifecycle->skeleton : NULL,
	};
	int n = t->skel->skeleton->prog_cnt + (t->lifecycle ? t->lifecycle->skeleton->prog_cnt : 0);
	pthread_t threads[n];
	int started = 0;

	for (size_t s = 0; s < sizeof(skels) / sizeof(skels[0]) && skels[s]; s++) {
		for (int i = 0; i < skels[s]->prog_cnt; i++) {
			struct bpf_link **link = skels[s]->progs[i].link;

			if (!*link)
				continue;
			if (pthread_create(&threads[started], NULL, destroy_link, *link) == 0)
				started++;
			else
				bpf_link__destroy(*link); /* no thread: one at a time, then */
			*link = NULL;
		}
	}
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
}

int tracer_stop(struct tracer *t)
{
	int n;

	/* Nothing new comes in once the programs are detached: the buffer empties. */
	detach_all(t);
	do
		n = tracer_consume(t);
	while (n == TRACER_CONSUME_BATCH);
	return n < 0 ? n : 0;
}

void tracer_set_reader_idle(struct tracer *t, bool idle)
{
	/* Sequentially consistent: a full barrier before the reader looks at the ring again. */
	__atomic_store_n(&t->skel->bss->reader_idle, idle, __ATOMIC_SEQ_CST);
}

bool tracer_ring_pending(const struct tracer *t)
{
	unsigned long cons = __atomic_load_n(&t->ring_pos[0], __ATOMIC_ACQUIRE);
	unsigned long prod =
	    __atomic_load_n(&t->ring_pos[sysconf(_SC_PAGESIZE) / sizeof(long)], __ATOMIC_ACQUIRE);

	return prod != cons;
}

uint64_t tracer_counter(const struct tracer *t, enum bt_counter idx)
{
	int ncpus = libbpf_num_possible_cpus();
	uint32_t key = idx;
	uint64_t sum = 0;
	uint64_t *vals;

	if (ncpus <= 0)
		return 0;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return 0;
	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.counters), &key, vals) == 0)
		for (int i = 0; i < ncpus; i++)
			sum += vals[i];
	free(vals);
	return sum;
}
