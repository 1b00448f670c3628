// SPDX-License-Identifier: GPL-2.0
/* vmm-min's command line and guest image: see config.h. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

void vmm_usage(FILE *out)
{
	fprintf(
	    out,
	    "USAGE: vmm-min [--mode real|long] [--memory MiB] [--cpus N] [--arg N]...\n"
	    "               [--boots N] [--linger SEC] [--timeout SEC] [--serial FILE]\n"
	    "               [--log-io] IMAGE\n"
	    "\n"
	    "Run the flat binary IMAGE in a minimal KVM virtual machine.\n"
	    "\n"
	    "  --mode real|long  real: 16-bit, loaded and entered at 0x7c00 with CS=0 (default)\n"
	    "                    long: 64-bit, identity-mapped, loaded and entered at 0x100000\n"
	    "  --memory MiB      guest memory, 1..4096 (default 16; long mode needs >= 2)\n"
	    "  --cpus N          number of vCPUs, 1..64 (default 1)\n"
	    "  --arg N           guest argument, up to 4 times: EDI/RDI, ESI/RSI, EDX/RDX, "
	    "ECX/RCX\n"
	    "  --boots N         boot N times (1..1000, default 1), each time in a new VM, the\n"
	    "                    previous one closed first (a VMM's reboot); a boot that does\n"
	    "                    not end with status 0 stops there\n"
	    "  --linger SEC      after the last boot, close its VM and stay SEC seconds "
	    "(1..86400)\n"
	    "                    before exiting, as a VMM that lives on after its guest shut down\n"
	    "  --timeout SEC     stop after SEC seconds (1..86400) with exit status 124\n"
	    "  --serial FILE     write the console output (serial port 0x3f8, debug console\n"
	    "                    0xe9) to FILE instead of stdout\n"
	    "  --log-io          log port 0x80 and boot timer writes and unknown accesses to\n"
	    "                    stderr\n"
	    "  -h, --help        show this help\n"
	    "\n"
	    "Guest entry: EBX/RBX = vCPU index, EBP/RBP = number of vCPUs, RFLAGS = 0x2.\n"
	    "Devices: 0x80 debug port, 0x3f8 serial, 0xe9 debug console, 0x501 exit (byte\n"
	    "written = exit status); MMIO 0xc0000000 boot timer (long mode, --memory below\n"
	    "3072).\n"
	    "\n"
	    "EXAMPLES:\n"
	    "  vmm-min build/guests/demo.bin\n"
	    "  vmm-min --log-io --arg 1000 build/guests/flood.bin\n"
	    "  vmm-min --mode long --cpus 4 --timeout 10 build/guests/flood64.bin\n");
}

static int __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("vmm-min: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* A decimal integer in [min, max], or a usage error naming the option. */
static int parse_long(const char *opt, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno == ERANGE)
		return usage_error("%s: %s is out of range %ld..%ld", opt, s, min, max);
	if (errno || end == s || *end)
		return usage_error("%s: '%s' is not a number", opt, s);
	if (v < min || v > max)
		return usage_error("%s: %s is out of range %ld..%ld", opt, s, min, max);
	*out = v;
	return 0;
}

static int parse_arg(const char *s, uint64_t *out)
{
	unsigned long long v;
	const char *p = s;
	char *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '-')
		return usage_error("--arg: '%s' is negative", s);
	errno = 0;
	v = strtoull(p, &end, 0);
	if (end == p || *end)
		return usage_error("--arg: '%s' is not a number", s);
	if (errno == ERANGE)
		return usage_error("--arg: %s does not fit in 64 bits", s);
	*out = v;
	return 0;
}

int vmm_parse_options(int argc, char **argv, struct vmm_options *opts)
{
	static const struct option long_opts[] = {
	    {"mode", required_argument, NULL, 'm'},
	    {"memory", required_argument, NULL, 'M'},
	    {"cpus", required_argument, NULL, 'c'},
	    {"arg", required_argument, NULL, 'a'},
	    {"timeout", required_argument, NULL, 't'},
	    {"boots", required_argument, NULL, 'b'},
	    {"linger", required_argument, NULL, 'L'},
	    {"serial", required_argument, NULL, 's'},
	    {"log-io", no_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	long num;
	int c, i, err = 0;

	*opts = (struct vmm_options){
	    .vm = {.mode = VM_MODE_REAL, .mem_size = MEM_DEFAULT_MIB << 20, .ncpus = 1},
	    .boots = 1,
	};

	opterr = 0; /* our own messages, prefixed "vmm-min: " */
	optind = 0; /* from the start, whatever parsed before */
	while (!err && (c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!strcmp(optarg, "real"))
				opts->vm.mode = VM_MODE_REAL;
			else if (!strcmp(optarg, "long"))
				opts->vm.mode = VM_MODE_LONG;
			else
				err = usage_error("--mode: '%s' is not real or long", optarg);
			break;
		case 'M':
			err = parse_long("--memory", optarg, 1, MEM_MAX_MIB, &num);
			opts->vm.mem_size = (uint64_t)num << 20;
			break;
		case 'c':
			err = parse_long("--cpus", optarg, 1, VM_MAX_CPUS, &num);
			opts->vm.ncpus = num;
			break;
		case 'a':
			if (opts->vm.nargs == VM_MAX_ARGS)
				err = usage_error("--arg: at most %d arguments", VM_MAX_ARGS);
			else
				err = parse_arg(optarg, &opts->vm.args[opts->vm.nargs++]);
			break;
		case 't':
			err =
			    parse_long("--timeout", optarg, 1, TIMEOUT_MAX_SEC, &opts->timeout_sec);
			break;
		case 'b':
			err = parse_long("--boots", optarg, 1, BOOTS_MAX, &opts->boots);
			break;
		case 'L':
			err = parse_long("--linger", optarg, 1, TIMEOUT_MAX_SEC, &opts->linger_sec);
			break;
		case 's':
			opts->serial_path = optarg;
			break;
		case 'l':
			opts->vm.log_io = true;
			break;
		case 'h':
			vmm_usage(stdout);
			return VMM_HELP;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return usage_error("unknown option '-%c'", optopt);
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (err)
		return err;

	if (optind == argc)
		return usage_error("missing IMAGE (see --help)");
	if (argc - optind > 1)
		return usage_error("unexpected argument '%s' after IMAGE", argv[optind + 1]);
	opts->image_path = argv[optind];

	if (opts->vm.mode == VM_MODE_LONG && opts->vm.mem_size < LONG_MIN_MEM)
		return usage_error("--memory: long mode needs at least %llu MiB",
				   LONG_MIN_MEM >> 20);
	if (opts->vm.mode == VM_MODE_REAL) {
		for (i = 0; i < opts->vm.nargs; i++) {
			if (opts->vm.args[i] > UINT32_MAX)
				return usage_error(
				    "--arg: 0x%llx does not fit in 32 bits (real mode)",
				    (unsigned long long)opts->vm.args[i]);
		}
	}
	return 0;
}

int vmm_read_image(const char *path, uint64_t max_size, uint8_t **buf, size_t *size)
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
