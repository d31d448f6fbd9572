#!/bin/bash
# evhttp's URI, query and encoding functions fuzzed differentially
# (tests/fuzz/fuzz_http_uri.c): libFuzzer feeds the same text to real
# libevent and to ours, loaded side by side with dlmopen; any difference in a
# result aborts with the input. FUZZ_SECONDS long (default 10, what `make test`
# runs; `make fuzz` sets 600). Exit 77 when clang's libFuzzer or Debian's
# libevent is missing.
set -u
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-10}
real=$(ls /usr/lib/x86_64-linux-gnu/libevent-2.1.so.7 /usr/lib/*/libevent-2.1.so.7 2>/dev/null | head -1)
ours=$PWD/build/lib/libevent-2.1.so.7
[ -n "$real" ] || { echo "fuzz_http_uri: no real libevent-2.1.so.7: skipped"; exit 77; }
[ -f "$ours" ] || { echo "fuzz_http_uri: $ours missing: run make lib"; exit 1; }
work=$(mktemp -d)
trap '[ -n "${FUZZ_KEEP:-}" ] || rm -rf "$work"' EXIT
if ! ${CLANG:-clang} -g -O1 -fsanitize=fuzzer tests/fuzz/fuzz_http_uri.c -o "$work/fuzz_http_uri" -ldl 2>"$work/cc.log"; then
  echo "fuzz_http_uri: clang -fsanitize=fuzzer unavailable: skipped"; cat "$work/cc.log"; exit 77
fi
mkdir -p "$work/corpus"
i=0
for t in 'http://user:pw@[::1]:8080/p%20a?q=1&r=a+b#f' '/a b?c=d e#f g' 'http://[v7.x:y]/' 'mailto:a@b' \
         '//host:65536/' 'x:y:z' '?a=1&&b=2' 'a=%41+%zz&b=' '<&>"'"'"'' 'http://h/%' 'HTTP://H:0' '' \
         'ftp://[::ffff:1.2.3.4]/x;y?z#w' 'a/b:c' 's+.-:rest'; do
  for o in 0 1 6 9; do printf '%b%s' "\\x$(printf %02x $o)" "$t" > "$work/corpus/seed$i"; i=$((i + 1)); done
done
FUZZ_HTTP_REAL=$real FUZZ_HTTP_OURS=$ours "$work/fuzz_http_uri" -max_total_time="$secs" -max_len=300 \
  -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
if [ $rc -ne 0 ]; then
  grep -a -A3 'fuzz_http_uri:\|ERROR\|SUMMARY' "$work/log" | head -20
  echo "fuzz_http_uri: FAILED after ${runs:-?} inputs"; exit 1
fi
echo "fuzz_http_uri: ${runs:-?} inputs in ${secs}s, libevent and ours agree on every one"
