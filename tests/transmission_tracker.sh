#!/bin/bash
# Debian's transmission-daemon on our library talking to a UDP tracker
# (tests/transmission_tracker/udp_tracker.py, BEP 15) named
# udp://localhost:PORT: the daemon resolves "localhost" with
# evdns_getaddrinfo (from /etc/hosts), connects, announces the torrent
# (event "started", its info hash), takes the tracker's peer list
# (transmission-remote -it shows it), and announces
# "stopped" when the torrent is removed. Offline, 127.0.0.1.
# Runs first on Debian's libevent (a failure there is a skip), then on ours
# after checking /proc/PID/maps.
# Exit 0 passed, 77 transmission missing or failing on Debian's libevent, 1 failed.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
for t in transmission-daemon transmission-remote transmission-create python3; do
  command -v $t > /dev/null || { echo "transmission_tracker.sh: SKIP: $t not installed (apt-get install transmission-daemon transmission-cli)"; exit 77; }
done
[ -f build/lib/libevent-2.1.so.7 ] || { echo "transmission_tracker.sh: no build/lib: run make lib"; exit 1; }
tmp=$(mktemp -d)
dpid= tpid=
trap 'kill $dpid $tpid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { local i; for i in $(seq $(($3 * 10))); do grep -q "$2" "$1" 2> /dev/null && return 0; sleep 0.1; done; return 1; }

# workload LABEL [LIBDIR]: 0 passed, 1 failed, 2 did not start.
workload() {
  local label=$1 libdir=${2:-} ok=0 rpc peer tport hash info i
  local w=$tmp/$label; mkdir -p "$w/config" "$w/dl" "$w/data"
  python3 tests/transmission_tracker/udp_tracker.py > "$w/tracker.out" &
  tpid=$!
  wait_for "$w/tracker.out" . 5 || { echo "transmission_tracker.sh ($label): the tracker did not start"; return 2; }
  tport=$(head -1 "$w/tracker.out")
  head -c 100000 /dev/urandom > "$w/data/payload.bin"
  transmission-create -t "udp://localhost:$tport/announce" -o "$w/t.torrent" "$w/data/payload.bin" > /dev/null 2>&1 \
    || { echo "transmission_tracker.sh ($label): transmission-create failed"; return 2; }
  rpc=$(free_port); peer=$(free_port)
  env ${libdir:+LD_LIBRARY_PATH=$libdir} transmission-daemon -f -g "$w/config" -p "$rpc" -P "$peer" -T -a 127.0.0.1 \
    -w "$w/dl" -O --no-utp --log-error > "$w/daemon.log" 2>&1 &
  dpid=$!
  local remote="transmission-remote 127.0.0.1:$rpc"
  for i in $(seq 50); do $remote -si > /dev/null 2>&1 && break; sleep 0.2; done
  $remote -si > /dev/null 2>&1 || { echo "transmission_tracker.sh ($label): the daemon does not answer"; tail -5 "$w/daemon.log"; return 2; }
  if [ -n "$libdir" ] && ! grep -q "$libdir/libevent-2.1.so.7" /proc/$dpid/maps; then
    echo "transmission_tracker.sh: FAIL ($label): the daemon did not map our libevent"; return 1
  fi
  $remote -a "$w/t.torrent" > /dev/null 2>&1 || { echo "transmission_tracker.sh: FAIL ($label): add failed"; return 1; }
  hash=$($remote -t 1 -i | sed -n 's/^ *Hash: *//p')
  [[ $hash =~ ^[0-9a-f]{40}$ ]] || { echo "transmission_tracker.sh: FAIL ($label): no info hash"; return 1; }
  wait_for "$w/tracker.out" "^announce $hash event 2$" 10 \
    || { echo "transmission_tracker.sh: FAIL ($label): no 'started' announce reached the tracker:"; cat "$w/tracker.out"; ok=1; }
  for i in $(seq 50); do
    info=$($remote -t 1 -it)
    grep -q "Got a list of 1 peers" <<< "$info" && break; sleep 0.1
  done
  grep -q "Got a list of 1 peers" <<< "$info" || { echo "transmission_tracker.sh: FAIL ($label): the announce reply was not taken:"; echo "$info"; ok=1; }
  $remote -t 1 -r > /dev/null 2>&1
  wait_for "$w/tracker.out" "^announce $hash event 3$" 10 || { echo "transmission_tracker.sh: FAIL ($label): no 'stopped' announce"; ok=1; }
  grep -q "^unexpected" "$w/tracker.out" && { echo "transmission_tracker.sh: FAIL ($label): the tracker got unexpected requests"; ok=1; }
  kill $dpid; wait $dpid 2> /dev/null; dpid=
  kill $tpid; wait $tpid 2> /dev/null; tpid=
  return $ok
}

workload debian; st=$?
[ $st = 0 ] || { echo "transmission_tracker.sh: SKIP: the workload fails on Debian's libevent itself (status $st)"; exit 77; }
workload ours "$ROOT/build/lib" || exit 1
echo "transmission_tracker.sh: ok (transmission-daemon on our library: evdns_getaddrinfo of the tracker's name, UDP connect, announce, peer list, stop)"
