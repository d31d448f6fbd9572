#!/bin/bash
# tests/memcached.sh: Debian's /usr/bin/memcached (linked against
# libevent-2.1.so.7, event core only) run on our build/lib via LD_LIBRARY_PATH.
#
# The same bounded workload runs twice: first on the real libevent (a check of
# this script itself), then on ours, after checking /proc/PID/maps that the
# process really mapped build/lib/libevent-2.1.so.7 and not the system one.
# Workload: a few hundred set/get/append/prepend/incr/decr/delete/add/replace
# commands with every reply checked, a pipelined batch, multi-get, a 500 KB
# value, 200 connections open at once (each a set and a get), `stats`, the
# once-a-second clock timer (`time` advances by 2..3 over 2.2 s, an item with
# exptime 1 is gone after 2.5 s), connections closed by clients are noticed,
# then SIGTERM: memcached must exit with status 0 within 5 s (it only notices
# the signal on its next clock tick, so this checks the timer too).
#
# Exit 0 passed, 77 memcached (or python3) not installed, 1 failed.
# MEMCACHED_BACKENDS="epoll poll select" also runs ours under the other
# backends (EVENT_NOEPOLL / EVENT_NOPOLL); the default is epoll only.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
MEMCACHED=${MEMCACHED:-/usr/bin/memcached}

if [ ! -x "$MEMCACHED" ]; then
    echo "memcached.sh: SKIP: $MEMCACHED not installed (apt-get install memcached)"
    exit 77
fi
if ! command -v python3 > /dev/null; then
    echo "memcached.sh: SKIP: python3 not installed"
    exit 77
fi
if [ ! -e "$ROOT/build/lib/libevent-2.1.so.7" ]; then
    echo "memcached.sh: FAIL: $ROOT/build/lib/libevent-2.1.so.7 missing (run make lib)"
    exit 1
fi
if ! readelf -d "$MEMCACHED" 2> /dev/null | grep -q 'NEEDED.*\[libevent-2.1.so.7\]'; then
    echo "memcached.sh: FAIL: $MEMCACHED does not need libevent-2.1.so.7; cannot test our library with it"
    exit 1
fi

exec timeout --foreground -k 5 60 python3 - "$MEMCACHED" "$ROOT/build/lib" "${MEMCACHED_BACKENDS:-epoll}" <<'PY'
import os, random, signal, socket, subprocess, sys, tempfile, time

MEMCACHED, OURLIB, BACKENDS = sys.argv[1], sys.argv[2], sys.argv[3].split()
T0 = time.monotonic()


class Fail(Exception):
    pass


def log(msg):
    print("memcached.sh: [%5.1fs] %s" % (time.monotonic() - T0, msg), flush=True)


