#!/usr/bin/env bash
# The threaded unit tests (Tests/EventTests/Threaded*Tests.swift) under
# ThreadSanitizer: a data race or lock-order inversion anywhere in the
# library while they run fails the step, as does a failing test.
#
# Builds the package with `--sanitize=thread` into its own scratch path
# (.build-tsan, next to the plain .build), then runs the tests TSAN_RUNS
# times (default 3: the interleavings differ from run to run).
# Exit 0 passed, 77 skipped (the toolchain or kernel cannot run TSan: the
# reason is printed), anything else failed.
set -u
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
SCRATCH=.build-tsan
RUNS=${TSAN_RUNS:-3}
FILTER=Threaded   # ThreadedBaseTests, ThreadedTeardownTests, ThreadedBufferTests, ThreadedRateGroupTests
SUPP=$PWD/tests/tsan.supp

if ! command -v "$SWIFT" >/dev/null 2>&1; then
    echo "skip: no swift toolchain ($SWIFT)"
    exit 77
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# An unsupported sanitizer shows up at build time (no runtime library for
# the target) or when the process starts (address-space layout the runtime
# cannot use): both are skips, not failures.
toolchain_cannot() {
    grep -m1 -E "unsupported option .*sanitize|sanitizer.*(not supported|unsupported)|clang_rt\.tsan|FATAL: ThreadSanitizer" "$log"
}

start=$(date +%s)
"$SWIFT" build --build-tests --sanitize=thread --scratch-path "$SCRATCH" >"$log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
    tail -40 "$log"
    if why=$(toolchain_cannot); then
        echo "skip: this toolchain cannot build with --sanitize=thread: $why"
        exit 77
    fi
    echo "FAIL: TSan build failed (exit $rc)"
    exit 1
fi
echo "TSan build: $(( $(date +%s) - start )) s"

export TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 history_size=4${TSAN_OPTIONS:+ $TSAN_OPTIONS}"
[ -f "$SUPP" ] && TSAN_OPTIONS="$TSAN_OPTIONS suppressions=$SUPP"

failed=0
for i in $(seq 1 "$RUNS"); do
    t0=$(date +%s)
    "$SWIFT" test --skip-build --sanitize=thread --scratch-path "$SCRATCH" --filter "$FILTER" >"$log" 2>&1
    rc=$?
    if why=$(toolchain_cannot); then
        echo "skip: the ThreadSanitizer runtime cannot run here: $why"
        exit 77
    fi
    races=$(grep -c "WARNING: ThreadSanitizer" "$log")
    tally=$(grep -E "Executed [0-9]+ tests?, with [0-9]+ failures?" "$log" | tail -1 | sed 's/^[[:space:]]*//')
    ran=$(echo "$tally" | sed -nE 's/Executed ([0-9]+) tests?.*/\1/p')
    echo "run $i: ${tally:-no XCTest tally}; $races ThreadSanitizer report(s); exit $rc; $(( $(date +%s) - t0 )) s"
    if [ "$races" -gt 0 ] || [ $rc -ne 0 ] || [ "${ran:-0}" -eq 0 ]; then
        # The reports and failed assertions, without the per-test chatter.
        grep -vE "^Test (Case|Suite) .*(started|passed)" "$log" | head -300
        failed=1
        break
    fi
done
[ $failed -eq 0 ] || { echo "FAIL: ThreadSanitizer run of $FILTER"; exit 1; }
echo "ok: $FILTER under ThreadSanitizer, $RUNS run(s), no reports ($(( $(date +%s) - start )) s in all)"
