#!/usr/bin/env python3
"""make test: everything CI checks, with one closing tally.

Steps, each streamed as it runs:
  1. swift test            XCTest / Swift Testing counts (build failure: 1 failed)
  2. make lib              1 item
  3. parity matrix         its own tally: (program, B|C, backend) comparisons
                           plus one valgrind memory check per program
  4. coverage              1 item (make coverage)
  5. exported symbols      1 item: nothing exported beyond libevent's public API
  6. tests/*.sh            1 item each; exit 0 passed, 77 skipped, else failed

The last line is `N passed, N failed` (`, N skipped` appended when something
was skipped); the exit status is 1 if anything failed."""

import glob
import os
import re
import shutil
import signal
import subprocess
import threading
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAKE = os.environ.get("MAKE", "make")
SWIFT = os.environ.get("SWIFT", "swift")
SCRIPT_TIMEOUT = float(os.environ.get("TEST_SCRIPT_TIMEOUT", "600"))

totals = {"passed": 0, "failed": 0, "skipped": 0}
summary = []


def banner(title):
    print("\n=== %s ===" % title, flush=True)


def stream(cmd, timeout=None, env=None):
    """Run cmd in ROOT, echo its output live, return (rc, output text)."""
    t0 = time.monotonic()
    try:
        p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    except OSError as e:
        print("cannot run %s: %s" % (cmd[0], e), flush=True)
        return 127, ""
    out = []
    fired = []

    def kill():
        fired.append(True)
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill) if timeout else None
    if timer:
        timer.start()
    for raw in p.stdout:
        line = raw.decode("utf-8", "replace")
        out.append(line)
        sys.stdout.write(line)
        sys.stdout.flush()
    rc = p.wait()
    if timer:
        timer.cancel()
    if fired:
        print("\n(killed after %.0fs)" % timeout, flush=True)
        rc = 124
    return rc, "".join(out)


def record(name, passed, failed, skipped=0, note=""):
    totals["passed"] += passed
    totals["failed"] += failed
    totals["skipped"] += skipped
    summary.append((name, passed, failed, skipped, note))


def step_swift_test():
    banner("swift test")
    rc, out = stream([SWIFT, "test"])
    passed = failed = 0
    counted = False
    xc = re.findall(r"Executed (\d+) tests?, with (\d+) failures?", out)
    if xc:
        # The last line is the "All tests" suite: it covers every other one.
        n, f = map(int, xc[-1])
        passed += n - f
        failed += f
        counted = True
    st = re.search(r"Test run with (\d+) tests?(?: in \d+ suites?)? (passed|failed)", out)
    if st:
        n = int(st.group(1))
        f = len(re.findall(r"^\S*\s*Test (?!run with)\S.* failed after", out, flags=re.M)) if st.group(2) == "failed" else 0
        if st.group(2) == "failed" and f == 0:
            f = 1
        passed += max(n - f, 0)
        failed += f
        counted = True
    note = ""
    if rc != 0 and failed == 0:
        failed += 1
        note = "swift test exited %d%s" % (rc, "" if counted else " before running tests")
    record("swift test", passed, failed, note=note)


def step_make_lib():
    banner("make lib")
    rc, _ = stream([MAKE, "--no-print-directory", "lib"])
    record("make lib", 1 if rc == 0 else 0, 0 if rc == 0 else 1,
           note="" if rc == 0 else "exit %d" % rc)


