// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_rules.h"
#include "text.h"

struct console_rule {
	regex_t re;
	const struct label *label;
};

struct console_rules {
	int nr, cap;
	struct console_rule *rules;
};

/*
 * The kernel's printk prefix on a console: "[    0.000000] ", or with CONFIG_PRINTK_CALLER
 * "[    0.000000][    T0] " (kernel/printk/printk.c), or none (printk.time=0).
 */
#define PRINTK_PREFIX "^(\\[ *[0-9]+\\.[0-9]+\\](\\[ *[CT][0-9]+\\])? ?)?"

/*
 * The built-in "linux" set: what x86 (and Arm) guests print on their consoles from firmware to
 * the login prompt, checked against the sources of the programs that print it. The order
 * matters where two could match: GRUB's "Welcome to GRUB!" is a Bootloader line, not systemd's
 * welcome. No rule matches a line that is common later in the boot ("efi: EFI v2.7 by EDK II"
 * is Linux, not the firmware; "Record successful boot for GRUB" is a systemd unit).
 */
static const struct {
	const char *regex, *stage;
} linux_rules[] = {
    /* SeaBIOS: on the screen or serial console (bootsplash.c, sercon.c) and first on its
     * debug port (output.c): "SeaBIOS (version 1.16.2-debian-1.16.2-1)". */
    {"^SeaBIOS \\(version ", "Firmware"},
    /* iPXE's option ROM: "iPXE (https://ipxe.org) 00:03.0 CA00 PCI2.10 PnP PMM+..."
     * (arch/x86/prefix/romprefix.S), and its banner "iPXE 1.21.1+ -- Open Source Network Boot
     * Firmware -- https://ipxe.org" (core/main.c). */
    {"^iPXE ", "Firmware"},
    /* OVMF (EDK II for QEMU x86): the first line of its debug log, on port 0x402
     * (OvmfPkg/Sec/SecMain.c): "SecCoreStartupWithStack(0xFFFCC000, 0x820000)". */
    {"^SecCoreStartupWithStack\\(", "Firmware"},
    /* EDK II on Arm (ArmVirtPkg's PrePi): "UEFI firmware (version ... built at ...)". */
    {"^UEFI firmware \\(version ", "Firmware"},
    /* EDK II's boot manager (MdeModulePkg BdsDxe) handing over, on the serial console:
     * "BdsDxe: loading Boot0001 "UEFI QEMU HARDDISK QM00001 " from PciRoot(0x0)/...". */
    {"BdsDxe: (loading|starting) Boot", "Firmware"},
    /* EDK II's shell, when there is nothing to boot: "UEFI Interactive Shell v2.2". */
    {"^UEFI Interactive Shell ", "Firmware"},

    /* SeaBIOS handing over to a boot device (boot.c): "Booting from Hard Disk...",
     * "Booting from ROM..." (QEMU -kernel's linuxboot option ROM) ... The dots are not
     * required: SeaBIOS's serial console (sercon) holds its last characters back, and the
     * boot sector's own text follows on the same line. */
    {"^Booting from (Hard Disk|Floppy|DVD/CD|ROM|CBFS)", "Bootloader"},
    /* GRUB: the menu's heading, centred by cursor moves (normal/main.c): "GNU GRUB  version
     * 2.06", "GRUB version 2.12" in Fedora's; its greeting (kern/main.c) "Welcome to GRUB!". */
    {"GRUB +version |^Welcome to GRUB!", "Bootloader"},
    /* GRUB booting an entry (normal/menu.c): "  Booting `Debian GNU/Linux'". */
    {"Booting `", "Bootloader"},
    /* grub-mkconfig's entries (util/grub.d/10_linux.in): "Loading Linux 6.1.0-28-amd64 ...",
     * "Loading initial ramdisk ...". */
    {"^Loading (Linux |initial ramdisk)", "Bootloader"},
    /* SYSLINUX and friends: "SYSLINUX 6.04 EDD 20191223 Copyright (C) 1994-2015 H. Peter
     * Anvin et al", "ISOLINUX 6.04 ...". */
    {"^(SYS|ISO|PXE|EXT)LINUX ", "Bootloader"},
    /* Linux's own loaders, before the kernel proper runs: the real-mode setup (x86
     * boot/edd.c) "Probing EDD (edd=off to disable)... ok", the decompressor (x86
     * boot/compressed/misc.c) "Decompressing Linux... Parsing ELF... done.", the EFI stub
     * (drivers/firmware/efi/libstub) "EFI stub: Booting Linux Kernel...". */
    {"^Probing EDD ", "Bootloader"},
    {"^Decompressing Linux", "Bootloader"},
    {"^EFI stub: ", "Bootloader"},

    /* Linux: its banner, the first printk (init/version.c) "[    0.000000] Linux version
     * 6.1.0-28-amd64 (debian-kernel@lists.debian.org) ..."; on arm64 a line before it
     * (arch/arm64/kernel/setup.c) "Booting Linux on physical CPU 0x0000000000 [0x410fd083]". */
    {PRINTK_PREFIX "Linux version ", "Kernel"},
    {PRINTK_PREFIX "Booting Linux on physical CPU ", "Kernel"},

    /* Linux starting init (init/main.c): "[    1.234567] Run /init as init process". */
    {"Run [^ ]+ as init process", "Userspace"},
    /* systemd's greeting (src/core/main.c), the name in colour (stripped by then):
     * "Welcome to Debian GNU/Linux 12 (bookworm)!". */
    {"^Welcome to ", "Userspace"},

    /* A getty's prompt (util-linux agetty, busybox getty): "debian login: ". */
    {"login: *$", "Ready"},
    /* systemd reaching the default target (src/core/target.c "Reached target %s."), the unit
     * named by its description (older, or StatusUnitFormat=description): "[  OK  ] Reached
     * target Multi-User System.", both (StatusUnitFormat=combined, the default in newer
     * ones): "Reached target multi-user.target - Multi-User System.", or its name only. */
    {"Reached target .*(Multi-User System|multi-user\\.target)", "Ready"},
    {"Reached target .*(Graphical Interface|graphical\\.target)", "Ready"},
};

