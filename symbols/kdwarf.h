/*
 * The kernel's own layout, read from the vmlinux DWARF with libdwarf:
 * member offsets (task_struct.tasks, thread.cpu_context.sp), type sizes and
 * enumerator values, so kwb's Linux awareness follows whatever kernel
 * version and configuration built the vmlinux (nothing hard-coded).
 *
 * Types are found lazily: the compile units are scanned once, top-level
 * DIEs only, until the wanted name shows up; every struct, union and
 * enumerator name met on the way is remembered.
 */
#ifndef KWB_SYMBOLS_KDWARF_H
#define KWB_SYMBOLS_KDWARF_H

#include "core/kwb.h"

typedef struct kdwarf kdwarf;

/* NULL when the file has no DWARF (err says why, naming the file). */
kdwarf *kdwarf_open(const char *path, char *err, size_t errlen);
void kdwarf_close(kdwarf *kd);

/* Offset and size of a member path in a struct or union: "tasks",
 * "thread.cpu_context.sp", "thread.s" (an array: its whole size); members
 * of anonymous structs and unions are found through them. Returns false
 * when the type or a member is unknown. */
bool kdwarf_member(kdwarf *kd, const char *type, const char *path, uint64_t *off, uint64_t *size);
/* sizeof(struct/union type). */
bool kdwarf_sizeof(kdwarf *kd, const char *type, uint64_t *size);
/* The value of an enumerator (SYSTEM_FREEING_INITMEM). */
bool kdwarf_enumerator(kdwarf *kd, const char *name, int64_t *value);

#endif
