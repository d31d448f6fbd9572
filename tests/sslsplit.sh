#!/bin/bash
# tests/sslsplit.sh: Debian's sslsplit (a TLS man-in-the-middle proxy built on
# libevent_openssl, libevent_pthreads and libevent) run on our build/lib on
# 127.0.0.1: a TLS client (tests/tls_peer.c, on Debian's libevent) talks
# through it to a TLS echo server (same), which sslsplit reaches with a
# certificate forged from a CA made here (openssl CLI). Three clients one
# after the other, 4 MiB each, every echo checksummed; the proxy must log
# each connection both ways and exit 0 on SIGTERM.
# The workload runs first on Debian's libevent (a check of this script),
# then on ours, after checking /proc/PID/maps that sslsplit mapped our
# libevent_openssl and libevent.
# Exit 0 passed, 77 sslsplit / openssl / libevent_openssl missing, 1 failed.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
SSLSPLIT=${SSLSPLIT:-/usr/bin/sslsplit}
[ -x "$SSLSPLIT" ] || { echo "sslsplit.sh: SKIP: $SSLSPLIT not installed (apt-get install sslsplit)"; exit 77; }
command -v openssl > /dev/null || { echo "sslsplit.sh: SKIP: no openssl CLI"; exit 77; }
command -v python3 > /dev/null || { echo "sslsplit.sh: SKIP: no python3"; exit 77; }
pkg-config --exists libevent_openssl || { echo "sslsplit.sh: SKIP: no libevent_openssl (apt-get install libevent-dev)"; exit 77; }
[ -f build/lib/libevent_openssl-2.1.so.7 ] || { echo "sslsplit.sh: no build/lib: run make lib"; exit 1; }
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
gcc -g -O1 -w -o "$tmp/peer" tests/tls_peer.c $(pkg-config --cflags --libs libevent libevent_openssl) -lssl -lcrypto || exit 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/ca.key" -out "$tmp/ca.crt" \
  -days 2 -subj "/CN=swift-libevent test CA" 2> /dev/null || { echo "sslsplit.sh: openssl req failed"; exit 1; }
CLIENTS=3
BYTES=$((4 << 20))

# A port the kernel just gave out (sslsplit needs a number to listen on).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# workload LABEL [LIBDIR]: 0 when every check passed.
workload() {
  local label=$1 libdir=${2:-} up port spid upid i ok=0
  "$tmp/peer" server $CLIENTS > "$tmp/up.out" 2> "$tmp/up.err" &
  upid=$!
  for i in $(seq 100); do up=$(head -1 "$tmp/up.out" 2>/dev/null); [ -n "$up" ] && break; sleep 0.05; done
  port=$(free_port)
  env ${libdir:+LD_LIBRARY_PATH=$libdir} "$SSLSPLIT" -D -u root -k "$tmp/ca.key" -c "$tmp/ca.crt" \
    ssl 127.0.0.1 "$port" 127.0.0.1 "$up" > "$tmp/ss.log" 2>&1 &
  spid=$!
  # Listening yet? (/proc/net/tcp: local port in hex, state 0A.)
  local hex
  hex=$(printf '%04X' "$port")
  for i in $(seq 100); do
    grep -qi ":$hex 00000000:0000 0A" /proc/net/tcp && break
    sleep 0.05
  done
  if [ -n "$libdir" ]; then
    if ! grep -q "$libdir/libevent_openssl-2.1.so.7" /proc/$spid/maps || ! grep -q "$libdir/libevent-2.1.so.7" /proc/$spid/maps; then
      echo "sslsplit.sh: FAIL ($label): sslsplit did not map our libraries"; grep libevent /proc/$spid/maps | awk '{print $6}' | sort -u
      return 1
    fi
  fi
  for i in $(seq $CLIENTS); do
    timeout 30 "$tmp/peer" client "$port" $BYTES > "$tmp/cli$i.out" 2>&1
    if ! grep -q "echo of $BYTES bytes complete, checksum matches" "$tmp/cli$i.out"; then
      echo "sslsplit.sh: FAIL ($label): client $i:"; cat "$tmp/cli$i.out"; ok=1
    fi
  done
  wait $upid || { echo "sslsplit.sh: FAIL ($label): upstream server status $?"; ok=1; }
  local n_from n_to
  n_from=$(grep -c "SSL connected from" "$tmp/ss.log")
  n_to=$(grep -c "SSL connected to" "$tmp/ss.log")
  [ "$n_from" = $CLIENTS ] && [ "$n_to" = $CLIENTS ] || { echo "sslsplit.sh: FAIL ($label): proxy logged $n_from/$n_to connections"; ok=1; }
  kill -TERM $spid
  for i in $(seq 100); do kill -0 $spid 2> /dev/null || break; sleep 0.05; done
  wait $spid
  local st=$?
  [ $st = 0 ] || { echo "sslsplit.sh: FAIL ($label): sslsplit exit status $st"; tail -5 "$tmp/ss.log"; ok=1; }
  return $ok
}

workload "Debian's libevent" || { echo "sslsplit.sh: FAIL: the workload fails on Debian's libevent itself"; exit 1; }
workload ours "$ROOT/build/lib" || exit 1
echo "sslsplit.sh: ok ($CLIENTS clients x 4 MiB through sslsplit on our libevent_openssl, forged certificates, clean exit)"
