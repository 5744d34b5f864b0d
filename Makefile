# lwipd: a user-space TCP/IP stack (lwIP over TAP) with a /servers/socket
# filesystem, an LD_PRELOAD shim and an HTTP proxy.
#
#   make deps    install the Debian packages everything needs (idempotent)
#   make         build everything into build/
#   make check   deps, build, then every test (unit and integration)
#   make check-asan  the same tests against an ASan+UBSan build (build-asan/)
#   make fuzz    the libFuzzer targets (build/fuzz/, tests/fuzz/)
#   make demo    the end-to-end tour in a sandbox of its own
#   make install PREFIX=/usr/local DESTDIR=   (and make uninstall): dist/install.mk
#
# LWIP_SRC=DIR uses an already unpacked lwIP 2.2.1 tree instead of fetching
# Debian's source package.

.SECONDEXPANSION:
.SECONDARY:
BUILD    := build
LWIP_SRC ?= $(BUILD)/lwip-src
LWIP_LIB := $(BUILD)/lwip/liblwip.a
CC       ?= cc
CFLAGS   ?= -O2 -g
# SAN=1 builds everything with AddressSanitizer and UBSan, except the
# LD_PRELOAD shim: UBSan only (ASan must come first in a process, and the
# shim is loaded into programs that are not ours; docs/reliability.md).
# make check-asan builds that way into build-asan/ (BUILD=build-asan).
ifeq ($(SAN),1)
SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	       -fno-omit-frame-pointer
SHIM_SAN    := -fsanitize=undefined -fno-sanitize-recover=undefined
endif
WARN     := -Wall -Wextra -Wshadow -Wno-unused-parameter
CPPFLAGS += -D_GNU_SOURCE -I common -I daemon -I $(LWIP_SRC)/src/include
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(SAN_FLAGS) $(CPPFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)

BINS        :=
UNIT_TESTS  :=

.PHONY: all deps check check-asan demo clean lwip bench
all: deps-build
	@$(MAKE) --no-print-directory build-all

include fs/fs.mk
include daemon/daemon.mk
-include shim/shim.mk
-include proxy/proxy.mk
include tests/tests.mk
include dist/install.mk
include tests/fuzz/fuzz.mk

build-all: $(BINS) $(UNIT_TESTS)

# Build prerequisites only: the lwIP source tree.  (Packages: make deps.)
deps-build: $(LWIP_SRC)/src/core/tcp.c

$(LWIP_SRC)/src/core/tcp.c:
	tools/fetch-lwip.sh $(LWIP_SRC)

deps:
	tools/deps.sh
	tools/fetch-lwip.sh $(LWIP_SRC)

$(LWIP_LIB): daemon/lwipopts.h daemon/arch/cc.h tools/lwip.mk | $(LWIP_SRC)/src/core/tcp.c
	@$(MAKE) --no-print-directory -f tools/lwip.mk LWIP_SRC=$(LWIP_SRC) \
		OUT=$(BUILD)/lwip CC="$(CC)" CFLAGS="$(CFLAGS) $(SAN_FLAGS)"

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

check: deps
	@$(MAKE) --no-print-directory build-all
	@if command -v $(FUZZ_CC) >/dev/null; then $(MAKE) --no-print-directory fuzz; fi
	tests/run.sh

# The whole suite against an ASan+UBSan build in build-asan/; any sanitizer
# report fails the test that caused it (tests/run.sh, LWIPD_SAN_LOGS).
ASAN_BUILD := build-asan
check-asan: deps
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) SAN=1 LWIP_SRC=$(LWIP_SRC) build-all
	LWIPD_BUILD=$(ASAN_BUILD) LWIPD_CHECK_ASAN=1 tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory build-all
	tools/demo.sh

clean:
	rm -rf $(BUILD)/obj $(BUILD)/lwip $(BINS) $(UNIT_TESTS) $(FUZZ_DIR)/obj $(FUZZ_DIR)/lwip $(FUZZERS)

bench: deps
	@$(MAKE) --no-print-directory build-all
	tools/bench.sh
