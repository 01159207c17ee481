# kwb: GDB-first kernel debugging workbench.
#   make          build build/kwb
#   make check    build and run every test (ends with "N passed, N failed")
#   make asan     build with AddressSanitizer+UBSan into build-asan/ and run the tests
#   make demo     open the workbench on the reference kernel (ARCH=aarch64|riscv64)
#   make bench    speed, side by side with QEMU, and with trace support compiled out
#   make notrace  build build-notrace/kwb with KWB_NO_TRACE (every trace hook compiled out)
#   make install  PREFIX=/usr/local

CC      ?= cc
PREFIX  ?= /usr/local
ifeq ($(KWB_NO_TRACE),1)
BUILD   ?= build-notrace
endif
BUILD   ?= build
ARCH    ?= aarch64
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
KWB_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I. -I/usr/include/libdwarf -MMD -MP
ifeq ($(KWB_NO_TRACE),1)
KWB_CFLAGS += -DKWB_NO_TRACE
endif
LIBS    := -lfdt -lelf -ldwarf -lcapstone -lslirp -lz -lutil -lm

SRCS := $(sort $(wildcard core/*.c core/arch/*/*.c core/devices/*.c core/boards/*.c \
	gdbserver/*.c target-xml/*.c symbols/*.c))
LIB_SRCS := $(filter-out core/main.c,$(SRCS))
OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(SRCS))
LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))
TEST_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
ALIASES := $(BUILD)/kwb-system-aarch64 $(BUILD)/kwb-system-riscv64

TDESC := $(BUILD)/target-xml/aarch64/target.xml $(BUILD)/target-xml/riscv64/target.xml

all: $(BUILD)/kwb $(ALIASES) $(TEST_BINS) $(TDESC)

# gdb target descriptions, generated from the register tables (the same
# XML the gdb server serves through qXfer:features:read).
$(BUILD)/target-xml/%/target.xml: $(BUILD)/kwb
	@mkdir -p $(dir $@)
	$(BUILD)/kwb -dump-target-xml $* $(dir $@)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(KWB_CFLAGS) -c -o $@ $<

$(BUILD)/libkwb.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/kwb: $(BUILD)/obj/core/main.o $(BUILD)/libkwb.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -Wl,--whole-archive $(BUILD)/libkwb.a -Wl,--no-whole-archive $(LIBS)

$(ALIASES): $(BUILD)/kwb
	ln -sf kwb $@

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libkwb.a tests/unit/check.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(KWB_CFLAGS) $(LDFLAGS) -o $@ $< -Wl,--whole-archive $(BUILD)/libkwb.a -Wl,--no-whole-archive $(LIBS)

# Both entry points do their own set-up on a fresh machine (quiet when done).
deps:
	@scripts/install-deps

check: deps
	@$(MAKE) --no-print-directory all
	KWB_BUILD=$(BUILD) python3 tests/run

asan:
	$(MAKE) BUILD=build-asan OPT=-O1 \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" check

demo:
	scripts/kwb-demo $(ARCH)

notrace:
	$(MAKE) --no-print-directory KWB_NO_TRACE=1 BUILD=build-notrace build-notrace/kwb

bench: all notrace
	KWB_NOTRACE_BUILD=build-notrace scripts/bench

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/kwb/helpers
	install -m 755 $(BUILD)/kwb $(DESTDIR)$(PREFIX)/bin/kwb
	ln -sf kwb $(DESTDIR)$(PREFIX)/bin/kwb-system-aarch64
	ln -sf kwb $(DESTDIR)$(PREFIX)/bin/kwb-system-riscv64
	if [ -e scripts/kwb-debug ]; then install -m 755 scripts/kwb-debug $(DESTDIR)$(PREFIX)/bin/kwb-debug; fi
	cp -r helpers/. $(DESTDIR)$(PREFIX)/share/kwb/helpers/

clean:
	rm -rf build build-asan build-notrace

.PHONY: all deps check asan demo notrace bench install clean
-include $(OBJS:.o=.d)
