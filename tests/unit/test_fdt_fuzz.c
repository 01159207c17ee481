/* The device-tree decoder's fuzz target under its standalone driver, so
 * `make check` (and `make asan`) run a bounded fuzz pass. */
#include "tests/fuzz/fdt_fuzz.c"
#include "tests/fuzz/driver.c"
