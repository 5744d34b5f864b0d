# shim: liblwipshim.so (the LD_PRELOAD socket shim) and lwip-run.
# Shim objects are position-independent and hide everything but the
# wrapped libc names; common/proto.c is compiled PIC for it separately.
SHIM_SRCS   := $(filter-out shim/lwip-run.c,$(wildcard shim/*.c))
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

$(BUILD)/lwip-run: $(BUILD)/obj/shim/lwip-run.o
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