def step_matrix():
    banner("parity matrix (ctests/run_matrix.sh)")
    rc, out = stream([sys.executable, os.path.join(ROOT, "ctests", "run_matrix.py"), "--valgrind"])
    m = None
    for line in out.splitlines():
        mm = re.match(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$", line)
        if mm:
            m = mm
    if not m:
        record("parity matrix", 0, 1, note="no tally (exit %d)" % rc)
        return
    p, f, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if rc != 0 and f == 0:
        f = 1
    record("parity matrix", p, f, s)


def step_coverage():
    banner("coverage (make coverage)")
    rc, _ = stream([MAKE, "--no-print-directory", "-s", "coverage"])
    record("coverage", 1 if rc == 0 else 0, 0 if rc == 0 else 1)


def step_symbols():
    banner("exported symbols (make check-symbols, extras only)")
    ours = os.path.join(ROOT, "build", "lib", "libevent-2.1.so.7")
    rc, _ = stream([sys.executable, os.path.join(ROOT, "tests", "check_symbols.py"), "--brief", "--ours", ours])
    record("only public symbols exported", 1 if rc == 0 else 0, 0 if rc == 0 else 1)


def step_scripts():
    scripts = sorted(glob.glob(os.path.join(ROOT, "tests", "*.sh")))
    for s in scripts:
        name = "tests/" + os.path.basename(s)
        banner(name)
        rc, out = stream(["bash", s], timeout=SCRIPT_TIMEOUT)
        # A script that reports its own "N passed, N failed[, N skipped]"
        # tally contributes those counts (its exit status must agree).
        tally = re.findall(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$", out, re.M)
        if tally and rc in (0, 1):
            p_, f_, s_ = (int(x or 0) for x in tally[-1])
            if rc == 1 and f_ == 0:
                f_ = 1
            record(name, p_, f_, s_, "" if rc == 0 else "exit %d" % rc)
        elif rc == 0:
            record(name, 1, 0)
        elif rc == 77:
            record(name, 0, 0, 1, "skipped")
        else:
            record(name, 0, 1, note="exit %d" % rc)


# What the tests need from the system, as (Debian package, how to tell it
# is there). .ci/run installs the same list.
NEEDED = [
    ("libevent-dev", ["pkg-config", "--exists", "libevent"]),
    ("pkg-config", ["pkg-config", "--version"]),
    ("valgrind", ["valgrind", "--version"]),
    ("gcc", ["gcc", "--version"]),
    ("make", ["make", "--version"]),
    ("memcached", ["memcached", "-h"]),
    ("tmux", ["tmux", "-V"]),
    ("cmake", ["cmake", "--version"]),
    ("libssl-dev", ["test", "-f", "/usr/include/openssl/ssl.h"]),
    ("openssl", ["openssl", "version"]),
    ("sslsplit", ["test", "-x", "/usr/bin/sslsplit"]),
    ("tor", ["tor", "--version"]),
    ("coturn", ["test", "-x", "/usr/bin/turnserver"]),
    ("litecoind", ["test", "-x", "/usr/lib/litecoin/litecoind"]),
    ("ustreamer", ["test", "-x", "/usr/bin/ustreamer"]),
    ("tmate", ["test", "-x", "/usr/bin/tmate"]),
    ("transmission-daemon", ["test", "-x", "/usr/bin/transmission-daemon"]),
    ("transmission-cli", ["test", "-x", "/usr/bin/transmission-remote"]),
    ("curl", ["curl", "--version"]),
]


def missing_packages():
    out = []
    for pkg, probe in NEEDED:
        try:
            ok = subprocess.run(probe, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL).returncode == 0
        except OSError:
            ok = False
        if not ok:
            out.append(pkg)
    return out


def ensure_packages():
    """Install what is missing when we can (root with apt-get); otherwise stop
    at once with the one command to run. SKIP_INSTALL=1 goes on without."""
    missing = missing_packages()
    if not missing or os.environ.get("SKIP_INSTALL"):
        return
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends"] + missing
    if os.geteuid() == 0 and shutil.which("apt-get"):
        banner("installing what the tests need: " + " ".join(missing))
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-q"], env=env, stdin=subprocess.DEVNULL)
        subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL)
        missing = missing_packages()
        if not missing:
            return
    print("make test needs: %s\nrun:  sudo %s\n(or SKIP_INSTALL=1 make test to run without them)"
          % (" ".join(missing), " ".join(cmd)), flush=True)
    print("0 passed, 1 failed", flush=True)
    sys.exit(1)


def main():
    t0 = time.monotonic()
    os.chdir(ROOT)
    ensure_packages()
    step_swift_test()
    step_make_lib()
    step_matrix()
    step_coverage()
    step_symbols()
    step_scripts()
    banner("summary (%.0fs)" % (time.monotonic() - t0))
    for name, p, f, s, note in summary:
        verdict = "FAIL" if f else ("skip" if s and not p else "ok")
        print("  %-4s %-34s %4d passed %4d failed%s%s" % (
            verdict, name, p, f, " %4d skipped" % s if s else "", ("  (" + note + ")") if note else ""))
    tail = "%d passed, %d failed" % (totals["passed"], totals["failed"])
    if totals["skipped"]:
        tail += ", %d skipped" % totals["skipped"]
    print(tail, flush=True)
    return 1 if totals["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
