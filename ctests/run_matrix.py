#!/usr/bin/env python3
"""Parity matrix for swift-libevent.

Every ctests/*.c is built twice and run three ways under each backend:

  A  built and linked against the installed libevent (the reference)
  B  built against include/ and linked against build/lib
  C  binary A run with LD_LIBRARY_PATH=build/lib (binary compatibility)

For each backend (epoll, poll, select) the stdout and exit status of B and C are
compared with those of A under the same backend.  A's output is recomputed on
every run; nothing expected is checked in.  Optionally each B binary also runs
once under valgrind (epoll), which must report no errors and no definite leaks.

Tally: each (program, B or C, backend) comparison is one item, each memory
check is one item.  The last line printed is `N passed, N failed` (with
`, N skipped` appended when a directive skipped something).

Usage: ctests/run_matrix.sh [options] [ctests/foo.c | foo ...]
See ctests/README.md for the directives a test can carry.
"""

import argparse
import concurrent.futures as cf
import difflib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# Overridable so the harness itself can be checked against a copy of the real
# library posing as ours (see README).
INCLUDE = os.path.abspath(os.environ.get("CTEST_INCLUDE") or os.path.join(ROOT, "include"))
LIBDIR = os.path.abspath(os.environ.get("CTEST_LIBDIR") or os.path.join(ROOT, "build", "lib"))
OUTROOT = os.path.join(HERE, "out")
REAL_LIBDIR = "/usr/lib/x86_64-linux-gnu"

BACKENDS = {
    "epoll": {},
    "poll": {"EVENT_NOEPOLL": "1"},
    "select": {"EVENT_NOEPOLL": "1", "EVENT_NOPOLL": "1"},
}
BACKEND_ORDER = ["epoll", "poll", "select"]

# Headers real libevent installs; a B build that picks one of these up silently
# compiled against the reference instead of our headers.
SYSTEM_EVENT_HEADERS = re.compile(
    r"^/usr/(local/)?include/(event2/[^ ]*\.h|event\.h|evdns\.h|evhttp\.h|evrpc\.h|evutil\.h)$")

KNOWN_DIRECTIVES = {
    "libs": "extra link flags for A and B, after -levent",
    "cflags": "extra compile flags for A and B",
    "backends": "subset of: epoll poll select",
    "timeout": "seconds per run (default 10)",
    "args": "command line arguments (shell words)",
    "env": "extra environment, VAR=value words",
    "skip-C": "reason: do not run binary A against our library",
    "no-valgrind": "reason: do not run the memory check",
}
NEED_REASON = {"skip-C", "no-valgrind"}

DEFAULT_TIMEOUT = 10.0
CC = os.environ.get("CC", "gcc") or "gcc"
CFLAGS = ["-g", "-O1", "-w"]

_print_lock = threading.Lock()


def log(msg=""):
    with _print_lock:
        print(msg, flush=True)


# ---------------------------------------------------------------- directives

class Test:
    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.out = os.path.join(OUTROOT, self.name)
        self.errors = []          # directive problems: make the test count as failed
        self.libs = []
        self.cflags = []
        self.backends = list(BACKEND_ORDER)
        self.timeout = DEFAULT_TIMEOUT
        self.args = []
        self.env = {}
        self.skip_c = None
        self.no_valgrind = None
        self.parse()

    def parse(self):
        try:
            with open(self.path, encoding="utf-8", errors="replace") as f:
                head = f.readlines()[:100]
        except OSError as e:
            self.errors.append(str(e))
            return
        pat = re.compile(r"\bctest-([A-Za-z][A-Za-z-]*)\b\s*(?::\s*(.*?))?\s*(?:\*/.*)?$")
        for line in head:
            m = pat.search(line)
            if not m:
                continue
            key, val = m.group(1), (m.group(2) or "").strip()
            if key not in KNOWN_DIRECTIVES:
                self.errors.append("unknown directive ctest-%s" % key)
                continue
            try:
                words = shlex.split(val)
            except ValueError as e:
                self.errors.append("ctest-%s: %s" % (key, e))
                continue
            if key in NEED_REASON and not val:
                self.errors.append("ctest-%s needs a reason" % key)
            if key == "libs":
                self.libs += words
            elif key == "cflags":
                self.cflags += words
            elif key == "backends":
                bad = [w for w in words if w not in BACKENDS]
                if bad or not words:
                    self.errors.append("ctest-backends: unknown backend(s) %s" % " ".join(bad))
                self.backends = [b for b in BACKEND_ORDER if b in words]
            elif key == "timeout":
                try:
                    self.timeout = float(val)
                except ValueError:
                    self.errors.append("ctest-timeout: not a number: %r" % val)
            elif key == "args":
                self.args += words
            elif key == "env":
                for w in words:
                    if "=" not in w:
                        self.errors.append("ctest-env: expected VAR=value, got %r" % w)
                    else:
                        k, v = w.split("=", 1)
                        self.env[k] = v
            elif key == "skip-C":
                self.skip_c = val or "?"
            elif key == "no-valgrind":
                self.no_valgrind = val or "?"


