# boot-trace: see README.md. `make V=1` shows the full commands.

# OUT: the build directory (check-asan builds into build-asan/ with OUT=build-asan).
OUT        ?= build
GUEST_OUT  := $(OUT)/guests
QEMU_OUT   := $(OUT)/qemu-guests
VERSION    := 0.1.0

CC         ?= cc
CLANG      ?= clang
BPFTOOL    ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
LD         ?= ld
OBJCOPY    ?= objcopy
ARCH       := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

WARNINGS   := -Wall -Wextra -Wshadow -Wformat=2 -Wundef -Wstrict-prototypes \
	      -Wmissing-prototypes -Wno-unused-parameter
CFLAGS     ?= -g -O2
CFLAGS     += $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -DBOOT_TRACE_VERSION='"$(VERSION)"'
# SANITIZE=address,undefined: userspace and vmm-min built with the sanitizers (check-asan).
SANITIZE   ?=
ifneq ($(SANITIZE),)
SAN_FLAGS  := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS     += $(SAN_FLAGS)
LDFLAGS    += $(SAN_FLAGS)
endif
DEPFLAGS    = -MMD -MP
LDLIBS_BT  := -lbpf -ljson-c -lelf -lz -lm
LDLIBS_VMM := -lpthread

ifeq ($(V),1)
	Q =
	msg =
else
	Q = @
	msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
# Keep guest objects between builds (they are intermediate files of the .bin rules).
.SECONDARY:
.DEFAULT_GOAL := all
.PHONY: all deps bench-deps demo test unit e2e bench clean format check-format install fuzz \
	fuzz-build \
	check-asan check-valgrind uninstall test-nested

PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     := $(PREFIX)/bin
MANDIR     := $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system

