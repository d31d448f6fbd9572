#!/bin/bash
# tests/tmux.sh: Debian's /usr/bin/tmux (linked against libevent_core-2.1.so.7;
# it calls bufferevent_new and reads struct bufferevent fields directly) run on
# our library through LD_LIBRARY_PATH=$OURS_LIBDIR (default build/lib).
#
# The same bounded workload runs twice: first on the real libevent (a check of
# this script itself), then on ours.  Each time /proc/PID/maps of the server
# (and of two long-lived clients) must show the libevent_core-2.1.so.7 we
# meant to test.  No terminal is needed: a private socket (-S), -f /dev/null,
# detached sessions, a control-mode client on pipes.
#
# Workload, everything checked and bounded by timeouts:
#   daemon server (tmux's usual fork + daemon + event_reinit path):
#     - commands typed into a pane (send-keys), output found by capture-pane
#     - `seq 1 200000` in a pane (1.3 MB through the pty bufferevent): the
#       history must end with an unbroken run of numbers up to 200000
#     - a window whose command exits (remain-on-exit off: it disappears) and
#       one kept dead (remain-on-exit on: pane_dead_status 3, last words kept)
#     - run-shell: -d 1 (a timer), -b (background job), and a blocking one
#       whose 2000-line output (job bufferevent) is read back from view mode
#     - pipe-pane into a file (a write bufferevent)
#     - wait-for: a client blocked on a channel, released by another one
#     - a control-mode client (tmux -C) on pipes: command replies, %output
#     - 2 x 50 command clients in parallel (display -p), all must succeed
#     - kill-server: the daemon must be gone within 5 s
#   foreground server (tmux -D, our child, so its exit status is known):
#     - a session, a command in a pane, 50 parallel clients, kill-server:
#       exit status 0 and nothing on stderr
#
# Exit 0 passed, 1 failed, 77 skipped: tmux or python3 not installed, or our
# library lacks a libevent function tmux calls (the list is printed; the
# self-check on real libevent still runs first).
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
me=tmux.sh
TMUX_BIN=${TMUX_BIN:-/usr/bin/tmux}
OURS_LIBDIR=${OURS_LIBDIR:-$ROOT/build/lib}

if [ ! -x "$TMUX_BIN" ]; then
    echo "$me: SKIP: $TMUX_BIN not installed (apt-get install tmux)"
    exit 77
fi
command -v python3 > /dev/null || { echo "$me: SKIP: python3 not installed"; exit 77; }
SONAME=libevent_core-2.1.so.7
if ! readelf -d "$TMUX_BIN" 2> /dev/null | grep -q "NEEDED.*\[$SONAME\]"; then
    echo "$me: FAIL: $TMUX_BIN does not need $SONAME; cannot test our library with it"
    exit 1
fi
OURS_LIBDIR=$(cd "$OURS_LIBDIR" 2> /dev/null && pwd) || OURS_LIBDIR=
if [ -z "$OURS_LIBDIR" ] || [ ! -e "$OURS_LIBDIR/$SONAME" ]; then
    echo "$me: FAIL: ${OURS_LIBDIR:-build/lib}/$SONAME missing (run make lib, or set OURS_LIBDIR)"
    exit 1
fi
# The library tmux loads when nothing is overridden: what the self-check must map.
REAL_LIB=$(env -u LD_LIBRARY_PATH -u LD_PRELOAD ldd "$TMUX_BIN" | awk -v so="$SONAME" '$1 == so {print $3}')
REAL_LIB=$(readlink -f "$REAL_LIB")
OURS_LIB=$(readlink -f "$OURS_LIBDIR/$SONAME")
if [ -z "$REAL_LIB" ] || [ ! -e "$REAL_LIB" ]; then
    echo "$me: FAIL: cannot find the system $SONAME tmux loads (ldd)"
    exit 1
fi
if [ "$REAL_LIB" = "$OURS_LIB" ]; then
    echo "$me: FAIL: $OURS_LIBDIR/$SONAME is the system library itself"
    exit 1
fi

