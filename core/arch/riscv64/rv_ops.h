/* Prototypes of the instruction handlers listed in insns.def. */
#ifndef KWB_RV_OPS_H
#define KWB_RV_OPS_H

#include "rv.h"

#define I(name, pat, fmt, args) const rv_insn *op_##name(rv_hart *h, const rv_insn *d, int64_t left);
#include "insns.def"
#undef I
const rv_insn *op_illegal(rv_hart *h, const rv_insn *d, int64_t left);

#endif
