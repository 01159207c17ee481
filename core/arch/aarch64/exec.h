/* Instruction pattern tables of the integer core (decode.c scans them once
 * per instruction; the result is cached in the decoded page). */
#ifndef KWB_A64_EXEC_H
#define KWB_A64_EXEC_H

#include "a64_int.h"

typedef struct a64_pattern {
	uint32_t mask, value;
	a64_tfn fn;
} a64_pattern;

extern const a64_pattern a64_dp_patterns[];
extern const a64_pattern a64_ldst_patterns[];
extern const a64_pattern a64_sys_patterns[];

bool a64_bitmask(unsigned n, unsigned imms, unsigned immr, bool sf, uint64_t *out);

#endif
