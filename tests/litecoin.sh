#!/bin/bash
# Debian's litecoind (Bitcoin Core's evhttp JSON-RPC and REST server, worker
# threads, libevent_pthreads) and litecoin-cli (an evhttp client) on our
# library, in regtest mode on 127.0.0.1, no network: create a wallet, mine
# 101 blocks, send a payment and mine it, a 1 MB request echoed back, a JSON
# batch, a wrong password (401), REST (chaininfo, a block as .bin and .hex,
# an unknown path), several requests on one keep-alive connection, then the
# "stop" RPC must end the daemon with status 0.
# The same workload runs first on Debian's libevent (a check of this script
# and of litecoind on this machine: a failure there is a skip), then on ours,
# after checking /proc/PID/maps that the daemon mapped our library.
# Exit 0 passed, 77 litecoind not installed / failing on Debian's libevent, 1 failed.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
DAEMON=/usr/lib/litecoin/litecoind
[ -x "$DAEMON" ] && command -v litecoin-cli > /dev/null || { echo "litecoin.sh: SKIP: litecoind not installed (apt-get install litecoind)"; exit 77; }
command -v python3 > /dev/null || { echo "litecoin.sh: SKIP: no python3"; exit 77; }
[ -f build/lib/libevent-2.1.so.7 ] || { echo "litecoin.sh: no build/lib: run make lib"; exit 1; }
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# Raw HTTP checks litecoin-cli cannot make: prints one line per check.
cat > "$tmp/raw.py" <<'PY'
import base64, http.client, json, sys
port = int(sys.argv[1]); best = sys.argv[2]
auth = {"Authorization": "Basic " + base64.b64encode(b"u:p").decode(), "Content-Type": "application/json"}
def conn(): return http.client.HTTPConnection("127.0.0.1", port, timeout=10)
c = conn()
c.request("POST", "/", '{"method":"getblockcount","id":1}', {"Authorization": "Basic " + base64.b64encode(b"u:wrong").decode()})
r = c.getresponse(); r.read(); print("badauth", r.status)
c = conn()
c.request("POST", "/", json.dumps([{"method": "getblockcount", "id": 1}, {"method": "nosuchmethod", "id": 2}]), auth)
r = c.getresponse(); b = json.loads(r.read())
print("batch", r.status, b[0]["result"], b[1]["error"]["code"])
# One connection, five requests (keep-alive).
c = conn(); n = []
for i in range(5):
    c.request("POST", "/", json.dumps({"method": "getblockhash", "params": [i], "id": i}), auth)
    r = c.getresponse(); n.append(len(json.loads(r.read())["result"]))
print("keepalive", n)
c = conn(); c.request("GET", "/rest/chaininfo.json"); r = c.getresponse()
print("rest chaininfo", r.status, r.getheader("Content-Type"), json.loads(r.read())["blocks"])
c.request("GET", "/rest/block/%s.bin" % best); r = c.getresponse(); bin_ = r.read()
c.request("GET", "/rest/block/%s.hex" % best); r = c.getresponse(); hex_ = r.read().strip()
print("rest block", r.status, len(bin_) > 80, bytes.fromhex(hex_.decode()) == bin_)
c.request("GET", "/rest/nosuch"); r = c.getresponse(); r.read(); print("rest unknown", r.status)
PY