# ---------------------------------------------------------------- building

def pkg_config(*args):
    try:
        return shlex.split(subprocess.check_output(["pkg-config"] + list(args), text=True))
    except (OSError, subprocess.CalledProcessError):
        return None


class Build:
    def __init__(self, kind):
        self.kind = kind
        self.ok = False
        self.exe = None
        self.msg = ""


def sh_join(cmd):
    return " ".join(shlex.quote(c) for c in cmd)


def compile_one(test, kind, ref_cflags, ref_libs):
    b = Build(kind)
    exe = os.path.join(test.out, kind)
    logf = os.path.join(test.out, "build-%s.log" % kind)
    if kind == "A":
        if ref_cflags is None:
            b.msg = "pkg-config libevent not found (install libevent-dev pkg-config)"
            _write(logf, b.msg + "\n")
            return b
        cmd = [CC] + CFLAGS + ref_cflags + test.cflags + ["-o", exe, test.path] + \
            ref_libs + test.libs + ["-lpthread"]
    else:
        depf = exe + ".d"
        cmd = [CC] + CFLAGS + ["-I", INCLUDE] + test.cflags + ["-MD", "-MF", depf, "-o", exe, test.path,
                                                              "-L", LIBDIR, "-levent"] + test.libs + \
            ["-lpthread", "-Wl,-rpath," + LIBDIR]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    _write(logf, "$ " + sh_join(cmd) + "\n" + p.stdout)
    if p.returncode != 0:
        b.msg = first_error(p.stdout)
        return b
    if kind == "B":
        bad = system_headers_used(exe + ".d")
        if bad:
            b.msg = "used real libevent header %s (ours missing?)" % bad[0]
            _append(logf, b.msg + "\n")
            return b
    b.ok, b.exe = True, exe
    return b


def first_error(text):
    undef = []
    for m in re.finditer(r"undefined reference to [`']([^'`]+)'", text):
        if m.group(1) not in undef:
            undef.append(m.group(1))
    if undef:
        shown = ", ".join(undef[:6]) + (", ..." if len(undef) > 6 else "")
        return "undefined: %s (%d symbol%s)" % (shown, len(undef), "" if len(undef) == 1 else "s")
    lines = text.splitlines()
    for ln in lines:
        if "error" in ln or "undefined reference" in ln:
            return ln.strip()[:200]
    return (lines[-1].strip()[:200] if lines else "compiler failed")


def system_headers_used(depfile):
    try:
        with open(depfile) as f:
            words = f.read().replace("\\\n", " ").split()
    except OSError:
        return []
    return [w for w in words if SYSTEM_EVENT_HEADERS.match(os.path.normpath(w))]


def needed_libevent_sonames(exe):
    try:
        out = subprocess.check_output(["readelf", "-d", exe], text=True, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError):
        return []
    return re.findall(r"\(NEEDED\).*\[(libevent[^\]]*)\]", out)


_defined_cache = {}


def defined_symbols(lib):
    if lib not in _defined_cache:
        try:
            out = subprocess.check_output(["nm", "-D", "--defined-only", lib], text=True,
                                          stderr=subprocess.DEVNULL)
            _defined_cache[lib] = {ln.split()[-1].split("@")[0] for ln in out.splitlines() if ln.strip()}
        except (OSError, subprocess.CalledProcessError):
            _defined_cache[lib] = set()
    return _defined_cache[lib]


