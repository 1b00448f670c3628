// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Unit tests: the VM table (vm_table.c) with many VMs: find and get by (pid, id) through its
 * hash index, removal, and the order of creation that every output lists VMs in. And a VM
 * with many stages (labels), whose statistics find them through an index too (stages.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "samples.h"
#include "vm_table.h"

#define MANY 100000 /* with a list search per lookup, this alone would take minutes */

/* VM i: VMMs of three VMs each (a reboot, a second VM), and some VMs without an id. */
static pid_t pid_of(unsigned int i)
{
	return 1000 + i / 3;
}

static uint32_t id_of(unsigned int i)
{
	return i % 7 == 6 ? EVENT_VM_UNKNOWN : i + 1;
}

/* The table holds exactly the VMs i with keep[i], in creation order. */
static void check_order(struct vm_table *t, const bool *keep, unsigned int n)
{
	const struct traced_vm *vm = t->head;
	unsigned int count = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		assert_non_null(vm);
		assert_int_equal(vm->pid, pid_of(i));
		assert_int_equal(vm->id, id_of(i));
		assert_ptr_equal(vm_table_find(t, pid_of(i), id_of(i)), vm);
		vm = vm->next;
		count++;
	}
	assert_null(vm);
	assert_int_equal(t->count, count);
}

static void test_many_vms_found_and_in_order(void **state)
{
	bool *keep = calloc(MANY, sizeof(*keep));
	struct traced_vm **vms = calloc(MANY, sizeof(*vms));
	struct vm_table t;

	assert_non_null(keep);
	assert_non_null(vms);
	vm_table_init(&t);
	for (unsigned int i = 0; i < MANY; i++) {
		vms[i] = vm_table_get(&t, pid_of(i), id_of(i), "vmm");
		assert_non_null(vms[i]);
		assert_int_equal(vms[i]->fd, -1);
		keep[i] = true;
	}
	assert_int_equal(t.count, MANY);
	/* get finds what is there: no second VM of the same identity */
	for (unsigned int i = 0; i < MANY; i += 97)
		assert_ptr_equal(vm_table_get(&t, pid_of(i), id_of(i), "other"), vms[i]);
	assert_int_equal(t.count, MANY);
	/* the identity is pid and id together */
	assert_null(vm_table_find(&t, pid_of(0), id_of(3)));
	assert_null(vm_table_find(&t, 999, 1));
	assert_null(vm_table_find(&t, pid_of(MANY) + 1, EVENT_VM_UNKNOWN));
	check_order(&t, keep, MANY);
	vm_table_free(&t);
	assert_null(t.head);
	assert_int_equal(t.count, 0);
	free(vms);
	free(keep);
}

static void test_remove_keeps_index_and_order(void **state)
{
	enum { N = 20000 };
	bool keep[N];
	struct traced_vm *vms[N];
	struct vm_table t;

	vm_table_init(&t);
	for (unsigned int i = 0; i < N; i++) {
		vms[i] = vm_table_get(&t, pid_of(i), id_of(i), "vmm");
		assert_non_null(vms[i]);
		keep[i] = true;
	}
	/* the first, the last, and every third in between (as the daemon forgets ended VMs) */
	for (unsigned int i = 0; i < N; i++) {
		if (i != 0 && i != N - 1 && i % 3)
			continue;
		vm_table_remove(&t, vms[i]);
		keep[i] = false;
		assert_null(vm_table_find(&t, pid_of(i), id_of(i)));
	}
	check_order(&t, keep, N);
	/* a VM met again after its removal is a new one, appended at the end */
	vms[0] = vm_table_get(&t, pid_of(0), id_of(0), "again");
	assert_non_null(vms[0]);
	assert_string_equal(vms[0]->comm, "again");
	assert_int_equal(t.count, N - N / 3 - 1);
	{
		const struct traced_vm *last = t.head;

		while (last->next)
			last = last->next;
		assert_ptr_equal(last, vms[0]);
		assert_ptr_equal(*t.tail, NULL);
		assert_ptr_equal(t.tail, &vms[0]->next);
	}
	/* down to none, from the end, and the table still works */
	vm_table_remove(&t, vms[0]);
	for (int i = N - 1; i >= 0; i--)
		if (keep[i])
			vm_table_remove(&t, vms[i]);
	assert_null(t.head);
	assert_ptr_equal(t.tail, &t.head);
	assert_int_equal(t.count, 0);
	assert_null(vm_table_find(&t, pid_of(1), id_of(1)));
	assert_non_null(vm_table_get(&t, 1, 1, "vmm"));
	assert_int_equal(t.count, 1);
	vm_table_free(&t);
}