static const char *const builtin_names = "linux, none";

/* Compile one rule into the set. 0, -EINVAL (a bad regex or stage) or -ENOMEM. */
static int add_rule(struct console_rules *set, const char *regex, const char *stage, int line,
		    char *err, size_t errlen)
{
	struct console_rule *rule;
	int r;

	if (set->nr == set->cap) {
		int cap = set->cap ? 2 * set->cap : 16;
		struct console_rule *rules = realloc(set->rules, cap * sizeof(*rules));

		if (!rules) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		set->rules = rules;
		set->cap = cap;
	}
	rule = &set->rules[set->nr];
	rule->label = label_intern(stage);
	if (!rule->label)
		return line_error(err, errlen, line,
				  "cannot keep stage name '%s' (out of memory, or more than %d "
				  "names)",
				  stage, LABEL_INTERN_MAX);
	r = regcomp(&rule->re, regex, REG_EXTENDED | REG_NOSUB);
	if (r) {
		char problem[128];

		regerror(r, &rule->re, problem, sizeof(problem));
		return line_error(err, errlen, line, "bad regex '%.40s': %s", regex, problem);
	}
	set->nr++;
	return 0;
}

/* The stage: printable ASCII, spaces inside allowed, at most LABEL_NAME_MAX - 1 bytes. */
static int check_stage(const char *stage, size_t len, char *err, size_t errlen, int line)
{
	if (!len)
		return line_error(err, errlen, line, "no stage name after '->'");
	if (len >= LABEL_NAME_MAX)
		return line_error(err, errlen, line,
				  "stage name '%.20s...' is too long (at most %d characters)",
				  stage, LABEL_NAME_MAX - 1);
	for (size_t i = 0; i < len; i++)
		if (stage[i] < 0x20 || stage[i] > 0x7e)
			return line_error(err, errlen, line,
					  "stage name has a byte 0x%02x that is not printable "
					  "ASCII",
					  (unsigned char)stage[i]);
	return 0;
}

/* One line without surrounding blanks, not a comment: "REGEX -> STAGE". */
static int parse_line(struct console_rules *set, char *s, int line, char *err, size_t errlen)
{
	char *arrow = NULL, *stage;
	size_t n;
	int r;

	for (char *p = strstr(s, "->"); p; p = strstr(p + 1, "->"))
		arrow = p;
	if (!arrow)
		return line_error(err, errlen, line, "expected 'REGEX -> STAGE', got '%.40s'", s);
	stage = arrow + 2;
	while (text_is_blank(*stage))
		stage++;
	r = check_stage(stage, strlen(stage), err, errlen, line);
	if (r)
		return r;
	for (n = arrow - s; n && text_is_blank(s[n - 1]); n--)
		;
	s[n] = '\0';
	if (!n)
		return line_error(err, errlen, line, "no regex before '->'");
	return add_rule(set, s, stage, line, err, errlen);
}

