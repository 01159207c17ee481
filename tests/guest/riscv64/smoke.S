#include "common.h"
TEST_START
main:
	li a0, 5
	addi a0, a0, 7
	CHECK(a0, 12, 1)
	la a0, hello
	call puts
	j test_pass
	.data
hello: .asciz "hello from rv64\n"
	.text
TEST_END
