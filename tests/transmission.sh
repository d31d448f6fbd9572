#!/bin/bash
# Debian's transmission-daemon (an evhttp RPC server) running on our library:
# transmission-remote asks for session-info, adds a torrent file made with
# transmission-create, and lists it, over 127.0.0.1. Exit 77 (skipped) when
# transmission is not installed (.ci/run installs it).
set -u
cd "$(dirname "$0")/.."
for t in transmission-daemon transmission-remote transmission-create; do
  command -v $t >/dev/null || { echo "transmission: $t not installed: skipped"; exit 77; }
done
lib=${TRANSMISSION_LIBDIR:-$PWD/build/lib}
[ -f "$lib/libevent-2.1.so.7" ] || { echo "transmission: $lib missing: run make lib"; exit 1; }
# Every libevent symbol the daemon needs must be ours (evdns_getaddrinfo
# comes with the dns work): otherwise say which are missing and skip.
missing=$(comm -23 <(nm -D --undefined-only "$(command -v transmission-daemon)" | awk '{print $2}' \
                      | grep -E '^(ev|bufferevent_|event_)' | sort -u) \
                   <(nm -D --defined-only "$lib/libevent-2.1.so.7" | awk '{print $3}' | sort -u))
if [ -n "$missing" ]; then
  echo "transmission: our library lacks $(echo $missing): skipped"; exit 77
fi
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# The RPC port cannot be 0: take one the kernel hands out, then give it back.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rpc=$(free_port); peer=$(free_port)
mkdir -p "$work/config" "$work/dl" "$work/data"
head -c 300000 /dev/urandom > "$work/data/payload.bin"
transmission-create -o "$work/t.torrent" "$work/data/payload.bin" >/dev/null 2>&1 || { echo "transmission: create failed"; exit 1; }
LD_LIBRARY_PATH=$lib transmission-daemon -f -g "$work/config" -p "$rpc" -P "$peer" -T -a 127.0.0.1 -w "$work/dl" \
  -O --no-utp --log-error >"$work/daemon.log" 2>&1 &
pid=$!
for _ in $(seq 50); do
  transmission-remote "127.0.0.1:$rpc" -si >/dev/null 2>&1 && break
  sleep 0.2
done
if ! grep -q "$lib/libevent" "/proc/$pid/maps" 2>/dev/null; then
  echo "transmission: the daemon did not load our libevent"; cat "$work/daemon.log"; exit 1
fi
fail() { echo "transmission: $1"; echo "--- daemon log"; tail -20 "$work/daemon.log"; exit 1; }
si=$(transmission-remote "127.0.0.1:$rpc" -si 2>&1) || fail "session-info failed: $si"
echo "$si" | grep -q "RPC version:" || fail "session-info without an RPC version: $si"
add=$(transmission-remote "127.0.0.1:$rpc" -a "$work/t.torrent" 2>&1) || fail "add failed: $add"
echo "$add" | grep -q 'responded: "success"' || fail "add not a success: $add"
list=$(transmission-remote "127.0.0.1:$rpc" -l 2>&1) || fail "list failed: $list"
echo "$list" | grep -q "payload.bin" || fail "the added torrent is not listed: $list"
info=$(transmission-remote "127.0.0.1:$rpc" -t 1 -i 2>&1) || fail "torrent info failed: $info"
echo "$info" | grep -q "Name: payload.bin" || fail "torrent info without the name: $info"
# An unauthorised Host header (DNS rebinding protection) answered by the daemon through evhttp.
code=$(python3 - "$rpc" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
c.request("GET", "/transmission/rpc")
r = c.getresponse(); r.read()
print(r.status, r.getheader("X-Transmission-Session-Id") is not None)
PY
)
[ "$code" = "409 True" ] || fail "GET /transmission/rpc answered '$code', expected '409 True'"
kill "$pid"; wait "$pid" 2>/dev/null; pid=
echo "transmission: transmission-daemon on our library answered session-info, add, list, info and a raw 409"
