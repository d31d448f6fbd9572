#!/bin/bash
# tests/sslsplit_sni.sh: Debian's sslsplit in SNI mode on our build/lib: it
# peeks at the client's TLS server name, resolves it with evdns_getaddrinfo
# and connects there over TLS (libevent_openssl), forging a certificate for
# that name. Upstream is `openssl s_server -www` on 127.0.0.1.
#  - SNI "localhost" (resolved from /etc/hosts): the client verifies the
#    forged certificate against the CA made here for the name "localhost",
#    and gets s_server's status page through the proxy, three times;
#  - SNI "nosuch.invalid": the lookup fails, sslsplit logs
#    "Cannot resolve SNI hostname" with EVUTIL_EAI_NONAME's message and
#    drops the client.
# Runs first on Debian's libevent (a failure there is a skip), then on ours
# after checking /proc/PID/maps (libevent_openssl and libevent ours).
# Exit 0 passed, 77 sslsplit / openssl missing or failing on Debian's libevent, 1 failed.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
SSLSPLIT=${SSLSPLIT:-/usr/bin/sslsplit}
[ -x "$SSLSPLIT" ] || { echo "sslsplit_sni.sh: SKIP: $SSLSPLIT not installed (apt-get install sslsplit)"; exit 77; }
command -v openssl > /dev/null || { echo "sslsplit_sni.sh: SKIP: no openssl CLI"; exit 77; }
command -v python3 > /dev/null || { echo "sslsplit_sni.sh: SKIP: no python3"; exit 77; }
[ -f build/lib/libevent_openssl-2.1.so.7 ] || { echo "sslsplit_sni.sh: no build/lib: run make lib"; exit 1; }
tmp=$(mktemp -d)
upid= spid=
trap 'kill $upid $spid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/ca.key" -out "$tmp/ca.crt" \
  -days 2 -subj "/CN=swift-libevent test CA" 2> /dev/null || { echo "sslsplit_sni.sh: openssl req failed"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
listening() { grep -qi ":$(printf '%04X' "$1") 00000000:0000 0A" /proc/net/tcp; }

cat > "$tmp/client.py" <<'PY'
import socket, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
for name in ("localhost", "localhost", "localhost", "nosuch.invalid"):
    ctx = ssl.create_default_context(cafile=cafile)   # verifies the forged certificate for `name`
    try:
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname=name)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        d = b""
        while True:
            x = s.recv(65536)
            if not x:
                break
            d += x
        print(name, "verified", d.split(b"\r\n")[0].decode(), b"s_server" in d)
    except (ssl.SSLError, OSError) as e:
        print(name, "no session")
PY

# workload LABEL [LIBDIR]: 0 passed, 1 failed, 2 did not start.
workload() {
  local label=$1 libdir=${2:-} up port i ok=0
  up=$(free_port); port=$(free_port)
  openssl s_server -accept 127.0.0.1:"$up" -cert "$tmp/ca.crt" -key "$tmp/ca.key" -www -quiet > /dev/null 2>&1 &
  upid=$!
  env ${libdir:+LD_LIBRARY_PATH=$libdir} "$SSLSPLIT" -D -u root -k "$tmp/ca.key" -c "$tmp/ca.crt" \
    ssl 127.0.0.1 "$port" sni "$up" > "$tmp/ss.log" 2>&1 &
  spid=$!
  for i in $(seq 100); do listening "$port" && listening "$up" && break; sleep 0.05; done
  listening "$port" && listening "$up" || { echo "sslsplit_sni.sh ($label): sslsplit or s_server does not listen"; return 2; }
  if [ -n "$libdir" ]; then
    if ! grep -q "$libdir/libevent_openssl-2.1.so.7" /proc/$spid/maps || ! grep -q "$libdir/libevent-2.1.so.7" /proc/$spid/maps; then
      echo "sslsplit_sni.sh: FAIL ($label): sslsplit did not map our libraries"; return 1
    fi
  fi
  timeout 40 python3 "$tmp/client.py" "$port" "$tmp/ca.crt" > "$tmp/got" 2>&1
  diff <(printf '%s\n' "localhost verified HTTP/1.0 200 ok True" "localhost verified HTTP/1.0 200 ok True" \
           "localhost verified HTTP/1.0 200 ok True" "nosuch.invalid no session") "$tmp/got" \
    || { echo "sslsplit_sni.sh: FAIL ($label): client (< expected, > got)"; ok=1; }
  [ "$(grep -c "sni:localhost names:" "$tmp/ss.log")" = 3 ] || { echo "sslsplit_sni.sh: FAIL ($label): sslsplit did not log 3 SNI connections"; ok=1; }
  grep -q "Cannot resolve SNI hostname 'nosuch.invalid': nodename nor servname provided, or not known" "$tmp/ss.log" \
    || { echo "sslsplit_sni.sh: FAIL ($label): no clean lookup failure logged"; grep -i nosuch "$tmp/ss.log"; ok=1; }
  kill -TERM $spid
  for i in $(seq 100); do kill -0 $spid 2> /dev/null || break; sleep 0.05; done
  wait $spid; local st=$?; spid=
  [ $st = 0 ] || { echo "sslsplit_sni.sh: FAIL ($label): sslsplit exit status $st"; tail -5 "$tmp/ss.log"; ok=1; }
  kill $upid; wait $upid 2> /dev/null; upid=
  return $ok
}

workload debian; st=$?
[ $st = 0 ] || { echo "sslsplit_sni.sh: SKIP: the workload fails on Debian's libevent itself (status $st)"; exit 77; }
workload ours "$ROOT/build/lib" || exit 1
echo "sslsplit_sni.sh: ok (sslsplit's SNI mode on our library: evdns_getaddrinfo of the server name, TLS upstream, a certificate forged for it, a clean lookup failure)"