def unresolved_in_ours(exe):
    """Symbols binary A takes from libevent that build/lib does not define: the
    run-time equivalent of a link failure for the C column."""
    try:
        out = subprocess.check_output(["nm", "-D", "--undefined-only", exe], text=True,
                                      stderr=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError):
        return []
    wanted = [ln.split()[-1].split("@")[0] for ln in out.splitlines() if ln.strip()]
    ours, real = set(), set()
    for so in needed_libevent_sonames(exe):
        ours |= defined_symbols(os.path.join(LIBDIR, so))
        real |= defined_symbols(os.path.join(REAL_LIBDIR, so))
    return [w for w in wanted if w in real and w not in ours]


def missing_sonames(exe):
    """libevent sonames the binary needs that build/lib does not provide: such a
    run would quietly load the real library for part of the API."""
    return [s for s in needed_libevent_sonames(exe) if not os.path.exists(os.path.join(LIBDIR, s))]


# ---------------------------------------------------------------- running

class Run:
    def __init__(self):
        self.status = None        # "exit N", "signal N", "timeout", None when not run
        self.stdout = b""
        self.secs = 0.0


def base_env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("EVENT_") and k not in ("LD_LIBRARY_PATH", "LD_PRELOAD")}
    env["CTEST_SRCDIR"] = HERE
    return env


def run_proc(cmd, env, cwd, timeout, stdout_path, stderr_path):
    r = Run()
    t0 = time.monotonic()
    with open(stdout_path, "wb") as so, open(stderr_path, "wb") as se:
        try:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=so, stderr=se, cwd=cwd,
                                 env=env, start_new_session=True)
        except OSError as e:
            se.write(("cannot start: %s\n" % e).encode())
            r.status = "exit 127"
            return r
        try:
            rc = p.wait(timeout=timeout)
            r.status = "exit %d" % rc if rc >= 0 else "signal %d" % -rc
        except subprocess.TimeoutExpired:
            r.status = "timeout"
            kill_group(p)
    # A program that forked may leave children behind: kill the whole group.
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    r.secs = time.monotonic() - t0
    with open(stdout_path, "rb") as f:
        r.stdout = f.read()
    return r


