// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-min: a minimal KVM VMM. Loads a flat binary, runs it in real or
 * long mode on N vCPUs and turns what the guest does on its ports into
 * output and an exit status.
 *
 * Exit status: the byte written to the exit port; 0 when every vCPU
 * halted; 124 on --timeout; 1 on runtime errors; 2 on usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "devices.h"
#include "io_bus.h"
#include "vm.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE   2
#define EXIT_TIMEOUT 124

#define MEM_DEFAULT_MIB 16
#define MEM_MAX_MIB	4096
#define TIMEOUT_MAX_SEC 86400

struct options {
	struct vm_config vm;
	long timeout_sec; /* 0: none */
	const char *serial_path;
	const char *image_path;
};

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "USAGE: vmm-min [--mode real|long] [--memory MiB] [--cpus N] [--arg N]...\n"
	    "               [--timeout SEC] [--serial FILE] [--log-io] IMAGE\n"
	    "\n"
	    "Run the flat binary IMAGE in a minimal KVM virtual machine.\n"
	    "\n"
	    "  --mode real|long  real: 16-bit, loaded and entered at 0x7c00 with CS=0 (default)\n"
	    "                    long: 64-bit, identity-mapped, loaded and entered at 0x100000\n"
	    "  --memory MiB      guest memory, 1..4096 (default 16; long mode needs >= 2)\n"
	    "  --cpus N          number of vCPUs, 1..64 (default 1)\n"
	    "  --arg N           guest argument, up to 4 times: EDI/RDI, ESI/RSI, EDX/RDX, "
	    "ECX/RCX\n"
	    "  --timeout SEC     stop after SEC seconds (1..86400) with exit status 124\n"
	    "  --serial FILE     write serial output (port 0x3f8) to FILE instead of stdout\n"
	    "  --log-io          log port 0x80 and boot timer writes and unknown accesses to\n"
	    "                    stderr\n"
	    "  -h, --help        show this help\n"
	    "\n"
	    "Guest entry: EBX/RBX = vCPU index, EBP/RBP = number of vCPUs, RFLAGS = 0x2.\n"
	    "Devices: 0x80 debug port, 0x3f8 serial, 0x501 exit (byte written = exit status);\n"
	    "MMIO 0xc0000000 boot timer (long mode, --memory below 3072).\n"
	    "\n"
	    "EXAMPLES:\n"
	    "  vmm-min build/guests/demo.bin\n"
	    "  vmm-min --log-io --arg 1000 build/guests/flood.bin\n"
	    "  vmm-min --mode long --cpus 4 --timeout 10 build/guests/flood64.bin\n");
}