/* Removing a VM the table does not hold (another table's) leaves it alone. */
static void test_remove_of_a_stranger(void **state)
{
	struct vm_table a, b;
	struct traced_vm *in_a, *in_b;

	vm_table_init(&a);
	vm_table_init(&b);
	in_a = vm_table_get(&a, 42, 1, "vmm");
	in_b = vm_table_get(&b, 42, 1, "vmm"); /* the same identity, another VM */
	assert_non_null(in_a);
	assert_non_null(in_b);
	vm_table_remove(&a, in_b);
	assert_int_equal(a.count, 1);
	assert_ptr_equal(vm_table_find(&a, 42, 1), in_a);
	assert_ptr_equal(vm_table_find(&b, 42, 1), in_b);
	vm_table_free(&a);
	vm_table_free(&b);
}

#define LABELS 300 /* past the few that are searched in place */

static const struct label *nth_label(int i)
{
	char name[LABEL_NAME_MAX];

	snprintf(name, sizeof(name), "stage-%d", i);
	return label_intern(name);
}

/* Stages are found by name whatever their number, in the order they first came. */
static void test_many_stages(void **state)
{
	struct vm_table t;
	struct traced_vm *vm;
	struct boot_stages merged = {};

	vm_table_init(&t);
	vm = vm_table_get(&t, 7, 1, "vmm");
	assert_non_null(vm);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < LABELS; i++) {
			struct boot_event ev = {.kind = EVENT_CODE,
						.label = nth_label(i),
						.ts_ns = 1000 + round * LABELS + i};

			assert_non_null(ev.label);
			assert_int_equal(traced_vm_observe(vm, &ev), 0);
		}
	}
	assert_int_equal(vm->stats.nr, LABELS);
	assert_int_equal(vm->stats.events, 3 * LABELS);
	for (int i = 0; i < LABELS; i++) {
		assert_string_equal(vm->stats.stage[i].label, nth_label(i)->name);
		assert_int_equal(vm->stats.stage[i].codes, 3);
		assert_int_equal(vm->stats.stage[i].first_ns, 1000 + i);
		assert_int_equal(vm->stats.stage[i].last_ns, 1000 + 2 * LABELS + i);
	}
	/* merged into statistics that have some of them already, in another order */
	assert_int_equal(boot_stages_add(&merged, nth_label(LABELS - 1), 5), 0);
	assert_int_equal(boot_stages_add(&merged, nth_label(LABELS), 6), 0);
	assert_int_equal(boot_stages_merge(&merged, &vm->stats), 0);
	assert_int_equal(merged.nr, LABELS + 1);
	assert_string_equal(merged.stage[0].label, nth_label(LABELS - 1)->name);
	assert_int_equal(merged.stage[0].codes, 4);
	assert_int_equal(merged.stage[0].first_ns, 5);
	assert_string_equal(merged.stage[2].label, nth_label(0)->name);
	boot_stages_free(&merged);
	vm_table_free(&t);
}

/*
 * Samples of many stages: the debug port's labels, met late, still go first (inserted before
 * the others), and every stage is found after the moves.
 */
static void test_many_stage_samples(void **state)
{
	struct boot_stages a = {}, b = {};
	struct boot_samples bs = {};

	for (int i = 0; i < LABELS; i++)
		assert_int_equal(boot_stages_add(&a, nth_label(i), 1000 + i), 0);
	assert_int_equal(boot_samples_add(&bs, &a, 500), 0);
	assert_int_equal(boot_stages_add(&b, &label_map_debug_port.ranges[2].label, 10), 0);
	assert_int_equal(boot_stages_add(&b, nth_label(5), 20), 0);
	assert_int_equal(boot_stages_add(&b, &label_map_debug_port.ranges[0].label, 30), 0);
	assert_int_equal(boot_samples_add(&bs, &b, 5), 0);
	assert_int_equal(bs.nr, LABELS + 2);
	assert_string_equal(bs.stage[0].label, "Firmware"); /* in label_rank() order */
	assert_string_equal(bs.stage[1].label, "Kernel");
	for (int i = 0; i < LABELS; i++) {
		struct samples *s = boot_samples_stage(&bs, nth_label(i)->name);

		assert_ptr_equal(s, &bs.stage[i + 2].s);
		assert_int_equal(s->n, i == 5 ? 2 : 1);
	}
	assert_ptr_equal(boot_samples_stage(&bs, "Firmware"), &bs.stage[0].s);
	assert_ptr_equal(boot_samples_stage(&bs, "Kernel"), &bs.stage[1].s);
	assert_null(boot_samples_stage(&bs, "Bootloader"));
	assert_null(boot_samples_stage(&bs, "stage-x"));
	boot_samples_free(&bs);
	boot_stages_free(&a);
	boot_stages_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_many_vms_found_and_in_order),
	    cmocka_unit_test(test_remove_keeps_index_and_order),
	    cmocka_unit_test(test_remove_of_a_stranger),
	    cmocka_unit_test(test_many_stages),
	    cmocka_unit_test(test_many_stage_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
