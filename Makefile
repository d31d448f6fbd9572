# swift-libevent: `make` builds build/lib, `make test` runs everything CI runs.
SWIFT     ?= swift
CC        ?= cc
LINKCC    ?= clang
PREFIX    ?= /usr/local
BUILD     := build
LIBDIR    := $(BUILD)/lib
SCRATCH   := .build-embedded
ARCHIVE   := $(SCRATCH)/release/libEventEmbedded.a
XARCHIVE_ALL := $(SCRATCH)/release/libEventExtraEmbedded.a
XARCHIVE  := $(BUILD)/libEventExtraOnly.a
MAPFILE   := Sources/libevent.map
GLUE      := Sources/PthreadsGlue/evthread_pthreads.c
# libevent_openssl: EventTls + CEventTls (TLS bufferevents over OpenSSL 3),
# NEEDED libevent_core, libssl, libcrypto, with the same private runtime
# allocator object as libevent_extra.
TARCHIVE  := $(SCRATCH)/release/libEventTlsEmbedded.a
TLS_MAP   := Sources/libevent_openssl.map
SOURCES   := $(shell find Sources include -type f) Package.swift

.PHONY: fuzz all lib test swift-test ctest check-symbols coverage install uninstall demo examples bench clean size

all: lib

lib: $(LIBDIR)/.stamp

# Embedded Swift, whole module, two Swift modules:
#   Event (+ CEventSys)           -> libevent_core-2.1.so.7: libc only
#   EventExtra (+ CEventExtra)    -> libevent_extra-2.1.so.7: dns, http, tag,
#     rpc; NEEDED libevent_core, which it reaches through libevent's C names
#     only (Sources/README.md), plus a private copy of the runtime allocator
#     (runtime_alloc.c routed to event_mm_*_ so its objects honour
#     event_set_mem_functions too)
#   both                          -> libevent-2.1.so.7 (the all-in-one)
# libevent_pthreads holds only evthread_use_pthreads, over libevent_core.
# SwiftPM's archive of a product also carries its C dependencies' objects:
# the extra archive is taken without CEventSys's (they are the core's).
$(ARCHIVE) $(XARCHIVE): $(SOURCES)
	@rm -f $(ARCHIVE) $(XARCHIVE_ALL) $(TARCHIVE)  # SwiftPM appends to a stale archive: start clean
	SWIFT_LIBEVENT_EMBEDDED=1 $(SWIFT) build -c release --scratch-path $(SCRATCH) --product EventEmbedded
	SWIFT_LIBEVENT_EMBEDDED=1 $(SWIFT) build -c release --scratch-path $(SCRATCH) --product EventExtraEmbedded
	@mkdir -p $(BUILD)
	cp $(XARCHIVE_ALL) $(XARCHIVE) && ar d $(XARCHIVE) $$(cd Sources/CEventSys && ls *.c | sed 's/$$/.o/')
	SWIFT_LIBEVENT_EMBEDDED=1 $(SWIFT) build -c release --scratch-path $(SCRATCH) --product EventTlsEmbedded

$(BUILD)/extra_runtime.o: Sources/CEventSys/runtime_alloc.c
	@mkdir -p $(BUILD)
	$(LINKCC) -c -fPIC -O2 -fvisibility=hidden -DCEV_EMBEDDED -D_GNU_SOURCE \
	  -Dcev_mem_alloc=event_mm_malloc_ -Dcev_mem_free=event_mm_free_ -o $@ $<

LINKFLAGS := -Wl,--version-script=$(MAPFILE) -Wl,--gc-sections -Wl,-z,now -Wl,--no-undefined

$(BUILD)/tls_runtime.o: Sources/CEventSys/runtime_alloc.c
	@mkdir -p $(BUILD)
	$(LINKCC) -c -fPIC -O2 -fvisibility=hidden -DCEV_EMBEDDED -D_GNU_SOURCE \
	  -Dcev_mem_alloc=cevtls_mem_alloc -Dcev_mem_free=cevtls_mem_free -o $@ $<

