// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdbool.h>
#include <string.h>
#include "console_text.h"
#include "text.h"

#define ESC 0x1b
#define BEL 0x07
#define CAN 0x18
#define SUB 0x1a

/*
 * The index just past the escape sequence that starts at raw[i] (an ESC): what a terminal
 * would swallow. A sequence broken by a byte that cannot be in it ends before that byte, which
 * is then taken as text; one cut by the end of the line runs to the end.
 */
static size_t skip_escape(const uint8_t *raw, size_t len, size_t i)
{
	size_t j = i + 1;
	uint8_t kind;

	if (j >= len)
		return len;
	kind = raw[j++];
	switch (kind) {
	case '[': /* CSI: parameters and intermediates 0x20-0x3f, then a final 0x40-0x7e */
		for (; j < len; j++) {
			if (raw[j] >= 0x40 && raw[j] <= 0x7e)
				return j + 1;
			if (raw[j] < 0x20 || raw[j] > 0x3f)
				return j;
		}
		return len;
	case ']': /* OSC */
	case 'P': /* DCS */
	case 'X': /* SOS */
	case '^': /* PM */
	case '_': /* APC: strings, ended by BEL or ST (ESC \), cancelled by CAN or SUB */
		for (; j < len; j++) {
			if (raw[j] == BEL || raw[j] == CAN || raw[j] == SUB)
				return j + 1;
			if (raw[j] == ESC) /* ST, or another sequence that ends this one */
				return j + 1 < len && raw[j + 1] == '\\' ? j + 2 : j;
		}
		return len;
	}
	if (kind >= 0x20 && kind <= 0x2f) { /* intermediates, then a final 0x30-0x7e */
		while (j < len && raw[j] >= 0x20 && raw[j] <= 0x2f)
			j++;
		if (j < len && raw[j] >= 0x30 && raw[j] <= 0x7e)
			return j + 1;
		return j;
	}
	if (kind >= 0x30 && kind <= 0x7e) /* two bytes: ESC c, ESC 7, ESC M ... */
		return j;
	return j - 1; /* ESC before a control or a byte past 0x7e: only the ESC goes */
}

/* Length of the valid UTF-8 character at raw[i], at most len - i bytes; 0 if none. */
static size_t utf8_len_at(const uint8_t *raw, size_t len, size_t i)
{
	char seq[5] = {0}; /* NUL-terminated for utf8_seq_len(): a cut sequence is invalid */
	size_t n = len - i < 4 ? len - i : 4;

	memcpy(seq, raw + i, n);
	return utf8_seq_len(seq);
}

/* Append n bytes if they fit with the NUL still after them. */
static bool put(char *out, size_t outlen, size_t *o, const void *s, size_t n)
{
	if (n >= outlen - *o)
		return false;
	memcpy(out + *o, s, n);
	*o += n;
	return true;
}

static bool put_hex(char *out, size_t outlen, size_t *o, uint8_t byte)
{
	static const char digits[] = "0123456789abcdef";
	char hex[4] = {'\\', 'x', digits[byte >> 4], digits[byte & 0xf]};

	return put(out, outlen, o, hex, sizeof(hex));
}

size_t console_text_clean(const uint8_t *raw, size_t len, char *out, size_t outlen)
{
	size_t i = 0, o = 0;

	if (!out || !outlen)
		return 0;
	if (!raw)
		len = 0;
	while (i < len) {
		uint8_t c = raw[i];
		size_t n;
		bool ok;

		if (c == ESC) {
			i = skip_escape(raw, len, i);
			continue;
		}
		if (c == '\t') {
			ok = put(out, outlen, &o, " ", 1);
			n = 1;
		} else if (c < 0x20 || c == 0x7f) {
			ok = put_hex(out, outlen, &o, c);
			n = 1;
		} else {
			n = utf8_len_at(raw, len, i);
			/* A C1 control (0xc2 0x80-0x9f): terminals act on some, as on ESC. Its
			 * second byte, alone, is then not valid UTF-8 either. */
			if (c == 0xc2 && n == 2 && raw[i + 1] < 0xa0)
				n = 0;
			if (n) {
				ok = put(out, outlen, &o, raw + i, n);
			} else {
				ok = put_hex(out, outlen, &o, c);
				n = 1;
			}
		}
		if (!ok)
			break;
		i += n;
	}
	out[o] = '\0';
	return o;
}
