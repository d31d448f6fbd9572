#!/usr/bin/env bash
# bench/run.sh -- build and run the swift-libevent benchmarks (`make bench`).
#
#   A    = the benchmark built against the system libevent 2.1.12
#   B    = the same source built against ours (-I include -L build/lib, rpath)
#   raw  = the dispatch workload straight on epoll (the floor)
#
# Environment knobs:
#   REPS=5            interleaved repetitions (A, B, raw, A, B, raw, ...)
#   QUICK=1           smoke test: 1 rep, short runs, small timer counts
#   SKIP_LIB=1        do not try `make lib` first (use build/lib as it is)
#   SKIP_CALLGRIND=1  skip the instruction counts
#   SKIP_TIMERS=1     skip the timer benchmark
#   SKIP_BUFFER=1     skip the evbuffer benchmark
#   SKIP_BEV=1        skip the bufferevent echo benchmark (bench/bev_run.sh,
#                     which also takes BEV_REPS=3; its tables come after these)
#   SKIP_THREADS=1    skip the threaded benchmarks (bench/thread_run.sh, which
#                     also takes THR_REPS=3; its tables come last)
#   PER_RUN_TIMEOUT=60  seconds before one benchmark process is killed
#   OURS_LIBDIR, OURS_INCDIR  where "ours" comes from (default build/lib, include)
#
# Raw per-run lines go to bench/out/results.txt, the tables to stdout and to
# bench/out/summary.txt.  See bench/README.md for how to read them.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/out
mkdir -p "$OUT"

REPS=${REPS:-5}
QUICK=${QUICK:-0}
PER_RUN_TIMEOUT=${PER_RUN_TIMEOUT:-60}
CC=${CC:-cc}
CFLAGS_BENCH="-O2 -g -Wall -Wextra"
[ "$QUICK" = 1 ] && REPS=1

RESULTS=$OUT/results.txt      # one line per run: "<key> <impl> <metric>=<value>..."
SUMMARY=$OUT/summary.txt
LOG=$OUT/log.txt
: > "$RESULTS"
: > "$LOG"

say() { echo "$@" >&2; }

# ---------------------------------------------------------------- build
say "== building benchmarks"
if [ "${SKIP_LIB:-0}" != 1 ]; then
    if make -s lib >"$OUT/lib-build.log" 2>&1; then
        say "   make lib: ok"
    else
        say "   make lib: failed (see bench/out/lib-build.log); using build/lib as it is"
    fi
fi

# libevent_pthreads too: dispatch -T calls evthread_use_pthreads.
LIBEVENT_FLAGS=$(pkg-config --cflags --libs libevent libevent_pthreads 2>/dev/null || echo -levent_pthreads -levent)
OURS_LIBDIR=${OURS_LIBDIR:-$ROOT/build/lib}
OURS_INCDIR=${OURS_INCDIR:-$ROOT/include}
OURS_FLAGS="-I$OURS_INCDIR -L$OURS_LIBDIR -levent_pthreads -levent -lpthread -Wl,-rpath,$OURS_LIBDIR"

build() { # out src flags...
    local out=$1 src=$2; shift 2
    $CC $CFLAGS_BENCH -o "$OUT/$out" "$ROOT/bench/$src" "$@" >>"$OUT/build.log" 2>&1
}
: > "$OUT/build.log"
build malloc_count.so malloc_count.c -shared -fPIC || { say "cannot build malloc_count.so"; exit 1; }
build dispatch_raw_epoll dispatch_raw_epoll.c || { say "cannot build dispatch_raw_epoll"; exit 1; }
build dispatch_lib dispatch.c $LIBEVENT_FLAGS || { say "cannot build dispatch against libevent"; exit 1; }
build timers_lib timers.c $LIBEVENT_FLAGS || { say "cannot build timers against libevent"; exit 1; }
build buffer_lib buffer.c $LIBEVENT_FLAGS || { say "cannot build buffer against libevent"; exit 1; }

OURS=1
rm -f "$OUT/dispatch_ours" "$OUT/timers_ours" "$OUT/buffer_ours"
if ! build dispatch_ours dispatch.c $OURS_FLAGS || ! build timers_ours timers.c $OURS_FLAGS ||
   ! build buffer_ours buffer.c $OURS_FLAGS; then
    OURS=0
    say "   ours: unavailable (does not link; see bench/out/build.log)"