class Conn:
    """A blocking memcached text-protocol client with its own read buffer."""

    def __init__(self, port, timeout=5.0):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.s.close()

    def send(self, data):
        self.s.sendall(data)

    def _fill(self):
        try:
            chunk = self.s.recv(65536)
        except socket.timeout:
            raise Fail("timed out waiting for a reply (have %r)" % self.buf[:80])
        if not chunk:
            raise Fail("server closed the connection (have %r)" % self.buf[:80])
        self.buf += chunk

    def line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln.decode("latin-1")

    def exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, tail, self.buf = self.buf[:n], self.buf[n:n + 2], self.buf[n + 2:]
        if tail != b"\r\n":
            raise Fail("data block of %d bytes not followed by CRLF (got %r)" % (n, tail))
        return data

    def cmd(self, text, expect):
        self.send(text.encode() + b"\r\n")
        self.expect(text, expect)

    def expect(self, what, expect):
        got = self.line()
        if got != expect:
            raise Fail("%r: expected %r, got %r" % (what[:60], expect, got))

    def store(self, verb, key, value, flags=0, exptime=0, expect="STORED"):
        if isinstance(value, str):
            value = value.encode()
        self.send(b"%s %s %d %d %d\r\n%s\r\n" % (verb.encode(), key.encode(), flags, exptime, len(value), value))
        self.expect("%s %s" % (verb, key), expect)

    def get_multi(self, keys, verb="get"):
        self.send(("%s %s\r\n" % (verb, " ".join(keys))).encode())
        out = {}
        while True:
            ln = self.line()
            if ln == "END":
                return out
            parts = ln.split()
            if parts[0] != "VALUE" or len(parts) not in (4, 5):
                raise Fail("%s: unexpected line %r" % (verb, ln))
            data = self.exact(int(parts[3]))
            out[parts[1]] = (int(parts[2]), data) if verb == "get" else (int(parts[2]), data, int(parts[4]))

    def get(self, key):
        r = self.get_multi([key])
        return r.get(key)

    def check_get(self, key, value, flags=0):
        if isinstance(value, str):
            value = value.encode()
        got = self.get(key)
        if got != (flags, value):
            raise Fail("get %s: expected %r, got %r" % (key, (flags, value[:60]), got and (got[0], got[1][:60])))

    def stats(self):
        self.send(b"stats\r\n")
        st = {}
        while True:
            ln = self.line()
            if ln == "END":
                return st
            parts = ln.split(" ", 2)
            if parts[0] != "STAT" or len(parts) != 3:
                raise Fail("stats: unexpected line %r" % ln)
            st[parts[1]] = parts[2]


def stat_int(st, name):
    try:
        return int(st[name])
    except (KeyError, ValueError):
        raise Fail("stats: %s missing or not an integer (%r)" % (name, st.get(name)))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def libevent_maps(pid):
    paths = set()
    with open("/proc/%d/maps" % pid) as f:
        for ln in f:
            parts = ln.split(None, 5)
            if len(parts) == 6 and "libevent" in parts[5]:
                paths.add(parts[5].strip())
    return sorted(paths)


