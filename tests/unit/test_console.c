// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Unit tests: console text cleaning (hostile guest bytes) and console rules (built-in, files). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "console_rules.h"
#include "console_text.h"
#include "text.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- console_text_clean() ------------------------------------------------------------- */

/* A raw line given with its length (it may hold NUL bytes). */
#define RAW(s) (const uint8_t *)(s), sizeof(s) - 1

static void test_clean_cases(void **state)
{
	static const struct {
		const char *raw;
		size_t len;
		const char *clean;
	} cases[] = {
#define CASE(raw, clean) {raw, sizeof(raw) - 1, clean}
	    CASE("", ""),
	    CASE("Linux version 6.1.0", "Linux version 6.1.0"),
	    /* systemd's status line, colours and all */
	    CASE("[\x1b[0;32m  OK  \x1b[0m] Reached target multi-user.target - Multi-User System.",
		 "[  OK  ] Reached target multi-user.target - Multi-User System."),
	    CASE("Welcome to \x1b[1mDebian GNU/Linux 12 (bookworm)\x1b[0m!",
		 "Welcome to Debian GNU/Linux 12 (bookworm)!"),
	    /* SeaBIOS's sercon: reset, no line wrap, clear, goto, colour, then the text */
	    CASE("\x1b"
		 "c\x1b[?7l\x1b[2J\x1b[01;01H\x1b[0mSeaBIOS (version 1.16.2)",
		 "SeaBIOS (version 1.16.2)"),
	    /* OVMF's ESC [ = 3 h (parameters 0x30-0x3f) */
	    CASE("\x1b[=3h\x1b[2J\x1b[01;01HBdsDxe: loading Boot0001", "BdsDxe: loading Boot0001"),
	    /* CSI with intermediates; private parameters */
	    CASE("a\x1b[1 qb\x1b[>0;1cc", "abc"),
	    /* OSC ended by BEL, by ST; a hyperlink keeps its text */
	    CASE("x\x1b]0;title\x07y", "xy"),
	    CASE("x\x1b]2;title\x1b\\y", "xy"),
	    CASE("\x1b]8;;http://e.x/\x1b\\link\x1b]8;;\x1b\\", "link"),
	    /* OSC ended by another sequence; cancelled by CAN or SUB */
	    CASE("x\x1b]0;t\x1b[1my", "xy"),
	    CASE("x\x1b]0;t\x18y", "xy"),
	    CASE("x\x1b]0;t\x1az", "xz"),
	    /* DCS, APC strings */
	    CASE("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),
	    CASE("a\x1b_apc\x1b\\b", "ab"),
	    /* short sequences: charset (ESC ( B), keypad (ESC =), save cursor (ESC 7), RIS */
	    CASE("a\x1b(Bb\x1b=c\x1b"
		 "7d\x1b"
		 "ce",
		 "abcde"),
	    CASE("a\x1b#8b", "ab"),
	    /* a sequence cut by the end of the line */
	    CASE("text\x1b", "text"),
	    CASE("text\x1b[", "text"),
	    CASE("text\x1b[0;3", "text"),
	    CASE("text\x1b]0;a title that never ends", "text"),
	    CASE("text\x1b(", "text"),
	    CASE("text\x1b]0;t\x1b", "text"),
	    /* a broken CSI ends before the byte that cannot be in it */
	    CASE("a\x1b[1\x01z", "a\\x01z"),
	    CASE("a\x1b[1\xc3\xa9z", "a\xc3\xa9z"),
	    /* ESC before a control, a high byte, another ESC: only the ESC goes */
	    CASE("a\x1b\x01z", "a\\x01z"),
	    CASE("a\x1b\xffz", "a\\xffz"),
	    CASE("a\x1b\x1b[1mz", "az"),
	    /* tabs become a space; other controls, DEL, NUL become \xNN */
	    CASE("a\tb", "a b"),
	    CASE("a\x01\x08\x7f\x0d\x1f"
		 "b",
		 "a\\x01\\x08\\x7f\\x0d\\x1fb"),
	    CASE("a\0b", "a\\x00b"),
	    CASE("\x07", "\\x07"),
	    /* valid UTF-8 stays */
	    CASE("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x9a\x80 \xef\xbb\xbf",
		 "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x9a\x80 \xef\xbb\xbf"),
	    /* invalid UTF-8: stray continuation, bad lead, overlong, surrogate, past U+10FFFF */
	    CASE("a\x80z", "a\\x80z"),
	    CASE("a\xffz\xfe", "a\\xffz\\xfe"),
	    CASE("\xc0\xaf", "\\xc0\\xaf"),
	    CASE("\xe0\x80\xaf", "\\xe0\\x80\\xaf"),
	    CASE("\xed\xa0\x80", "\\xed\\xa0\\x80"),
	    CASE("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"),
	    CASE("\xc3(", "\\xc3("),
	    /* a character cut by the end of the line (the kernel's cap) */
	    CASE("ok \xe2\x9c", "ok \\xe2\\x9c"),
	    CASE("ok \xf0\x9f\x9a", "ok \\xf0\\x9f\\x9a"),
	    /* C1 controls written as UTF-8 (U+009B is CSI), a raw C1 byte; U+00A0 is text */
	    CASE("a\xc2\x9b"
		 "31mb",
		 "a\\xc2\\x9b31mb"),
	    CASE("a\x9b"
		 "31mb",
		 "a\\x9b31mb"),
	    CASE("a\xc2\xa0"
		 "b",
		 "a\xc2\xa0"
		 "b"),
	    /* a backslash of the guest's own stays as it is */
	    CASE("C:\\x41", "C:\\x41"),
#undef CASE
	};
	char out[512];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t n = console_text_clean((const uint8_t *)cases[i].raw, cases[i].len, out,
					      sizeof(out));

		if (strcmp(out, cases[i].clean))
			fail_msg("case %zu: got '%s', want '%s'", i, out, cases[i].clean);
		assert_int_equal(n, strlen(out));
	}
}