else
    # It links; does it run, and on our library?
    probe=$(timeout 20 "$OUT/dispatch_ours" -l ours -n 10 -a 10 -w 100 2>>"$OUT/build.log")
    case "$probe" in
        *"lib=$OURS_LIBDIR/"*) say "   ours: ok ($(echo "$probe" | sed 's/.*lib=//'))" ;;
        *) OURS=0; say "   ours: unavailable (does not run on $OURS_LIBDIR: ${probe:-crashed}; see bench/out/build.log)"
           echo "probe output: $probe" >>"$OUT/build.log" ;;
    esac
fi

# ---------------------------------------------------------------- runners
# run_one KEY IMPL ENV... -- CMD...   : run once, append its line (or a failure) to RESULTS
run_one() {
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

backend_env() { # backend -> env assignments
    case $1 in
        epoll)  echo "BENCH_BACKEND=epoll" ;;
        poll)   echo "EVENT_NOEPOLL=1" ;;
        select) echo "EVENT_NOEPOLL=1 EVENT_NOPOLL=1" ;;
    esac
}

# Dispatch matrix: "backend variant N W who"  (who: both | ours)
# W is picked so one run takes roughly 0.2-1 s on libevent.
if [ "$QUICK" = 1 ]; then S=10; else S=1; fi
CONFIGS=()
for n in 100 1000 9000; do
    for v in plain timeout; do CONFIGS+=("epoll $v $n $((200000 / S)) both"); done
    CONFIGS+=("epoll oneshot $n $((100000 / S)) both")
done
CONFIGS+=("poll plain 100 $((200000 / S)) both" "poll timeout 100 $((200000 / S)) both")
CONFIGS+=("poll plain 1000 $((200000 / S)) both" "poll timeout 1000 $((200000 / S)) both")
CONFIGS+=("poll plain 9000 $((50000 / S)) both" "poll timeout 9000 $((50000 / S)) both")
# libevent's select aborts on fds >= 1024: N=100 only there.  Ours should
# not have that limit, so it also runs larger N (ours only).
CONFIGS+=("select plain 100 $((200000 / S)) both" "select timeout 100 $((200000 / S)) both")
CONFIGS+=("select plain 1000 $((200000 / S)) ours" "select plain 9000 $((50000 / S)) ours")

RAW_W=$((200000 / S))

say "== dispatch: $REPS interleaved repetitions of ${#CONFIGS[@]} configurations"
for rep in $(seq 1 "$REPS"); do
    say "   rep $rep/$REPS"
    for c in "${CONFIGS[@]}"; do
        set -- $c
        be=$1 v=$2 n=$3 w=$4 who=$5
        key="dispatch/$be/$v/$n"
        # shellcheck disable=SC2046
        if [ "$who" = both ]; then
            run_one "$key" A $(backend_env "$be") -- "$OUT/dispatch_lib" -l libevent -n "$n" -w "$w" -v "$v"
        fi
        if [ $OURS = 1 ]; then
            run_one "$key" B $(backend_env "$be") -- "$OUT/dispatch_ours" -l ours -n "$n" -w "$w" -v "$v"
        elif [ "$who" = ours ] && [ "$rep" = 1 ]; then
            echo "$key B SKIP" >>"$RESULTS"     # keeps the row in the table
        fi
        if [ "$be" = epoll ] && [ "$v" = plain ]; then
            run_one "$key" raw BENCH_BACKEND=raw -- "$OUT/dispatch_raw_epoll" -n "$n" -w "$RAW_W"
        fi
    done
done

# ---------------------------------------------------------------- timers
if [ "${SKIP_TIMERS:-0}" != 1 ]; then
    if [ "$QUICK" = 1 ]; then TN=100000; else TN=1000000; fi
    say "== timers: $REPS interleaved repetitions, n=$TN"
    for rep in $(seq 1 "$REPS"); do
        for m in random common; do
            run_one "timers/$m" A BENCH=1 -- "$OUT/timers_lib" -l libevent -n "$TN" -m "$m"
            [ $OURS = 1 ] && run_one "timers/$m" B BENCH=1 -- "$OUT/timers_ours" -l ours -n "$TN" -m "$m"
        done
    done
fi

# ---------------------------------------------------------------- evbuffer
# "test ops" pairs; ops picked so one libevent run takes roughly 0.2-0.5 s.
BUF_TESTS=("small 10000000" "small0 5000000" "large 200000" "readln 3000000" "search 3000"
           "addbuf 10000000" "sockpair 8000" "sockpair64 8000" "printf 3000000")
