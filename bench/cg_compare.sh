#!/usr/bin/env bash
# bench/cg_compare.sh -- two builds of our library side by side on the
# callgrind rows of `make bench` (dispatch and bufferevent echo, single
# threaded), with libevent 2.1.12 as the reference.  For checking that a
# change costs nothing, e.g. the per-base locking for programs that never
# call evthread_use_pthreads:
#
#   git worktree add /work/wt-before <commit> && make -C /work/wt-before lib
#   bash bench/cg_compare.sh /work/wt-before/build/lib build/lib
#
# THREADS=1 adds the threaded rows (dispatch -T, bench/thread_active.c, bev
# echo -T).  The benchmarks are built from this tree's bench/ and include/
# (OURS_INCDIR), once per library directory, with an rpath to it.
# Output: the table on stdout; profiles in bench/out/cmp.*.out.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/out
mkdir -p "$OUT"
[ $# -eq 2 ] || { echo "usage: bench/cg_compare.sh LIBDIR_1 LIBDIR_2" >&2; exit 2; }
D1=$(cd "$1" && pwd) && D2=$(cd "$2" && pwd) || exit 2
OURS_INCDIR=${OURS_INCDIR:-$ROOT/include}
CC=${CC:-cc}
CFLAGS_BENCH="-O2 -g -Wall -Wextra"
LOG=$OUT/cmp_log.txt
: > "$LOG"
LIBEVENT_FLAGS=$(pkg-config --cflags --libs libevent libevent_pthreads 2>/dev/null || echo -levent_pthreads -levent)

for p in dispatch bev_echo thread_active; do
    # shellcheck disable=SC2086
    $CC $CFLAGS_BENCH -o "$OUT/cmp_${p}_A" "$ROOT/bench/$p.c" $LIBEVENT_FLAGS -lpthread >>"$LOG" 2>&1 || { echo "cannot build $p (libevent)"; exit 1; }
    i=1
    for d in "$D1" "$D2"; do
        $CC $CFLAGS_BENCH -o "$OUT/cmp_${p}_$i" "$ROOT/bench/$p.c" "-I$OURS_INCDIR" "-L$d" -levent_pthreads -levent \
            -lpthread "-Wl,-rpath,$d" >>"$LOG" 2>&1 || { echo "cannot build $p against $d (see $LOG)"; exit 1; }
        i=2
    done
done

# cg PROG UNIT-FIELD ARGS... -> "A 1 2" instructions per unit
cg() {
    local prog=$1 unit=$2; shift 2
    local impl f line n ir res="" tag
    tag=$(echo "${EVENT_NOEPOLL:+poll}${EVENT_NOPOLL:+select} $*" | tr -c 'a-zA-Z0-9\n' _)
    for impl in A 1 2; do
        f="$OUT/cmp.$prog.$impl.$tag.out"
        rm -f "$f"
        line=$(timeout 600 valgrind --tool=callgrind --toggle-collect='bench_*phase*' --callgrind-out-file="$f" \
            "$OUT/cmp_${prog}_$impl" "$@" 2>>"$LOG")
        ir=$(awk '/^(summary|totals):/{print $2; exit}' "$f" 2>/dev/null)
        n=$(echo "$line" | tr ' ' '\n' | sed -n "s/^$unit=//p")
        if [ -z "$ir" ] || [ -z "$n" ]; then res="$res FAIL"; else res="$res $(awk -v a="$ir" -v b="$n" 'BEGIN{printf "%.2f", a/b}')"; fi
    done
    echo "$res"
}
row() { # label prog unit args...
    local label=$1; shift
    set -- $(cg "$@")
    awk -v l="$label" -v a="$1" -v x="$2" -v y="$3" 'BEGIN {
        r = (x + 0 > 0 && y != "FAIL") ? sprintf("%.4fx", y / x) : "-"
        printf "%-30s %10s %10s %10s %9s\n", l, a, x, y, r }'
}

printf "callgrind: user-space instructions per event / round trip / echoed byte, measured phase only\n"
printf "1 = %s\n2 = %s\n" "$D1" "$D2"
printf "%-30s %10s %10s %10s %9s\n" "row" "libevent" "1" "2" "2/1"
W=20000
for n in 100 1000 9000; do
    for v in plain timeout oneshot; do
        row "dispatch epoll $v N=$n" dispatch events -v "$v" -n "$n" -w $W
    done
done
EVENT_NOEPOLL=1 row "dispatch poll plain N=1000" dispatch events -v plain -n 1000 -w $W
EVENT_NOEPOLL=1 row "dispatch poll timeout N=1000" dispatch events -v timeout -n 1000 -w $W
EVENT_NOEPOLL=1 EVENT_NOPOLL=1 row "dispatch select plain N=100" dispatch events -v plain -n 100 -w $W
for c in "rt sp 1 3000" "rt tcp 1 3000" "rt tcp 100 5000" "rt pair 1 20000"; do
    set -- $c
    row "bev rt $2 N=$3" bev_echo rts -m rt -t "$2" -n "$3" -q -r "$4"
done
for c in "sp 4" "tcp 4" "pair 64"; do
    set -- $c
    row "bev tput $1 N=1 (per byte)" bev_echo bytes -m tput -t "$1" -n 1 -q -b "$2"
done
if [ "${THREADS:-0}" = 1 ]; then
    for v in plain timeout oneshot; do
        row "dispatch -T epoll $v N=1000" dispatch events -T -v "$v" -n 1000 -w $W
    done
    row "active b=100" thread_active events -b 100 -e 20000
    row "active b=1" thread_active events -b 1 -e 2000
    for c in "sp 3000" "tcp 3000" "pair 20000"; do
        set -- $c
        row "bev -T rt $1 N=1" bev_echo rts -T -m rt -t "$1" -n 1 -q -r "$2"
    done
fi
