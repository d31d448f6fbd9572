#!/bin/bash
# The extra library (dns, http, tag, rpc) reaches the core through C symbols
# only, as libevent's does: its Swift never imports the core module, the core
# carries none of its names, and libevent_extra resolves everything it needs
# from libevent_core (plus libc/libm/libpthread).
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
[ $fail = 0 ] && echo "extra boundary: ok (NEEDED: $needed)"
exit $fail
