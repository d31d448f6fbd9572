#!/bin/bash
# evrpc across libraries: tests/rpc_cross/rpc_peer.c built once against
# Debian's libevent and once against ours, then every pairing of server and
# client (real/real, ours/ours, real server + our client, our server + real
# client) exchanges the same typed requests on 127.0.0.1. Every pairing must
# print exactly what real/real prints, byte digests of each request and reply
# included. Exit 77 without pkg-config's libevent.
set -u
cd "$(dirname "$0")/.."
pkg-config --exists libevent 2>/dev/null || { echo "rpc_cross: no libevent pkg-config: skipped"; exit 77; }
[ -f build/lib/libevent-2.1.so.7 ] || { echo "rpc_cross: build/lib missing: run make lib"; exit 1; }
nm -D --defined-only build/lib/libevent-2.1.so.7 | grep -q ' evhttp_new$' ||
  { echo "rpc_cross: our library has no evhttp yet: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc=${CC:-gcc}
$cc -O1 -o "$work/peer-real" tests/rpc_cross/rpc_peer.c $(pkg-config --cflags --libs libevent) || exit 1
$cc -O1 -Iinclude -o "$work/peer-ours" tests/rpc_cross/rpc_peer.c -Lbuild/lib -levent -Wl,-rpath,"$PWD/build/lib" || exit 1
if ldd "$work/peer-ours" | grep -q '/usr/lib.*libevent'; then echo "rpc_cross: peer-ours picked up the system libevent"; exit 1; fi

# run SERVER CLIENT: the two outputs, server first, in $work/SERVER-CLIENT.out
run() {
  local s=$1 c=$2 out=$work/$1-$2
  timeout 20 "$work/peer-$s" server >"$out.server" 2>"$out.server.err" &
  local pid=$! port="" i
  for i in $(seq 100); do port=$(head -1 "$out.server" 2>/dev/null); [ -n "$port" ] && break; sleep 0.05; done
  [ -n "$port" ] || { echo "rpc_cross: $s server printed no port"; kill $pid 2>/dev/null; return 1; }
  timeout 20 "$work/peer-$c" client "$port" >"$out.client" 2>"$out.client.err"
  local crc=$?
  wait $pid
  local src=$?
  { echo "client exit $crc"; cat "$out.client"; echo "server exit $src"; tail -n +2 "$out.server"; } >"$out.out"
}

fail=0
run real real || fail=1
for pair in ours-ours real-ours ours-real; do
  run ${pair%-*} ${pair#*-} || fail=1
  if ! diff -u "$work/real-real.out" "$work/$pair.out" >"$work/$pair.diff"; then
    echo "rpc_cross: server-client $pair differs from real-real:"; head -30 "$work/$pair.diff"; fail=1
  else
    echo "rpc_cross: server-client $pair: same as real-real ($(grep -c digest "$work/$pair.out") byte digests)"
  fi
done
[ $fail = 0 ] && echo "rpc_cross: ok"
exit $fail