def workload(port, pid):
    n = 0  # commands whose reply was checked
    c = Conn(port)

    # Basic commands, one at a time.
    for i in range(40):
        k, v = "key%d" % i, "value-%d-%s" % (i, "x" * (i * 7))
        c.store("set", k, v, flags=i); c.check_get(k, v, flags=i)
        c.store("add", k, "other", expect="NOT_STORED")
        c.store("append", k, "-tail"); c.store("prepend", k, "head-")
        c.check_get(k, "head-" + v + "-tail", flags=i)
        c.store("replace", k, "r%d" % i, flags=7); c.check_get(k, "r%d" % i, flags=7)
        c.cmd("delete " + k, "DELETED"); c.cmd("delete " + k, "NOT_FOUND")
        if c.get(k) is not None:
            raise Fail("get %s after delete returned a value" % k)
        c.store("replace", k, "r", expect="NOT_STORED")
        c.store("append", k, "r", expect="NOT_STORED")
        n += 14
    c.store("set", "counter", "10")
    for i in range(30):
        c.cmd("incr counter 5", str(10 + 5 * (i + 1)))
    c.cmd("decr counter 1000", "0")
    c.cmd("incr nosuch 1", "NOT_FOUND")
    c.store("set", "text", "abc")
    c.cmd("incr text 1", "CLIENT_ERROR cannot increment or decrement non-numeric value")
    c.cmd("bogus_command", "ERROR")
    n += 36

    # Pipelined: 100 sets in one write, then the 100 replies.
    c.send(b"".join(b"set p%d 0 0 %d\r\n%s\r\n" % (i, len(b"pv%d" % i), b"pv%d" % i) for i in range(100)))
    for i in range(100):
        c.expect("pipelined set p%d" % i, "STORED")
    n += 100

    # Multi-get in request order, with misses mixed in; gets returns CAS values.
    keys = ["p%d" % i for i in range(0, 100, 2)] + ["missing1", "missing2"]
    got = c.get_multi(keys)
    want = {"p%d" % i: (0, b"pv%d" % i) for i in range(0, 100, 2)}
    if got != want:
        raise Fail("multi-get of %d keys: %d values, first differences %r" % (
            len(keys), len(got), [k for k in want if got.get(k) != want[k]][:5]))
    g = c.get_multi(["p1", "p3"], verb="gets")
    if set(g) != {"p1", "p3"}:
        raise Fail("gets p1 p3: %r" % g)
    cas = g["p1"][2]
    c.send(b"cas p1 0 0 2 %d\r\nOK\r\n" % cas); c.expect("cas p1", "STORED")
    c.send(b"cas p1 0 0 2 %d\r\nNO\r\n" % cas); c.expect("cas p1 (stale)", "EXISTS")
    c.check_get("p1", "OK")
    n += 5

    # A 500 KB value of random bytes (CR LF included), written and read whole.
    big = random.Random(7).randbytes(500 * 1024) if hasattr(random.Random, "randbytes") else os.urandom(500 * 1024)
    c.store("set", "big", big, flags=3)
    c.check_get("big", big, flags=3)
    n += 2

    # 200 connections open at once; each does a set, then each a get.
    st = c.stats()
    base_conns = stat_int(st, "curr_connections")
    conns = [Conn(port) for _ in range(200)]
    for i, cc in enumerate(conns):
        cc.send(b"set conc%d 0 0 %d\r\nc%d\r\n" % (i, len(b"c%d" % i), i))
    for i, cc in enumerate(conns):
        cc.expect("set conc%d" % i, "STORED")
    for i, cc in enumerate(conns):
        cc.send(b"get conc%d\r\n" % i)
    for i, cc in enumerate(conns):
        cc.expect("get conc%d" % i, "VALUE conc%d 0 %d" % (i, len(b"c%d" % i)))
        if cc.exact(len(b"c%d" % i)) != b"c%d" % i:
            raise Fail("get conc%d: wrong data" % i)
        cc.expect("get conc%d" % i, "END")
    n += 400
    st = c.stats()
    open_conns = stat_int(st, "curr_connections")
    if open_conns < base_conns + 200:
        raise Fail("curr_connections %d with 200 extra clients open (was %d)" % (open_conns, base_conns))
    for cc in conns:
        cc.close()
    deadline = time.monotonic() + 3
    while True:
        now_conns = stat_int(c.stats(), "curr_connections")
        if now_conns <= base_conns:
            break
        if time.monotonic() > deadline:
            raise Fail("curr_connections still %d 3 s after 200 clients closed (was %d)" % (now_conns, base_conns))
        time.sleep(0.1)

    # stats: the fields parse and make sense.
    st = c.stats()
    if stat_int(st, "pid") != pid:
        raise Fail("stats pid %s, process is %d" % (st.get("pid"), pid))
    for name in ("uptime", "time", "total_connections", "cmd_get", "cmd_set", "get_hits", "get_misses",
                 "curr_items", "total_items", "bytes", "threads", "rusage_user"):
        if name not in st:
            raise Fail("stats: %s missing" % name)
    if stat_int(st, "total_connections") < 201:
        raise Fail("total_connections %s < 201" % st["total_connections"])
    if stat_int(st, "cmd_set") < 300 or stat_int(st, "get_hits") < 300:
        raise Fail("cmd_set %s / get_hits %s too small" % (st["cmd_set"], st["get_hits"]))
    if st.get("libevent") != "2.1.12-stable":
        raise Fail("stats libevent is %r, expected '2.1.12-stable'" % st.get("libevent"))
    if abs(stat_int(st, "time") - time.time()) > 3:
        raise Fail("stats time %s is not the current time %d" % (st["time"], time.time()))

    # The once-a-second clock: `time` advances and an item with exptime 1 expires.
    c.store("set", "shortlived", "soon gone", exptime=1)
    c.check_get("shortlived", "soon gone")
    t1 = stat_int(c.stats(), "time")
    time.sleep(2.2)
    t2 = stat_int(c.stats(), "time")
    if not 2 <= t2 - t1 <= 3:
        raise Fail("stats time went %d -> %d in 2.2 s (the 1 s clock timer should advance it by 2..3)" % (t1, t2))
    time.sleep(0.3)
    if c.get("shortlived") is not None:
        raise Fail("item set with exptime 1 still there after 2.5 s")
    c.check_get("big", big, flags=3)
    n += 6
    c.close()
    return n, t2 - t1


