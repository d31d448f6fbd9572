#!/usr/bin/env bash
# bench/bev_run.sh -- the bufferevent echo benchmark (bench/bev_echo.c),
# libevent 2.1.12 ("A") against ours ("B") in the same run.  Called by
# bench/run.sh (leave it out with SKIP_BEV=1); runs alone as well:
#
#   bash bench/bev_run.sh
#
# Knobs: BEV_REPS=3 (interleaved repetitions: A, B, A, B, ...), QUICK=1 (one
# repetition, smaller runs), SKIP_CALLGRIND=1, PER_RUN_TIMEOUT=60,
# OURS_LIBDIR / OURS_INCDIR (default build/lib, include).
#
# While our library lacks bufferevent, bev_echo does not link against it and
# every "ours" cell says "unavail".  Raw lines: bench/out/bev_results.txt;
# tables: stdout and bench/out/bev_summary.txt; messages: bench/out/bev_log.txt.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/out
mkdir -p "$OUT"

QUICK=${QUICK:-0}
REPS=${BEV_REPS:-3}
[ "$QUICK" = 1 ] && REPS=1
PER_RUN_TIMEOUT=${PER_RUN_TIMEOUT:-60}
CC=${CC:-cc}
CFLAGS_BENCH="-O2 -g -Wall -Wextra"
OURS_LIBDIR=$(cd "${OURS_LIBDIR:-$ROOT/build/lib}" 2>/dev/null && pwd) || OURS_LIBDIR=${OURS_LIBDIR:-$ROOT/build/lib}
OURS_INCDIR=${OURS_INCDIR:-$ROOT/include}
RESULTS=$OUT/bev_results.txt
SUMMARY=$OUT/bev_summary.txt
LOG=$OUT/bev_log.txt
: > "$RESULTS"
: > "$LOG"
say() { echo "$@" >&2; }

# ---------------------------------------------------------------- build
LIBEVENT_FLAGS=$(pkg-config --cflags --libs libevent libevent_pthreads 2>/dev/null || echo -levent_pthreads -levent)
build() { # out flags...
    local out=$1; shift
    $CC $CFLAGS_BENCH -o "$OUT/$out" "$ROOT/bench/bev_echo.c" "$@" >>"$LOG" 2>&1
}
$CC $CFLAGS_BENCH -shared -fPIC -o "$OUT/malloc_count.so" "$ROOT/bench/malloc_count.c" >>"$LOG" 2>&1 \
    || { say "bev: cannot build malloc_count.so (see $LOG)"; exit 1; }
build bev_echo_lib $LIBEVENT_FLAGS || { say "bev: cannot build bev_echo against libevent (see $LOG)"; exit 1; }
OURS=1
rm -f "$OUT/bev_echo_ours"
if ! build bev_echo_ours "-I$OURS_INCDIR" -L"$OURS_LIBDIR" -levent_pthreads -levent -lpthread -Wl,-rpath,"$OURS_LIBDIR"; then
    OURS=0
    miss=$(grep -o "undefined reference to \`[a-z_]*'" "$LOG" | sed "s/.*\`//; s/'//" | sort -u | tr '\n' ' ')
    say "   bev ours: unavailable (does not link against $OURS_LIBDIR${miss:+; missing: $miss})"
else
    probe=$(timeout 20 "$OUT/bev_echo_ours" -l ours -t pair -m rt -n 1 -r 100 2>>"$LOG")
    case "$probe" in
        *"lib=$OURS_LIBDIR/"*) say "   bev ours: ok ($(echo "$probe" | sed 's/.*lib=\([^ ]*\).*/\1/'))" ;;
        *) OURS=0; say "   bev ours: unavailable (does not run on $OURS_LIBDIR: ${probe:-crashed}; see $LOG)"
           echo "probe output: $probe" >>"$LOG" ;;
    esac
fi

