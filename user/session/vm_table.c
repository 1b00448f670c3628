// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "text.h"
#include "vm_table.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* The hash key is the VM's own id and pid, read in place. */
_Static_assert(sizeof(struct vm_key) == 8 &&
		   offsetof(struct traced_vm, pid) == offsetof(struct traced_vm, id) + 4 &&
		   offsetof(struct vm_key, pid) == offsetof(struct vm_key, id) + 4,
	       "struct traced_vm's id and pid must be laid out as a struct vm_key");

void vm_table_init(struct vm_table *table)
{
	table->head = NULL;
	table->tail = &table->head;
	table->count = 0;
	table->index = NULL;
}

void vm_table_free(struct vm_table *table)
{
	while (table->head)
		vm_table_remove(table, table->head);
}

struct traced_vm *vm_table_find(struct vm_table *table, pid_t pid, uint32_t id)
{
	struct vm_key key = {.id = id, .pid = pid};
	struct traced_vm *vm;

	HASH_FIND(hh, table->index, &key, sizeof(key), vm);
	return vm;
}

struct traced_vm *vm_table_get(struct vm_table *table, pid_t pid, uint32_t id, const char *comm)
{
	struct traced_vm *vm = vm_table_find(table, pid, id);

	if (vm)
		return vm;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return NULL;
	vm->pid = pid;
	vm->id = id;
	vm->fd = -1;
	/* comm comes from the kernel, /proc or a file: it may lack a terminator, hold control
	 * characters or end in the middle of a UTF-8 sequence (the kernel cuts names at 15 bytes).
	 */
	strncpy(vm->comm, comm, sizeof(vm->comm) - 1);
	text_sanitize(vm->comm);
	HASH_ADD(hh, table->index, id, sizeof(struct vm_key), vm);
	if (!vm->hh.tbl) { /* out of memory: uthash left it out */
		free(vm);
		return NULL;
	}
	/* tail points at the last VM's next, or at head when there is none */
	vm->prev = table->head ? container_of(table->tail, struct traced_vm, next) : NULL;
	*table->tail = vm;
	table->tail = &vm->next;
	table->count++;
	return vm;
}

int traced_vm_observe(struct traced_vm *vm, const struct boot_event *ev)
{
	return boot_stages_observe(&vm->stats, ev);
}

const char *traced_vm_name(const struct traced_vm *vm, char buf[VM_NAME_MAX])
{
	if (vm->id == EVENT_VM_UNKNOWN)
		snprintf(buf, VM_NAME_MAX, "%s[%d] vm?", vm->comm, vm->pid);
	else
		snprintf(buf, VM_NAME_MAX, "%s[%d] vm%" PRIu32, vm->comm, vm->pid, vm->id);
	return buf;
}

void vm_table_remove(struct vm_table *table, struct traced_vm *vm)
{
	if (vm_table_find(table, vm->pid, vm->id) != vm)
		return;
	HASH_DELETE(hh, table->index, vm);
	if (vm->prev)
		vm->prev->next = vm->next;
	else
		table->head = vm->next;
	if (vm->next)
		vm->next->prev = vm->prev;
	else
		table->tail = vm->prev ? &vm->prev->next : &table->head;
	table->count--;
	boot_stages_free(&vm->stats);
	free(vm);
}

bool vm_boot_complete(const struct traced_vm *vm)
{
	switch (vm->end_reason) {
	case VM_END_EXIT:
		return !WIFSIGNALED(vm->exit_status);
	case VM_END_CLOSED:
		return true;
	default:
		return false;
	}
}

const char *vm_end_reason(const struct traced_vm *vm, char *buf, size_t len)
{
	switch (vm->end_reason) {
	case VM_END_EXIT:
		if (WIFSIGNALED(vm->exit_status))
			snprintf(buf, len, "killed by signal %d", WTERMSIG(vm->exit_status));
		else
			snprintf(buf, len, "exit status %d", WEXITSTATUS(vm->exit_status));
		break;
	case VM_END_CLOSED:
		snprintf(buf, len, "VM closed");
		break;
	case VM_END_GONE:
		snprintf(buf, len, "process gone, exit not seen");
		break;
	default:
		snprintf(buf, len, "still running");
	}
	return buf;
}
