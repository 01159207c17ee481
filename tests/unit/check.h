/* Minimal unit-test helpers: each CHECK prints nothing on success; a test
 * function is one PASS/FAIL line. main() returns failures != 0. */
#ifndef KWB_CHECK_H
#define KWB_CHECK_H

#include <inttypes.h>
#include <stdio.h>

static int check_failures, check_case_failed;
static const char *check_case;

#define CHECK(cond) do { if (!(cond)) { \
	printf("FAIL: %s: %s:%d: %s\n", check_case, __FILE__, __LINE__, #cond); \
	check_case_failed = 1; } } while (0)
#define CHECK_EQ(a, b) do { uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b); if (_a != _b) { \
	printf("FAIL: %s: %s:%d: %s == 0x%" PRIx64 ", expected 0x%" PRIx64 "\n", \
	       check_case, __FILE__, __LINE__, #a, _a, _b); check_case_failed = 1; } } while (0)

#define RUN(fn) do { check_case = #fn; check_case_failed = 0; fn(); \
	if (!check_case_failed) printf("PASS: %s\n", #fn); else check_failures++; } while (0)

#define CHECK_DONE() (check_failures ? 1 : 0)

#endif
