#!/bin/bash
# Fuzz evdns's parsers (replies, server queries, resolv.conf, hosts) through
# the public API of build/lib with libFuzzer (tests/fuzz_dns/fuzz_dns.c).
# FUZZ_SECONDS long (default 20; `make fuzz` runs 600). The seeds include the
# inputs of CVE-2016-10195 (a label past the end of a reply) and
# CVE-2016-10197 (an empty name searched). Exit 77 without clang's libFuzzer.
set -u
cd "$(dirname "$0")/.."
SECS=${FUZZ_SECONDS:-20}
[ -e build/lib/libevent-2.1.so.7 ] || { echo "skip: build/lib missing (make lib)"; exit 77; }
CLANG=${FUZZ_CLANG:-clang}
OUT=$(mktemp -d /tmp/fuzz_dns.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
if ! $CLANG -g -O1 -fsanitize=fuzzer,address -Iinclude tests/fuzz_dns/fuzz_dns.c -o "$OUT/fuzz_dns" \
     -Lbuild/lib -levent -Wl,-rpath,"$PWD/build/lib" 2>"$OUT/build.log"; then
  cat "$OUT/build.log"; echo "skip: $CLANG cannot build a libFuzzer target"; exit 77
fi
mkdir -p "$OUT/corpus"
cp tests/fuzz_dns/seeds/* "$OUT/corpus/"
# Our library is not instrumented: leaks are checked by valgrind elsewhere.
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 "$OUT/fuzz_dns" -max_total_time="$SECS" -timeout=10 \
  -artifact_prefix="$OUT/" "$OUT/corpus" >"$OUT/run.log" 2>&1
rc=$?
tail -3 "$OUT/run.log"
if [ $rc -ne 0 ]; then
  echo "fuzz_dns: FAILED (rc $rc)"; grep -m5 -E "ERROR|Fatal|crash|SUMMARY" "$OUT/run.log"
  mkdir -p tests/fuzz_dns/findings && cp "$OUT"/crash-* "$OUT"/timeout-* tests/fuzz_dns/findings/ 2>/dev/null
  exit 1
fi
echo "fuzz_dns: no findings in ${SECS}s ($(ls "$OUT/corpus" | wc -l) corpus inputs)"