# Every function tmux takes from libevent must exist in ours, or the dynamic
# loader would stop it at start-up (binding is lazy for functions, so better
# know beforehand).
defined() { nm -D --defined-only "$1" | awk '{print $3}' | sed 's/@.*//' | sort -u; }
missing=$(nm -D --undefined-only "$TMUX_BIN" | awk '{print $2}' | sed 's/@.*//' | sort -u \
          | comm -12 - <(defined "$REAL_LIB") | comm -23 - <(defined "$OURS_LIB") | tr '\n' ' ')

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tmux-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/drive.py" << 'PY'
"""Drive one tmux server through the workload of tests/tmux.sh."""
import os, random, signal, subprocess, sys, tempfile, time

TMUX, LABEL, LIBDIR, EXPECT_LIB, SONAME = sys.argv[1:6]
T0 = time.monotonic()
started = []          # pids of tmux servers we started, killed on failure


class Fail(Exception):
    pass


def log(msg):
    print("tmux.sh: [%s %5.1fs] %s" % (LABEL, time.monotonic() - T0, msg), flush=True)


def make_env(home):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("EVENT_") and k not in ("LD_LIBRARY_PATH", "LD_PRELOAD", "TMUX", "TMUX_PANE")}
    env.update(SHELL="/bin/sh", TERM="xterm", HOME=home, TMUX_TMPDIR=home, LC_ALL="C.UTF-8", ENV="")
    env.pop("PS1", None)
    if LIBDIR:
        env["LD_LIBRARY_PATH"] = LIBDIR
    return env