if [ "${SKIP_BUFFER:-0}" != 1 ]; then
    say "== evbuffer: $REPS interleaved repetitions of ${#BUF_TESTS[@]} workloads"
    for rep in $(seq 1 "$REPS"); do
        for c in "${BUF_TESTS[@]}"; do
            set -- $c
            n=$(( $2 / S )); [ "$QUICK" = 1 ] && n=$(( n / 10 + 1 ))
            run_one "buf/$1" A -- "$OUT/buffer_lib" -l libevent -t "$1" -n "$n"
            [ $OURS = 1 ] && run_one "buf/$1" B -- "$OUT/buffer_ours" -l ours -t "$1" -n "$n"
        done
    done
fi

# ---------------------------------------------------------------- allocations
# Steady state: allocations during the measured phase (after warm-up).
say "== allocations per dispatched event (malloc_count.so preloaded)"
ALLOC_CONFIGS=("epoll plain 1000" "epoll timeout 1000" "epoll oneshot 1000" "poll plain 1000" "select plain 100")
AW=$((20000 / S))
for c in "${ALLOC_CONFIGS[@]}"; do
    set -- $c
    be=$1 v=$2 n=$3
    key="alloc/$be/$v/$n"
    # shellcheck disable=SC2046
    run_one "$key" A LD_PRELOAD="$OUT/malloc_count.so" $(backend_env "$be") -- "$OUT/dispatch_lib" -l libevent -n "$n" -w "$AW" -v "$v"
    [ $OURS = 1 ] && run_one "$key" B LD_PRELOAD="$OUT/malloc_count.so" $(backend_env "$be") -- "$OUT/dispatch_ours" -l ours -n "$n" -w "$AW" -v "$v"
    if [ "$be" = epoll ] && [ "$v" = plain ]; then
        run_one "$key" raw LD_PRELOAD="$OUT/malloc_count.so" -- "$OUT/dispatch_raw_epoll" -n "$n" -w "$AW"
    fi
done
if [ "${SKIP_TIMERS:-0}" != 1 ]; then
    for m in random common; do
        run_one "alloc-timers/$m" A LD_PRELOAD="$OUT/malloc_count.so" -- "$OUT/timers_lib" -l libevent -n 100000 -m "$m"
        [ $OURS = 1 ] && run_one "alloc-timers/$m" B LD_PRELOAD="$OUT/malloc_count.so" -- "$OUT/timers_ours" -l ours -n 100000 -m "$m"
    done
fi
if [ "${SKIP_BUFFER:-0}" != 1 ]; then
    for c in "${BUF_TESTS[@]}"; do
        set -- $c
        n=$(( $2 / 20 + 1 ))
        run_one "alloc-buf/$1" A LD_PRELOAD="$OUT/malloc_count.so" -- "$OUT/buffer_lib" -l libevent -t "$1" -n "$n"
        [ $OURS = 1 ] && run_one "alloc-buf/$1" B LD_PRELOAD="$OUT/malloc_count.so" -- "$OUT/buffer_ours" -l ours -t "$1" -n "$n"
    done
fi

