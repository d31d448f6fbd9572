#!/bin/bash
# Debian's tmate (tmux with an ssh uplink; it resolves its server's name with
# evdns_getaddrinfo) on our library, offline on 127.0.0.1:
#  - tmate-server-host "localhost" (resolved from /etc/hosts by evdns) and the
#    port of tests/tmate_fakessh.py: tmate logs "Connecting to localhost...",
#    the fake server sees a connection from 127.0.0.1 with libssh's banner;
#    meanwhile the session's pane runs (tmux's side: tests/tmux.sh);
#  - tmate-server-host "nosuch.invalid": the lookup fails cleanly and tmate
#    logs its retry with EVUTIL_EAI_NONAME's message.
# Runs first on Debian's libevent (a failure there is a skip), then on ours
# after checking /proc/PID/maps of the tmate server.
# Exit 0 passed, 77 tmate missing or failing on Debian's libevent, 1 failed.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
command -v tmate > /dev/null || { echo "tmate.sh: SKIP: tmate not installed (apt-get install tmate)"; exit 77; }
command -v python3 > /dev/null || { echo "tmate.sh: SKIP: no python3"; exit 77; }
[ -f build/lib/libevent-2.1.so.7 ] || { echo "tmate.sh: no build/lib: run make lib"; exit 1; }
tmp=$(mktemp -d)
fpid=
cleanup() {
  for s in "$tmp"/sock.*; do [ -S "$s" ] && HOME=$tmp tmate -S "$s" kill-server 2> /dev/null; done
  [ -n "$fpid" ] && kill $fpid 2> /dev/null; wait 2> /dev/null; rm -rf "$tmp"
}
trap cleanup EXIT

# wait_for FILE PATTERN SECONDS
wait_for() { local i; for i in $(seq $(($3 * 10))); do grep -q "$2" $1 2> /dev/null && return 0; sleep 0.1; done; return 1; }

# workload LABEL [LIBDIR]: 0 passed, 1 failed, 2 tmate did not start.
workload() {
  local label=$1 libdir=${2:-} ok=0 port spid
  local run="env HOME=$tmp ${libdir:+LD_LIBRARY_PATH=$libdir}"
  local w=$tmp/$label; mkdir "$w"
  python3 tests/tmate_fakessh.py > "$w/fake.out" &
  fpid=$!
  wait_for "$w/fake.out" . 5 || { echo "tmate.sh ($label): the fake server did not start"; return 2; }
  port=$(head -1 "$w/fake.out")
  printf 'set -g tmate-server-host localhost\nset -g tmate-server-port %s\n' "$port" > "$w/conf"
  (cd "$w" && $run tmate -v -S "$tmp/sock.$label" -f "$w/conf" new-session -d -x 80 -y 24 cat) \
    || { echo "tmate.sh ($label): tmate new-session failed"; return 2; }
  spid=$($run tmate -S "$tmp/sock.$label" display -p '#{pid}')
  if [ -n "$libdir" ] && ! grep -q "$libdir/libevent-2.1.so.7" /proc/$spid/maps; then
    echo "tmate.sh: FAIL ($label): the tmate server did not map our libevent"; return 1
  fi
  wait_for "$w/fake.out" "connection from 127.0.0.1 client banner: SSH-2.0-libssh" 10 \
    || { echo "tmate.sh: FAIL ($label): no ssh connection reached 127.0.0.1:$port"; cat "$w/fake.out"; ok=1; }
  grep -q "Connecting to localhost\.\.\.$" "$w"/tmate-server-*.log \
    || { echo "tmate.sh: FAIL ($label): tmate did not log its connection"; head -5 "$w"/tmate-server-*.log; ok=1; }
  local cmd
  cmd=$($run tmate -S "$tmp/sock.$label" list-panes -F '#{pane_current_command} #{pane_dead}')
  [ "$cmd" = "cat 0" ] || { echo "tmate.sh: FAIL ($label): the pane is '$cmd', not a live cat"; ok=1; }
  $run tmate -S "$tmp/sock.$label" kill-server
  kill $fpid 2> /dev/null; wait $fpid 2> /dev/null; fpid=
  # A name nobody knows: the lookup fails and tmate retries.
  printf 'set -g tmate-server-host nosuch.invalid\nset -g tmate-server-port 1\n' > "$w/conf2"
  rm -f "$w"/tmate-*.log
  (cd "$w" && $run tmate -v -S "$tmp/sock2.$label" -f "$w/conf2" new-session -d cat) \
    || { echo "tmate.sh ($label): tmate new-session failed"; return 2; }
  wait_for "$w/tmate-server-*.log" "nosuch.invalid lookup failure. Retrying in 2 seconds (nodename nor servname provided, or not known)$" 20 \
    || { echo "tmate.sh: FAIL ($label): no clean lookup failure for nosuch.invalid:"; head -5 "$w"/tmate-server-*.log; ok=1; }
  $run tmate -S "$tmp/sock2.$label" kill-server
  return $ok
}

workload debian; st=$?
[ $st = 0 ] || { echo "tmate.sh: SKIP: the workload fails on Debian's libevent itself (status $st)"; exit 77; }
workload ours "$ROOT/build/lib" || exit 1
echo "tmate.sh: ok (tmate on our library: evdns_getaddrinfo of localhost from /etc/hosts and the ssh connection to 127.0.0.1, a clean lookup failure)"