def kill_group(p):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(p.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            p.wait(timeout=1)
            return
        except subprocess.TimeoutExpired:
            continue


def run_variant(test, build, backend, kind, timeout_scale):
    """kind is A, B or C; build is the Build providing the executable."""
    stem = os.path.join(test.out, "%s-%s" % (kind, backend))
    cwd = stem + ".cwd"
    os.makedirs(cwd, exist_ok=True)
    env = base_env()
    env.update(BACKENDS[backend])
    env.update(test.env)
    if kind == "C":
        env["LD_LIBRARY_PATH"] = LIBDIR
    r = run_proc([build.exe] + test.args, env, cwd, test.timeout * timeout_scale,
                 stem + ".out", stem + ".err")
    _write(stem + ".status", r.status + "\n")
    _cleanup_dir(cwd)
    return r


def run_valgrind(test, build, timeout_scale):
    stem = os.path.join(test.out, "valgrind")
    cwd = stem + ".cwd"
    os.makedirs(cwd, exist_ok=True)
    for f in os.listdir(test.out):
        if f.startswith("valgrind.") and f.endswith(".log"):
            os.unlink(os.path.join(test.out, f))
    env = base_env()
    # epoll, unless the test excludes it: then its first backend.
    be = "epoll" if "epoll" in test.backends or not test.backends else test.backends[0]
    env.update(BACKENDS[be])
    env.update(test.env)
    cmd = ["valgrind", "--error-exitcode=99", "--leak-check=full",
           "--show-leak-kinds=definite", "--errors-for-leak-kinds=definite",
           "--num-callers=30", "--child-silent-after-fork=yes",
           "--log-file=" + stem + ".%p.log", build.exe] + test.args
    r = run_proc(cmd, env, cwd, test.timeout * timeout_scale * 4 + 30, stem + ".out", stem + ".err")
    _cleanup_dir(cwd)
    logs = sorted(f for f in os.listdir(test.out) if f.startswith("valgrind.") and f.endswith(".log"))
    text = ""
    for f in logs:
        with open(os.path.join(test.out, f), errors="replace") as fh:
            text += fh.read()
    _write(stem + ".log", text)
    for f in logs:
        os.unlink(os.path.join(test.out, f))
    if r.status == "timeout":
        return "timeout", "no result within %gs" % (test.timeout * timeout_scale * 4 + 30)
    errs = [int(n) for n in re.findall(r"ERROR SUMMARY: (\d+) errors", text)]
    if not errs:
        return "FAIL", "no valgrind summary (%s); see %s.log" % (r.status, rel(stem))
    if sum(errs) or "Process terminating with default action" in text:
        lost = re.search(r"definitely lost: ([\d,]+) bytes", text)
        what = "%d error(s)" % sum(errs)
        if lost and lost.group(1) != "0":
            what += ", definitely lost %s bytes" % lost.group(1)
        return "FAIL", what + "; see %s.log" % rel(stem)
    return "ok", ""


def _write(path, text):
    with open(path, "w", errors="replace") as f:
        f.write(text)


def _append(path, text):
    with open(path, "a", errors="replace") as f:
        f.write(text)


def _cleanup_dir(d):
    # Scratch cwd per run; keep it only if the program left something there.
    try:
        os.rmdir(d)
    except OSError:
        pass


def rel(p):
    return os.path.relpath(p, ROOT)


# ---------------------------------------------------------------- comparing

def describe_diff(a, b, limit):
    lines = []
    if a.status != b.status:
        lines.append("status: expected %s, got %s" % (a.status, b.status))
    if a.stdout != b.stdout:
        al = a.stdout.decode("utf-8", "replace").splitlines()
        bl = b.stdout.decode("utf-8", "replace").splitlines()
        d = list(difflib.unified_diff(al, bl, "A (real libevent)", "ours", lineterm="", n=1))
        if not d:   # differs only in trailing newline or bytes
            d = ["stdout differs in bytes (len %d vs %d)" % (len(a.stdout), len(b.stdout))]
        lines += d
    full = "\n".join(lines)
    if limit and len(lines) > limit:
        lines = lines[:limit] + ["... (%d more lines)" % (len(lines) - limit)]
    return lines, full


def main():
    ap = argparse.ArgumentParser(description="Build ctests against real libevent and ours; compare.")
    ap.add_argument("tests", nargs="*", help="ctests/foo.c or foo (default: all ctests/*.c)")
    ap.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("CTEST_JOBS", "2")))
    ap.add_argument("--backends", default=None, help="comma list, e.g. epoll,poll")
    ap.add_argument("--valgrind", dest="valgrind", action="store_true", default=True,
                    help="memory check of each B build under epoll (default)")
    ap.add_argument("--no-valgrind", dest="valgrind", action="store_false")
    ap.add_argument("--timeout-scale", type=float,
                    default=float(os.environ.get("CTEST_TIMEOUT_SCALE", "1")))
    ap.add_argument("--diff-lines", type=int, default=8, help="diff lines shown per failure (0: all)")
    opts = ap.parse_args()

    os.makedirs(OUTROOT, exist_ok=True)
    if opts.tests:
        paths = []
        for t in opts.tests:
            cand = [t, os.path.join(HERE, t), os.path.join(HERE, t + ".c")]
            p = next((c for c in cand if os.path.isfile(c)), None)
            if not p:
                sys.exit("run_matrix: no such test: %s" % t)
            paths.append(p)
    else:
        paths = sorted(os.path.join(HERE, f) for f in os.listdir(HERE) if f.endswith(".c"))
    if not paths:
        log("run_matrix: no ctests/*.c found")
        log("0 passed, 1 failed")
        return 1
    tests = [Test(p) for p in paths]
    only = None
    if opts.backends:
        only = [b.strip() for b in opts.backends.split(",") if b.strip()]
        for b in only:
            if b not in BACKENDS:
                sys.exit("run_matrix: unknown backend %s" % b)
        for t in tests:
            t.backends = [b for b in t.backends if b in only]

    if opts.valgrind and not shutil.which("valgrind"):
        log("run_matrix: valgrind not installed: memory checks count as failed")

    global REAL_LIBDIR
    libdir = pkg_config("--variable=libdir", "libevent")
    if libdir:
        REAL_LIBDIR = libdir[0]
    ref_cflags = pkg_config("--cflags", "libevent")
    ref_libs = pkg_config("--libs", "libevent")
    have_lib = os.path.exists(os.path.join(LIBDIR, "libevent-2.1.so.7"))

    for t in tests:
        shutil.rmtree(t.out, ignore_errors=True)
        os.makedirs(t.out)

    t_start = time.monotonic()
    log("run_matrix: %d program(s), %d job(s), backends %s%s" % (
        len(tests), opts.jobs, ",".join(only or BACKEND_ORDER),
        ", valgrind on B/epoll" if opts.valgrind else ""))

    # Phase 1: builds.
    builds = {}
    with cf.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as ex:
        futs = {}
        for t in tests:
            for kind in ("A", "B"):
                if kind == "B" and not have_lib:
                    b = Build("B")
                    b.msg = "build/lib/libevent-2.1.so.7 missing (run make lib)"
                    builds[(t.name, kind)] = b
                    continue
                futs[ex.submit(compile_one, t, kind, ref_cflags, ref_libs)] = (t.name, kind)
        for f in cf.as_completed(futs):
            builds[futs[f]] = f.result()
    # A binary is only ours-compatible if every libevent soname it needs is in build/lib.
    for t in tests:
        for kind in ("A", "B"):
            b = builds[(t.name, kind)]
            if b.ok and have_lib:
                miss = missing_sonames(b.exe)
                if miss and kind == "B":
                    b.ok, b.msg = False, "build/lib lacks %s" % ", ".join(miss)
                elif miss:
                    b.c_missing = "build/lib lacks " + ", ".join(miss)
                elif kind == "A":
                    undef = unresolved_in_ours(b.exe)
                    if undef:
                        b.c_missing = "undefined in ours: %s (%d symbol%s)" % (
                            ", ".join(undef[:6]) + (", ..." if len(undef) > 6 else ""),
                            len(undef), "" if len(undef) == 1 else "s")

    # Phase 2: runs.
    runs = {}
    mem = {}
    with cf.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as ex:
        futs = {}
        for t in tests:
            a, b = builds[(t.name, "A")], builds[(t.name, "B")]
            for be in t.backends:
                if a.ok:
                    futs[ex.submit(run_variant, t, a, be, "A", opts.timeout_scale)] = (t.name, "A", be)
                if b.ok:
                    futs[ex.submit(run_variant, t, b, be, "B", opts.timeout_scale)] = (t.name, "B", be)
                if a.ok and have_lib and not t.skip_c and not getattr(a, "c_missing", None):
                    futs[ex.submit(run_variant, t, a, be, "C", opts.timeout_scale)] = (t.name, "C", be)
            if opts.valgrind and b.ok and not t.no_valgrind and shutil.which("valgrind"):
                futs[ex.submit(run_valgrind, t, b, opts.timeout_scale)] = (t.name, "mem", None)
        for f in cf.as_completed(futs):
            key = futs[f]
            if key[1] == "mem":
                mem[key[0]] = f.result()
            else:
                runs[key] = f.result()

    # Phase 3: compare and report.
    passed = failed = skipped = 0
    cols = [(k, be) for k in ("A", "B", "C") for be in BACKEND_ORDER]
    if opts.valgrind:
        cols.append(("mem", None))
    rows, notes = [], []
    for t in tests:
        a, b = builds[(t.name, "A")], builds[(t.name, "B")]
        cells = {}
        tnotes = []
        grouped = {}
        for e in t.errors:
            tnotes.append("directive: " + e)
        if not a.ok:
            tnotes.append("A build-error (test defect): " + a.msg + "  [%s]" % rel(os.path.join(t.out, "build-A.log")))
        if not b.ok:
            tnotes.append("B build-error: " + b.msg + "  [%s]" % rel(os.path.join(t.out, "build-B.log")))
        for be in BACKEND_ORDER:
            if be not in t.backends:
                for k in ("A", "B", "C"):
                    cells[(k, be)] = "-"
                continue
            ra = runs.get((t.name, "A", be))
            if not a.ok:
                cells[("A", be)] = "build-error"
            elif ra.status == "timeout":
                cells[("A", be)] = "timeout"
            elif ra.status != "exit 0":
                cells[("A", be)] = ra.status.replace("exit ", "exit").replace("signal ", "sig")
            else:
                cells[("A", be)] = "ok"
            a_usable = a.ok and ra is not None and ra.status != "timeout"
            for k in ("B", "C"):
                if k == "C" and t.skip_c:
                    cells[(k, be)] = "skip"
                    skipped += 1
                    continue
                verdict, why = None, None
                if k == "B" and not b.ok:
                    verdict = "build-error"
                elif k == "C" and not have_lib:
                    verdict, why = "build-error", "build/lib/libevent-2.1.so.7 missing"
                elif k == "C" and not a.ok:
                    verdict = "build-error"
                elif k == "C" and getattr(a, "c_missing", None):
                    verdict, why = "build-error", a.c_missing
                else:
                    r = runs.get((t.name, k, be))
                    if r.status == "timeout":
                        verdict = "timeout"
                        why = "no exit within %gs" % (t.timeout * opts.timeout_scale)
                        if a_usable:
                            why += " (A: %s in %.1fs)" % (ra.status, ra.secs)
                    elif not a_usable:
                        verdict = "FAIL"
                        why = "no expectation: A %s" % ("timed out" if a.ok else "did not build")
                    elif r.status == ra.status and r.stdout == ra.stdout:
                        verdict = "ok"
                    else:
                        verdict = "FAIL"
                        lines, full = describe_diff(ra, r, opts.diff_lines)
                        _write(os.path.join(t.out, "%s-%s.diff" % (k, be)), full + "\n")
                        errp = os.path.join(t.out, "%s-%s.err" % (k, be))
                        err_head = ""
                        try:
                            with open(errp, errors="replace") as fh:
                                err_head = fh.readline().strip()
                        except OSError:
                            pass
                        why = "\n      ".join(lines)
                        if err_head:
                            why += "\n      stderr: " + err_head[:200]
                cells[(k, be)] = verdict
                if verdict == "ok":
                    passed += 1
                else:
                    failed += 1
                    if why:
                        grouped.setdefault((k, verdict, why), []).append(be)
        # Identical failures across backends are reported once.
        for (k, verdict, why), bes in grouped.items():
            tnotes.append("%s/%s %s: %s" % (k, ",".join(bes), verdict, why))
        if t.errors:
            # A malformed directive is a test defect: count it against the test.
            failed += 1
        if opts.valgrind:
            if t.no_valgrind:
                cells[("mem", None)] = "skip"
                skipped += 1
            elif not b.ok:
                cells[("mem", None)] = "build-error"
                failed += 1
            elif not shutil.which("valgrind"):
                cells[("mem", None)] = "FAIL"
                tnotes.append("mem FAIL: valgrind not installed")
                failed += 1
            else:
                v, why = mem[t.name]
                cells[("mem", None)] = v
                if v == "ok":
                    passed += 1
                else:
                    failed += 1
                    tnotes.append("mem %s: %s" % (v, why))
        rows.append((t.name, cells))
        if tnotes:
            notes.append((t.name, tnotes))

    # Print the matrix.
    namew = max([len(r[0]) for r in rows] + [7])
    cw = 12
    hdr1 = "%-*s " % (namew, "") + "".join("%-*s" % (cw * 3, "   " + k) for k in ("A (real)", "B (ours)", "C (A+LD_LIBRARY_PATH)"))
    if opts.valgrind:
        hdr1 += "valgrind"
    hdr2 = "%-*s " % (namew, "program") + "".join("%-*s" % (cw, ("mem" if k == "mem" else be)) for k, be in cols)
    log("")
    log(hdr1.rstrip())
    log(hdr2.rstrip())
    log("-" * len(hdr2.rstrip()))
    for name, cells in rows:
        log(("%-*s " % (namew, name) + "".join("%-*s" % (cw, cells.get(c, "?")) for c in cols)).rstrip())
    if notes:
        log("")
        log("Failures (full outputs in %s/<program>/):" % rel(OUTROOT))
        for name, tn in notes:
            log("%s:" % name)
            for n in tn:
                log("    " + n)
    log("")
    log("run_matrix: %.0fs; outputs in %s/" % (time.monotonic() - t_start, rel(OUTROOT)))
    tail = "%d passed, %d failed" % (passed, failed)
    if skipped:
        tail += ", %d skipped" % skipped
    log(tail)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