$(LIBDIR)/.stamp: $(ARCHIVE) $(XARCHIVE) $(BUILD)/extra_runtime.o $(BUILD)/tls_runtime.o $(MAPFILE) $(GLUE) $(TLS_MAP)
	@mkdir -p $(LIBDIR)
	$(LINKCC) -shared -o $(LIBDIR)/libevent_core-2.1.so.7.0.1 -Wl,--whole-archive $(ARCHIVE) -Wl,--no-whole-archive \
	  -Wl,-soname,libevent_core-2.1.so.7 $(LINKFLAGS) -lm -lpthread
	$(LINKCC) -shared -o $(LIBDIR)/libevent-2.1.so.7.0.1 -Wl,--whole-archive $(ARCHIVE) $(XARCHIVE) -Wl,--no-whole-archive \
	  -Wl,-soname,libevent-2.1.so.7 $(LINKFLAGS) -lm -lpthread
	ln -sf libevent_core-2.1.so.7.0.1 $(LIBDIR)/libevent_core-2.1.so.7
	ln -sf libevent-2.1.so.7.0.1 $(LIBDIR)/libevent-2.1.so.7
	$(LINKCC) -shared -o $(LIBDIR)/libevent_extra-2.1.so.7.0.1 -Wl,--whole-archive $(XARCHIVE) -Wl,--no-whole-archive \
	  $(BUILD)/extra_runtime.o -L$(LIBDIR) -Wl,--no-as-needed -l:libevent_core-2.1.so.7 \
	  -Wl,-soname,libevent_extra-2.1.so.7 -Wl,-rpath,'$$ORIGIN' $(LINKFLAGS) -lm -lpthread
	ln -sf libevent_extra-2.1.so.7.0.1 $(LIBDIR)/libevent_extra-2.1.so.7
	$(CC) -shared -fPIC -O2 -Iinclude -o $(LIBDIR)/libevent_pthreads-2.1.so.7.0.1 $(GLUE) \
	  -L$(LIBDIR) -l:libevent_core-2.1.so.7 -Wl,-soname,libevent_pthreads-2.1.so.7 -Wl,-rpath,'$$ORIGIN' -Wl,--no-undefined -lpthread
	ln -sf libevent_pthreads-2.1.so.7.0.1 $(LIBDIR)/libevent_pthreads-2.1.so.7
	ln -sf libevent-2.1.so.7.0.1 $(LIBDIR)/libevent.so
	ln -sf libevent_core-2.1.so.7.0.1 $(LIBDIR)/libevent_core.so
	ln -sf libevent_extra-2.1.so.7.0.1 $(LIBDIR)/libevent_extra.so
	ln -sf libevent_pthreads-2.1.so.7.0.1 $(LIBDIR)/libevent_pthreads.so
	@# the all-in-one archive: the core's members plus the extra's, renamed
	@# (both modules have a Memory.swift.o, Log.swift.o, ...; ar keeps one per name)
	rm -rf $(BUILD)/xobj && mkdir -p $(BUILD)/xobj && cd $(BUILD)/xobj && ar x $(abspath $(XARCHIVE)) && \
	  for o in *.o; do mv "$$o" "extra_$$o"; done
	cp $(ARCHIVE) $(LIBDIR)/libevent.a && ar qs $(LIBDIR)/libevent.a $(BUILD)/xobj/extra_*.o
	cp $(ARCHIVE) $(LIBDIR)/libevent_core.a
	cp $(XARCHIVE) $(LIBDIR)/libevent_extra.a
	$(CC) -c -fPIC -O2 -Iinclude -o $(BUILD)/evthread_pthreads.o $(GLUE)
	rm -f $(LIBDIR)/libevent_pthreads.a && ar rcs $(LIBDIR)/libevent_pthreads.a $(BUILD)/evthread_pthreads.o
	$(LINKCC) -shared -o $(LIBDIR)/libevent_openssl-2.1.so.7.0.1 -Wl,--whole-archive $(TARCHIVE) -Wl,--no-whole-archive \
	  $(BUILD)/tls_runtime.o -L$(LIBDIR) -Wl,--no-as-needed -l:libevent_core-2.1.so.7 -lssl -lcrypto \
	  -Wl,-soname,libevent_openssl-2.1.so.7 -Wl,-rpath,'$$ORIGIN' -Wl,--version-script=$(TLS_MAP) -Wl,--gc-sections -Wl,-z,now -Wl,--no-undefined
	ln -sf libevent_openssl-2.1.so.7.0.1 $(LIBDIR)/libevent_openssl-2.1.so.7
	ln -sf libevent_openssl-2.1.so.7.0.1 $(LIBDIR)/libevent_openssl.so
	rm -rf $(BUILD)/tobj && mkdir -p $(BUILD)/tobj && cd $(BUILD)/tobj && ar x $(abspath $(TARCHIVE))
	rm -f $(LIBDIR)/libevent_openssl.a && ar rcs $(LIBDIR)/libevent_openssl.a $(BUILD)/tobj/*.o  # the static core carries the runtime allocator
	@touch $@

# Stripped size of each library file against Debian's (already stripped).
DEBLIBDIR ?= /usr/lib/x86_64-linux-gnu
size: lib
	@for so in libevent_core libevent_extra libevent libevent_pthreads libevent_openssl; do \
	  strip -o $(BUILD)/stripped.so $(LIBDIR)/$$so-2.1.so.7.0.1; ours=$$(stat -c %s $(BUILD)/stripped.so); \
	  deb=$$(stat -L -c %s $(DEBLIBDIR)/$$so-2.1.so.7 2>/dev/null || echo '?'); \
	  printf '%-27s ours %8s bytes   debian %8s bytes\n' $$so-2.1.so.7 $$ours $$deb; done

clean:
	rm -rf $(BUILD) $(SCRATCH) .build

# Benchmarks: libevent vs ours vs raw epoll (bench/README.md).
bench:
	@bash bench/run.sh

# ---------------------------------------------------------------- tests
# `make test` is what CI runs (.ci/run): swift test, make lib, the parity matrix
# with valgrind, coverage, exported-symbol check and tests/*.sh, closing with
# one `N passed, N failed` line (tests/make_test.py).
PYTHON           ?= python3
COVERAGE_HEADERS ?= include/event2/event.h include/event2/event_compat.h include/event2/thread.h \
                    include/event2/util.h include/event2/listener.h include/event2/buffer_compat.h \
                    include/event2/bufferevent.h include/event2/bufferevent_compat.h \
                    include/event2/dns.h include/event2/dns_compat.h include/event2/http.h include/event2/http_compat.h \
                    include/event2/tag.h include/event2/tag_compat.h include/event2/rpc.h include/event2/rpc_compat.h \
                    include/event2/rpc_struct.h include/event2/bufferevent_ssl.h
CTEST_ARGS       ?=

test:
	@$(PYTHON) tests/make_test.py

# Fuzzing: every tests/fuzz_*.sh (one per parser: dns, http, tag, ...) runs
# FUZZ_SECONDS long; `make test` runs the same scripts briefly (their default).
FUZZ_SECONDS ?= 600
fuzz: lib
	@set -e; for f in tests/fuzz_*.sh; do [ -f "$$f" ] || continue; \
	  echo "--- $$f ($(FUZZ_SECONDS) s)"; FUZZ_SECONDS=$(FUZZ_SECONDS) bash "$$f"; done

swift-test:
	$(SWIFT) test

# Parity matrix alone; e.g. make ctest CTEST_ARGS="--no-valgrind event_add_del"
ctest: lib
	@$(PYTHON) ctests/run_matrix.py $(CTEST_ARGS)

check-symbols: lib
	@$(PYTHON) tests/check_symbols.py --ours $(LIBDIR)/libevent-2.1.so.7

coverage:
	@$(PYTHON) tests/coverage.py $(COVERAGE_HEADERS)

# ---------------------------------------------------------------- install
# make install PREFIX=/dir [DESTDIR=/stage]: headers, libraries (real files and
# symlinks), pkg-config files and the CMake package (cmake/*.in, the files
# libevent's CMake build installs, for find_package(Libevent); their paths are
# relative to their own place, so the prefix can move).  Every file and every directory it creates is
# listed in $(MANIFEST), which `make uninstall` replays, so uninstall removes
# exactly what install put there.
libdir       ?= $(PREFIX)/lib
includedir   ?= $(PREFIX)/include
pkgconfigdir ?= $(libdir)/pkgconfig
cmakedir     ?= $(libdir)/cmake/libevent
MANIFEST_DIR := $(PREFIX)/share/swift-libevent
MANIFEST     := $(MANIFEST_DIR)/install-manifest.txt
PC_FILES     := libevent libevent_core libevent_extra libevent_pthreads libevent_openssl
CMAKE_FILES  := LibeventConfig LibeventConfigVersion LibeventTargets-shared LibeventTargets-shared-release \
                LibeventTargets-static LibeventTargets-static-release
VERSION      := 2.1.12
# In the CMake files a path under PREFIX is written from _libevent_prefix,
# which each file computes from its own directory.
cmake_rel     = $(patsubst $(PREFIX)/%,$${_libevent_prefix}/%,$(1))

install: lib
	@set -e; D='$(DESTDIR)'; new=$$(mktemp); \
	if [ -n "$$D" ]; then mkdir -p "$$D"; fi; \
	mkd() { for d in "$$@"; do p=; for part in $$(echo "$$d" | tr / ' '); do p="$$p/$$part"; \
	  if [ ! -d "$$D$$p" ]; then mkdir "$$D$$p"; echo "d $$p" >> "$$new"; fi; done; done; }; \
	mkd '$(includedir)/event2' '$(libdir)' '$(pkgconfigdir)' '$(cmakedir)' '$(MANIFEST_DIR)'; \
	for h in include/event2/*.h; do install -m 644 "$$h" "$$D$(includedir)/event2/"; \
	  echo "f $(includedir)/event2/$${h##*/}" >> "$$new"; done; \
	for h in include/*.h; do [ -f "$$h" ] || continue; install -m 644 "$$h" "$$D$(includedir)/"; \
	  echo "f $(includedir)/$${h##*/}" >> "$$new"; done; \
	for f in $(LIBDIR)/lib*; do rm -f "$$D$(libdir)/$${f##*/}"; cp -P "$$f" "$$D$(libdir)/"; \
	  echo "f $(libdir)/$${f##*/}" >> "$$new"; done; \
	for pc in $(PC_FILES); do \
	  sed -e 's|@prefix@|$(PREFIX)|g' -e 's|@libdir@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(libdir))|g' \
	      -e 's|@includedir@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(includedir))|g' \
	    pkgconfig/$$pc.pc.in > "$$D$(pkgconfigdir)/$$pc.pc"; echo "f $(pkgconfigdir)/$$pc.pc" >> "$$new"; done; \
	up=$$(realpath -m --relative-to='$(cmakedir)' '$(PREFIX)'); \
	ptr=$$(echo '__SIZEOF_POINTER__' | $(CC) -E -P - | tr -d ' \n'); \
	for cf in $(CMAKE_FILES); do \
	  sed -e 's|@VERSION@|$(VERSION)|g' -e "s|@PREFIX_FROM_CMAKEDIR@|$$up|g" -e "s|@SIZEOF_VOID_P@|$$ptr|g" \
	      -e 's|@LIBDIR@|$(call cmake_rel,$(libdir))|g' -e 's|@INCLUDEDIR@|$(call cmake_rel,$(includedir))|g' \
	    cmake/$$cf.cmake.in > "$$D$(cmakedir)/$$cf.cmake"; echo "f $(cmakedir)/$$cf.cmake" >> "$$new"; done; \
	echo "f $(MANIFEST)" >> "$$new"; \
	if [ -f "$$D$(MANIFEST)" ]; then cat "$$D$(MANIFEST)" >> "$$new"; fi; \
	awk '!seen[$$0]++' "$$new" > "$$D$(MANIFEST)"; rm -f "$$new"; \
	echo "installed swift-libevent into $$D$(PREFIX) ($$(grep -c '^f ' "$$D$(MANIFEST)") files, list in $(MANIFEST))"

uninstall:
	@set -e; D='$(DESTDIR)'; m="$$D$(MANIFEST)"; \
	if [ ! -f "$$m" ]; then echo "uninstall: no $$m, so nothing of ours is installed under $$D$(PREFIX)"; exit 0; fi; \
	list=$$(cat "$$m"); n=0; \
	for f in $$(printf '%s\n' "$$list" | sed -n 's/^f //p'); do rm -f "$$D$$f"; n=$$((n+1)); done; \
	for d in $$(printf '%s\n' "$$list" | sed -n 's/^d //p' | tac); do rmdir "$$D$$d" 2>/dev/null || true; done; \
	echo "removed $$n files of swift-libevent from $$D$(PREFIX)"

# ---------------------------------------------------------------- demo
# examples/demo.c (an echo server and client, a timer, a signal) built
# against our headers and library and run; it ends by itself.
DEMO_SRC ?= examples/demo.c

demo: lib
	$(CC) -g -Wall -I include -o $(BUILD)/demo $(DEMO_SRC) -L$(LIBDIR) -levent -Wl,-rpath,$(abspath $(LIBDIR))
	@echo "--- $(BUILD)/demo, on build/lib/libevent-2.1.so.7 ---"
	@timeout 20 $(BUILD)/demo || { echo "--- demo failed (status $$?) ---"; exit 1; }
	@echo "--- demo finished ---"

# ---------------------------------------------------------------- examples
# The documentation examples (EXAMPLES=dir with a MANIFEST.tsv; default
# ../shared/examples beside the repository, else /work/shared/examples)
# compiled against real libevent and ours, file by file, and the self-exiting
# programs plus the timer demo run on both (tests/examples.py).
examples: lib
	@$(PYTHON) tests/examples.py $(if $(EXAMPLES),--examples "$(EXAMPLES)")
