#!/bin/bash
# Debian's tor on our library: its DNSPort (an evdns server port) answers on
# 127.0.0.1 for names it maps itself, no network needed: automapped .onion
# and .test names (AutomapHostsOnResolve) and a MapAddress entry. tor's only
# bridge is a dead local port, so it never leaves the machine.
# Exit 77 when tor is not installed (apt-get install tor).
set -u
cd "$(dirname "$0")/.."
command -v tor >/dev/null || { echo "skip: tor not installed (apt-get install -y tor)"; exit 77; }
[ -e build/lib/libevent-2.1.so.7 ] || { echo "skip: build/lib missing (make lib)"; exit 77; }
T=$(mktemp -d /tmp/tor_dns.XXXXXX)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -m 700 "$T/data"
cat >"$T/torrc" <<RC
DataDirectory $T/data
SocksPort 0
DNSPort 127.0.0.1:$PORT
AutomapHostsOnResolve 1
AutomapHostsSuffixes .onion,.test
MapAddress mapped.example 192.0.2.44
UseBridges 1
Bridge 127.0.0.1:$DEAD
ClientOnly 1
Log notice stdout
RC
LD_LIBRARY_PATH="$PWD/build/lib" tor -f "$T/torrc" >"$T/tor.log" 2>&1 &
PID=$!
for i in $(seq 100); do grep -q "Opened DNS listener" "$T/tor.log" && break; sleep 0.2; done
grep -q "Opened DNS listener" "$T/tor.log" || { echo "tor did not open its DNSPort"; cat "$T/tor.log"; exit 1; }
if ! grep -q "$PWD/build/lib/libevent" /proc/$PID/maps; then
  echo "tor did not load our libevent"; exit 1
fi
python3 tests/tor_dns/query.py "$PORT" abcdefghijklmnop.onion SHORT host.test mapped.example >"$T/out"
kill "$PID"; wait "$PID" 2>/dev/null; PID=
cat "$T/out"
fail=0
grep -Eq "^abcdefghijklmnop.onion rcode=0 answers=\[\(1, '127\.(19[2-9]|2[0-5][0-9])\.[0-9]+\.[0-9]+'\)\]$" "$T/out" || fail=1
grep -Eq "^host.test rcode=0 answers=\[\(1, '127\.(19[2-9]|2[0-5][0-9])\.[0-9]+\.[0-9]+'\)\]$" "$T/out" || fail=1
grep -q "^mapped.example rcode=0 answers=\[(1, '192.0.2.44')\]$" "$T/out" || fail=1
grep -q "^SHORT no reply$" "$T/out" || fail=1
if [ $fail -ne 0 ]; then echo "tor_dns: FAILED"; grep -E "warn|err" "$T/tor.log" | head; exit 1; fi
echo "tor_dns: tor's DNSPort answered through our evdns server"
