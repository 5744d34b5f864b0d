# shim: liblwipshim.so (the LD_PRELOAD socket shim) and lwip-run (lwip-run.c
# and runstatus.c, which are not part of the library).
# Shim objects are position-independent and hide everything but the
# wrapped libc names; common/proto.c is compiled PIC for it separately
# (lwip-run links that object too: under SAN=1 it has the shim's flags).
RUN_SRCS    := shim/lwip-run.c shim/runstatus.c
RUN_OBJS    := $(patsubst %.c,$(BUILD)/obj/%.o,$(RUN_SRCS)) $(BUILD)/obj/shim/pic/proto.o
SHIM_SRCS   := $(filter-out $(RUN_SRCS),$(wildcard shim/*.c))
SHIM_OBJS   := $(patsubst %.c,$(BUILD)/obj/%.o,$(SHIM_SRCS)) $(BUILD)/obj/shim/pic/proto.o
SHIM_CFLAGS := -fPIC -fvisibility=hidden
BINS        += $(BUILD)/liblwipshim.so $(BUILD)/lwip-run

$(BUILD)/obj/shim/%.o: ALL_CFLAGS += $(SHIM_CFLAGS)
# SAN=1: UBSan only in the shim (see the top Makefile)
$(BUILD)/obj/shim/%.o $(BUILD)/liblwipshim.so $(BUILD)/lwip-run: SAN_FLAGS := $(SHIM_SAN)

$(BUILD)/obj/shim/pic/proto.o: common/proto.c
	@mkdir -p $(dir $@)
	@echo "  CC  $< (PIC)"
	@$(CC) $(ALL_CFLAGS) $(SHIM_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/liblwipshim.so: $(SHIM_OBJS)
	@echo "  LD  $@"
	@$(CC) $(ALL_LDFLAGS) -shared -Wl,-z,defs -o $@ $^ -lcares -ldl -lpthread

$(BUILD)/lwip-run: $(RUN_OBJS)
	@echo "  LD  $@"
	@$(CC) $(ALL_LDFLAGS) -o $@ $^

# Unit tests of the shim's pure parts.
TEST_OBJS_test_shim_addr  := $(BUILD)/obj/shim/addr.o $(BUILD)/obj/shim/pic/proto.o
# ident.c and io.c call the real functions: the tests link the whole
# shim library's objects (the constructor finds libc's functions as usual).
TEST_OBJS_test_shim_ident := $(SHIM_OBJS)
TEST_LIBS_test_shim_ident := -lcares -ldl -lpthread
TEST_OBJS_test_shim_opts  := $(SHIM_OBJS)
TEST_LIBS_test_shim_opts  := -lcares -ldl -lpthread

# A test program for shim_ifaddrs.sh: what getifaddrs, if_nameindex & co and
# the SIOCGIF* ioctls say under the shim.
BINS += $(BUILD)/tests/ifaddrs_dump

# It runs under the shim, so SAN=1 gives it the shim's sanitizer (UBSan).
$(BUILD)/obj/tests/integration/shim/%.o $(BUILD)/tests/ifaddrs_dump: SAN_FLAGS := $(SHIM_SAN)

$(BUILD)/tests/ifaddrs_dump: $(BUILD)/obj/tests/integration/shim/ifaddrs_dump.o
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@$(CC) $(ALL_LDFLAGS) -o $@ $^