void console_rules_close(struct console_rules *set)
{
	if (!set)
		return;
	for (int i = 0; i < set->nr; i++)
		regfree(&set->rules[i].re);
	free(set->rules);
	free(set);
}

int console_rules_parse(const char *text, size_t len, struct console_rules **out, char *err,
			size_t errlen)
{
	struct console_rules *set = calloc(1, sizeof(*set));
	const char *p = text, *end = text + len;
	char buf[CONSOLE_RULES_LINE_MAX];
	int line = 0, r = 0;

	if (!set) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p) ?: end;
		size_t n = nl - p;
		char *s = buf;

		line++;
		if (memchr(p, '\0', n)) {
			r = line_error(err, errlen, line, "a NUL byte: not a text file");
			goto out;
		}
		if (n >= sizeof(buf)) {
			r = line_error(err, errlen, line, "line too long (at most %zu bytes)",
				       sizeof(buf) - 1);
			goto out;
		}
		memcpy(buf, p, n);
		buf[n] = '\0';
		p = nl + 1;
		while (text_is_blank(*s))
			s++;
		for (size_t k = strlen(s); k && text_is_blank(s[k - 1]); k--)
			s[k - 1] = '\0';
		if (!*s || *s == '#')
			continue;
		/* Tabs are blanks; any other control byte would break the one-line errors. */
		for (char *c = s; *c; c++) {
			if ((unsigned char)*c < 0x20 && *c != '\t') {
				r = line_error(err, errlen, line,
					       "a control byte 0x%02x: not a text line",
					       (unsigned char)*c);
				goto out;
			}
		}
		r = parse_line(set, s, line, err, errlen);
		if (r)
			goto out;
	}
	if (!set->nr)
		r = line_error(err, errlen, 0, "no rules (lines 'REGEX -> STAGE')");
out:
	if (r) {
		console_rules_close(set);
		return r;
	}
	*out = set;
	return 0;
}

static int builtin_linux(struct console_rules **out, char *err, size_t errlen)
{
	struct console_rules *set = calloc(1, sizeof(*set));
	char problem[256];

	if (!set) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < sizeof(linux_rules) / sizeof(linux_rules[0]); i++) {
		int r = add_rule(set, linux_rules[i].regex, linux_rules[i].stage, (int)i + 1,
				 problem, sizeof(problem));

		if (r) {
			snprintf(err, errlen, "built-in console rules 'linux':%s", problem);
			console_rules_close(set);
			return r;
		}
	}
	*out = set;
	return 0;
}

int console_rules_open(const char *arg, struct console_rules **out, char *err, size_t errlen)
{
	char problem[256], *text = NULL;
	size_t len = 0;
	int r;

	if (!strcmp(arg, "linux"))
		return builtin_linux(out, err, errlen);
	if (!strcmp(arg, "none")) {
		*out = calloc(1, sizeof(**out));
		if (*out)
			return 0;
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = read_small_file(arg, LABEL_FILE_MAX, &text, &len); /* a label file's cap */
	if (r) {
		snprintf(err, errlen, "cannot read console rules '%s': %s (built-in rule sets: %s)",
			 arg, r == -EFBIG ? "larger than 1 MiB" : strerror(-r), builtin_names);
		return r;
	}
	r = console_rules_parse(text, len, out, problem, sizeof(problem));
	free(text);
	if (r) {
		snprintf(err, errlen, "%s:%s%s", arg,
			 problem[0] >= '0' && problem[0] <= '9' ? "" : " ", problem);
		return r;
	}
	return 0;
}

const struct label *console_rules_match(const struct console_rules *set, const char *text)
{
	for (int i = 0; set && text && i < set->nr; i++)
		if (!regexec(&set->rules[i].re, text, 0, NULL, 0))
			return set->rules[i].label;
	return NULL;
}

int console_rules_count(const struct console_rules *set)
{
	return set ? set->nr : 0;
}
