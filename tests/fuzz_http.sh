#!/bin/bash
# evhttp's parsers fuzzed through the public API (tests/fuzz/fuzz_http.c):
# requests over TCP into an evhttp server, responses into an evhttp client,
# and the URI/query parsers and encoders, built against our library with
# libFuzzer + AddressSanitizer. Seeds cover every request-smuggling shape the
# server refuses (README "evhttp departures"). FUZZ_SECONDS long (default 10,
# what `make test` runs; `make fuzz` sets 600). Exit 77 without libFuzzer.
set -u
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-10}
ours=$PWD/build/lib
[ -f "$ours/libevent.so" ] || { echo "fuzz_http: $ours missing: run make lib"; exit 1; }
work=$(mktemp -d)
trap '[ -n "${FUZZ_KEEP:-}" ] || rm -rf "$work"' EXIT
if ! ${CLANG:-clang} -g -O1 -fsanitize=fuzzer,address -Iinclude tests/fuzz/fuzz_http.c -o "$work/fuzz_http" \
     -L"$ours" -levent -Wl,-rpath,"$ours" 2>"$work/cc.log"; then
  grep -q "error" "$work/cc.log" || true
  echo "fuzz_http: clang -fsanitize=fuzzer,address unavailable: skipped"; tail -3 "$work/cc.log"; exit 77
fi
mkdir -p "$work/corpus"
i=0
seed() { printf '%b' "$1" > "$work/corpus/seed$i"; i=$((i + 1)); }
P='\x00POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n'
for c in '0x5' '+5' '-5' ' 5' '5 ' 'ffffffffffffffffff' '5;ext' '5'; do seed "$P$c\r\nhello\r\n0\r\n\r\n"; done
seed "${P}5\r\nhelloXX0\r\n\r\n"
seed "${P}5\r\nhello\r\n\r\n0\r\n\r\n"
for v in '1.99999999999' '1.-1' '+1.1' '1.1 ' '2.0' '0.9' '1.0' '1.1'; do seed "\x00GET / HTTP/$v\r\nHost: h\r\n\r\n"; done
seed '\x00GET / HTTP/1.1\r\n: empty\r\n\r\n'
seed '\x00GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello'
seed '\x00GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n'
seed '\x00POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\nContent-Length: 5\r\n\r\nhello'
seed '\x00POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'
seed '\x00POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
seed '\x00POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'
seed '\x00POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello'
seed '\x00POST / HTTP/1.1\r\nContent-Length: 99999\r\n\r\nhello'
seed '\x00POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody'
seed '\x00GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nX: folded\r\n  line\r\n\r\nHEAD /c HTTP/1.0\r\n\r\n'
seed '\x01HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'
seed '\x01HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nT: x\r\n\r\n'
seed '\x01HTTP/1.0 200 OK\r\n\r\nuntil close'
seed '\x01HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n'
seed '\x01HTTP/1.1 2000 Big\r\n\r\n'
seed '\x02\x00http://user:pw@[::1]:8080/p%20a?q=1&r=a+b#f'
seed '\x02\x01/a b?c=d e#f g'
seed '\x02\x00http://[v7.x:y]/'
"$work/fuzz_http" -max_total_time="$secs" -max_len=4096 -timeout=10 -print_final_stats=1 "$work/corpus" \
  >"$work/log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
if [ $rc -ne 0 ]; then
  grep -a -A8 'ERROR\|SUMMARY\|deadly' "$work/log" | head -40
  echo "fuzz_http: FAILED after ${runs:-?} inputs"; exit 1
fi
echo "fuzz_http: ${runs:-?} inputs in ${secs}s, no crash, leak or hang"
