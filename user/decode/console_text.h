/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * A console line as the guest wrote it, made fit for every writer: the guest is not trusted,
 * so what it sends to its serial port must not be able to drive the terminal of whoever reads
 * a trace, nor make a JSON, CSV or SVG file invalid.
 */
#ifndef CONSOLE_TEXT_H
#define CONSOLE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Clean len raw bytes of one console line (no line ending) into out, outlen bytes (>= 1):
 * - ANSI escape sequences are dropped: CSI (ESC [ parameters final 0x40-0x7e), the strings
 *   OSC (ESC ] ... BEL or ESC \) and DCS, SOS, PM, APC (ESC P, X, ^, _ ... the same ends),
 *   and the short ones (ESC, intermediates 0x20-0x2f, final 0x30-0x7e: ESC c, ESC ( B), also
 *   when the line ends inside one (cut by the kernel's line cap);
 * - a tab becomes a space; other control bytes, DEL, C1 controls written as UTF-8
 *   (U+0080-U+009F) and bytes that are not valid UTF-8 become the four characters \xNN;
 * - valid UTF-8 is kept.
 * out is always NUL-terminated and never written past outlen; when it is too small the text
 * stops before the first character or \xNN that does not fit (so it is a prefix of the whole
 * cleaned text). Returns strlen(out).
 */
size_t console_text_clean(const uint8_t *raw, size_t len, char *out, size_t outlen);

#endif
