// -cpu max: QEMU 7.2's ID registers (ids_max.expect) and kwb's
// (ids_max.kwb.expect): the same MIDR, CLIDR, CTR, caches and debug/PMU
// registers; kwb's features are cortex-a57's plus LSE, AArch64 only, with
// CSV2/CSV3 = 1 (README "The AArch64 CPU": what QEMU's max has beyond).
// run: -cpu max
#include "ids.S"
