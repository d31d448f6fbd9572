#!/usr/bin/env bash
# bench/thread_run.sh -- the threaded benchmarks, libevent 2.1.12 ("A")
# against ours ("B") in the same run.  Called by bench/run.sh (leave it out
# with SKIP_THREADS=1); runs alone as well:
#
#   bash bench/thread_run.sh
#
# Rows (bench/README.md, "Threaded use"):
#   dispatch -T       bench/dispatch.c with evthread_use_pthreads() first:
#                     the base has its lock, one thread uses it
#   active b=B        bench/thread_active.c: a producer thread event_active()s
#                     batches of B events into a base another thread loops on
#   bev -T            bench/bev_echo.c round trips with evthread_use_pthreads()
#                     and BEV_OPT_THREADSAFE
#
# Knobs: THR_REPS=3 (interleaved repetitions: A, B, A, B, ...), QUICK=1 (one
# repetition, smaller runs), SKIP_CALLGRIND=1, PER_RUN_TIMEOUT=60,
# OURS_LIBDIR / OURS_INCDIR (default build/lib, include).
# Raw lines: bench/out/thr_results.txt; tables: stdout and
# bench/out/thr_summary.txt; messages: bench/out/thr_log.txt.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/out
mkdir -p "$OUT"

QUICK=${QUICK:-0}
REPS=${THR_REPS:-3}
[ "$QUICK" = 1 ] && REPS=1
PER_RUN_TIMEOUT=${PER_RUN_TIMEOUT:-60}
CC=${CC:-cc}
CFLAGS_BENCH="-O2 -g -Wall -Wextra"
OURS_LIBDIR=$(cd "${OURS_LIBDIR:-$ROOT/build/lib}" 2>/dev/null && pwd) || OURS_LIBDIR=${OURS_LIBDIR:-$ROOT/build/lib}
OURS_INCDIR=${OURS_INCDIR:-$ROOT/include}
RESULTS=$OUT/thr_results.txt
SUMMARY=$OUT/thr_summary.txt
LOG=$OUT/thr_log.txt
: > "$RESULTS"
: > "$LOG"
say() { echo "$@" >&2; }

# ---------------------------------------------------------------- build
LIBEVENT_FLAGS=$(pkg-config --cflags --libs libevent libevent_pthreads 2>/dev/null || echo -levent_pthreads -levent)
OURS_FLAGS="-I$OURS_INCDIR -L$OURS_LIBDIR -levent_pthreads -levent -lpthread -Wl,-rpath,$OURS_LIBDIR"
PROGS="dispatch thread_active bev_echo"
for p in $PROGS; do
    # shellcheck disable=SC2086
    $CC $CFLAGS_BENCH -o "$OUT/${p}_lib" "$ROOT/bench/$p.c" $LIBEVENT_FLAGS -lpthread >>"$LOG" 2>&1 ||
        { say "threads: cannot build $p against libevent (see $LOG)"; exit 1; }
done
OURS=1
for p in $PROGS; do
    rm -f "$OUT/${p}_ours"
    # shellcheck disable=SC2086
    $CC $CFLAGS_BENCH -o "$OUT/${p}_ours" "$ROOT/bench/$p.c" $OURS_FLAGS >>"$LOG" 2>&1 || OURS=0
done
if [ $OURS = 0 ]; then
    say "   threads ours: unavailable (does not link against $OURS_LIBDIR; see $LOG)"
else
    probe=$(timeout 20 "$OUT/thread_active_ours" -l ours -b 10 -e 1000 2>>"$LOG")
    case "$probe" in
        *"lib=$OURS_LIBDIR/"*) say "   threads ours: ok ($(echo "$probe" | sed 's/.*lib=//'))" ;;
        *) OURS=0; say "   threads ours: unavailable (does not run on $OURS_LIBDIR: ${probe:-crashed}; see $LOG)"
           echo "probe output: $probe" >>"$LOG" ;;
    esac
fi

# ---------------------------------------------------------------- runners
run_one() { # key impl cmd...
    local key=$1 impl=$2; shift 2
    local line rc
    line=$(BENCH_BACKEND=epoll timeout "$PER_RUN_TIMEOUT" "$@" 2>>"$LOG")
    rc=$?
    echo "[$key $impl rc=$rc] $line" >>"$LOG"
    if [ $rc -eq 0 ] && [ -n "$line" ]; then
        echo "$key $impl $line" >>"$RESULTS"
    else
        echo "$key $impl FAIL rc=$rc" >>"$RESULTS"
    fi
}
both() { # key prog args...   (A, then B when ours is there)
    local key=$1 prog=$2; shift 2
    run_one "$key" A "$OUT/${prog}_lib" -l libevent "$@"
    [ $OURS = 1 ] && run_one "$key" B "$OUT/${prog}_ours" -l ours "$@"
}

