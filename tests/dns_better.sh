#!/bin/bash
# Our evdns's deliberate departures from libevent 2.1.12 (its open bugs):
# tests/dns_better/dns_better.c must print the expected lines on ours; on
# real libevent (shown for reference) it prints something else.
set -u
cd "$(dirname "$0")/.."
[ -e build/lib/libevent-2.1.so.7 ] || { echo "skip: build/lib missing (make lib)"; exit 77; }
T=$(mktemp -d /tmp/dns_better.XXXXXX)
trap 'rm -rf "$T"' EXIT
cc -Iinclude tests/dns_better/dns_better.c -o "$T/ours" -Lbuild/lib -levent -lpthread -Wl,-rpath,"$PWD/build/lib" || exit 1
timeout 20 "$T/ours" >"$T/ours.out" 2>"$T/ours.err"
cat >"$T/expected" <<'EXP'
1 no nameserver: result=67 (request timed out) after the timeout
2 servfail, one nameserver: result=2 (server failed) before the 0.5 s timeout
server: question ok
3 servfail, then a good nameserver: result=0 (no error) before the 0.5 s timeout
4 short query: server still running
EXP
if pkg-config --exists libevent 2>/dev/null; then
  cc $(pkg-config --cflags libevent) tests/dns_better/dns_better.c -o "$T/theirs" $(pkg-config --libs libevent) -lpthread &&
    { timeout 20 "$T/theirs" >"$T/theirs.out" 2>/dev/null; echo "libevent 2.1.12 (reference, exit $?):"; sed 's/^/  /' "$T/theirs.out"; }
  cmp -s "$T/theirs.out" "$T/expected" && echo "note: libevent now behaves the same"
fi
if diff -u "$T/expected" "$T/ours.out"; then
  echo "dns_better: ours as expected"
else
  echo "dns_better: FAILED"; cat "$T/ours.err"; exit 1
fi
