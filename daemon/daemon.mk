# lwipd: the daemon.  Every daemon/*.c except main.c also goes into
# build/libdaemon.a so unit tests link the pieces they test.
DAEMON_SRCS := $(filter-out daemon/main.c,$(wildcard daemon/*.c)) common/proto.c
DAEMON_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(DAEMON_SRCS))
DAEMON_LIB  := $(BUILD)/libdaemon.a
BINS        += $(BUILD)/lwipd

$(DAEMON_OBJS) $(BUILD)/obj/daemon/main.o: | $(LWIP_LIB)

$(DAEMON_LIB): $(DAEMON_OBJS)
	@rm -f $@
	@$(AR) rcs $@ $^

$(BUILD)/obj/daemon/main.o: ALL_CFLAGS += -I fs

# lwIP functions the daemon replaces where lwIP 2.2.1 has no hook:
# srchook.c (RFC 6724 source selection), fraghook.c (TCP checksum before
# fragmenting on a link that leaves it to the kernel), dns.c (every DNS
# server lwIP learns, as it learns it)
DAEMON_WRAP := -Wl,--wrap=ip6_select_source_address -Wl,--wrap=ip4_frag -Wl,--wrap=ip6_frag \
	       -Wl,--wrap=dns_setserver

$(BUILD)/lwipd: $(BUILD)/obj/daemon/main.o $(FS_OBJS) $(DAEMON_LIB) $(LWIP_LIB)
	@echo "  LD  $@"
	@$(CC) $(ALL_LDFLAGS) -o $@ $(BUILD)/obj/daemon/main.o $(FS_OBJS) $(DAEMON_WRAP) -Wl,--start-group $(DAEMON_LIB) $(LWIP_LIB) -Wl,--end-group -lfuse3 -lpthread

# Unit tests of the daemon's pure logic.
TEST_OBJS_test_options   := $(BUILD)/obj/daemon/options.o $(BUILD)/obj/daemon/link_spec.o $(BUILD)/obj/daemon/v6opts.o \
			    $(BUILD)/obj/daemon/limit.o $(BUILD)/obj/daemon/log.o \
			    $(BUILD)/obj/daemon/impairspec.o
TEST_OBJS_test_ethaddr   := $(BUILD)/obj/daemon/ethaddr.o
TEST_OBJS_test_macfilter := $(BUILD)/obj/daemon/macfilter.o $(BUILD)/obj/daemon/ethaddr.o
TEST_OBJS_test_proto     := $(BUILD)/obj/common/proto.o
TEST_OBJS_test_link_frame := $(BUILD)/obj/daemon/link_frame.o
TEST_OBJS_test_gso       := $(BUILD)/obj/daemon/gso.o
TEST_OBJS_test_v6addr    := $(BUILD)/obj/daemon/iid.o $(BUILD)/obj/daemon/sha256.o \
			    $(BUILD)/obj/daemon/srcsel.o $(BUILD)/obj/daemon/ra.o
TEST_OBJS_test_dhcp6     := $(BUILD)/obj/daemon/dhcp6_msg.o $(BUILD)/obj/daemon/dhcp6_rt.o
# impair.c uses lwIP's timers: lwIP and the daemon's library (lwIP's hooks
# call back into it) are linked as one group
TEST_OBJS_test_impair    := $(BUILD)/obj/daemon/impair.o $(BUILD)/obj/daemon/impairspec.o \
			    $(DAEMON_LIB) $(LWIP_LIB)
TEST_LIBS_test_impair    := $(DAEMON_WRAP) -Wl,--start-group $(DAEMON_LIB) $(LWIP_LIB) -Wl,--end-group -lfuse3 -lpthread
