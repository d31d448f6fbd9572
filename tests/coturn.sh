#!/bin/bash
# Debian's coturn on our library, on 127.0.0.1: turnserver (libevent core,
# extra, pthreads and libevent_openssl: its TLS TCP sessions and its HTTPS
# web admin are TLS bufferevents) with a certificate made here, a UDP echo
# peer (turnutils_peer) and turnutils_uclient relaying 2 clients x 10
# messages of 500 bytes through allocations over TLS/TCP, DTLS and plain UDP
# at once (every message must come back: "lost packets 0"), a wrong password
# refused ("Cannot complete Allocation"), turnutils_stunclient's reflexive
# address, and the web admin's login page over HTTPS (GET / and a refused
# POST /logon, whose form body coturn parses with evhttp_parse_query_str).
# Every coturn program runs on the library under test.
# The workload runs first on Debian's libevent (a failure there is a skip:
# coturn itself does not work on this machine), then on ours after checking
# /proc/PID/maps of turnserver and of the peer.
# Exit 0 passed, 77 coturn / openssl missing or failing on Debian's libevent, 1 failed.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
for t in turnserver turnutils_uclient turnutils_peer turnutils_stunclient openssl python3; do
  command -v $t > /dev/null || { echo "coturn.sh: SKIP: $t not installed (apt-get install coturn openssl)"; exit 77; }
done
[ -f build/lib/libevent_openssl-2.1.so.7 ] || { echo "coturn.sh: no build/lib: run make lib"; exit 1; }
tmp=$(mktemp -d)
spid= ppid_=
trap 'kill $spid $ppid_ 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
  -days 2 -subj "/CN=localhost" 2> /dev/null || { echo "coturn.sh: openssl req failed"; exit 1; }
free_port() { python3 -c 'import socket, sys; s=socket.socket(type=int(sys.argv[1])); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' "${1:-1}"; }

cat > "$tmp/admin.py" <<'PY'
import http.client, re, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=10)
for method, path, body in (("GET", "/", None), ("POST", "/logon", "uname=nobody&pwd=x%20y")):
    c.request(method, path, body, {"Content-Type": "application/x-www-form-urlencoded"} if body else {})
    r = c.getresponse(); b = r.read().decode()
    print(method, path, r.status, r.getheader("Server", "").split(" ")[0], r.getheader("Content-Type"),
          re.search(r"<title>(.*?)</title>", b).group(1), 'name="uname"' in b)
PY