static void __attribute__((noreturn, format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("vmm-min: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

/* A decimal integer in [min, max], or a usage error naming the option. */
static long parse_long(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		usage_error("%s: '%s' is not a number", opt, s);
	if (v < min || v > max)
		usage_error("%s: %s is out of range %ld..%ld", opt, s, min, max);
	return v;
}

static uint64_t parse_arg(const char *s)
{
	unsigned long long v;
	const char *p = s;
	char *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '-')
		usage_error("--arg: '%s' is negative", s);
	errno = 0;
	v = strtoull(p, &end, 0);
	if (end == p || *end)
		usage_error("--arg: '%s' is not a number", s);
	if (errno == ERANGE)
		usage_error("--arg: %s does not fit in 64 bits", s);
	return v;
}

static void parse_options(int argc, char **argv, struct options *opts)
{
	static const struct option long_opts[] = {
	    {"mode", required_argument, NULL, 'm'},
	    {"memory", required_argument, NULL, 'M'},
	    {"cpus", required_argument, NULL, 'c'},
	    {"arg", required_argument, NULL, 'a'},
	    {"timeout", required_argument, NULL, 't'},
	    {"serial", required_argument, NULL, 's'},
	    {"log-io", no_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	int c, i;

	*opts = (struct options){
	    .vm = {.mode = VM_MODE_REAL, .mem_size = MEM_DEFAULT_MIB << 20, .ncpus = 1},
	};

	opterr = 0; /* our own messages, prefixed "vmm-min: " */
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!strcmp(optarg, "real"))
				opts->vm.mode = VM_MODE_REAL;
			else if (!strcmp(optarg, "long"))
				opts->vm.mode = VM_MODE_LONG;
			else
				usage_error("--mode: '%s' is not real or long", optarg);
			break;
		case 'M':
			opts->vm.mem_size = (uint64_t)parse_long("--memory", optarg, 1, MEM_MAX_MIB)
					    << 20;
			break;
		case 'c':
			opts->vm.ncpus = parse_long("--cpus", optarg, 1, VM_MAX_CPUS);
			break;
		case 'a':
			if (opts->vm.nargs == VM_MAX_ARGS)
				usage_error("--arg: at most %d arguments", VM_MAX_ARGS);
			opts->vm.args[opts->vm.nargs++] = parse_arg(optarg);
			break;
		case 't':
			opts->timeout_sec = parse_long("--timeout", optarg, 1, TIMEOUT_MAX_SEC);
			break;
		case 's':
			opts->serial_path = optarg;
			break;
		case 'l':
			opts->vm.log_io = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				usage_error("unknown option '-%c'", optopt);
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}

	if (optind == argc)
		usage_error("missing IMAGE (see --help)");
	if (argc - optind > 1)
		usage_error("unexpected argument '%s' after IMAGE", argv[optind + 1]);
	opts->image_path = argv[optind];

	if (opts->vm.mode == VM_MODE_LONG && opts->vm.mem_size < LONG_MIN_MEM)
		usage_error("--memory: long mode needs at least %llu MiB", LONG_MIN_MEM >> 20);
	if (opts->vm.mode == VM_MODE_REAL) {
		for (i = 0; i < opts->vm.nargs; i++) {
			if (opts->vm.args[i] > UINT32_MAX)
				usage_error("--arg: 0x%llx does not fit in 32 bits (real mode)",
					    (unsigned long long)opts->vm.args[i]);
		}
	}
}

/* Read IMAGE whole; it must fit between its load address and the end of RAM. */
static int read_image(const char *path, uint64_t max_size, uint8_t **buf, size_t *size)
{
	size_t len = 0, cap = 64 << 10;
	uint8_t *data, *tmp;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		fprintf(stderr, "vmm-min: cannot open image %s: %s\n", path, strerror(errno));
		return ret;
	}
	data = malloc(cap);
	if (!data) {
		ret = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		if (len == cap) {
			cap *= 2;
			tmp = realloc(data, cap);
			if (!tmp) {
				ret = -ENOMEM;
				goto out_free;
			}
			data = tmp;
		}
		n = read(fd, data + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			fprintf(stderr, "vmm-min: cannot read image %s: %s\n", path,
				strerror(errno));
			goto out_free;
		}
		if (n == 0)
			break;
		len += n;
		if (len > max_size) {
			fprintf(stderr,
				"vmm-min: image %s is larger than the %llu bytes of guest memory "
				"at its load address\n",
				path, (unsigned long long)max_size);
			ret = -EFBIG;
			goto out_free;
		}
	}
	if (len == 0) {
		fprintf(stderr, "vmm-min: image %s is empty\n", path);
		ret = -EINVAL;
		goto out_free;
	}
	close(fd);
	*buf = data;
	*size = len;
	return 0;

out_free:
	free(data);
out_close:
	close(fd);
	return ret;
}

static int setup_devices(struct vm *vm, const struct options *opts)
{
	int ret;

	ret = debug_port_init(opts->vm.log_io);
	if (ret)
		return ret;
	ret = serial_init(opts->serial_path);
	if (ret)
		return ret;
	ret = boot_timer_init(opts->vm.log_io);
	if (ret)
		return ret;
	return exit_device_init(vm);
}

/* Wait for the exit port, all vCPUs halted, a vCPU error or the timeout. */
static int wait_for_vm(struct vm *vm, long timeout_sec)
{
	struct timespec deadline;
	int ret = 0, status;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_sec;

	pthread_mutex_lock(&vm->lock);
	while (!vm->done && ret != ETIMEDOUT) {
		if (timeout_sec)
			ret = pthread_cond_timedwait(&vm->cond, &vm->lock, &deadline);
		else
			pthread_cond_wait(&vm->cond, &vm->lock);
	}
	if (!vm->done) {
		vm->done = true; /* late vm_finish() calls change nothing now */
		vm->exit_status = EXIT_TIMEOUT;
		fprintf(stderr, "vmm-min: timeout after %ld s\n", timeout_sec);
	}
	status = vm->exit_status;
	pthread_mutex_unlock(&vm->lock);
	return status;
}

int main(int argc, char **argv)
{
	static struct vm vm; /* large, and vCPU threads outlive main's frame at exit() */
	struct options opts;
	uint64_t load_addr, port_unknown, mmio_unknown;
	uint8_t *image = NULL, *dest;
	size_t image_size = 0;
	int i, status;

	parse_options(argc, argv, &opts);

	load_addr = vm_load_addr(&opts.vm);
	if (load_addr >= opts.vm.mem_size) {
		fprintf(stderr, "vmm-min: no guest memory at load address 0x%llx\n",
			(unsigned long long)load_addr);
		return EXIT_RUNTIME;
	}
	if (read_image(opts.image_path, opts.vm.mem_size - load_addr, &image, &image_size))
		return EXIT_RUNTIME;

	if (vm_init(&vm, &opts.vm))
		return EXIT_RUNTIME;
	dest = vm_gpa_to_hva(&vm, load_addr, image_size);
	if (!dest) {
		fprintf(stderr, "vmm-min: image does not fit in guest memory\n");
		return EXIT_RUNTIME;
	}
	memcpy(dest, image, image_size);
	free(image);

	if (opts.vm.mode == VM_MODE_LONG && vm_setup_long_mode(&vm))
		return EXIT_RUNTIME;
	if (setup_devices(&vm, &opts))
		return EXIT_RUNTIME;
	if (vm_create_vcpus(&vm))
		return EXIT_RUNTIME;

	for (i = 0; i < vm.ncpus; i++) {
		if (vcpu_start(&vm.vcpus[i])) {
			vm_finish(&vm, EXIT_RUNTIME);
			break;
		}
	}

	status = wait_for_vm(&vm, opts.timeout_sec);

	serial_close();
	if (opts.vm.log_io) {
		io_bus_unknown_counts(&port_unknown, &mmio_unknown);
		fprintf(stderr, "vmm-min: unknown accesses: %llu port, %llu mmio\n",
			(unsigned long long)port_unknown, (unsigned long long)mmio_unknown);
	}
	/* vCPU threads may still be in KVM_RUN: exit() tears them down with us. */
	exit(status);
}
