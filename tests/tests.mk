# Unit tests: every tests/unit/test_*.c becomes build/tests/test_* linked with
# Criterion and the objects it names in its TEST_OBJS_<name> variable (set by
# the component's .mk file), e.g.
#   TEST_OBJS_test_options := $(BUILD)/obj/daemon/options.o
# Integration tests: tests/integration/*.sh, run by tests/run.sh.

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_TESTS += $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $$(TEST_OBJS_$$*)
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TEST_LIBS_$*) -lcriterion