# workload LABEL [LIBDIR]: 0 when every check passed; 2 when the daemon does not start.
workload() {
  local label=$1 libdir=${2:-} port i out
  port=$(free_port)
  rm -rf "$tmp/data"; mkdir "$tmp/data"
  env ${libdir:+LD_LIBRARY_PATH=$libdir} "$DAEMON" -regtest -datadir="$tmp/data" -listen=0 -dnsseed=0 -rest=1 \
    -rpcbind=127.0.0.1 -rpcallowip=127.0.0.1 -rpcport="$port" -rpcuser=u -rpcpassword=p -fallbackfee=0.001 \
    -printtoconsole=0 > "$tmp/daemon.out" 2>&1 &
  pid=$!
  cli() { env ${libdir:+LD_LIBRARY_PATH=$libdir} litecoin-cli -regtest -rpcport="$port" -rpcuser=u -rpcpassword=p "$@"; }
  for i in $(seq 150); do out=$(cli getblockcount 2> /dev/null) && break; sleep 0.2; done
  [ "$out" = 0 ] || { echo "litecoin.sh ($label): the daemon did not answer getblockcount: '$out'"; tail -5 "$tmp/daemon.out"; return 2; }
  if [ -n "$libdir" ]; then
    grep -q "$libdir/libevent-2.1.so.7" /proc/$pid/maps || { echo "litecoin.sh: FAIL ($label): litecoind did not map our libevent"; return 1; }
    env LD_LIBRARY_PATH="$libdir" ldd "$(command -v litecoin-cli)" | grep -q "$libdir/libevent-2.1.so.7" \
      || { echo "litecoin.sh: FAIL ($label): litecoin-cli would not load our libevent"; return 1; }
  fi
  local ok=0 addr txid got best
  fail() { echo "litecoin.sh: FAIL ($label): $*"; ok=1; }
  cli createwallet w > /dev/null || fail "createwallet"
  addr=$(cli getnewaddress) || fail "getnewaddress"
  [ "$(cli generatetoaddress 101 "$addr" | grep -c '"[0-9a-f]\{64\}"')" = 101 ] || fail "generatetoaddress did not list 101 hashes"
  [ "$(cli getblockcount)" = 101 ] || fail "block count after mining is not 101"
  [ "$(cli getbalance)" = 50.00000000 ] || fail "balance is not 50: $(cli getbalance)"
  txid=$(cli sendtoaddress "$(cli getnewaddress)" 1.5) || fail "sendtoaddress"
  [[ $txid =~ ^[0-9a-f]{64}$ ]] || fail "sendtoaddress gave '$txid'"
  [ "$(cli getrawmempool | grep -c "\"$txid\"")" = 1 ] || fail "the payment is not in the mempool"
  cli generatetoaddress 1 "$addr" > /dev/null
  [ "$(cli getblockcount)" = 102 ] || fail "block count is not 102"
  cli gettransaction "$txid" | grep -q '"confirmations": 1,' || fail "the payment is not confirmed once"
  # 1 MB up through the evhttp client and back from the server.
  head -c 1000000 /dev/zero | tr '\0' a > "$tmp/big"
  got=$( (cat "$tmp/big"; echo) | cli -stdin echo | tr -d ' \n[]"' | wc -c)
  [ "$got" = 1000000 ] || fail "1 MB echo came back as $got bytes"
  best=$(cli getbestblockhash)
  python3 "$tmp/raw.py" "$port" "$best" > "$tmp/raw.out" 2>&1
  diff <(printf '%s\n' "badauth 401" "batch 200 102 -32601" "keepalive [64, 64, 64, 64, 64]" \
           "rest chaininfo 200 application/json 102" "rest block 200 True True" "rest unknown 404") "$tmp/raw.out" \
    || fail "raw HTTP checks differ (expected < > got)"
  cli stop > /dev/null || fail "stop"
  for i in $(seq 150); do kill -0 $pid 2> /dev/null || break; sleep 0.1; done
  if kill -0 $pid 2> /dev/null; then
    fail "litecoind still runs 15 s after stop (its HTTP thread's event_base_dispatch did not return)"
    kill -9 $pid
  fi
  wait $pid; local st=$?; pid=
  [ $st = 0 ] || fail "litecoind exit status $st"
  return $ok
}

workload "Debian's libevent"; st=$?
[ $st = 0 ] || { echo "litecoin.sh: SKIP: the workload fails on Debian's libevent itself (status $st)"; exit 77; }
workload ours "$ROOT/build/lib" || exit 1
echo "litecoin.sh: ok (litecoind's evhttp JSON-RPC/REST server and litecoin-cli's evhttp client on our library: wallet, mining, payment, 1 MB echo, batch, 401, REST, keep-alive, stop)"