# ---- sources ---------------------------------------------------------------
VMM_SRCS   := $(wildcard vmm-min/*.c)
VMM_OBJS   := $(VMM_SRCS:%.c=$(OUT)/obj/%.o)

# boot-trace is every user/*.c and user/*/*.c (the folders are the flow: capture -> decode ->
# session -> sinks; replay; see user/README.md). boot-mark runs inside guests: guest/boot-mark/.
USER_DIRS  := $(sort $(dir $(wildcard user/*/*.c)))
USER_INC   := -Iuser $(addprefix -I,$(USER_DIRS))
USER_SRCS  := $(wildcard user/*.c user/*/*.c)
USER_LIB   := $(filter-out user/main.c,$(USER_SRCS))
USER_OBJS  := $(USER_SRCS:%.c=$(OUT)/obj/%.o)
USER_LIB_OBJS := $(USER_LIB:%.c=$(OUT)/obj/%.o)

# Guests: NAME.S is a 16-bit real-mode image (loaded at 0x7c00),
# NAME64.S a 64-bit long-mode image (loaded at 0x100000).
GUEST_SRCS := $(wildcard vmm-min/guests/*.S)
GUESTS     := $(patsubst vmm-min/guests/%.S,$(GUEST_OUT)/%.bin,$(GUEST_SRCS))

BOOT_MARK_SRCS := $(wildcard guest/boot-mark/*.c)
BOOT_MARK_OBJS := $(BOOT_MARK_SRCS:%.c=$(OUT)/obj/%.o)

# QEMU guests: a SeaBIOS boot sector (raw disk image) and a PVH/multiboot ELF for -kernel.
QEMU_GUESTS := $(QEMU_OUT)/bootsector.img $(QEMU_OUT)/direct.elf

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))

all: $(OUT)/vmm-min $(GUESTS) $(QEMU_GUESTS) $(OUT)/boot-trace $(OUT)/boot-mark

# Install missing Debian packages once per build tree (re-run when the list changes).
deps: $(OUT)/.deps-ok
$(OUT)/.deps-ok: scripts/install-deps.sh
	$(Q)mkdir -p $(OUT)
	$(Q)sh scripts/install-deps.sh
	$(Q)touch $@

# ---- vmm-min ---------------------------------------------------------------
$(OUT)/vmm-min: $(VMM_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_VMM)

# ---- guests ----------------------------------------------------------------
GUEST_ASFLAGS := -nostdinc -Ivmm-min/guests $(DEPFLAGS)

$(OUT)/obj/guests/%64.o: vmm-min/guests/%64.S | $(OUT)/.deps-ok
	$(call msg,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -m64 $(GUEST_ASFLAGS) -c -o $@ $<

$(OUT)/obj/guests/%.o: vmm-min/guests/%.S | $(OUT)/.deps-ok
	$(call msg,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -m32 $(GUEST_ASFLAGS) -c -o $@ $<

$(GUEST_OUT)/%64.bin: $(OUT)/obj/guests/%64.o vmm-min/guests/guest64.ld
	$(call msg,GUEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(LD) -m elf_x86_64 -T vmm-min/guests/guest64.ld -o $@ $<

$(GUEST_OUT)/%.bin: $(OUT)/obj/guests/%.o vmm-min/guests/guest16.ld
	$(call msg,GUEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(LD) -m elf_i386 -T vmm-min/guests/guest16.ld -o $@ $<

# ---- QEMU guests -----------------------------------------------------------
$(OUT)/obj/qemu-guests/%.o: qemu-guests/%.S | $(OUT)/.deps-ok
	$(call msg,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -m32 $(GUEST_ASFLAGS) -c -o $@ $<

$(QEMU_OUT)/bootsector.img: $(OUT)/obj/qemu-guests/bootsector.o qemu-guests/bootsector.ld
	$(call msg,GUEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(LD) -m elf_i386 -T qemu-guests/bootsector.ld -o $@ $<

$(QEMU_OUT)/direct.elf: $(OUT)/obj/qemu-guests/direct.o qemu-guests/direct.ld
	$(call msg,GUEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(LD) -m elf_i386 -T qemu-guests/direct.ld -o $@ $<

# ---- BPF -------------------------------------------------------------------
$(OUT)/vmlinux.h: | $(OUT)/.deps-ok
	$(call msg,BTF,$@)
	$(Q)test -r $(VMLINUX_BTF) || \
		{ echo "error: no kernel BTF at $(VMLINUX_BTF) (kernel needs CONFIG_DEBUG_INFO_BTF=y)" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

# Two objects (see bpf/state.bpf.h): the write programs, then the rest, on the same maps.
BPF_OBJS := $(OUT)/bpf/writes.bpf.o $(OUT)/bpf/lifecycle.bpf.o
BPF_SKELS := $(OUT)/writes.skel.h $(OUT)/lifecycle.skel.h

$(BPF_OBJS): $(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(OUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -I$(OUT) -Ibpf $(DEPFLAGS) -MT $@ -MF $@.d \
		-Wall -Wno-unused-function -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

# The lifecycle object runs on the writes object's .rodata and .bss: same layout, or no build.
$(OUT)/bpf/shared-data.ok: $(BPF_OBJS) scripts/check-shared-data.sh
	$(call msg,CHECK,$@)
	$(Q)scripts/check-shared-data.sh $(BPF_OBJS)
	$(Q)touch $@

$(BPF_SKELS): $(OUT)/%.skel.h: $(OUT)/bpf/%.bpf.o | $(OUT)/bpf/shared-data.ok
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# The BTF subset the objects' CO-RE relocations need, for a fast start on this kernel.
$(OUT)/core_btf.h: $(BPF_OBJS) scripts/embed-core-btf.sh
	$(call msg,CORE-BTF,$@)
	$(Q)BPFTOOL=$(BPFTOOL) scripts/embed-core-btf.sh $@ $(VMLINUX_BTF) $(BPF_OBJS)

# ---- boot-trace ------------------------------------------------------------
$(OUT)/boot-trace: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_BT)

# The skeleton is generated: every userspace object waits for it.
$(OUT)/obj/user/%.o: user/%.c | $(BPF_SKELS) $(OUT)/core_btf.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -I$(OUT) -Ibpf $(USER_INC) -c -o $@ $<

# ---- boot-mark (runs inside guests: static, small; never sanitized: static ASan is not a thing)
BOOT_MARK_CFLAGS := -Os -ffunction-sections -fdata-sections

$(OUT)/boot-mark: $(BOOT_MARK_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) -static -s -Wl,--gc-sections -o $@ $^

$(OUT)/obj/guest/boot-mark/%.o: guest/boot-mark/%.c | $(OUT)/.deps-ok
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(filter-out $(SAN_FLAGS),$(CFLAGS)) $(BOOT_MARK_CFLAGS) $(DEPFLAGS) \
		-Iguest/boot-mark -c -o $@ $<

$(OUT)/obj/vmm-min/%.o: vmm-min/%.c | $(OUT)/.deps-ok
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -Ivmm-min -c -o $@ $<

# ---- fuzz targets (libFuzzer: clang, ASan + UBSan) ----------------------------
# tests/fuzz/fuzz_*.c; seed corpora in tests/fuzz/corpus/TARGET/. The userspace library is
# built again with coverage instrumentation, with tests/fuzz/tracer_stub.c instead of the
# BPF tracer; vmm-min without its main().
FUZZ_CC      ?= clang
FUZZ_OUT     := $(OUT)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := -g -O1 $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -DBOOT_TRACE_VERSION='"$(VERSION)"' \
		$(FUZZ_SAN)
FUZZ_COV     := -fsanitize=fuzzer-no-link
FUZZ_TARGETS := decoder jsonl options labels vmm_args vmm_io
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_OUT)/fuzz_%)
FUZZ_SECONDS ?= 60
FUZZ_SHORT_SECONDS ?= 5
FUZZ_USER_OBJS := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(filter-out user/capture/tracer.c,$(USER_LIB)) \
		  tests/fuzz/tracer_stub.c tests/fuzz/fuzz_check.c)
FUZZ_VMM_OBJS  := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(filter-out vmm-min/main.c,$(VMM_SRCS)))

$(FUZZ_OUT)/obj/%.o: %.c | $(OUT)/.deps-ok
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_COV) $(DEPFLAGS) -Ibpf $(USER_INC) -Ivmm-min -Itests/fuzz \
		-c -o $@ $<

# The oracles are not what is fuzzed: no coverage feedback from them.
$(FUZZ_OUT)/obj/tests/fuzz/fuzz_check.o: FUZZ_COV :=

$(FUZZ_OUT)/fuzz_decoder $(FUZZ_OUT)/fuzz_jsonl $(FUZZ_OUT)/fuzz_options $(FUZZ_OUT)/fuzz_labels: \
		$(FUZZ_OUT)/fuzz_%: $(FUZZ_OUT)/obj/tests/fuzz/fuzz_%.o $(FUZZ_USER_OBJS)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ -ljson-c -lm

$(FUZZ_OUT)/fuzz_vmm_args $(FUZZ_OUT)/fuzz_vmm_io: \
		$(FUZZ_OUT)/fuzz_%: $(FUZZ_OUT)/obj/tests/fuzz/fuzz_%.o $(FUZZ_VMM_OBJS)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ -lpthread

fuzz-build: $(FUZZ_BINS)

# Each target for FUZZ_SECONDS over its seeds; the corpus grows in $(FUZZ_OUT)/work/, crash
# inputs land in $(FUZZ_OUT)/artifacts/.
fuzz: $(FUZZ_BINS)
	$(Q)status=0; for t in $(FUZZ_TARGETS); do \
		scripts/fuzz.sh $(FUZZ_OUT)/fuzz_$$t $(FUZZ_SECONDS) $(FUZZ_OUT)/work/$$t \
			$(FUZZ_OUT)/artifacts || status=1; \
	done; exit $$status

# ---- tests -----------------------------------------------------------------
$(OUT)/tests/test_%: tests/unit/test_%.c $(USER_LIB_OBJS)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -I$(OUT) -Ibpf $(USER_INC) -o $@ $(filter %.c %.o,$^) \
		-lcmocka $(LDLIBS_BT)

# It runs the real kvm_pio program: the skeleton first (an order, not an input to link).
$(OUT)/tests/test_io_delay_bpf: | $(OUT)/writes.skel.h

# boot-mark's argument parsing is its own unit.
$(OUT)/tests/test_boot_mark: tests/unit/test_boot_mark.c $(OUT)/obj/guest/boot-mark/mark_args.o
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -Iguest/boot-mark -o $@ $^ -lcmocka

# The kernel side's console code run by BPF_PROG_TEST_RUN, without a guest (tests/bpf/,
# tests/e2e/bpf-console.bats): the real object's kvm_pio_raw, fed from a map page of our own.
$(OUT)/tests/bpf/%.bpf.o: tests/bpf/%.bpf.c $(OUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -target bpf -mcpu=v3 -I$(OUT) $(DEPFLAGS) -Wall -c $< -o $@

$(OUT)/tests/%.skel.h: $(OUT)/tests/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(OUT)/tests/console_testrun: tests/bpf/console_testrun.c $(OUT)/tests/pio_page.skel.h \
		$(OUT)/writes.skel.h
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -I$(OUT) -I$(OUT)/tests -Ibpf -o $@ $< -lbpf -lelf -lz -lpthread

# The e2e tests find the build through BUILD (tests/e2e/common.bash); the short fuzz pass
# (tests/fuzz/fuzz.bats, FUZZ_SHORT_SECONDS per target) runs last.
test: all $(UNIT_BINS) $(FUZZ_BINS) $(OUT)/tests/console_testrun $(OUT)/testrun
	$(Q)BUILD=$(abspath $(OUT)) FUZZ_SECONDS=$(FUZZ_SHORT_SECONDS) \
		EXTRA_SUITES=tests/fuzz/fuzz.bats scripts/run-tests.sh $(UNIT_BINS)

# The suites that boot guests, on a KVM host of their own where this machine has none: QEMU
# emulates an SVM CPU and Debian 12's kernel runs kvm_amd in it (scripts/nested-kvm.sh). Slow:
# about half an hour here; NESTED_SUITES picks suites.
NESTED_SUITES ?= $(shell grep -l -E 'require_(kvm|guest|qemu)' tests/e2e/*.bats)
test-nested: all
	$(Q)scripts/nested-kvm.sh -- env CI=true BUILD=$(abspath $(OUT)) \
		E2E_SUITES="$(NESTED_SUITES)" scripts/run-tests.sh

# The whole suite with userspace and vmm-min built with ASan + UBSan, in build-asan/ (the
# normal build is untouched). A sanitizer report also lands in build-asan/sanitizer/ and changes
# the exit status (86: ASan, 87: UBSan); any report there fails the target.
ASAN_OUT   ?= build-asan
SAN_LOGS    = $(abspath $(ASAN_OUT))/sanitizer
check-asan:
	$(Q)rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS) && chmod 1777 $(SAN_LOGS)
	$(Q)ASAN_OPTIONS=log_path=$(SAN_LOGS)/asan:exitcode=86:detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=log_path=$(SAN_LOGS)/ubsan:exitcode=87:print_stacktrace=1:halt_on_error=1 \
		BT_CHECKER=asan $(MAKE) --no-print-directory OUT=$(ASAN_OUT) SANITIZE=address,undefined test
	$(Q)if [ -n "$$(ls -A $(SAN_LOGS))" ]; then cat $(SAN_LOGS)/*; \
		echo "check-asan: sanitizer reports in $(SAN_LOGS)"; exit 1; fi
	$(Q)echo "check-asan: no sanitizer report"

# The end-to-end tests (and the unit tests) with boot-trace under valgrind's memcheck;
# VALGRIND_VMM=1 wraps vmm-min too. Reports: $(OUT)/valgrind/logs/.
VG_OUT      = $(abspath $(OUT))/valgrind
check-valgrind: all $(UNIT_BINS) $(OUT)/tests/console_testrun $(OUT)/testrun
	$(Q)command -v valgrind >/dev/null || { echo "check-valgrind: valgrind is not installed" >&2; exit 1; }
	$(Q)rm -rf $(VG_OUT)
	$(Q)scripts/valgrind.sh --wrap $(VG_OUT) $(OUT)/boot-trace $(if $(VALGRIND_VMM),$(OUT)/vmm-min)
	$(Q)BUILD=$(abspath $(OUT)) BT=$(VG_OUT)/boot-trace $(if $(VALGRIND_VMM),VMM=$(VG_OUT)/vmm-min) \
		BT_CHECKER=valgrind UNIT_WRAP="valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite --log-file=$(VG_OUT)/logs/vg.%p" \
		scripts/run-tests.sh $(UNIT_BINS)
	$(Q)scripts/valgrind.sh --check $(VG_OUT)

demo: all
	$(Q)scripts/demo.sh

# ---- benchmark -------------------------------------------------------------
# bench/results.md and bench/results.csv; BENCH_QUICK=1 for a shortened run (see README).
$(OUT)/btbench: $(OUT)/obj/bench/btbench.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

$(OUT)/obj/bench/%.o: bench/%.c | $(OUT)/.deps-ok
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

# testrun (the section that needs no guest): boot-trace's BPF programs, and the variants of
# bench/bench.bpf.c (which includes the real objects' sources), run by BPF_PROG_TEST_RUN.
$(OUT)/bpf/bench.bpf.o: bench/bench.bpf.c $(wildcard bpf/*.bpf.[ch]) bpf/boot_trace.h $(OUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -I$(OUT) -Ibpf $(DEPFLAGS) \
		-Wall -Wno-unused-function -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

$(OUT)/bench.skel.h: $(OUT)/bpf/bench.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name bench_bpf > $@

$(OUT)/testrun: $(OUT)/obj/bench/testrun.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lbpf -lelf -lz

$(OUT)/obj/bench/testrun.o: CFLAGS += -I$(OUT) -Ibpf
$(OUT)/obj/bench/testrun.o: | $(OUT)/writes.skel.h $(OUT)/bench.skel.h

# The peers it compares against (bpftrace, perf) and GNU time, if missing.
bench-deps: | $(OUT)/.deps-ok
	$(Q)sh scripts/install-deps.sh --bench

bench: all $(OUT)/btbench $(OUT)/testrun bench-deps
	$(Q)BENCH_BUILD=$${BENCH_BUILD:-$(OUT)} scripts/bench.sh

# Binary, systemd unit (pointing at the installed binary), man page, bash completion, and the
# logrotate snippet of the daemon's logs (always in /etc/logrotate.d, under DESTDIR: logrotate
# reads no other place). uninstall removes these files, for the same DESTDIR and PREFIX.
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
LOGROTATEDIR  ?= /etc/logrotate.d
INSTALLED   = $(BINDIR)/boot-trace $(UNITDIR)/boot-trace.service $(MANDIR)/man8/boot-trace.8 \
	      $(COMPLETIONDIR)/boot-trace $(LOGROTATEDIR)/boot-trace

install: $(OUT)/boot-trace
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -D -m 0755 $(OUT)/boot-trace $(DESTDIR)$(BINDIR)/boot-trace
	$(Q)install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man8
	$(Q)sed 's|@BINDIR@|$(BINDIR)|g' dist/boot-trace.service > $(DESTDIR)$(UNITDIR)/boot-trace.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/boot-trace.service
	$(Q)install -m 0644 dist/boot-trace.8 $(DESTDIR)$(MANDIR)/man8/boot-trace.8
	$(Q)install -D -m 0644 dist/boot-trace.bash-completion $(DESTDIR)$(COMPLETIONDIR)/boot-trace
	$(Q)install -D -m 0644 dist/boot-trace.logrotate $(DESTDIR)$(LOGROTATEDIR)/boot-trace

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))

# Every C file of the project, formatted by .clang-format; check-format (a test of make test)
# fails when one differs.
FORMAT_SRCS = $(VMM_SRCS) $(wildcard vmm-min/*.h) $(USER_SRCS) $(wildcard user/*/*.h) \
	      $(BOOT_MARK_SRCS) $(wildcard guest/boot-mark/*.h) $(wildcard bpf/*.c bpf/*.h) \
	      $(UNIT_SRCS) $(wildcard tests/fuzz/*.c tests/fuzz/*.h tests/bpf/*.c) \
	      $(wildcard bench/*.c)
format:
	$(Q)clang-format -i $(FORMAT_SRCS)

check-format:
	$(Q)clang-format --dry-run -Werror $(FORMAT_SRCS)

clean:
	$(call msg,CLEAN,$(OUT))
	$(Q)rm -rf $(OUT)

-include $(shell find $(OUT)/obj $(OUT)/bpf $(OUT)/tests $(FUZZ_OUT)/obj -name '*.d' 2>/dev/null)
