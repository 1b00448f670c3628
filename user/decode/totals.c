// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <inttypes.h>
#include "totals.h"

const struct loss_counter loss_counters[LOSS_NR] = {
    [LOSS_DROPPED] = {"dropped", "dropped", true},
    [LOSS_STRING_LOST] = {"string_lost", "string I/O bytes unseen", true},
    [LOSS_LIFECYCLE_DROPPED] = {"lifecycle_dropped", "VM/process records dropped", false},
    [LOSS_MALFORMED] = {"malformed", "malformed records", true},
    [LOSS_MAP_FULL] = {"map_full", "VM/vCPU identities lost (kernel map full)", false},
    [LOSS_CONSOLE_LOST] = {"console_lost", "console bytes dropped", false},
};

bool totals_lost(const struct trace_totals *t)
{
	FOR_EACH_LOSS (i)
		if (t->lost[i])
			return true;
	return false;
}

void print_totals(FILE *fp, const struct trace_totals *t)
{
	fprintf(fp, "%" PRIu64 " events, ", t->events);
	print_losses(fp, t);
}

void print_losses(FILE *fp, const struct trace_totals *t)
{
	fprintf(fp, "%" PRIu64 " %s", t->lost[LOSS_DROPPED], loss_counters[LOSS_DROPPED].text);
	FOR_EACH_LOSS (i)
		if (i != LOSS_DROPPED && t->lost[i])
			fprintf(fp, ", %" PRIu64 " %s", t->lost[i], loss_counters[i].text);
}
