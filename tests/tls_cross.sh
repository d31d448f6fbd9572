#!/bin/bash
# tests/tls_cross.sh: TLS between libraries. tests/tls_peer.c is built
# against Debian's libevent (A) and against ours (B); a server of one kind
# echoes 16 MiB (in lines, checksummed) to a client of another over TCP on
# 127.0.0.1, every pairing, plus binary A run on our libraries
# (LD_LIBRARY_PATH, "C") and ours linked statically ("S"). Each side's output must equal the all-libevent run.
# Exit 0 passed, 77 libevent_openssl / OpenSSL headers missing, 1 failed.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
[ -f /usr/include/openssl/ssl.h ] || { echo "tls_cross.sh: SKIP: no OpenSSL headers (apt-get install libssl-dev)"; exit 77; }
pkg-config --exists libevent_openssl || { echo "tls_cross.sh: SKIP: no libevent_openssl (apt-get install libevent-dev)"; exit 77; }
[ -f build/lib/libevent_openssl-2.1.so.7 ] || { echo "tls_cross.sh: no build/lib: run make lib"; exit 1; }
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
gcc -g -O1 -w -o "$tmp/A" tests/tls_peer.c $(pkg-config --cflags --libs libevent libevent_openssl) -lssl -lcrypto || exit 1
gcc -g -O1 -w -Iinclude -o "$tmp/B" tests/tls_peer.c -Lbuild/lib -levent -levent_openssl -lssl -lcrypto \
  -Wl,-rpath,"$ROOT/build/lib" || exit 1
# S: ours linked statically (libevent_openssl.a over libevent_core.a).
gcc -g -O1 -w -Iinclude -o "$tmp/S" tests/tls_peer.c build/lib/libevent_openssl.a build/lib/libevent_core.a \
  -lssl -lcrypto -lm -lpthread || exit 1
BYTES=$((16 << 20))

# run SERVERKIND CLIENTKIND: kinds A, B, or C (binary A on our libraries).
run() {
  local s=$1 c=$2 sbin cbin senv= cenv=
  sbin=$tmp/${s/C/A}; cbin=$tmp/${c/C/A}
  [ "$s" = C ] && senv="LD_LIBRARY_PATH=$ROOT/build/lib"
  [ "$c" = C ] && cenv="LD_LIBRARY_PATH=$ROOT/build/lib"
  rm -f "$tmp/srv.out"
  env $senv timeout 60 "$sbin" server > "$tmp/srv.out" 2> "$tmp/srv.err" &
  local spid=$! port= i
  for i in $(seq 100); do port=$(head -1 "$tmp/srv.out" 2>/dev/null); [ -n "$port" ] && break; sleep 0.05; done
  [ -n "$port" ] || { echo "server $s did not start"; return 1; }
  env $cenv timeout 60 "$cbin" client "$port" $BYTES > "$tmp/cli.out" 2> "$tmp/cli.err"
  local cst=$?
  wait $spid
  local sst=$?
  { tail -n +2 "$tmp/srv.out"; echo "server status $sst"; cat "$tmp/cli.out"; echo "client status $cst"; } > "$tmp/$s$c.out"
}

fail=0
run A A || exit 1
if ! grep -q "checksum matches" "$tmp/AA.out"; then echo "tls_cross.sh: FAIL: the all-libevent run itself failed"; cat "$tmp/AA.out"; exit 1; fi
for p in BB AB BA CC AC CA BC CB SA AS; do
  run ${p:0:1} ${p:1:1} || { fail=1; continue; }
  if ! diff -u "$tmp/AA.out" "$tmp/$p.out" > "$tmp/diff"; then
    echo "tls_cross.sh: FAIL: server ${p:0:1}, client ${p:1:1} differs from libevent's:"; cat "$tmp/diff"; fail=1
  fi
done
if [ $fail = 0 ]; then
  echo "tls_cross.sh: ok (16 MiB echo, server/client pairs AA BB AB BA CC AC CA BC CB SA AS identical)"
fi
exit $fail
