// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "text.h"
#include "vm_table.h"

void vm_table_init(struct vm_table *table)
{
	table->head = NULL;
	table->tail = &table->head;
	table->count = 0;
}

void vm_table_free(struct vm_table *table)
{
	while (table->head)
		vm_table_remove(table, table->head);
}

struct traced_vm *vm_table_find(struct vm_table *table, pid_t pid, uint32_t id)
{
	for (struct traced_vm *vm = table->head; vm; vm = vm->next)
		if (vm->pid == pid && vm->id == id)
			return vm;
	return NULL;
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
	*table->tail = vm;
	table->tail = &vm->next;
	table->count++;
	return vm;
}

void vm_table_remove(struct vm_table *table, struct traced_vm *vm)
{
	for (struct traced_vm **p = &table->head; *p; p = &(*p)->next) {
		if (*p != vm)
			continue;
		*p = vm->next;
		if (table->tail == &vm->next)
			table->tail = p;
		table->count--;
		boot_stages_free(&vm->stats);
		free(vm);
		return;
	}
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