# ---------------------------------------------------------------- runners
run_one() { # key impl env... -- cmd...
    local key=$1 impl=$2; shift 2
    local envs=()
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    local line rc
    line=$(env "${envs[@]}" timeout "$PER_RUN_TIMEOUT" "$@" 2>>"$LOG")
    rc=$?
    echo "[$key $impl rc=$rc] $line" >>"$LOG"
    if [ $rc -eq 0 ] && [ -n "$line" ]; then
        echo "$key $impl $line" >>"$RESULTS"
    else
        echo "$key $impl FAIL rc=$rc" >>"$RESULTS"
    fi
}
both() { # key env... -- args...   (A, then B when ours is there)
    local key=$1; shift
    local envs=()
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    run_one "$key" A "${envs[@]}" -- "$OUT/bev_echo_lib" -l libevent "$@"
    [ $OURS = 1 ] && run_one "$key" B "${envs[@]}" -- "$OUT/bev_echo_ours" -l ours "$@"
}

if [ "$QUICK" = 1 ]; then S=8; else S=1; fi
# "mode transport N work": work is round trips (rt) or MiB (tput).  Picked so
# one run takes roughly 0.2-1.3 s on libevent on the reference machine.
CONFIGS=(
    "rt sp 1 $((30000 / S))"      "rt sp 100 $((30000 / S))"      "rt sp 5000 $((40000 / S))"
    "rt tcp 1 $((20000 / S))"     "rt tcp 100 $((20000 / S))"     "rt tcp 5000 $((40000 / S))"
    "rt pair 1 $((400000 / S))"   "rt pair 100 $((400000 / S))"
    "tput sp 1 $((64 / S))"       "tput sp 100 $((64 / S))"       "tput sp 5000 $((64 / S))"
    "tput tcp 1 $((64 / S))"      "tput tcp 100 $((64 / S))"      "tput tcp 5000 $((64 / S))"
    "tput pair 1 $((1024 / S))"   "tput pair 100 $((1024 / S))"
)
say "== bufferevent echo: $REPS interleaved repetitions of ${#CONFIGS[@]} configurations + idle memory"
for rep in $(seq 1 "$REPS"); do
    say "   rep $rep/$REPS"
    for c in "${CONFIGS[@]}"; do
        set -- $c
        if [ "$1" = rt ]; then w="-r $4"; else w="-b $4"; fi
        # shellcheck disable=SC2086
        both "bev/$1/$2/$3" -- -m "$1" -t "$2" -n "$3" $w
    done
    both "bev-idle/sp/10000" -- -m idle -n 10000
done

# Steady-state allocations (one run each, after warm-up) and allocations per
# idle bufferevent.
say "== bufferevent echo: allocations (malloc_count.so preloaded)"
for c in "rt sp 100 $((20000 / S))" "rt pair 1 $((100000 / S))" "tput sp 1 $((16 / S))" "tput pair 1 $((256 / S))"; do
    set -- $c
    if [ "$1" = rt ]; then w="-r $4"; else w="-b $4"; fi
    # shellcheck disable=SC2086
    both "bev-alloc/$1/$2/$3" LD_PRELOAD="$OUT/malloc_count.so" -- -m "$1" -t "$2" -n "$3" -q $w
done
both "bev-idle-alloc/sp/10000" LD_PRELOAD="$OUT/malloc_count.so" -- -m idle -n 10000

