# lwip-proxy: the bundled HTTP/1.1 forward proxy (issue 5).
# Included by the top-level Makefile; objects use its pattern rule.

PROXY_SRCS := buf.c loop.c http.c body.c he.c acl.c config.c policy.c \
	      errpage.c log.c accesslog.c dns.c connector.c pool.c client.c main.c
PROXY_OBJS := $(patsubst %.c,$(BUILD)/obj/proxy/%.o,$(PROXY_SRCS))

BINS += $(BUILD)/lwip-proxy

$(BUILD)/lwip-proxy: $(PROXY_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcares

# Unit tests: pure pieces only (no loop, no sockets)
TEST_OBJS_test_proxy_config := $(BUILD)/obj/proxy/config.o \
	$(BUILD)/obj/proxy/acl.o $(BUILD)/obj/proxy/policy.o \
	$(BUILD)/obj/proxy/he.o
TEST_OBJS_test_proxy_http := $(BUILD)/obj/proxy/http.o \
	$(BUILD)/obj/proxy/body.o $(BUILD)/obj/proxy/buf.o
TEST_OBJS_test_proxy_he := $(BUILD)/obj/proxy/he.o
TEST_OBJS_test_proxy_errors := $(BUILD)/obj/proxy/errpage.o $(BUILD)/obj/proxy/he.o \
	$(BUILD)/obj/proxy/buf.o
