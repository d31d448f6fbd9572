#!/usr/bin/env bash
# bench/tls_run.sh -- TLS bufferevents (bench/tls_echo.c), libevent 2.1.12's
# libevent_openssl ("A") against ours ("B") in the same run, over socket TLS
# bufferevents and over filters:
#   rtt     round trips of a 64-byte message per second (median of REPS)
#   stream  MiB/s streamed one way (median of REPS)
#   Ir      callgrind instructions per round trip / per streamed KiB, split
#           into OpenSSL (libssl + libcrypto) and everything else (libevent,
#           libc, the program): the difference between two run lengths, so
#           set-up and the handshake drop out.
# Knobs: TLS_REPS=5, QUICK=1, SKIP_CALLGRIND=1, OURS_LIBDIR / OURS_INCDIR.
# Tables to stdout and bench/out/tls_summary.txt.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/out
mkdir -p "$OUT"
REPS=${TLS_REPS:-5}
RTT=50000
MB=512
[ "${QUICK:-0}" = 1 ] && { REPS=1; RTT=10000; MB=64; }
OURS_LIBDIR=${OURS_LIBDIR:-$ROOT/build/lib}
OURS_INCDIR=${OURS_INCDIR:-$ROOT/include}
CC=${CC:-cc}
$CC -O2 -g -o "$OUT/tls_echo_lib" bench/tls_echo.c $(pkg-config --cflags --libs libevent libevent_openssl) -lssl -lcrypto \
  || { echo "tls bench: cannot build against libevent" >&2; exit 1; }
$CC -O2 -g -I"$OURS_INCDIR" -o "$OUT/tls_echo_ours" bench/tls_echo.c -L"$OURS_LIBDIR" -levent -levent_openssl -lssl -lcrypto \
  -Wl,-rpath,"$OURS_LIBDIR" || { echo "tls bench: cannot build against ours" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
metric() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

{
echo "TLS bufferevents: libevent 2.1.12 (A) vs ours (B), medians of $REPS interleaved runs"
printf '%-8s %-7s %14s %14s %7s\n' kind test A B B/A
for kind in socket filter; do
  for test in rtt stream; do
    arg=$RTT; m=rt_per_s
    [ $test = stream ] && { arg=$MB; m=mb_per_s; }
    : > "$OUT/tls_a"; : > "$OUT/tls_b"
    for r in $(seq "$REPS"); do
      "$OUT/tls_echo_lib" $test $arg $kind | metric $m >> "$OUT/tls_a"
      "$OUT/tls_echo_ours" $test $arg $kind | metric $m >> "$OUT/tls_b"
    done
    a=$(median < "$OUT/tls_a"); b=$(median < "$OUT/tls_b")
    printf '%-8s %-7s %14s %14s %7.2f\n' $kind "$test" "$a" "$b" "$(echo "$b $a" | awk '{print $1/$2}')"
  done
done
if [ "${SKIP_CALLGRIND:-0}" != 1 ] && command -v valgrind > /dev/null; then
  # Instructions of one run, split: OpenSSL vs the rest.
  split() { # binary args...
    valgrind --tool=callgrind --callgrind-out-file="$OUT/tls_cg" "$@" > /dev/null 2>&1
    callgrind_annotate --threshold=100 "$OUT/tls_cg" 2>/dev/null | awk '
      /^ *[0-9,]+ \(/ && /\[/ { n=$1; gsub(",", "", n); if ($0 ~ /libssl|libcrypto/) ssl+=n; else rest+=n }
      END { printf "%d %d\n", ssl, rest }'
  }
  echo
  echo "callgrind instructions per round trip (rtt) / per KiB streamed (stream): OpenSSL | rest (libevent, libc, program)"
  printf '%-8s %-7s %12s %12s %12s %12s %7s\n' kind test A-openssl A-rest B-openssl B-rest rest-B/A
  for kind in socket filter; do
    for test in rtt stream; do
      if [ $test = rtt ]; then n1=1000; n2=5000; unit=$((n2 - n1)); else n1=4; n2=20; unit=$(((n2 - n1) * 1024)); fi
      for impl in lib ours; do
        read s1 r1 < <(split "$OUT/tls_echo_$impl" $test $n1 $kind)
        read s2 r2 < <(split "$OUT/tls_echo_$impl" $test $n2 $kind)
        eval "s_$impl=\$(( (s2 - s1) / unit )); r_$impl=\$(( (r2 - r1) / unit ))"
      done
      printf '%-8s %-7s %12s %12s %12s %12s %7.2f\n' $kind $test $s_lib $r_lib $s_ours $r_ours \
        "$(echo "$r_ours $r_lib" | awk '{print $1/$2}')"
    done
  done
fi
} | tee "$OUT/tls_summary.txt"