# workload LABEL [LIBDIR]: 0 passed, 1 failed, 2 turnserver did not start.
workload() {
  local label=$1 libdir=${2:-} port tls web peer i ok=0
  local run="env ${libdir:+LD_LIBRARY_PATH=$libdir}"
  port=$(free_port); tls=$(free_port); web=$(free_port); peer=$(free_port 2)
  $run turnserver -n --db="$tmp/turndb.$label" --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 \
    --listening-port="$port" --tls-listening-port="$tls" --cert="$tmp/cert.pem" --pkey="$tmp/key.pem" \
    --lt-cred-mech --user=alice:secret --realm=test.local --no-cli --allow-loopback-peers \
    --web-admin --web-admin-ip=127.0.0.1 --web-admin-port="$web" \
    --log-file=stdout --simple-log --pidfile="$tmp/turn.pid" > "$tmp/ts.log" 2>&1 &
  spid=$!
  $run turnutils_peer -L 127.0.0.1 -p "$peer" > "$tmp/peer.log" 2>&1 &
  ppid_=$!
  local hex
  hex=$(printf '%04X' "$web")
  for i in $(seq 100); do grep -qi ":$hex 00000000:0000 0A" /proc/net/tcp && break; sleep 0.05; done
  grep -qi ":$hex 00000000:0000 0A" /proc/net/tcp || { echo "coturn.sh ($label): turnserver does not listen"; tail -5 "$tmp/ts.log"; return 2; }
  # An admin account (the login form shows only when there is one); its
  # password hash is coturn's own (turnadmin -A -p adminpw), never used here.
  python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("insert into admin_user values (?, ?, ?)", ("admin", "", sys.argv[2])); c.commit()' \
    "$tmp/turndb.$label" '$5$9e55d94ba1a2be47$0ca69b9caea6fc0a891aa9d234cbb4a23b5e4a25642419ca0ee7bdaf432e033d' \
    || { echo "coturn.sh ($label): cannot add an admin user to turnserver's database"; return 2; }
  if [ -n "$libdir" ]; then
    for f in libevent_openssl-2.1.so.7 libevent_extra-2.1.so.7 libevent_core-2.1.so.7; do
      grep -q "$libdir/$f" /proc/$spid/maps || { echo "coturn.sh: FAIL ($label): turnserver did not map our $f"; return 1; }
    done
    grep -q "$libdir/libevent_core-2.1.so.7" /proc/$ppid_/maps || { echo "coturn.sh: FAIL ($label): turnutils_peer did not map ours"; return 1; }
  fi
  # Three transports at once (each run takes ~6 s, mostly waiting).
  local mode
  for mode in tls dtls udp; do
    case $mode in tls) f="-t -S -p $tls";; dtls) f="-S -p $tls";; udp) f="-p $port";; esac
    timeout 30 $run turnutils_uclient $f -u alice -w secret -n 10 -m 2 -l 500 -e 127.0.0.1 -r "$peer" -X 127.0.0.1 \
      > "$tmp/uc.$mode" 2>&1 &
  done
  # The wrong password alongside them: the server thread then has stale
  # OpenSSL errors from the DTLS and failed-handshake sessions on its queue
  # (a TLS bufferevent that does not clear them first drops this client).
  timeout 15 $run turnutils_uclient -t -S -p "$tls" -u alice -w wrong -n 2 -e 127.0.0.1 -r "$peer" -X 127.0.0.1 > "$tmp/uc.bad" 2>&1
  local badst=$?
  $run turnutils_stunclient -p "$port" 127.0.0.1 > "$tmp/stun.out" 2>&1 || { echo "coturn.sh: FAIL ($label): stunclient status $?"; ok=1; }
  timeout 20 python3 "$tmp/admin.py" "$web" > "$tmp/admin.out" 2>&1
  wait $(jobs -p | grep -vx -e "$spid" -e "$ppid_")
  for mode in tls dtls udp; do
    grep -q "tot_send_msgs=20, tot_recv_msgs=20$" "$tmp/uc.$mode" && grep -q "Total lost packets 0 (0.000000%)" "$tmp/uc.$mode" \
      || { echo "coturn.sh: FAIL ($label): $mode relay:"; tail -4 "$tmp/uc.$mode"; ok=1; }
  done
  [ $badst != 0 ] && grep -q "Cannot complete Allocation" "$tmp/uc.bad" \
    || { echo "coturn.sh: FAIL ($label): a wrong password was not refused (status $badst)"; tail -3 "$tmp/uc.bad"; ok=1; }
  grep -q "UDP reflexive addr: 127.0.0.1:[0-9]" "$tmp/stun.out" || { echo "coturn.sh: FAIL ($label): stunclient:"; cat "$tmp/stun.out"; ok=1; }
  diff <(printf '%s\n' "GET / 200 Coturn-4.6.1 text/html; charset=UTF-8 TURN Server (https admin connection) True" \
                       "POST /logon 200 Coturn-4.6.1 text/html; charset=UTF-8 TURN Server (https admin connection) True") \
       "$tmp/admin.out" > "$tmp/admin.diff" || { echo "coturn.sh: FAIL ($label): web admin (< expected, > got):"; cat "$tmp/admin.diff"; ok=1; }
  grep -q "check_stun_auth: user alice credentials are incorrect" "$tmp/ts.log" || { echo "coturn.sh: FAIL ($label): no auth error logged"; ok=1; }
  kill $ppid_; wait $ppid_ 2> /dev/null; ppid_=
  kill -TERM $spid
  for i in $(seq 100); do kill -0 $spid 2> /dev/null || break; sleep 0.1; done
  if kill -0 $spid 2> /dev/null; then echo "coturn.sh: FAIL ($label): turnserver still runs 10 s after SIGTERM"; kill -9 $spid; ok=1; fi
  wait $spid 2> /dev/null; spid=
  return $ok
}

workload debian; st=$?
[ $st = 0 ] || { echo "coturn.sh: SKIP: the workload fails on Debian's libevent itself (status $st)"; exit 77; }
workload ours "$ROOT/build/lib" || exit 1
echo "coturn.sh: ok (turnserver, turnutils_peer/uclient/stunclient on our library: TLS/TCP, DTLS and UDP relays lossless, wrong password refused, STUN, HTTPS web admin)"