# ---------------------------------------------------------------- callgrind
# One run each; only the measured function is collected (--toggle-collect),
# so setup and warm-up are left out.  Instructions are user-space only.
CG=0
if [ "${SKIP_CALLGRIND:-0}" != 1 ] && command -v valgrind >/dev/null 2>&1; then
    CG=1
    say "== callgrind: user-space instructions per event"
    CGW=$((20000 / S))
    CG_CONFIGS=()
    for n in 100 1000 9000; do
        for v in plain timeout oneshot; do CG_CONFIGS+=("epoll $v $n"); done
    done
    CG_CONFIGS+=("poll plain 1000" "poll timeout 1000" "select plain 100")
    cg_one() { # key impl envs... -- cmd...
        local key=$1 impl=$2; shift 2
        local envs=()
        while [ "$1" != -- ]; do envs+=("$1"); shift; done
        shift
        local f="$OUT/cg.$(echo "$key.$impl" | tr '/' '_').out" line rc ir
        rm -f "$f"
        line=$(env "${envs[@]}" timeout 300 valgrind --tool=callgrind --toggle-collect='bench_*phase*' \
            --callgrind-out-file="$f" "$@" 2>>"$LOG")
        rc=$?
        if [ $rc -ne 0 ] || [ ! -s "$f" ]; then
            echo "$key $impl FAIL rc=$rc" >>"$RESULTS"
            return
        fi
        case $key in
            cg-timers/*)
                # inclusive cost of each phase function
                local ann
                ann=$(callgrind_annotate --inclusive=yes "$f" 2>/dev/null)
                local a d fi
                a=$(echo "$ann" | awk '/:bench_phase_add /{gsub(",","",$1); print $1; exit}')
                d=$(echo "$ann" | awk '/:bench_phase_del /{gsub(",","",$1); print $1; exit}')
                fi=$(echo "$ann" | awk '/:bench_phase_fire /{gsub(",","",$1); print $1; exit}')
                echo "$key $impl $line ir_add=${a:-0} ir_del=${d:-0} ir_fire=${fi:-0}" >>"$RESULTS" ;;
            *)
                ir=$(awk '/^(summary|totals):/{print $2; exit}' "$f")
                echo "$key $impl $line ir=${ir:-0}" >>"$RESULTS" ;;
        esac
    }
    for c in "${CG_CONFIGS[@]}"; do
        set -- $c
        be=$1 v=$2 n=$3
        key="cg/$be/$v/$n"
        # shellcheck disable=SC2046
        cg_one "$key" A $(backend_env "$be") -- "$OUT/dispatch_lib" -l libevent -n "$n" -w "$CGW" -v "$v"
        [ $OURS = 1 ] && cg_one "$key" B $(backend_env "$be") -- "$OUT/dispatch_ours" -l ours -n "$n" -w "$CGW" -v "$v"
        if [ "$be" = epoll ] && [ "$v" = plain ]; then
            cg_one "$key" raw BENCH_BACKEND=raw -- "$OUT/dispatch_raw_epoll" -n "$n" -w "$CGW"
        fi
    done
    if [ "${SKIP_TIMERS:-0}" != 1 ]; then
        for m in random common; do
            cg_one "cg-timers/$m" A BENCH=1 -- "$OUT/timers_lib" -l libevent -n 100000 -m "$m"
            [ $OURS = 1 ] && cg_one "cg-timers/$m" B BENCH=1 -- "$OUT/timers_ours" -l ours -n 100000 -m "$m"
        done
    fi
    if [ "${SKIP_BUFFER:-0}" != 1 ]; then
        # about a hundredth of the timed work (same per-op cost)
        for c in "${BUF_TESTS[@]}"; do
            set -- $c
            n=$(( $2 / 100 + 1 ))
            cg_one "cg-buf/$1" A -- "$OUT/buffer_lib" -l libevent -t "$1" -n "$n"
            [ $OURS = 1 ] && cg_one "cg-buf/$1" B -- "$OUT/buffer_ours" -l ours -t "$1" -n "$n"
        done
    fi
fi

# ---------------------------------------------------------------- report
OURS=$OURS CG=$CG REPS=$REPS awk -f "$ROOT/bench/report.awk" "$RESULTS" | tee "$SUMMARY"

# ---------------------------------------------------------------- bufferevent echo
# Its own script, results file and tables (bench/out/bev_*); appended to the
# summary.  "ours" there needs bufferevent in build/lib, which the rest does not.
if [ "${SKIP_BEV:-0}" != 1 ]; then
    echo | tee -a "$SUMMARY"
    OURS_LIBDIR=$OURS_LIBDIR OURS_INCDIR=$OURS_INCDIR QUICK=$QUICK PER_RUN_TIMEOUT=$PER_RUN_TIMEOUT \
        CC=$CC bash "$ROOT/bench/bev_run.sh" | tee -a "$SUMMARY"
fi

# ---------------------------------------------------------------- threads
# Locking on (evthread_use_pthreads), and a base fed from another thread.
if [ "${SKIP_THREADS:-0}" != 1 ]; then
    echo | tee -a "$SUMMARY"
    OURS_LIBDIR=$OURS_LIBDIR OURS_INCDIR=$OURS_INCDIR QUICK=$QUICK PER_RUN_TIMEOUT=$PER_RUN_TIMEOUT \
        CC=$CC bash "$ROOT/bench/thread_run.sh" | tee -a "$SUMMARY"
fi

# ---------------------------------------------------------------- evdns
# Lookups per second and instructions per lookup (bench/dns_run.sh).
if [ "${SKIP_DNS:-0}" != 1 ]; then
    echo | tee -a "$SUMMARY"
    echo "evdns lookups (bench/dns_run.sh)" | tee -a "$SUMMARY"
    bash "$ROOT/bench/dns_run.sh" | tee -a "$SUMMARY"
fi
