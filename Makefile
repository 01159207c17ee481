# kwb: GDB-first kernel debugging workbench.
#   make          build build/kwb
#   make check    build and run every test (ends with "N passed, N failed")
#   make asan     build with AddressSanitizer+UBSan into build-asan/ and run the tests
#   make demo     open the workbench on the reference kernel (ARCH=aarch64|riscv64)
#   make bench    speed, side by side with QEMU, and with trace support compiled out
#   make notrace  build build-notrace/kwb with KWB_NO_TRACE (every trace hook compiled out)
#   make fuzz     every fuzz target under libFuzzer (clang) for FUZZ_SECONDS each,
#                 then random guest code and MMIO fuzz for longer (README "Reliability")
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
	gdbserver/*.c target-xml/*.c symbols/*.c difftest/*.c))
LIB_SRCS := $(filter-out core/main.c,$(SRCS))
OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(SRCS))
LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))
TEST_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
ALIASES := $(BUILD)/kwb-system-aarch64 $(BUILD)/kwb-system-riscv64
# Fuzz targets: tests/fuzz/NAME_fuzz.c, replayed by make check as test_fuzz_NAME.
# A target with its own driver (tests/unit/test_NAME_fuzz.c) is replayed by that.
FUZZ_NAMES := $(patsubst tests/fuzz/%_fuzz.c,%,$(sort $(wildcard tests/fuzz/*_fuzz.c)))
FUZZ_OWN_DRIVER := $(patsubst tests/unit/test_%_fuzz.c,%,$(wildcard tests/unit/test_*_fuzz.c))
TEST_BINS += $(patsubst %,$(BUILD)/tests/test_fuzz_%,$(filter-out $(FUZZ_OWN_DRIVER),$(FUZZ_NAMES)))

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

$(BUILD)/tests/test_fuzz_%: tests/fuzz/%_fuzz.c tests/fuzz/driver.c tests/fuzz/fuzz.h $(BUILD)/libkwb.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(KWB_CFLAGS) -DFUZZ_NAME='"$*"' $(LDFLAGS) -o $@ $< tests/fuzz/driver.c \
		-Wl,--whole-archive $(BUILD)/libkwb.a -Wl,--no-whole-archive $(LIBS)

# make fuzz: the same targets under libFuzzer, with ASan and UBSan, built
# by clang in build-fuzz/ (scripts/fuzz runs them; FUZZ_SECONDS per target,
# FUZZ_TARGETS to choose some, FUZZ_JOBS at once).
FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SECONDS ?= 60
FUZZ_BINS := $(patsubst %,build-fuzz/fuzz/%,$(FUZZ_NAMES))

ifneq ($(BUILD),build-fuzz)
build-fuzz/fuzz/%: tests/fuzz/%_fuzz.c tests/fuzz/fuzz.h build-fuzz/libkwb.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer $(KWB_CFLAGS) -DKWB_LIBFUZZER -o $@ $< \
		-Wl,--whole-archive build-fuzz/libkwb.a -Wl,--no-whole-archive $(LIBS)

build-fuzz/libkwb.a: FORCE
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) \
		CFLAGS="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link" build-fuzz/libkwb.a
endif

fuzz-build: $(FUZZ_BINS)
	@$(MAKE) --no-print-directory asan-build

fuzz: deps fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz $(FUZZ_NAMES)

# Both entry points do their own set-up on a fresh machine (quiet when done).
deps:
	@scripts/install-deps

check: deps
	@$(MAKE) --no-print-directory all
	KWB_BUILD=$(BUILD) python3 tests/run

ASAN_MAKE = $(MAKE) BUILD=build-asan OPT=-O1 \
	CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	LDFLAGS="-fsanitize=address,undefined"
asan:
	$(ASAN_MAKE) check

asan-build:
	@$(ASAN_MAKE) --no-print-directory all

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
	rm -rf build build-asan build-notrace build-fuzz

FORCE:
.PHONY: all deps check asan asan-build fuzz fuzz-build demo notrace bench install clean FORCE
-include $(OBJS:.o=.d)
