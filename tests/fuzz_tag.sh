#!/bin/bash
# evtag decoding fuzzed differentially (tests/fuzz/fuzz_tag.c): libFuzzer
# feeds the same bytes to real libevent's evtag_* and to ours, loaded side by
# side with dlmopen; any difference in a result, a stored value or the bytes
# left aborts with the input. FUZZ_SECONDS long (default 10, what `make test`
# runs; `make fuzz` sets 600). Exit 77 when clang's libFuzzer or Debian's
# libevent is missing.
set -u
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-10}
real=$(ls /usr/lib/x86_64-linux-gnu/libevent-2.1.so.7 /usr/lib/*/libevent-2.1.so.7 2>/dev/null | head -1)
ours=$PWD/build/lib/libevent-2.1.so.7
[ -n "$real" ] || { echo "fuzz_tag: no real libevent-2.1.so.7: skipped"; exit 77; }
[ -f "$ours" ] || { echo "fuzz_tag: $ours missing: run make lib"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! ${CLANG:-clang} -g -O1 -fsanitize=fuzzer tests/fuzz/fuzz_tag.c -o "$work/fuzz_tag" -ldl 2>"$work/cc.log"; then
  echo "fuzz_tag: clang -fsanitize=fuzzer unavailable: skipped"; cat "$work/cc.log"; exit 77
fi
# Seeds: call selector, need_tag, chain cut, then a few well-formed items
# (an int, an int64, a string, a timeval) and some damaged ones.
mkdir -p "$work/corpus"
i=0
for item in '\x01\x03\x34\x32\x10' '\x01\x05\x80\x00\x00\x00\x01' '\x01\x03abc' '\x01\x04\x01\x4f\x32\x4f' \
            '\xff\xff\xff\xff\x0f\x00' '\x01\x7f\xff\xff\xff\xf0' '\x81\x80\x00\x01\x07' '\x01\x01\x12\x10\x77'; do
  for call in 0 3 5 6 7 8 9 10 12 13; do
    printf "\\x$(printf %02x $call)\\x01\\x21$item$item" > "$work/corpus/seed$i"; i=$((i + 1))
  done
done
# A failing input is kept as build/fuzz_tag-crash-* (and printed in hex).
mkdir -p build
FUZZ_TAG_REAL=$real FUZZ_TAG_OURS=$ours "$work/fuzz_tag" -max_total_time="$secs" -max_len=200 \
  -artifact_prefix=build/fuzz_tag- -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
if [ $rc -ne 0 ]; then
  grep -a -A2 'fuzz_tag:\|ERROR\|SUMMARY' "$work/log" | head -20
  echo "fuzz_tag: FAILED after ${runs:-?} inputs"; exit 1
fi
echo "fuzz_tag: ${runs:-?} inputs in ${secs}s, libevent and ours agree on every one"
