# dist/: what `make install` puts on a system, and `make uninstall` removes.
#
#   make install PREFIX=/usr/local DESTDIR=
#
# PREFIX/bin        lwipd, lwip-run, lwip-proxy
# PREFIX/lib/lwipd  liblwipshim.so (found by lwip-run as ../lib/lwipd/ from
#                   its own directory, so a DESTDIR staging tree works too;
#                   a private library, not on the linker's path)
# PREFIX/share/man  lwipd.8, lwip-proxy.8, lwip-run.1, lwipd-fs.5
# PREFIX/lib/systemd/user  lwipd@.service (lwipd's path filled in)

PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     := $(PREFIX)/bin
SHIMDIR    := $(PREFIX)/lib/lwipd
MANDIR     := $(PREFIX)/share/man
USERUNITDIR := $(PREFIX)/lib/systemd/user
INSTALL    ?= install

INSTALL_BINS := lwipd lwip-run lwip-proxy
INSTALL_MANS := lwipd.8 lwip-proxy.8 lwip-run.1 lwipd-fs.5
UNIT         := lwipd@.service

.PHONY: install uninstall FORCE

# The unit with BINDIR filled in; rebuilt when PREFIX changes.
$(BUILD)/dist/$(UNIT): dist/$(UNIT).in FORCE
	@mkdir -p $(dir $@)
	@sed 's|@BINDIR@|$(BINDIR)|g' $< >$@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

FORCE:

install: $(addprefix $(BUILD)/,$(INSTALL_BINS)) $(BUILD)/liblwipshim.so $(BUILD)/dist/$(UNIT)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHIMDIR) $(DESTDIR)$(USERUNITDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	$(INSTALL) -m 755 $(addprefix $(BUILD)/,$(INSTALL_BINS)) $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 644 $(BUILD)/liblwipshim.so $(DESTDIR)$(SHIMDIR)/
	$(INSTALL) -m 644 $(BUILD)/dist/$(UNIT) $(DESTDIR)$(USERUNITDIR)/
	for m in $(INSTALL_MANS); do \
		$(INSTALL) -m 644 docs/$$m $(DESTDIR)$(MANDIR)/man$${m##*.}/ || exit 1; \
	done

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(INSTALL_BINS))
	rm -f $(DESTDIR)$(SHIMDIR)/liblwipshim.so
	rm -f $(DESTDIR)$(USERUNITDIR)/$(UNIT)
	for m in $(INSTALL_MANS); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$$m; done
	-rmdir $(DESTDIR)$(SHIMDIR) 2>/dev/null