/* Small outputs: whole units or nothing, a NUL always, not one byte past outlen. */
static void test_clean_tiny(void **state)
{
	static const struct {
		const char *raw;
		size_t len, outlen;
		const char *clean;
	} cases[] = {
#define CASE(raw, outlen, clean) {raw, sizeof(raw) - 1, outlen, clean}
	    CASE("hello", 1, ""),
	    CASE("hello", 2, "h"),
	    CASE("hello", 4, "hel"),
	    CASE("hello", 6, "hello"),
	    CASE("\x01"
		 "a",
		 1, ""),
	    CASE("\x01"
		 "a",
		 2, ""), /* \x01 needs 4 */
	    CASE("\x01"
		 "a",
		 4, ""),
	    CASE("\x01"
		 "a",
		 5, "\\x01"),
	    CASE("\x01"
		 "a",
		 6, "\\x01a"),
	    CASE("a\xc3\xa9", 2, "a"),
	    CASE("a\xc3\xa9", 3, "a"), /* no half of a character */
	    CASE("a\xc3\xa9", 4, "a\xc3\xa9"),
	    CASE("\xf0\x9f\x9a\x80", 4, ""),
	    CASE("\xf0\x9f\x9a\x80", 5, "\xf0\x9f\x9a\x80"),
	    CASE("\x1b[1mab", 2, "a"),
	    CASE("\t\t", 2, " "),
	    CASE("\xff", 4, ""),
#undef CASE
	};
	char buf[16];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t n;

		memset(buf, 'Z', sizeof(buf));
		n = console_text_clean((const uint8_t *)cases[i].raw, cases[i].len, buf,
				       cases[i].outlen);
		if (strcmp(buf, cases[i].clean))
			fail_msg("case %zu: got '%s', want '%s'", i, buf, cases[i].clean);
		assert_int_equal(n, strlen(buf));
		for (size_t k = cases[i].outlen; k < sizeof(buf); k++)
			assert_int_equal(buf[k], 'Z');
	}
	/* No room at all, no output buffer, no input: nothing written, nothing read. */
	buf[0] = 'Z';
	assert_int_equal(console_text_clean(RAW("abc"), buf, 0), 0);
	assert_int_equal(buf[0], 'Z');
	assert_int_equal(console_text_clean(RAW("abc"), NULL, 8), 0);
	assert_int_equal(console_text_clean(NULL, 5, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void test_clean_all_escapes(void **state)
{
	uint8_t raw[256];
	char out[1100];

	memset(raw, 0x1b, sizeof(raw));
	assert_int_equal(console_text_clean(raw, sizeof(raw), out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* 256 control bytes: the longest cleaning there is, 4 characters each. */
	memset(raw, 0x01, sizeof(raw));
	assert_int_equal(console_text_clean(raw, sizeof(raw), out, sizeof(out)), 4 * 256);
	/* Every byte value once. */
	for (int i = 0; i < 256; i++)
		raw[i] = i;
	assert_true(console_text_clean(raw, sizeof(raw), out, sizeof(out)) < sizeof(out));
}

/* Whether s is what clean() may write: valid UTF-8, no control, no ESC, no C1 control. */
static int clean_text_ok(const char *s)
{
	while (*s) {
		unsigned char c = *s;
		size_t n = utf8_seq_len(s);

		if (!n || c < 0x20 || c == 0x7f || (c == 0xc2 && (unsigned char)s[1] < 0xa0))
			return 0;
		s += n;
	}
	return 1;
}

/*
 * Random lines, biased to the bytes that start or end sequences and characters, through
 * clean() with random room: it stays inside out, terminates it, returns its length, writes
 * only clean text, and a small out holds a prefix of what a large one holds, short of the
 * whole by less than one unit (\xNN or a 4-byte character).
 */
static void test_clean_fuzz(void **state)
{
	static const uint8_t special[] = {
	    0x1b, '[',	']',  '\\', '(',  'P',	'_',  0x07, 0x18, 0x1a, '0',  ';',  'm', 'a', '\t',
	    0x00, 0x7f, 0x80, 0x9b, 0xbf, 0xc2, 0xc3, 0xe2, 0xed, 0xf0, 0xf4, 0xff, ' ', '#', 'H'};
	enum { MAX_IN = 300, GUARD = 64 };
	uint8_t raw[MAX_IN];
	char full[4 * MAX_IN + 1], out[4 * MAX_IN + 1 + GUARD];
	unsigned int seed = 0x13;

	for (int iter = 0; iter < 100000; iter++) {
		size_t len = rand_r(&seed) % (MAX_IN + 1), outlen, n, whole;

		for (size_t i = 0; i < len; i++) {
			unsigned int r = rand_r(&seed);

			raw[i] = r & 1 ? special[(r >> 1) % sizeof(special)] : (r >> 8) & 0xff;
		}
		whole = console_text_clean(raw, len, full, sizeof(full));
		if (whole != strlen(full) || !clean_text_ok(full))
			fail_msg("iteration %d: bad full output", iter);

		outlen = 1 + rand_r(&seed) % (4 * MAX_IN + 1);
		memset(out, 'Z', sizeof(out));
		n = console_text_clean(raw, len, out, outlen);
		if (n >= outlen || out[n] != '\0' || n != strlen(out))
			fail_msg("iteration %d: length %zu, outlen %zu", iter, n, outlen);
		for (size_t k = outlen; k < sizeof(out); k++)
			if (out[k] != 'Z')
				fail_msg("iteration %d: wrote out[%zu] past outlen %zu", iter, k,
					 outlen);
		if (strncmp(out, full, n) || (n < whole && n + 4 < outlen))
			fail_msg("iteration %d: %zu of %zu bytes in outlen %zu", iter, n, whole,
				 outlen);
	}
}

/* ---- console rules -------------------------------------------------------------------- */

static const char *stage_of(const struct console_rules *rules, const char *line)
{
	const struct label *l = console_rules_match(rules, line);

	return l ? l->name : NULL;
}

static void test_rules_linux(void **state)
{
	static const struct {
		const char *line, *stage;
	} cases[] = {
	    /* Firmware */
	    {"SeaBIOS (version 1.16.2-debian-1.16.2-1)", "Firmware"},
	    {"SeaBIOS (version rel-1.17.0-0-gb52ca86e094d-prebuilt.qemu.org)", "Firmware"},
	    {"iPXE (http://ipxe.org) 00:03.0 CA00 PCI2.10 PnP PMM+7EFD1C90+7EF31C90 CA00",
	     "Firmware"},
	    {"iPXE 1.21.1+ -- Open Source Network Boot Firmware -- https://ipxe.org", "Firmware"},
	    {"SecCoreStartupWithStack(0xFFFCC000, 0x820000)", "Firmware"},
	    {"UEFI firmware (version edk2-stable202408-prebuilt.qemu.org built at 16:28:50 on Sep "
	     "12 2024)",
	     "Firmware"},
	    {"BdsDxe: loading Boot0001 \"UEFI QEMU HARDDISK QM00001 \" from "
	     "PciRoot(0x0)/Pci(0x1,0x1)/Ata(Primary,Master,0x0)",
	     "Firmware"},
	    {"BdsDxe: starting Boot0002 \"UEFI QEMU DVD-ROM QM00005 \" from PciRoot(0x0)",
	     "Firmware"},
	    {"UEFI Interactive Shell v2.2", "Firmware"},
	    /* Bootloader */
	    {"Booting from Hard Disk...", "Bootloader"},
	    {"Booting from ROM...", "Bootloader"},
	    {"Booting from DVD/CD...", "Bootloader"},
	    {"Booting from Floppy...", "Bootloader"},
	    /* SeaBIOS's serial console, its last dot held back, the boot sector's text after */
	    {"Booting from Hard Disk..bootsector: start", "Bootloader"},
	    {"                             GNU GRUB  version 2.06-13+deb12u1", "Bootloader"},
	    {"GRUB version 2.12", "Bootloader"},
	    {"Welcome to GRUB!", "Bootloader"},
	    {"  Booting `Debian GNU/Linux'", "Bootloader"},
	    {"Loading Linux 6.1.0-28-amd64 ...", "Bootloader"},
	    {"Loading initial ramdisk ...", "Bootloader"},
	    {"SYSLINUX 6.04 EDD 20191223 Copyright (C) 1994-2015 H. Peter Anvin et al",
	     "Bootloader"},
	    {"ISOLINUX 6.04 20200816 ETCD Copyright (C) 1994-2015 H. Peter Anvin et al",
	     "Bootloader"},
	    {"Probing EDD (edd=off to disable)... ok", "Bootloader"},
	    {"Decompressing Linux... Parsing ELF... done.", "Bootloader"},
	    {"EFI stub: Booting Linux Kernel...", "Bootloader"},
	    /* Kernel */
	    {"[    0.000000] Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org) "
	     "(gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP "
	     "PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)",
	     "Kernel"},
	    {"Linux version 6.12.69 (nixbld@localhost) (gcc (GCC) 14.3.0)", "Kernel"},
	    {"[    0.000000][    T0] Linux version 6.6.0 (root@host)", "Kernel"},
	    {"[ 1234.567890] Linux version 6.1.0", "Kernel"},
	    {"[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd083]", "Kernel"},
	    /* Userspace */
	    {"[    1.234567] Run /init as init process", "Userspace"},
	    {"[    2.000000] Run /sbin/init as init process", "Userspace"},
	    {"Welcome to Debian GNU/Linux 12 (bookworm)!", "Userspace"},
	    /* Ready */
	    {"debian login: ", "Ready"},
	    {"buildroot login:", "Ready"},
	    {"[  OK  ] Reached target multi-user.target - Multi-User System.", "Ready"},
	    {"[  OK  ] Reached target Multi-User System.", "Ready"},
	    {"[  OK  ] Reached target multi-user.target.", "Ready"},
	    {"[  OK  ] Reached target graphical.target - Graphical Interface.", "Ready"},
	    {"[  OK  ] Reached target Graphical Interface.", "Ready"},
	    /* Lines that are not evidence of a stage */
	    {"", NULL},
	    {"[    0.000000] efi: EFI v2.7 by EDK II", NULL},
	    {"[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-amd64 root=/dev/vda1",
	     NULL},
	    {"[    0.000000] DMI: QEMU Standard PC (i440FX + PIIX, 1996), BIOS "
	     "1.16.2-debian-1.16.2-1 "
	     "04/01/2014",
	     NULL},
	    {"         Starting grub-common.service - Record successful boot for GRUB...", NULL},
	    {"[  OK  ] Reached target basic.target - Basic System.", NULL},
	    {"[  OK  ] Stopped target multi-user.target - Multi-User System.", NULL},
	    {"Last login: Mon Jan  1 00:00:00 UTC 2024 on ttyS0", NULL},
	    {"Booting from 0000:7c00", NULL},
	    {"seabios (version 1.16.2)", NULL},
	    {"The Linux version here is just text", NULL},
	    {"No bootable device.", NULL},
	};
	struct console_rules *rules;
	char err[256];

	assert_int_equal(console_rules_open("linux", &rules, err, sizeof(err)), 0);
	assert_true(console_rules_count(rules) > 10);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *got = stage_of(rules, cases[i].line);

		if (got != cases[i].stage &&
		    (!got || !cases[i].stage || strcmp(got, cases[i].stage)))
			fail_msg("'%s': got %s, want %s", cases[i].line, got ?: "no stage",
				 cases[i].stage ?: "no stage");
	}
	/* The stages are the interned labels: one per name; Userspace ends the boot. */
	assert_ptr_equal(console_rules_match(rules, "Run /init as init process"),
			 label_intern("Userspace"));
	assert_true(console_rules_match(rules, "Run /init as init process")->userspace);
	assert_false(console_rules_match(rules, "Booting from ROM...")->userspace);
	assert_null(console_rules_match(NULL, "Booting from ROM..."));
	assert_null(console_rules_match(rules, NULL));
	console_rules_close(rules);
	console_rules_close(NULL);
}

/* A raw line as the kernel hands it over, cleaned, then matched: the way they are used. */
static void test_rules_cleaned_lines(void **state)
{
	static const struct {
		const char *raw, *stage;
	} cases[] = {
	    {"[\x1b[0;32m  OK  \x1b[0m] Reached target \x1b[0;1;39mmulti-user.target\x1b[0m - "
	     "Multi-User System.",
	     "Ready"},
	    {"\x1b"
	     "c\x1b[?7l\x1b[2J\x1b[0mSeaBIOS (version 1.16.2-debian-1.16.2-1)",
	     "Firmware"},
	    {"Welcome to \x1b[1;31mDebian GNU/Linux 12 (bookworm)\x1b[0m!", "Userspace"},
	    {"\x1b[2J\x1b[01;01H\x1b[=3h\x1b[2J\x1b[01;01HBdsDxe: loading Boot0001 \"UEFI\"",
	     "Firmware"},
	    {"\x1b[1;1H\x1b[2J\x1b[8;30H\x1b[0mGNU GRUB  version 2.06", "Bootloader"},
	};
	struct console_rules *rules;
	char err[256], text[512];

	assert_int_equal(console_rules_open("linux", &rules, err, sizeof(err)), 0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct label *l;

		console_text_clean((const uint8_t *)cases[i].raw, strlen(cases[i].raw), text,
				   sizeof(text));
		l = console_rules_match(rules, text);
		if (!l || strcmp(l->name, cases[i].stage))
			fail_msg("'%s': got %s, want %s", text, l ? l->name : "no stage",
				 cases[i].stage);
	}
	console_rules_close(rules);
}

static void test_rules_none(void **state)
{
	struct console_rules *rules;
	char err[256];

	assert_int_equal(console_rules_open("none", &rules, err, sizeof(err)), 0);
	assert_non_null(rules);
	assert_int_equal(console_rules_count(rules), 0);
	assert_null(console_rules_match(rules, "SeaBIOS (version 1.16.2)"));
	assert_null(console_rules_match(rules, "debian login: "));
	console_rules_close(rules);
}

static int parse(struct console_rules **rules, const char *text, char *err)
{
	err[0] = '\0';
	return console_rules_parse(text, strlen(text), rules, err, 256);
}

static void test_rules_file_format(void **state)
{
	struct console_rules *rules;
	char err[256];

	assert_int_equal(parse(&rules,
			       "# my firmware and my init\n"
			       "\n"
			       "   \t\n"
			       "  ^Hello from fw   ->   early firmware  \r\n"
			       "\t# an indented comment\n"
			       "^myinit: (ready|up)$ -> Userspace\n"
			       "a->b -> arrow in regex\n"
			       "[#] hash ->Hashes\n"
			       "^x->y",
			       err),
			 0);
	assert_int_equal(console_rules_count(rules), 5);
	assert_string_equal(stage_of(rules, "Hello from fw 1.0"), "early firmware");
	assert_null(stage_of(rules, " Hello from fw 1.0")); /* anchored */
	assert_null(stage_of(rules, "hello from fw"));	    /* case-sensitive */
	assert_string_equal(stage_of(rules, "myinit: up"), "Userspace");
	assert_true(console_rules_match(rules, "myinit: ready")->userspace);
	assert_null(stage_of(rules, "myinit: ready!"));
	assert_string_equal(stage_of(rules, "xa->by"), "arrow in regex");
	assert_string_equal(stage_of(rules, "## hash"), "Hashes");
	assert_string_equal(stage_of(rules, "x"), "y");
	/* The first rule that matches wins. */
	console_rules_close(rules);
	assert_int_equal(parse(&rules, "foo -> First\nfoo|bar -> Second\n", err), 0);
	assert_string_equal(stage_of(rules, "foo bar"), "First");
	assert_string_equal(stage_of(rules, "bar"), "Second");
	console_rules_close(rules);
}

static void test_rules_file_errors(void **state)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
	    {"^a -> A\nno arrow here\n", "2: expected 'REGEX -> STAGE', got 'no arrow here'"},
	    {"^a => A\n", "1: expected 'REGEX -> STAGE', got '^a => A'"},
	    {"^a ->\n", "1: no stage name after '->'"},
	    {"^a ->   \t\n", "1: no stage name after '->'"},
	    {"-> Kernel\n", "1: no regex before '->'"},
	    {"   -> Kernel\n", "1: no regex before '->'"},
	    {"# ok\n\n(unclosed -> Kernel\n", "3: bad regex '(unclosed': Unmatched ( or \\("},
	    {"a[b -> Kernel\n", "1: bad regex 'a[b': Unmatched [, [^, [:, [., or [="},
	    {"*a -> Kernel\n", "1: bad regex '*a': Invalid preceding regular expression"},
	    {"a{1 -> Kernel\n", "1: bad regex 'a{1': Unmatched \\{"},
	    {"^a -> a_stage_name_that_is_far_too_long\n", "1: stage name 'a_stage_name_that_is...' "
							  "is too long (at most 31 characters)"},
	    {"^a -> caf\xc3\xa9\n", "1: stage name has a byte 0xc3 that is not printable ASCII"},
	    {"^a\x01 -> A\n", "1: a control byte 0x01: not a text line"},
	    {"", "no rules (lines 'REGEX -> STAGE')"},
	    {"# only comments\n\n   \n", "no rules (lines 'REGEX -> STAGE')"},
	};
	struct console_rules *rules = NULL;
	char err[256], text[CONSOLE_RULES_LINE_MAX + 10];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(parse(&rules, cases[i].text, err), -EINVAL);
		if (strcmp(err, cases[i].error))
			fail_msg("case %zu: got '%s', want '%s'", i, err, cases[i].error);
		assert_null(strchr(err, '\n'));
	}
	assert_null(rules); /* never set on an error */
	/* A NUL byte: not a text file. */
	assert_int_equal(console_rules_parse("a -> A\nb\0 -> B\n", 15, &rules, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "2: a NUL byte: not a text file");
	/* A line past the limit. */
	memset(text, 'x', CONSOLE_RULES_LINE_MAX + 9);
	memcpy(text + CONSOLE_RULES_LINE_MAX, " -> X", 5);
	text[CONSOLE_RULES_LINE_MAX + 9] = '\0';
	assert_int_equal(parse(&rules, text, err), -EINVAL);
	assert_string_equal(err, "1: line too long (at most 1023 bytes)");
	/* One just short of it is fine. */
	memset(text, 'x', CONSOLE_RULES_LINE_MAX);
	memcpy(text + CONSOLE_RULES_LINE_MAX - 6, " -> X", 6);
	assert_int_equal(parse(&rules, text, err), 0);
	console_rules_close(rules);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_rules_open(void **state)
{
	char dir[] = "/tmp/test_console.XXXXXX", path[64], err[512];
	struct console_rules *rules = NULL;
	FILE *f;

	assert_int_equal(console_rules_open("/nonexistent/x.rules", &rules, err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "cannot read console rules '/nonexistent/x.rules': No such file "
				 "or directory (built-in rule sets: linux, none)");
	/* A name that is not built in is a path. */
	assert_int_equal(console_rules_open("Linux", &rules, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "cannot read console rules 'Linux': No such file or directory "
				 "(built-in rule sets: linux, none)");
	assert_null(rules);

	assert_non_null(mkdtemp(dir));
	assert_int_equal(console_rules_open(dir, &rules, err, sizeof(err)), -EISDIR);
	snprintf(path, sizeof(path), "%s/my.rules", dir);
	write_file(path, "# mine\n^hello -> Firmware\nready$ -> Ready\n");
	assert_int_equal(console_rules_open(path, &rules, err, sizeof(err)), 0);
	assert_int_equal(console_rules_count(rules), 2);
	assert_string_equal(stage_of(rules, "hello world"), "Firmware");
	assert_string_equal(stage_of(rules, "all ready"), "Ready");
	console_rules_close(rules);

	/* Errors name the file and the line. */
	write_file(path, "^ok -> Ok\n\n# x\nbad(regex -> Kernel\n");
	assert_int_equal(console_rules_open(path, &rules, err, sizeof(err)), -EINVAL);
	assert_true(!strncmp(err, path, strlen(path)));
	assert_string_equal(err + strlen(path), ":4: bad regex 'bad(regex': Unmatched ( or \\(");
	write_file(path, "# nothing\n");
	assert_int_equal(console_rules_open(path, &rules, err, sizeof(err)), -EINVAL);
	assert_string_equal(err + strlen(path), ": no rules (lines 'REGEX -> STAGE')");

	/* The same size cap as a label file: 1 MiB is fine, a byte more is not. */
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < LABEL_FILE_MAX / 64 - 1; i++)
		fprintf(f, "# %61d\n", i);
	fprintf(f, "%-51s -> Firmware\n", "^hello");
	assert_int_equal(ftell(f), LABEL_FILE_MAX);
	fclose(f);
	assert_int_equal(console_rules_open(path, &rules, err, sizeof(err)), 0);
	assert_string_equal(stage_of(rules, "hello"), "Firmware");
	console_rules_close(rules);
	f = fopen(path, "a");
	assert_non_null(f);
	fputc('\n', f);
	fclose(f);
	assert_int_equal(console_rules_open(path, &rules, err, sizeof(err)), -EFBIG);
	assert_string_equal(err + strlen(path) + strlen("cannot read console rules ''"),
			    ": larger than 1 MiB (built-in rule sets: linux, none)");
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clean_cases),	      cmocka_unit_test(test_clean_tiny),
	    cmocka_unit_test(test_clean_all_escapes), cmocka_unit_test(test_clean_fuzz),
	    cmocka_unit_test(test_rules_linux),	      cmocka_unit_test(test_rules_cleaned_lines),
	    cmocka_unit_test(test_rules_none),	      cmocka_unit_test(test_rules_file_format),
	    cmocka_unit_test(test_rules_file_errors), cmocka_unit_test(test_rules_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