class Tmux:
    def __init__(self, sock, env):
        self.sock, self.env = sock, env

    def argv(self, *args):
        return [TMUX, "-S", self.sock, "-f", "/dev/null"] + list(args)

    def run(self, *args, timeout=10, check=True):
        try:
            p = subprocess.run(self.argv(*args), env=self.env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Fail("tmux %s: no answer within %ss" % (" ".join(args), timeout))
        out = p.stdout.decode("utf-8", "replace")
        if check and p.returncode != 0:
            raise Fail("tmux %s: exit %s, stderr %r" % (" ".join(args), p.returncode,
                                                          p.stderr.decode("utf-8", "replace")[:300]))
        return out

    def popen(self, *args, **kw):
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        return subprocess.Popen(self.argv(*args), env=self.env, **kw)


def wait_until(what, pred, timeout, step=0.05):
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > end:
            raise Fail("%s: not within %ss" % (what, timeout))
        time.sleep(step)


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def check_maps(pid, who):
    try:
        with open("/proc/%d/maps" % pid) as f:
            maps = f.read()
    except OSError as e:
        raise Fail("%s (pid %d): cannot read its maps: %s" % (who, pid, e))
    libs = set()
    for line in maps.splitlines():
        parts = line.split(None, 5)
        if len(parts) == 6 and "libevent" in os.path.basename(parts[5]):
            libs.add(os.path.realpath(parts[5].strip()))
    if libs != {EXPECT_LIB}:
        raise Fail("%s (pid %d) mapped %s, expected exactly %s" % (who, pid, sorted(libs) or "no libevent", EXPECT_LIB))


def token():
    return "%08x" % random.getrandbits(32)


def pane_lines(t, target, history=False):
    args = ["capture-pane", "-p", "-t", target] + (["-S", "-"] if history else [])
    return t.run(*args).splitlines()


def wait_prompt(t, target):
    """Keys typed before the pane's shell has set up its terminal may be lost:
    wait for its prompt (any text on the screen) first."""
    wait_until("a shell prompt in pane %s" % target, lambda: any(l.strip() for l in pane_lines(t, target)), 10)


def type_and_see(t, target, tag):
    """Type a printf into the pane; its output line (not the echoed command) must appear."""
    k = token()
    t.run("send-keys", "-t", target, "printf '%s-%%s\\n' %s" % (tag, k), "Enter")
    want = "%s-%s" % (tag, k)
    try:
        wait_until("output %r in pane %s" % (want, target),
                   lambda: want in (l.rstrip() for l in pane_lines(t, target)), 10)
    except Fail as e:
        raise Fail("%s; the pane shows %r" % (e, [l for l in pane_lines(t, target) if l.strip()][-5:]))


def parallel_clients(t, n, what):
    procs = [t.popen("display", "-p", "#{session_name}") for _ in range(n)]
    bad = []
    for p in procs:
        try:
            out, err = p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            bad.append("timeout")
            continue
        if p.returncode != 0 or out != b"main\n":
            bad.append("exit %s out %r err %r" % (p.returncode, out[:40], err[:80]))
    if bad:
        raise Fail("%s: %d of %d clients failed: %s" % (what, len(bad), n, "; ".join(bad[:5])))


def view_mode_text(t, target):
    """Copy everything a view-mode pane shows (run-shell output) into a buffer."""
    for cmd in (["history-top"], ["begin-selection"], ["history-bottom"], ["end-of-line"],
                ["copy-selection-and-cancel"]):
        t.run("send-keys", "-t", target, "-X", *cmd)
    return t.run("show-buffer")


def daemon_phase(work):
    sock = os.path.join(work, "sock")
    t = Tmux(sock, make_env(work))

    t.run("new-session", "-d", "-s", "main", "-x", "200", "-y", "50", ";",
          "set", "-g", "history-limit", "5000", ";", "set", "-g", "remain-on-exit", "off")
    pid = int(t.run("display", "-p", "#{pid}").strip())
    started.append(pid)
    check_maps(pid, "tmux server")
    log("daemon server pid %d runs on %s" % (pid, EXPECT_LIB))
    wait_prompt(t, "main:0")

    for i in range(3):
        type_and_see(t, "main:0", "hello%d" % i)
    log("send-keys / capture-pane: ok")

    # Large output through the pane's pty.
    k = token()
    t.run("new-window", "-d", "-n", "big")
    wait_prompt(t, "main:big")
    t0 = time.monotonic()
    t.run("send-keys", "-t", "main:big", "seq 1 200000; echo seq-done-%s" % k, "Enter")
    wait_until("seq 1 200000 finishing in pane big",
               lambda: ("seq-done-" + k) in (l.rstrip() for l in pane_lines(t, "main:big")), 30, 0.1)
    took = time.monotonic() - t0
    lines = [l.rstrip() for l in pane_lines(t, "main:big", history=True)]
    end = max(i for i, l in enumerate(lines) if l == "seq-done-" + k)
    run, want, i = 0, 200000, end - 1
    while i >= 0 and lines[i] == str(want):
        run, want, i = run + 1, want - 1, i - 1
    if run < 4000:
        ctx = lines[max(0, end - run - 3): end - run + 2]
        raise Fail("seq 1 200000: only the last %d numbers are intact before the end marker (near %r)" % (run, ctx))
    log("seq 1 200000 in a pane: %.1fs, last %d lines of history intact" % (took, run))

    # A window whose command exits disappears.
    t.run("new-window", "-d", "-n", "short", "sleep 0.3")
    names = t.run("list-windows", "-F", "#{window_name}").split()
    if "short" not in names:
        raise Fail("new-window 'sleep 0.3': not listed at once (%s)" % names)
    wait_until("window 'short' disappearing after its command exits",
               lambda: "short" not in t.run("list-windows", "-F", "#{window_name}").split(), 10)
    names = t.run("list-windows", "-F", "#{window_name}").split()
    if len(names) != 2 or "big" not in names:
        raise Fail("after 'short' exited, list-windows gives %s" % names)
    # ... and one kept dead, with its exit status (it prints, then waits for
    # a line we type once the print is on screen, then exits 3).
    k = token()
    t.run("set", "-g", "remain-on-exit", "on")
    t.run("new-window", "-d", "-n", "dead", "echo bye-%s; read x; exit 3" % k)
    wait_until("output bye-%s in window 'dead'" % k,
               lambda: ("bye-" + k) in (l.rstrip() for l in pane_lines(t, "main:dead")), 10)
    t.run("send-keys", "-t", "main:dead", "Enter")
    state = lambda: t.run("display", "-p", "-t", "main:dead", "#{pane_dead} #{pane_dead_status} #{pane_dead_signal}").strip()
    wait_until("pane of window 'dead' marked dead (pty closed)", lambda: state().startswith("1"), 10)
    # tmux learns the status from SIGCHLD.  When the pty closes, libutempter
    # forks a helper with SIGCHLD set to SIG_DFL, and a shell exiting just
    # then has its SIGCHLD discarded (seen with real libevent too, 1 run in
    # 20).  Another child exiting makes the server reap every zombie.
    t.run("run-shell", "true")
    try:
        wait_until("pane of window 'dead' marked dead with status 3", lambda: state() == "1 3", 10)
    except Fail as e:
        raise Fail("%s: pane_dead, status, signal = %r; the pane shows %r"
                   % (e, state(), [l for l in pane_lines(t, "main:dead") if l.strip()][-5:]))
    t.run("kill-window", "-t", "main:dead")
    t.run("set", "-g", "remain-on-exit", "off")
    log("exiting windows (remain-on-exit off and on): ok")

    # run-shell: a delayed one, a background one, a blocking one with output.
    t0 = time.monotonic()
    t.run("run-shell", "-d", "1", "touch %s/ran-d" % work)
    took = time.monotonic() - t0
    if not os.path.exists(os.path.join(work, "ran-d")):
        raise Fail("run-shell -d 1 'touch': no file after it returned")
    if took < 0.9:
        raise Fail("run-shell -d 1 returned after %.2fs, before its delay" % took)
    t0 = time.monotonic()
    t.run("run-shell", "-b", "sleep 0.5; touch %s/ran-b" % work)
    took = time.monotonic() - t0
    if took > 0.45:
        raise Fail("run-shell -b took %.2fs: it should not wait for the job" % took)
    if os.path.exists(os.path.join(work, "ran-b")):
        raise Fail("run-shell -b: the job's file exists before the job could have run")
    wait_until("run-shell -b job touching its file", lambda: os.path.exists(os.path.join(work, "ran-b")), 10)
    k = token()
    t0 = time.monotonic()
    t.run("run-shell", "-t", "main:0", "sleep 0.5; echo rs-%s; seq 1 2000" % k, timeout=15)
    took = time.monotonic() - t0
    if took < 0.45:
        raise Fail("blocking run-shell returned after %.2fs, before its job ended" % took)
    got = [l.rstrip() for l in view_mode_text(t, "main:0").splitlines()]
    while got and not got[-1]:
        got.pop()
    want = ["rs-" + k] + [str(n) for n in range(1, 2001)]
    if got != want:
        raise Fail("run-shell output in view mode: %d lines, first %r last %r (want %d lines, rs-%s ... 2000)"
                   % (len(got), got[:2], got[-2:], len(want), k))
    log("run-shell -d / -b / blocking with 2000 lines of output: ok")

    # pipe-pane into a file.
    pipe_file = os.path.join(work, "pipe.txt")
    t.run("pipe-pane", "-t", "main:0", "-o", "cat >> %s" % pipe_file)
    k = token()
    t.run("send-keys", "-t", "main:0", "printf 'pipe-%%s\\n' %s; seq 1 3000 | tail -n 1" % k, "Enter")

    def piped():
        try:
            with open(pipe_file, "rb") as f:
                data = f.read()
        except OSError:
            return False
        return ("pipe-" + k).encode() in data and b"\n3000" in data
    wait_until("pipe-pane output reaching the file", piped, 10)
    t.run("pipe-pane", "-t", "main:0")
    log("pipe-pane: ok")

    # wait-for: a blocked client, released by another.
    chan = "chan-" + token()
    w = t.popen("wait-for", chan)
    time.sleep(0.3)
    if w.poll() is not None:
        raise Fail("wait-for %s returned (%s) before the channel was signalled" % (chan, w.returncode))
    check_maps(w.pid, "tmux client (wait-for)")
    t.run("wait-for", "-S", chan)
    try:
        w.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        w.kill()
        w.communicate()
        raise Fail("wait-for %s still blocked 5 s after wait-for -S" % chan)
    if w.returncode != 0:
        raise Fail("wait-for %s: exit %s" % (chan, w.returncode))
    log("wait-for: ok")

    # A control-mode client on pipes.
    c = t.popen("-C", "attach", "-t", "main", stdin=subprocess.PIPE)
    k = token()
    try:
        time.sleep(0.3)
        check_maps(c.pid, "tmux client (control mode)")
        c.stdin.write(("list-windows -F '#{window_name}'\n"
                       "send-keys -t main:0 \"printf 'ctl-%%s\\\\n' %s\" Enter\n" % k).encode())
        c.stdin.flush()
        time.sleep(1.0)
        out, err = c.communicate(timeout=10)    # closes stdin: the client detaches
    except subprocess.TimeoutExpired:
        c.kill()
        c.communicate()
        raise Fail("control-mode client did not exit 10 s after its stdin closed")
    text = out.decode("utf-8", "replace")
    if c.returncode != 0 or "%exit" not in text:
        raise Fail("control-mode client: exit %s, output %r" % (c.returncode, text[-300:]))
    blocks = [b for b in text.split("%begin")[1:]]
    if not any("\nbig\n" in b for b in blocks):
        raise Fail("control mode: no list-windows reply with window 'big' in %r" % text[:500])
    if not any(l.startswith("%output ") and ("ctl-" + k) in l for l in text.splitlines()):
        raise Fail("control mode: no %%output line with ctl-%s in %r" % (k, text[-500:]))
    log("control-mode client: ok")

    for r in range(2):
        parallel_clients(t, 50, "round %d of 50 parallel display -p" % (r + 1))
    log("2 x 50 parallel clients: ok")

    check_maps(pid, "tmux server")
    if not alive(pid):
        raise Fail("the server died during the workload")
    t.run("kill-server")
    wait_until("daemon server pid %d exiting after kill-server" % pid, lambda: not alive(pid), 5)
    started.remove(pid)
    log("kill-server: daemon gone")


def foreground_phase(work):
    sock = os.path.join(work, "sock-D")
    env = make_env(work)
    t = Tmux(sock, env)
    err_path = os.path.join(work, "server-D.err")
    with open(err_path, "wb") as errf:
        srv = subprocess.Popen([TMUX, "-S", sock, "-f", "/dev/null", "-D"], env=env,
                               stdin=subprocess.DEVNULL, stdout=errf, stderr=errf)
    started.append(srv.pid)
    wait_until("tmux -D creating its socket", lambda: os.path.exists(sock) or srv.poll() is not None, 10)
    if srv.poll() is not None:
        raise Fail("tmux -D exited with %s at start: %r" % (srv.returncode, open(err_path, "rb").read()[:300]))
    t.run("new-session", "-d", "-s", "main", "-x", "120", "-y", "40")
    pid = int(t.run("display", "-p", "#{pid}").strip())
    if pid != srv.pid:
        raise Fail("the session lives in server %d, not in our tmux -D (%d)" % (pid, srv.pid))
    check_maps(pid, "tmux -D server")
    wait_prompt(t, "main:0")
    type_and_see(t, "main:0", "fg")
    parallel_clients(t, 50, "50 parallel display -p (tmux -D)")
    t.run("kill-server")
    try:
        rc = srv.wait(timeout=5)
    except subprocess.TimeoutExpired:
        raise Fail("tmux -D still running 5 s after kill-server")
    started.remove(srv.pid)
    err = open(err_path, "rb").read()
    if rc != 0 or err:
        raise Fail("tmux -D after kill-server: exit status %s, output %r" % (rc, err[:300]))
    log("tmux -D server: exit status 0 after kill-server")


def main():
    random.seed()
    work = tempfile.mkdtemp(prefix="w.", dir=os.environ["TMUX_TEST_TMP"])
    try:
        daemon_phase(work)
        foreground_phase(work)
    except Fail as e:
        log("FAIL: %s" % e)
        return 1
    finally:
        for pid in started:
            try:
                subprocess.run([TMUX, "-S", os.path.join(work, "sock"), "kill-server"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=3)
            except Exception:
                pass
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    log("all checks passed (%.1fs)" % (time.monotonic() - T0))
    return 0


sys.exit(main())
PY

run_body() {   # LABEL LIBDIR EXPECTED_LIB
    TMUX_TEST_TMP=$tmp timeout -k 5 45 python3 "$tmp/drive.py" "$TMUX_BIN" "$1" "$2" "$3" "$SONAME"
}

echo "$me: self-check on the real libevent ($REAL_LIB)"
run_body real "" "$REAL_LIB"
rc=$?
if [ $rc -ne 0 ]; then
    [ $rc -eq 124 ] && echo "$me: the run on real libevent timed out"
    echo "$me: FAIL: the workload fails on real libevent: the script or the machine is at fault"
    exit 1
fi

if [ -n "$missing" ]; then
    echo "$me: SKIP: our $SONAME lacks what tmux calls: $missing"
    echo "$me: (bufferevent is issue 5; this script runs on ours once all of those exist)"
    exit 77
fi

echo "$me: on ours ($OURS_LIB)"
run_body ours "$OURS_LIBDIR" "$OURS_LIB"
rc=$?
if [ $rc -ne 0 ]; then
    [ $rc -eq 124 ] && echo "$me: the run on our library timed out"
    echo "$me: FAIL: tmux misbehaves on our library (the same workload passed on real libevent)"
    exit 1
fi
echo "$me: PASS (tmux runs the workload on $OURS_LIB as on real libevent)"
exit 0
