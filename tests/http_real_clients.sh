#!/bin/bash
# Real HTTP clients against an evhttp server (tests/http_real_clients.c) built
# on real libevent and on ours: curl (HTTP/1.1 and 1.0, keep-alive reuse,
# HEAD, POST, chunked upload, Expect: 100-continue, a body over the limit) and
# python's http.client. What each client saw (status, headers, body; Date
# normalized) must be the same on both. Exit 77 when curl is missing.
set -u
cd "$(dirname "$0")/.."
command -v curl >/dev/null || { echo "http_real_clients: curl not installed: skipped"; exit 77; }
[ -f build/lib/libevent.so ] || { echo "http_real_clients: build/lib missing (make lib)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O1 -o "$work/A" tests/http_real_clients.c $(pkg-config --cflags --libs libevent) || exit 1
gcc -O1 -Iinclude -o "$work/B" tests/http_real_clients.c -Lbuild/lib -levent -Wl,-rpath,"$PWD/build/lib" || exit 1
head -c 2000 /dev/zero | tr '\0' z > "$work/big"
run_clients() { # port
  local u="http://127.0.0.1:$1"
  c() { echo "--- curl ${*//$u/}"; curl -sS -i --max-time 5 "$@" 2>&1 | sed -e 's/^Date: .*/Date: <date>/' -e 's/\r$//'; echo; }
  c "$u/hello?x=1"
  c --http1.0 "$u/hello"
  c -H "Connection: keep-alive" --http1.0 "$u/hello"
  c "$u/hello" "$u/chunks" "$u/nothing"
  c -I "$u/hello"
  c -d "a=1&b=2" "$u/echo"
  c -H "Transfer-Encoding: chunked" -d "streamed body" "$u/echo"
  c -H "Expect: 100-continue" --data-binary "expected" "$u/echo"
  c --data-binary @"$work/big" "$u/echo"
  c "$u/error" "$u/missing%20page"
  c --path-as-is "$u/a/../hello"
  python3 - "$1" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
for method, path, body, headers in [("GET", "/hello", None, {}), ("POST", "/echo", b"py body", {"Content-Type": "text/x"}),
                                    ("HEAD", "/hello", None, {}), ("PUT", "/echo", b"", {}), ("GET", "/chunks", None, {}),
                                    ("DELETE", "/nothing", None, {}), ("GET", "/error", None, {})]:
    try:
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        hs = [(k, "<date>" if k == "Date" else v) for k, v in r.getheaders()]
        print("--- python", method, path, r.version, r.status, r.reason, hs, data)
    except Exception as e:
        print("--- python", method, path, "error", type(e).__name__)
        c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
PY
}
for impl in A B; do
  coproc SRV { exec "$work/$impl"; }
  pid=$SRV_PID
  read -r port <&"${SRV[0]}"
  run_clients "$port" > "$work/$impl.out"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null
done
if cmp -s "$work/A.out" "$work/B.out"; then
  echo "http_real_clients: curl and python's http.client saw the same on libevent and ours ($(grep -c '^---' "$work/A.out") exchanges)"
  exit 0
fi
echo "http_real_clients: libevent and ours differ"
diff "$work/A.out" "$work/B.out" | head -40
exit 1
