# tests/ustreamer.sh's client: talks HTTP to ustreamer on 127.0.0.1 and prints
# one line per observation (no times, ids or ports), so runs can be compared.
import base64, http.client, json, socket, sys, time

port = int(sys.argv[1])
blank = open(sys.argv[2], "rb").read()
static = open(sys.argv[3], "rb").read()
AUTH = {"Authorization": "Basic " + base64.b64encode(b"viewer:se cret").decode()}


def conn():
    return http.client.HTTPConnection("127.0.0.1", port, timeout=10)


def get(path, method="GET", headers=AUTH, c=None):
    c = c or conn()
    c.request(method, path, headers=headers)
    r = c.getresponse()
    return r, r.read()


r, b = get("/state", headers={})
print("no auth:", r.status, r.getheader("WWW-Authenticate"))
r, b = get("/state", headers={"Authorization": "Basic " + base64.b64encode(b"viewer:wrong").decode()})
print("bad auth:", r.status)
r, b = get("/state")
st = json.loads(b)["result"]
print("state:", r.status, r.getheader("Content-Type"), st["source"]["resolution"], st["source"]["online"],
      st["stream"]["clients"])
r, b = get("/snapshot")
print("snapshot:", r.status, r.getheader("Content-Type"), "body is the blank image:", b == blank,
      "online:", r.getheader("X-UStreamer-Online"), "size:", r.getheader("X-UStreamer-Width"), r.getheader("X-UStreamer-Height"))
r, b = get("/snapshot", method="HEAD")
print("HEAD snapshot:", r.status, r.getheader("Content-Type"), len(b))
r, b = get("/data.bin")
print("static file:", r.status, "byte-exact:", b == static)
r, b = get("/")
print("static index:", r.status, b"swift-libevent index" in b)
r, b = get("/no/such/file")
print("missing:", r.status)
r, b = get("/state", method="POST")
print("POST:", r.status)
# Keep-alive: three requests on one connection.
c = conn()
print("keep-alive:", [get(p, c=c)[0].status for p in ("/state", "/snapshot", "/state")])

# A stream client with query options (one percent-encoded): three multipart
# frames, each the blank image; meanwhile /state lists it with its options.
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"GET /stream?key=cam%20one&extra_headers=1&dual_final_frames=%31 HTTP/1.1\r\nHost: x\r\nAuthorization: "
          + AUTH["Authorization"].encode() + b"\r\n\r\n")
buf = b""
frames = []
deadline = time.monotonic() + 15
while len(frames) < 3 and time.monotonic() < deadline:
    d = s.recv(65536)
    if not d:
        break
    buf += d
    while True:
        i = buf.find(b"\r\n\r\n", buf.find(b"--boundarydonotcross") + 1) if b"--boundarydonotcross" in buf else -1
        if i < 0:
            break
        head = buf[:i].decode("latin-1")
        n = [int(l.split(":")[1]) for l in head.split("\r\n") if l.lower().startswith("content-length:")]
        if not n or len(buf) < i + 4 + n[-1]:
            break
        frames.append((head, buf[i + 4:i + 4 + n[-1]]))
        buf = buf[i + 4 + n[-1]:]
first = frames[0][0] if frames else ""
print("stream:", first.split("\r\n")[0], "multipart/x-mixed-replace" in first,
      "frames:", len(frames), "all the blank image:", all(f[1] == blank for f in frames),
      "extra headers:", all("X-UStreamer-Online: false" in f[0] for f in frames))
r, b = get("/state")
st = json.loads(b)["result"]["stream"]
print("state while streaming: clients", st["clients"], "options",
      [(v["extra_headers"], v["advance_headers"], v["dual_final_frames"]) for v in st["clients_stat"].values()])
s.close()
for _ in range(50):
    if json.loads(get("/state")[1])["result"]["stream"]["clients"] == 0:
        break
    time.sleep(0.1)
print("after the stream closed: clients", json.loads(get("/state")[1])["result"]["stream"]["clients"])