# ---------------------------------------------------------------- callgrind
CG=0
if [ "${SKIP_CALLGRIND:-0}" != 1 ] && command -v valgrind >/dev/null 2>&1; then
    CG=1
    say "== bufferevent echo: callgrind (user-space instructions, measured phase only)"
    cg_one() { # key impl cmd...
        local key=$1 impl=$2; shift 2
        local f="$OUT/cg.$(echo "$key.$impl" | tr '/' '_').out" line rc ir
        rm -f "$f"
        line=$(timeout 300 valgrind --tool=callgrind --toggle-collect=bench_measured_phase \
            --callgrind-out-file="$f" "$@" 2>>"$LOG")
        rc=$?
        ir=$(awk '/^(summary|totals):/{print $2; exit}' "$f" 2>/dev/null)
        if [ $rc -ne 0 ] || [ -z "$ir" ]; then
            echo "$key $impl FAIL rc=$rc" >>"$RESULTS"
        else
            echo "$key $impl $line ir=$ir" >>"$RESULTS"
        fi
    }
    for c in "rt sp 1 3000" "rt tcp 1 3000" "rt tcp 100 5000" "rt pair 1 20000" \
             "tput sp 1 4" "tput tcp 1 4" "tput pair 1 64"; do
        set -- $c
        if [ "$1" = rt ]; then w="-r $((${4} / S))"; else w="-b $4"; fi
        # shellcheck disable=SC2086
        cg_one "bev-cg/$1/$2/$3" A "$OUT/bev_echo_lib" -l libevent -m "$1" -t "$2" -n "$3" -q $w
        # shellcheck disable=SC2086
        [ $OURS = 1 ] && cg_one "bev-cg/$1/$2/$3" B "$OUT/bev_echo_ours" -l ours -m "$1" -t "$2" -n "$3" -q $w
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
{
    key = $1; impl = $2
    if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
    if ($3 == "FAIL") { fails[key SUBSEP impl] = $4; next }
    if (field("method") != "epoll") badmethod[key SUBSEP impl] = field("method")
    split(key, k, "/")
    if (k[1] == "bev") {
        if (k[2] == "rt") {
            add(key, impl, "rps", field("rt_per_s")); add(key, impl, "cpu", field("cpu_us_per_rt"))
            add(key, impl, "p50", field("lat_us_p50")); add(key, impl, "p99", field("lat_us_p99"))
        } else {
            add(key, impl, "mbs", field("mb_per_s")); add(key, impl, "cpu", field("cpu_ns_per_byte"))
        }
    } else if (k[1] == "bev-idle" || k[1] == "bev-idle-alloc") {
        add(key, impl, "heap", field("heap_per_bev")); add(key, impl, "rss", field("rss_per_bev"))
        add(key, impl, "left", field("heap_left_after_free") / 10000); add(key, impl, "allocs", field("allocs_per_bev"))
    } else if (k[1] == "bev-alloc") {
        add(key, impl, "allocs", field("allocs_per_unit"))
    } else if (k[1] == "bev-cg") {
        n = (k[2] == "rt") ? field("rts") : field("bytes")
        if (n > 0) add(key, impl, "ir", field("ir") / n)
    }
}
END {
    if (ENVIRON["OURS"] != 1) print "bufferevent echo: ours unavailable (no bufferevent in our library yet); libevent rows only\n"
    printf "bufferevent echo, round trips of 64-byte messages: median of %s run(s); rt/s by wall clock, CPU us per round trip, latency in us (send to full echo)\n", ENVIRON["REPS"]
    printf "%-5s %5s %10s %10s %8s %8s %8s %9s %9s %9s %9s\n", "trans", "N", "lib rt/s", "ours rt/s", "lib cpu", "ours cpu", "ours/lib", "lib p50", "lib p99", "ours p50", "ours p99"
    for (i = 1; i <= nk; i++) {
        split(order[i], k, "/"); if (k[1] != "bev" || k[2] != "rt") continue
        key = order[i]
        printf "%-5s %5s %10s %10s %8s %8s %8s %9s %9s %9s %9s\n", k[3], k[4], cell(key, "A", "rps", "%.0f"), cell(key, "B", "rps", "%.0f"),
            cell(key, "A", "cpu", "%.3f"), cell(key, "B", "cpu", "%.3f"), ratio(key, "cpu"),
            cell(key, "A", "p50", "%.1f"), cell(key, "A", "p99", "%.1f"), cell(key, "B", "p50", "%.1f"), cell(key, "B", "p99", "%.1f")
    }
    printf "\nbufferevent echo, streaming (16 KiB writes, 64 KiB in flight per connection): MB/s echoed by wall clock, CPU ns per echoed byte\n"
    printf "%-5s %5s %10s %10s %10s %10s %8s\n", "trans", "N", "lib MB/s", "ours MB/s", "lib ns/B", "ours ns/B", "ours/lib"
    for (i = 1; i <= nk; i++) {
        split(order[i], k, "/"); if (k[1] != "bev" || k[2] != "tput") continue
        key = order[i]
        printf "%-5s %5s %10s %10s %10s %10s %8s\n", k[3], k[4], cell(key, "A", "mbs", "%.1f"), cell(key, "B", "mbs", "%.1f"),
            cell(key, "A", "cpu", "%.3f"), cell(key, "B", "cpu", "%.3f"), ratio(key, "cpu")
    }
    key = "bev-idle/sp/10000"; ka = "bev-idle-alloc/sp/10000"
    printf "\nmemory per idle socket bufferevent (10000 of them on 5000 socketpairs, EV_READ enabled)\n"
    printf "%-28s %9s %9s %8s\n", "", "libevent", "ours", "ours/lib"
    printf "%-28s %9s %9s %8s\n", "heap bytes (mallinfo2)", cell(key, "A", "heap", "%.0f"), cell(key, "B", "heap", "%.0f"), ratio(key, "heap")
    printf "%-28s %9s %9s %8s\n", "RSS bytes", cell(key, "A", "rss", "%.0f"), cell(key, "B", "rss", "%.0f"), ratio(key, "rss")
    printf "%-28s %9s %9s %8s\n", "allocations", cell(ka, "A", "allocs", "%.2f"), cell(ka, "B", "allocs", "%.2f"), ratio(ka, "allocs")
    printf "%-28s %9s %9s\n", "heap bytes kept after free", cell(key, "A", "left", "%.1f"), cell(key, "B", "left", "%.1f")
    printf "\nallocations per round trip / per echoed byte in steady state (malloc_count.so, after warm-up)\n"
    printf "%-5s %-5s %5s %9s %9s\n", "mode", "trans", "N", "libevent", "ours"
    for (i = 1; i <= nk; i++) {
        split(order[i], k, "/"); if (k[1] != "bev-alloc") continue
        printf "%-5s %-5s %5s %9s %9s\n", k[2], k[3], k[4], cell(order[i], "A", "allocs", "%.4f"), cell(order[i], "B", "allocs", "%.4f")
    }
    if (ENVIRON["CG"] == 1) {
        printf "\ncallgrind: user-space instructions per round trip (rt) and per echoed byte (tput), measured phase only\n"
        printf "%-5s %-5s %5s %9s %9s %8s\n", "mode", "trans", "N", "libevent", "ours", "ours/lib"
        for (i = 1; i <= nk; i++) {
            split(order[i], k, "/"); if (k[1] != "bev-cg") continue
            f = (k[2] == "rt") ? "%.0f" : "%.2f"
            printf "%-5s %-5s %5s %9s %9s %8s\n", k[2], k[3], k[4], cell(order[i], "A", "ir", f), cell(order[i], "B", "ir", f), ratio(order[i], "ir")
        }
    }
    n = 0
    for (x in fails) n++
    for (x in badmethod) n++
    if (n) {
        print "\nanomalies:"
        for (x in fails) { split(x, y, SUBSEP); print "  " y[1] " " (y[2] == "B" ? "ours" : "libevent") ": run failed (" fails[x] "), see bench/out/bev_log.txt" }
        for (x in badmethod) { split(x, y, SUBSEP); print "  " y[1] " " (y[2] == "B" ? "ours" : "libevent") ": ran on backend \"" badmethod[x] "\"" }
    }
}' "$RESULTS" | tee "$SUMMARY"