if [ "$QUICK" = 1 ]; then S=10; else S=1; fi
# "key prog args": picked so one run takes roughly 0.2-1 s on libevent.
CONFIGS=(
    "thr-dispatch/plain/100 dispatch -T -v plain -n 100 -w $((200000 / S))"
    "thr-dispatch/plain/1000 dispatch -T -v plain -n 1000 -w $((200000 / S))"
    "thr-dispatch/timeout/1000 dispatch -T -v timeout -n 1000 -w $((200000 / S))"
    "thr-dispatch/oneshot/1000 dispatch -T -v oneshot -n 1000 -w $((100000 / S))"
    "thr-active/100 thread_active -b 100 -e $((2000000 / S))"
    "thr-active/1 thread_active -b 1 -e $((50000 / S))"
    "thr-bev/sp/1 bev_echo -T -m rt -t sp -n 1 -r $((30000 / S))"
    "thr-bev/tcp/1 bev_echo -T -m rt -t tcp -n 1 -r $((20000 / S))"
    "thr-bev/pair/1 bev_echo -T -m rt -t pair -n 1 -r $((400000 / S))"
)
say "== threads: $REPS interleaved repetitions of ${#CONFIGS[@]} configurations"
for rep in $(seq 1 "$REPS"); do
    say "   rep $rep/$REPS"
    for c in "${CONFIGS[@]}"; do
        # shellcheck disable=SC2086
        both $c
    done
done

