# Fuzzers (make fuzz): libFuzzer targets built with clang, AddressSanitizer
# and UBSan into build/fuzz/, over a liblwip of their own compiled the same
# way with LWIPD_FUZZ (no checksum checks, daemon/lwipopts.h).
#
# Target NAME is the harness tests/fuzz/fuzz_NAME.c, its seed corpus
# tests/fuzz/corpus/NAME/, and one line here naming the sources it links:
#   FUZZ_SRCS_NAME := proxy/http.c proxy/buf.c
# ($(FUZZ_DAEMON) is the daemon and lwIP with fake TAPs and clock,
# tests/fuzz/stack.h).  tests/fuzz/run.sh runs every target found.

FUZZ_CC     ?= clang
FUZZ_DIR    := $(BUILD)/fuzz
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all \
	       -fno-omit-frame-pointer
FUZZ_CFLAGS := -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -DLWIPD_FUZZ
FUZZ_LWIP   := $(FUZZ_DIR)/lwip/liblwip.a
FUZZ_DAEMON := $(filter-out daemon/link_tap.c daemon/sys_arch.c,$(DAEMON_SRCS)) \
	       tests/fuzz/stack.c $(FUZZ_LWIP)

FUZZ_SRCS_control      := $(FUZZ_DAEMON)
FUZZ_SRCS_frames       := $(FUZZ_DAEMON)
FUZZ_SRCS_options      := daemon/options.c daemon/link_spec.c daemon/v6opts.c \
			  daemon/limit.c daemon/log.c daemon/impairspec.c
FUZZ_SRCS_proxy_http   := proxy/http.c proxy/body.c proxy/buf.c
FUZZ_SRCS_proxy_config := proxy/config.c proxy/acl.c proxy/policy.c proxy/he.c
FUZZ_SRCS_dhcp6        := daemon/dhcp6_msg.c
FUZZ_SRCS_link_frame   := daemon/link_frame.c

FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZERS      := $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS))

.PHONY: fuzz
fuzz: deps-build
	@$(MAKE) --no-print-directory $(FUZZERS)

fuzz_objs = $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(filter %.c,$(1))) $(filter %.a,$(1))

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $$(call fuzz_objs,$$(FUZZ_SRCS_$$*))
	@echo "  LD  $@"
	@$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) $(DAEMON_WRAP) -o $@ $^ -lpthread

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $< (fuzz)"
	@$(FUZZ_CC) -std=c11 $(WARN) $(FUZZ_CFLAGS) $(CPPFLAGS) -I tests/fuzz -MMD -MP -c $< -o $@

$(FUZZ_LWIP): daemon/lwipopts.h daemon/arch/cc.h | $(LWIP_SRC)/src/core/tcp.c
	@$(MAKE) --no-print-directory -f tools/lwip.mk LWIP_SRC=$(LWIP_SRC) \
		OUT=$(FUZZ_DIR)/lwip CC="$(FUZZ_CC)" CFLAGS="$(FUZZ_CFLAGS)"

-include $(shell find $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)
