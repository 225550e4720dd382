# SPDX-License-Identifier: MIT
# fuzz.mk: build and run the libFuzzer targets (GNU make; `make fuzz` in the
# build directory calls this with the variables below, see Makefile.am).
# The library sources are compiled again with clang and
# -fsanitize=fuzzer-no-link,address,undefined into $(OUT)/obj, each target
# links them with -fsanitize=fuzzer, and run-TARGET fuzzes for FUZZ_SECONDS
# over a scratch corpus seeded from tests/fuzz/corpus/TARGET and
# tests/fuzz/regress/TARGET (the committed directories are only read).
# Each run leaves $(RES)/fuzz-TARGET.log and a .trs verdict that
# build-aux/summary counts; a crash leaves its input in
# $(OUT)/artifacts/TARGET/ (see doc/reliability.md to turn it into a
# regression test).

top_srcdir ?= .
top_builddir ?= .
OUT ?= $(top_builddir)/fuzz-build
RES ?= $(top_builddir)/reliability
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SEED ?= 1
FUZZ_TARGETS ?= link
LIB_SOURCES ?=
GLIB_CFLAGS ?=
GLIB_LIBS ?=

SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CPPFLAGS = -I$(top_srcdir) -I$(top_srcdir)/spi -I$(top_srcdir)/tests/fuzz -I$(top_builddir) \
	$(GLIB_CFLAGS)
FUZZ_CFLAGS = -std=gnu11 -O1 -g -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	$(SAN)

LIB_OBJS = $(patsubst %.c,$(OUT)/obj/%.o,$(filter %.c,$(LIB_SOURCES)))
BINS = $(patsubst %,$(OUT)/fuzz-%,$(FUZZ_TARGETS))

all: $(BINS)

run: $(patsubst %,run-%,$(FUZZ_TARGETS))

$(OUT)/obj/%.o: $(top_srcdir)/%.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC   $*.c"
	@$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(OUT)/fuzz-%: $(top_srcdir)/tests/fuzz/fuzz-%.c $(top_srcdir)/tests/fuzz/fuzz-input.h $(LIB_OBJS)
	@echo "  FUZZLD   fuzz-$*"
	@$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(LIB_OBJS) $(GLIB_LIBS) -lm \
	  -o $@

# A crash, leak, timeout or failed invariant fails the run; its input is in
# artifacts/TARGET/.  -timeout: one input taking 10 s is a hang.  Every run
# starts from an empty scratch corpus with -seed=FUZZ_SEED (1), so the same
# tree mutates the same inputs in the same order each time (only how far it
# gets in FUZZ_SECONDS depends on the machine).
run-%: $(OUT)/fuzz-%
	@rm -rf $(OUT)/corpus/$*
	@mkdir -p $(OUT)/corpus/$* $(OUT)/artifacts/$* $(RES)
	@echo "  FUZZ     $* ($(FUZZ_SECONDS) s)"
	@dirs="$(top_srcdir)/tests/fuzz/corpus/$*"; \
	[ -d $(top_srcdir)/tests/fuzz/regress/$* ] && dirs="$$dirs $(top_srcdir)/tests/fuzz/regress/$*"; \
	if ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	   $(OUT)/fuzz-$* -max_total_time=$(FUZZ_SECONDS) -seed=$(FUZZ_SEED) -timeout=10 \
	   -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$(OUT)/artifacts/$*/ \
	   $(OUT)/corpus/$* $$dirs >$(RES)/fuzz-$*.log 2>&1; then v=PASS; else v=FAIL; fi; \
	printf ':test-result: %s\n' $$v >$(RES)/fuzz-$*.trs; \
	sed -n 's/^stat::number_of_executed_units: */    executions: /p; s/^stat::peak_rss_mb: */    peak RSS MB: /p' \
	  $(RES)/fuzz-$*.log; \
	if [ $$v != PASS ]; then tail -n 60 $(RES)/fuzz-$*.log; ls $(OUT)/artifacts/$*/; exit 1; fi

.PHONY: all run
.SECONDARY:
