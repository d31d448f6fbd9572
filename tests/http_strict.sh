#!/bin/bash
# Our evhttp's strictness departures from libevent (README "evhttp departures"),
# checked on our library only: tests/http_strict.c prints what a raw client saw
# for each case; every line must be the expected one below.
set -u
cd "$(dirname "$0")/.."
[ -f build/lib/libevent.so ] || { echo "http_strict: build/lib missing (make lib)"; exit 1; }
bin=$(mktemp -d)/http_strict
trap 'rm -rf "$(dirname "$bin")"' EXIT
gcc -g -O1 -Iinclude -o "$bin" tests/http_strict.c -Lbuild/lib -levent -lpthread -Wl,-rpath,"$PWD/build/lib" || exit 1
expected='chunk 0x: 400 closed=1 reset=0
chunk +: 400 closed=1 reset=0
chunk -: 400 closed=1 reset=0
chunk leading space: 400 closed=1 reset=0
chunk trailing space: 400 closed=1 reset=0
chunk overflow: 400 closed=1 reset=0
chunk no CRLF after data: 400 closed=1 reset=0
chunk blank line: 400 closed=1 reset=0
chunk valid: 200(OK) closed=1 reset=0
version overflow: 400 closed=1 reset=0
version negative: 400 closed=1 reset=0
version plus: 400 closed=1 reset=0
request line trailing space: 400 closed=1 reset=0
empty header name: 400 closed=1 reset=0
space in header name: 400 closed=1 reset=0
NUL in header value: 400 closed=1 reset=0
TE chunked not last: 400 closed=1 reset=0
TE twice: 400 closed=1 reset=0
TE chunked twice: 400 closed=1 reset=0
TE identity: 400 closed=1 reset=0
CL conflicting: 400 closed=1 reset=0
CL plus: 400 closed=1 reset=0
CL list: 400 closed=1 reset=0
pipelined, first late: 200(Late) 200(OK) closed=1 reset=0
pipelined, then half-close: 200(Late) 200(OK) closed=1 reset=0
body over limit, 1 MiB sent: 413 closed=1 reset=0
bad request, 1 MiB following: 400 closed=1 reset=0'
got=$(timeout 120 "$bin" | grep -v '^  \|^bytes (')
if [ "$got" = "$expected" ]; then
  echo "http_strict: $(echo "$expected" | wc -l) cases as expected"
  exit 0
fi
echo "http_strict: unexpected results"
diff <(echo "$expected") <(echo "$got")
exit 1
