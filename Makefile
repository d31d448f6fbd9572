# swift-libevent: `make` builds build/lib, `make test` runs everything CI runs.
SWIFT     ?= swift
CC        ?= cc
LINKCC    ?= clang
PREFIX    ?= /usr/local
BUILD     := build
LIBDIR    := $(BUILD)/lib
SCRATCH   := .build-embedded
ARCHIVE   := $(SCRATCH)/release/libEventEmbedded.a
MAPFILE   := Sources/libevent.map
SONAMES   := libevent-2.1.so.7 libevent_core-2.1.so.7 libevent_extra-2.1.so.7 libevent_pthreads-2.1.so.7
SOURCES   := $(shell find Sources include -type f) Package.swift

.PHONY: all lib test swift-test ctest check-symbols install uninstall demo examples bench clean size

all: lib

lib: $(LIBDIR)/.stamp

# Embedded Swift, whole module: one archive, linked four times so each shared
# object carries the SONAME a binary may ask for.  A process that loads two of
# them binds every call to the first, so there is still one library state.
$(ARCHIVE): $(SOURCES)
	SWIFT_LIBEVENT_EMBEDDED=1 $(SWIFT) build -c release --scratch-path $(SCRATCH) --product EventEmbedded

$(LIBDIR)/.stamp: $(ARCHIVE) $(MAPFILE)
	@mkdir -p $(LIBDIR)
	@for so in $(SONAMES); do \
	  $(LINKCC) -shared -o $(LIBDIR)/$$so.0.1 -Wl,--whole-archive $(ARCHIVE) -Wl,--no-whole-archive \
	    -Wl,-soname,$$so -Wl,--version-script=$(MAPFILE) -Wl,--gc-sections -Wl,-z,now \
	    -lm -lpthread || exit 1; \
	  ln -sf $$so.0.1 $(LIBDIR)/$$so; \
	done
	ln -sf libevent-2.1.so.7.0.1 $(LIBDIR)/libevent.so
	ln -sf libevent_core-2.1.so.7.0.1 $(LIBDIR)/libevent_core.so
	ln -sf libevent_extra-2.1.so.7.0.1 $(LIBDIR)/libevent_extra.so
	ln -sf libevent_pthreads-2.1.so.7.0.1 $(LIBDIR)/libevent_pthreads.so
	cp $(ARCHIVE) $(LIBDIR)/libevent.a
	cp $(ARCHIVE) $(LIBDIR)/libevent_core.a
	@touch $@

size: lib
	@strip -o $(BUILD)/stripped.so $(LIBDIR)/libevent-2.1.so.7.0.1 && \
	  echo "stripped libevent-2.1.so.7: $$(stat -c %s $(BUILD)/stripped.so) bytes"

clean:
	rm -rf $(BUILD) $(SCRATCH) .build

# Benchmarks: libevent vs ours vs raw epoll (bench/README.md).
bench:
	@bash bench/run.sh
