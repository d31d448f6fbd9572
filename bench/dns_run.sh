#!/usr/bin/env bash
# bench/dns_run.sh: evdns look-ups per second against a local responder,
# libevent 2.1.12 ("libevent") and ours ("ours") interleaved, REPS times
# (median), then each under callgrind for user-space instructions per
# lookup (the responder is a separate process, not measured).
#   N=20000 K=16 REPS=5 bash bench/dns_run.sh
set -u
cd "$(dirname "$0")/.."
OUT=bench/out; mkdir -p "$OUT"
N=${N:-20000}; K=${K:-16}; REPS=${REPS:-5}; CGN=${CGN:-5000}
cc -O2 -o "$OUT/dns_responder" bench/dns_responder.c || exit 1
cc -O2 -o "$OUT/dns_lookup_lib" bench/dns_lookup.c $(pkg-config --cflags --libs libevent) || exit 1
cc -O2 -Iinclude -o "$OUT/dns_lookup_ours" bench/dns_lookup.c -Lbuild/lib -levent -Wl,-rpath,"$PWD/build/lib" || exit 1
"$OUT/dns_responder" 0 >"$OUT/dns_responder.port" &
RPID=$!
trap 'kill $RPID 2>/dev/null' EXIT
for i in $(seq 50); do [ -s "$OUT/dns_responder.port" ] && break; sleep 0.1; done
PORT=$(cat "$OUT/dns_responder.port")
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: >"$OUT/dns_results.txt"
for r in $(seq "$REPS"); do
  for v in lib ours; do
    "$OUT/dns_lookup_$v" -n "$N" -k "$K" -p "$PORT" | sed "s/^/$v /" >>"$OUT/dns_results.txt"
  done
done
for v in lib ours; do
  rate=$(grep "^$v " "$OUT/dns_results.txt" | sed 's/.*per_second=//' | median)
  printf '%-9s %8s lookups/s (median of %s, %s lookups, %s in flight)\n' "$v" "$rate" "$REPS" "$N" "$K"
done
for v in lib ours; do
  valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.dns_$v.out" "$OUT/dns_lookup_$v" -n "$CGN" -k "$K" -p "$PORT" >/dev/null 2>"$OUT/cg.dns_$v.log"
  ir=$(grep -m1 '^summary:' "$OUT/cg.dns_$v.out" | awk '{print $2}')
  printf '%-9s %8d instructions per lookup (callgrind, %s lookups, setup included)\n' "$v" $((ir / CGN)) "$CGN"
done