def run(label, env_extra, ours):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("EVENT_") and k not in ("LD_LIBRARY_PATH", "LD_PRELOAD")}
    env.update(env_extra)
    if ours:
        env["LD_LIBRARY_PATH"] = OURLIB
    args = [MEMCACHED, "-U", "0", "-l", "127.0.0.1", "-c", "512", "-m", "64"]
    if os.geteuid() == 0:
        args += ["-u", "nobody"]
    errlog = tempfile.TemporaryFile()
    for attempt in range(3):
        port = free_port()
        proc = subprocess.Popen(args + ["-p", str(port)], env=env, stdin=subprocess.DEVNULL,
                                stdout=errlog, stderr=errlog)
        deadline = time.monotonic() + 5
        up = False
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                up = True
                break
            except OSError:
                time.sleep(0.05)
        if up:
            break
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    else:
        errlog.seek(0)
        raise Fail("%s: memcached did not start (last exit %s); its output:\n%s" % (
            label, proc.returncode, errlog.read().decode("utf-8", "replace")))

    def output():
        errlog.seek(0)
        return errlog.read().decode("utf-8", "replace").strip()

    try:
        maps = libevent_maps(proc.pid)
        want = os.path.realpath(os.path.join(OURLIB, "libevent-2.1.so.7"))
        if ours:
            if want not in maps or len(maps) != 1:
                raise Fail("memcached (pid %d) did not load our %s; libevent mappings: %s"
                           % (proc.pid, want, maps or "none"))
        elif not maps or any(p.startswith(os.path.dirname(want)) for p in maps):
            raise Fail("memcached (pid %d) should map the system libevent; libevent mappings: %s"
                       % (proc.pid, maps or "none"))
        log("%s: memcached pid %d on 127.0.0.1:%d maps %s" % (label, proc.pid, port, ", ".join(maps)))
        n, dt = workload(port, proc.pid)
        log("%s: %d replies checked; clock advanced %d s in 2.2 s; exptime-1 item expired" % (label, n, dt))
    except Fail as e:
        proc.kill()
        proc.wait()
        out = output()
        raise Fail("%s: %s%s" % (label, e, ("\nmemcached output:\n" + out) if out else ""))
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    t = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise Fail("%s: memcached still running 5 s after SIGTERM (killed)" % label)
    if rc != 0:
        raise Fail("%s: memcached exited with status %d after SIGTERM; output:\n%s" % (label, rc, output()))
    log("%s: SIGTERM -> exit 0 after %.1f s" % (label, time.monotonic() - t))


def on_timeout(signum, frame):
    if signum == signal.SIGALRM:
        raise Fail("timed out after %.0f s (the whole test is bounded at 55 s)" % (time.monotonic() - T0))
    raise Fail("terminated by SIGTERM after %.0f s" % (time.monotonic() - T0))


signal.signal(signal.SIGALRM, on_timeout)
signal.signal(signal.SIGTERM, on_timeout)
signal.alarm(55)
BACKEND_ENV = {"epoll": {}, "poll": {"EVENT_NOEPOLL": "1"},
               "select": {"EVENT_NOEPOLL": "1", "EVENT_NOPOLL": "1"}}
try:
    unknown = [b for b in BACKENDS if b not in BACKEND_ENV]
    if unknown:
        raise Fail("unknown backend(s) in MEMCACHED_BACKENDS: %s" % " ".join(unknown))
    run("real libevent", {}, ours=False)
    for b in BACKENDS:
        run("ours (%s)" % b, BACKEND_ENV[b], ours=True)
except Fail as e:
    print("memcached.sh: FAIL: %s" % e, flush=True)
    sys.exit(1)
print("memcached.sh: ok: memcached ran the workload on the real libevent and on ours (%s)" % " ".join(BACKENDS))
PY
