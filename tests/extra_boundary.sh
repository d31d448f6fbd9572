#!/bin/bash
# The extra library (dns, http, tag, rpc) reaches the core through C symbols
# only, as libevent's does: its Swift never imports the core module, the core
# carries none of its names, and libevent_extra resolves everything it needs
# from libevent_core (plus libc/libm/libpthread); a program links and runs
# against the split, the all-in-one and the static archives.
set -u
cd "$(dirname "$0")/.."
fail=0
if grep -rn '^\s*\(@testable \)\?import Event\s*$' Sources/EventExtra; then
  echo "FAIL: Sources/EventExtra imports the core module"; fail=1
fi
lib=build/lib
[ -f $lib/libevent_core-2.1.so.7 ] || { echo "no build/lib: run make lib"; exit 1; }
extra_in_core=$(nm -D --defined-only $lib/libevent_core-2.1.so.7 | awk '{print $3}' | grep -E '^(evdns_|evhttp_|evrpc_|evtag_)' || true)
if [ -n "$extra_in_core" ]; then
  echo "FAIL: libevent_core defines extra symbols:"; echo "$extra_in_core" | head; fail=1
fi
needed=$(readelf -d $lib/libevent_extra-2.1.so.7 | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
case "$needed" in
  *libevent_core-2.1.so.7*) ;;
  *) echo "FAIL: libevent_extra does not need libevent_core: $needed"; fail=1 ;;
esac
for so in $needed; do
  case "$so" in libevent_core-2.1.so.7|libc.so.6|libm.so.6|libpthread.so.0|ld-linux-x86-64.so.2) ;;
  *) echo "FAIL: libevent_extra needs $so"; fail=1 ;; esac
done
# A program using core and extra links and runs: -levent_core -levent_extra,
# -levent, and statically (libevent.a; libevent_extra.a + libevent_core.a).
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/p.c" <<'C'
#include <event2/event.h>
#include <event2/dns.h>
#include <event2/http.h>
#include <event2/buffer.h>
#include <event2/tag.h>
#include <stdio.h>
int main(void)
{
	struct event_base *b = event_base_new();
	struct evdns_base *d = evdns_base_new(b, 0);
	struct evhttp *h = evhttp_new(b);
	struct evbuffer *buf = evbuffer_new();
	ev_uint32_t v = 0;
	evtag_marshal_int(buf, 7, 300);
	int r = evtag_unmarshal_int(buf, 7, &v);
	printf("%d %d %d %d %u\n", b != NULL, d != NULL, h != NULL, r > 0, (unsigned)v);
	evbuffer_free(buf); evhttp_free(h); evdns_base_free(d, 0); event_base_free(b);
	return 0;
}
C
for how in "-L$lib -levent_core -levent_extra -Wl,-rpath,$PWD/$lib" "-L$lib -levent -Wl,-rpath,$PWD/$lib" \
           "$lib/libevent.a -lpthread -lm" "$lib/libevent_extra.a $lib/libevent_core.a -lpthread -lm"; do
  if ! cc -Iinclude "$tmp/p.c" $how -o "$tmp/p" 2>"$tmp/err" || [ -s "$tmp/err" ]; then
    echo "FAIL: linking with $how:"; head -5 "$tmp/err"; fail=1; continue
  fi
  out=$("$tmp/p"); [ "$out" = "1 1 1 1 300" ] || { echo "FAIL: $how ran: $out"; fail=1; }
done
[ $fail = 0 ] && echo "extra boundary: ok (NEEDED: $needed)"
exit $fail