# ---------------------------------------------------------------- callgrind
# One run each, measured phase only (bench_*phase*: the loop thread's
# bench_measured_phase and thread_active's bench_producer_phase; callgrind
# counts every thread).  The dispatch and bev rows also run without -T, so the
# table can show what the locking adds in each library.
CG=0
if [ "${SKIP_CALLGRIND:-0}" != 1 ] && command -v valgrind >/dev/null 2>&1; then
    CG=1
    say "== threads: callgrind (user-space instructions, measured phase only)"
    cg_one() { # key impl prog args...
        local key=$1 impl=$2 prog=$3; shift 3
        local f="$OUT/cg.$(echo "$key.$impl" | tr '/' '_').out" line rc ir extra=""
        rm -f "$f"
        line=$(BENCH_BACKEND=epoll timeout 300 valgrind --tool=callgrind --toggle-collect='bench_*phase*' \
            --callgrind-out-file="$f" "$@" 2>>"$LOG")
        rc=$?
        ir=$(awk '/^(summary|totals):/{print $2; exit}' "$f" 2>/dev/null)
        if [ $rc -ne 0 ] || [ -z "$ir" ]; then
            echo "$key $impl FAIL rc=$rc" >>"$RESULTS"
            return
        fi
        if [ "$prog" = thread_active ]; then
            # The benchmark's own handshake: the gate callback, and the
            # producer apart from its event_active calls.
            extra=$(callgrind_annotate --inclusive=yes --threshold=100 "$f" 2>/dev/null | awk '
                { n = $1; gsub(",", "", n) }
                /:on_gate / && !g { g = n } /:produce / && !p { p = n } /:event_active / && !a { a = n }
                END { print "ir_handshake=" (g + p - a) }')
        fi
        echo "$key $impl $line ir=$ir $extra" >>"$RESULTS"
    }
    cg_both() { # key prog args...
        local key=$1 prog=$2; shift 2
        cg_one "$key" A "$prog" "$OUT/${prog}_lib" -l libevent "$@"
        [ $OURS = 1 ] && cg_one "$key" B "$prog" "$OUT/${prog}_ours" -l ours "$@"
    }
    for n in 100 1000; do
        for v in plain timeout oneshot; do
            for t in "" -T; do
                # shellcheck disable=SC2086
                cg_both "thr-cg-dispatch$t/$v/$n" dispatch $t -v "$v" -n "$n" -w $((20000 / S))
            done
        done
    done
    cg_both "thr-cg-active/100" thread_active -b 100 -e $((20000 / S))
    cg_both "thr-cg-active/1" thread_active -b 1 -e $((2000 / S))
    for c in "sp 3000" "tcp 3000" "pair 20000"; do
        set -- $c
        for t in "" -T; do
            # shellcheck disable=SC2086
            cg_both "thr-cg-bev$t/$1/1" bev_echo $t -m rt -t "$1" -n 1 -q -r $(($2 / S))
        done
    done
fi

# ---------------------------------------------------------------- report
OURS=$OURS CG=$CG REPS=$REPS awk '
function field(name,    i) {
    for (i = 3; i <= NF; i++) if (index($i, name "=") == 1) return substr($i, length(name) + 2)
    return ""
}
function median(list,    a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    if (n % 2) return a[(n + 1) / 2] + 0
    return (a[n / 2] + a[n / 2 + 1]) / 2
}
function add(k, impl, m, v) { if (v == "") return; vals[k SUBSEP impl SUBSEP m] = ((k SUBSEP impl SUBSEP m) in vals) ? vals[k SUBSEP impl SUBSEP m] " " v : v }
function has(k, impl, m) { return (k SUBSEP impl SUBSEP m) in vals }
function med(k, impl, m) { return median(vals[k SUBSEP impl SUBSEP m]) }
function cell(k, impl, m, fmt) {
    if (has(k, impl, m)) return sprintf(fmt, med(k, impl, m)) (((k SUBSEP impl) in badmethod) ? "!" : "")
    if (impl == "B" && ENVIRON["OURS"] != 1) return "unavail"
    if ((k SUBSEP impl) in fails) return "FAIL"
    return "-"
}
function ratio(k, m,    a, b) {
    if (!has(k, "A", m) || !has(k, "B", m)) return "-"
    a = med(k, "A", m); b = med(k, "B", m)
    return a > 0 ? sprintf("%.2fx", b / a) : "-"
}
function diff(k0, k1, impl, m) {   # what -T adds
    if (!has(k0, impl, m) || !has(k1, impl, m)) return "-"
    return sprintf("%+.0f", med(k1, impl, m) - med(k0, impl, m))
}
function label(key,    k, n) {
    n = split(key, k, "/")
    if (k[1] ~ /active$/) return "active b=" k[2]
    if (k[1] ~ /dispatch/) return "dispatch -T " k[2] " N=" k[3]
    return "bev -T rt " k[2] " N=" k[3]
}
{
    key = $1; impl = $2
    if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
    if ($3 == "FAIL") { fails[key SUBSEP impl] = $4; next }
    if (field("method") != "epoll") badmethod[key SUBSEP impl] = field("method")
    split(key, k, "/")
    if (k[1] == "thr-dispatch") {
        add(key, impl, "cpu", field("us_per_event"))
    } else if (k[1] == "thr-active") {
        add(key, impl, "cpu", field("cpu_us_per_event")); add(key, impl, "wall", field("wall_us_per_event"))
    } else if (k[1] == "thr-bev") {
        add(key, impl, "cpu", field("cpu_us_per_rt"))
    } else if (k[1] ~ /^thr-cg-dispatch/) {
        add(key, impl, "ir", field("ir") / field("events"))
    } else if (k[1] == "thr-cg-active") {
        add(key, impl, "ir", field("ir") / field("events"))
        add(key, impl, "irlib", (field("ir") - field("ir_handshake")) / field("events"))
    } else if (k[1] ~ /^thr-cg-bev/) {
        add(key, impl, "ir", field("ir") / field("rts"))
    }
}
END {
    printf "threaded use: median of %s run(s); CPU us per event or round trip (both threads), wall us per event for active\n", ENVIRON["REPS"]
    printf "%-26s %9s %9s %8s %10s %10s\n", "row", "lib cpu", "ours cpu", "ours/lib", "lib wall", "ours wall"
    for (i = 1; i <= nk; i++) {
        key = order[i]; split(key, k, "/")
        if (k[1] != "thr-dispatch" && k[1] != "thr-active" && k[1] != "thr-bev") continue
        printf "%-26s %9s %9s %8s %10s %10s\n", label(key), cell(key, "A", "cpu", "%.3f"), cell(key, "B", "cpu", "%.3f"),
            ratio(key, "cpu"), cell(key, "A", "wall", "%.3f"), cell(key, "B", "wall", "%.3f")
    }
    if (ENVIRON["CG"] == 1) {
        printf "\ncallgrind, threaded use: user-space instructions per event (dispatch, active) or round trip (bev), measured phase, all threads\n"
        printf "lock +: what -T adds to the same row without it.  active: all instructions, and without the benchmark'"'"'s own handshake\n"
        printf "%-26s %9s %9s %8s %8s %8s\n", "row", "libevent", "ours", "ours/lib", "lib +", "ours +"
        for (i = 1; i <= nk; i++) {
            key = order[i]; split(key, k, "/")
            if (k[1] == "thr-cg-dispatch-T" || k[1] == "thr-cg-bev-T") {
                k0 = key; sub(/-T\//, "/", k0)
                printf "%-26s %9s %9s %8s %8s %8s\n", label(key), cell(key, "A", "ir", "%.0f"), cell(key, "B", "ir", "%.0f"),
                    ratio(key, "ir"), diff(k0, key, "A", "ir"), diff(k0, key, "B", "ir")
            } else if (k[1] == "thr-cg-active") {
                printf "%-26s %9s %9s %8s\n", label(key), cell(key, "A", "ir", "%.0f"), cell(key, "B", "ir", "%.0f"), ratio(key, "ir")
                printf "%-26s %9s %9s %8s\n", label(key) " lib only", cell(key, "A", "irlib", "%.0f"), cell(key, "B", "irlib", "%.0f"), ratio(key, "irlib")
            }
        }
    }
    n = 0
    for (x in fails) n++
    for (x in badmethod) n++
    if (n) {
        print "\nanomalies:"
        for (x in fails) { split(x, y, SUBSEP); print "  " y[1] " " (y[2] == "B" ? "ours" : "libevent") ": run failed (" fails[x] "), see bench/out/thr_log.txt" }
        for (x in badmethod) { split(x, y, SUBSEP); print "  " y[1] " " (y[2] == "B" ? "ours" : "libevent") ": ran on backend \"" badmethod[x] "\"" }
    }
}' "$RESULTS" | tee "$SUMMARY"
