# fs/: the FUSE filesystem, linked into lwipd.
FS_SRCS := $(wildcard fs/*.c)
FS_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(FS_SRCS))
$(FS_OBJS): ALL_CFLAGS += $(shell pkg-config --cflags fuse3 2>/dev/null) -I fs
$(FS_OBJS): | $(LWIP_LIB)
