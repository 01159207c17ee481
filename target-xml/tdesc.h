/*
 * gdb target descriptions generated from an architecture's register table:
 * target.xml names the architecture and includes one document per
 * reg_feature; each feature document lists its registers with
 * regnum = table index, so gdb's numbering is the table's.
 */
#ifndef KWB_TDESC_H
#define KWB_TDESC_H

#include "core/kwb.h"
#include "core/regtab.h"

/* The document for annex ("target.xml" or a feature's xmlname) as a
 * malloc'd NUL-terminated string (*len set), or NULL if there is none. */
char *tdesc_xml(const reg_table *t, const char *annex, size_t *len);

/* Write target.xml and every feature file for arch ("riscv64", "aarch64")
 * into dir. Returns 0, or -1 after printing a one-line error. This is what
 * `kwb -dump-target-xml ARCH DIR` runs. */
int tdesc_dump(const char *arch, const char *dir);

#endif
