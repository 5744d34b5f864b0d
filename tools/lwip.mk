# Compile lwIP's core (NO_SYS=1, raw API) into a static library, with the
# project's own daemon/lwipopts.h and daemon/arch/cc.h.  Invoked by the top
# Makefile once the source tree exists:  make -f tools/lwip.mk LWIP_SRC=... OUT=...
LWIP_SRC ?= build/lwip-src
OUT ?= build/lwip
CC ?= cc
CFLAGS ?= -O2 -g
LWIP_CFLAGS := -std=gnu11 -Wall -Wno-address -fPIC -D_GNU_SOURCE \
	-I daemon -I $(LWIP_SRC)/src/include $(LWIP_EXTRA_CFLAGS)

S := $(LWIP_SRC)/src
# core/ipv6/dhcp6.c is left out: lwipd's own DHCPv6 client (daemon/dhcp6c.c)
# provides the functions lwIP calls into it (docs/architecture.md).
LWIP_C := $(filter-out $(S)/core/ipv6/dhcp6.c, \
	$(wildcard $(S)/core/*.c $(S)/core/ipv4/*.c $(S)/core/ipv6/*.c)) \
	$(S)/netif/ethernet.c
LWIP_O := $(patsubst $(S)/%.c,$(OUT)/%.o,$(LWIP_C))

$(OUT)/liblwip.a: $(LWIP_O) tools/lwip.mk
	@rm -f $@
	$(AR) rcs $@ $(LWIP_O)

$(OUT)/%.o: $(S)/%.c daemon/lwipopts.h daemon/arch/cc.h
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS) $(LWIP_CFLAGS) -c $< -o $@
	@echo "  CC  lwip/$*.c"
