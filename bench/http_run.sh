#!/bin/bash
# evhttp server throughput: wrk on 127.0.0.1 against bench/http_server.c built
# against libevent 2.1.12 (A) and ours (B), alternating A/B per row, REPS runs
# each (median). Rows: keep-alive and Connection: close, 1 and 100
# connections, a 13-byte and a 64 KiB reply. Prints requests/s and the
# server's CPU microseconds per request; then callgrind instructions per
# request on the keep-alive, 1 connection, small row (CG_ONLY=1: that alone).
# Results in bench/out/http_*.
set -u
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "http bench: wrk not installed (apt-get install wrk)"; exit 1; }
out=bench/out; mkdir -p $out
REPS=${REPS:-3}; DUR=${DUR:-4}
gcc -O2 -o $out/http_server_lib bench/http_server.c $(pkg-config --cflags --libs libevent) || exit 1
gcc -O2 -Iinclude -o $out/http_server_ours bench/http_server.c -Lbuild/lib -levent -Wl,-rpath,$PWD/build/lib || exit 1
res=$out/http_results.txt; : > $res
run_one() { # impl conns close path
  local bin=$out/http_server_$1 port pid line rps srv
  coproc SRV { exec "$bin"; }
  pid=$SRV_PID
  read -r line <&"${SRV[0]}"; port=${line#port=}
  local hdr=(); [ "$3" = close ] && hdr=(-H "Connection: close")
  rps=$(wrk -t1 -c"$2" -d"${DUR}s" "${hdr[@]}" "http://127.0.0.1:$port$4" 2>&1 | awk '/Requests\/sec/ {print $2}')
  kill -TERM "$pid"; read -r srv <&"${SRV[0]}"; wait "$pid" 2>/dev/null
  # served=N user=U sys=S
  echo "impl=$1 conns=$2 mode=$3 path=$4 rps=${rps:-0} $srv" >> $res
}
[ -n "${CG_ONLY:-}" ] || for path in ${PATHS:-/small /64k}; do for mode in ${MODES:-keepalive close}; do for c in ${CONNS:-1 100}; do
  for r in $(seq "$REPS"); do run_one lib $c $mode $path; run_one ours $c $mode $path; done
done; done; done
[ -n "${CG_ONLY:-}" ] || { echo "evhttp server (wrk, ${DUR}s per run, median of $REPS)"
printf "%-7s %-9s %5s | %12s %12s %6s | %10s %10s\n" path mode conns "libevent r/s" "ours r/s" ratio "lib us/req" "ours us/req"
awk '
function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } return a[int((n + 1) / 2)] }
{ for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
  k = f["path"] " " f["mode"] " " f["conns"]; if (!(k in seen)) { seen[k] = 1; order[++no] = k }
  n[k, f["impl"]]++; r[k, f["impl"], n[k, f["impl"]]] = f["rps"]
  cpu[k, f["impl"], n[k, f["impl"]]] = (f["served"] > 0) ? (f["user"] + f["sys"]) * 1e6 / f["served"] : 0 }
END { for (o = 1; o <= no; o++) { k = order[o]
    for (m = 1; m <= n[k, "lib"]; m++) { a[m] = r[k, "lib", m]; ca[m] = cpu[k, "lib", m] }
    for (m = 1; m <= n[k, "ours"]; m++) { b[m] = r[k, "ours", m]; cb[m] = cpu[k, "ours", m] }
    ra = med(a, n[k, "lib"]); rb = med(b, n[k, "ours"]); split(k, p, " ")
    printf "%-7s %-9s %5s | %12.0f %12.0f %6.2f | %10.1f %10.1f\n", p[1], p[2], p[3], ra, rb, (ra > 0 ? rb / ra : 0), med(ca, n[k, "lib"]), med(cb, n[k, "ours"]) } }' $res | tee $out/http_summary.txt; }
if [ -z "${NO_CG:-}" ] && command -v valgrind >/dev/null; then
  for impl in lib ours; do
    coproc SRV { exec valgrind --tool=callgrind --callgrind-out-file=$out/cg.http_$impl.out "$out/http_server_$impl" 2>/dev/null; }
    pid=$SRV_PID
    read -r line <&"${SRV[0]}"; port=${line#port=}
    wrk -t1 -c1 -d"${DUR}s" "http://127.0.0.1:$port/small" >/dev/null 2>&1
    kill -TERM "$pid"; read -r srv <&"${SRV[0]}"; wait "$pid" 2>/dev/null
    ir=$(callgrind_annotate $out/cg.http_$impl.out 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
    served=${srv#served=}; served=${served%% *}
    echo "callgrind $impl: $ir instructions / $served requests = $(( ${ir:-0} / (served > 0 ? served : 1) )) per request" | tee -a $out/http_summary.txt
  done
fi
# Memory per idle connection (bench/http_idle.c): heap in use per keep-alive
# connection before any request and after one (and two), IDLE connections,
# glibc mallinfo2; then the library's own allocations by size (-c).
IDLE=${IDLE:-1000}
[ "$IDLE" -gt 0 ] || exit 0
gcc -O2 -o $out/http_idle_lib bench/http_idle.c $(pkg-config --cflags --libs libevent) || exit 1
gcc -O2 -Iinclude -o $out/http_idle_ours bench/http_idle.c -Lbuild/lib -levent -Wl,-rpath,$PWD/build/lib || exit 1
echo "idle keep-alive connections ($IDLE): heap bytes per connection" | tee -a $out/http_summary.txt
printf "%-9s %8s %8s %8s %8s\n" impl before after1 after2 closed | tee -a $out/http_summary.txt
for impl in lib ours; do
  line=$($out/http_idle_$impl -n "$IDLE" -l $impl) || { echo "idle memory $impl: FAIL" | tee -a $out/http_summary.txt; continue; }
  echo "$line" | awk -v i=$impl '{ for (k = 1; k <= NF; k++) { split($k, kv, "="); f[kv[1]] = kv[2] }
    printf "%-9s %8.0f %8.0f %8.0f %8.0f\n", i, f["before"], f["after1"], f["after2"], f["closed"] }' | tee -a $out/http_summary.txt
done
for impl in lib ours; do
  echo "== $impl: allocations by size ($out/http_idle_breakdown.txt)" >> $out/http_idle_breakdown.txt
  $out/http_idle_$impl -n "$IDLE" -c -l $impl >> $out/http_idle_breakdown.txt 2>&1
done
