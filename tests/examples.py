#!/usr/bin/env python3
"""make examples: the documentation examples compiled (and some run) against
real libevent and against ours.

For a directory of examples with a MANIFEST.tsv (columns file, seed, kind,
compiles_with_real_libevent, runs, ...; default ../shared/examples beside the
repository, else /work/shared/examples; EXAMPLES=dir or --examples dir), every
listed file (its wrappers/<file> instead when there is one) is built with the
per-kind command of the examples' README:

  fragment, snippet   CC -c -Wall -Wno-unused CFLAGS src -o x.o
  program             CC -Wall -Wno-unused src CFLAGS LIBS -o prog

  real: CFLAGS/LIBS = pkg-config --cflags / --libs libevent
  ours: CFLAGS = -I include, LIBS = -L build/lib -levent -Wl,-rpath,<abs build/lib>

A build ends `ok`, `warning` (built, with diagnostics), `error` (compile) or
`link-error` (with the undefined symbols).  One item per file: it passes when
ours ends like real (an example that builds with real libevent must build with
ours, a program must also link; one that fails with real must fail with ours)
and real agrees with the MANIFEST's compiles_with_real_libevent column.  An
ours build that read a system libevent header (/usr/include/event2/..., found
with -MD) is an error, so is an ours program whose libevent-2.1.so.7 does not
resolve to build/lib.

Then the runnable programs, built both ways, run and compared (one item each):
  - programs whose runs column says they exit by themselves (`needs-args`: run
    without arguments, which prints the usage and exits): stdout, stderr and
    exit status must match;
  - 054_s003_timer_demo.c, which never exits: `timeout 4 stdbuf -oL prog` on
    both, stdout lines compared with the "[x.xxx]" timing prefix removed.
Programs that never exit, are servers or need one are not run.  A run whose
build failed on either side counts as failed.

Prints a table, the libevent symbols our library is missing (from the link
errors), and `N passed, N failed`; exit 1 on any failure, 77 when no examples
directory is found."""

import argparse
import concurrent.futures
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DIRS = [os.path.join(ROOT, "..", "shared", "examples"), "/work/shared/examples"]
SYSTEM_HEADER = re.compile(r"^/usr/(?:local/)?include/(?:event2/\S+|ev(?:ent|util|dns|http|rpc)\.h)$")
# Never-exiting programs run for a fixed time anyway: file -> (seconds, prefix to strip per line).
TIMED_RUNS = {"054_s003_timer_demo.c": (4, re.compile(r"^\[\d+\.\d{3}\]"))}
RUN_TIMEOUT = 10


def sh(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace", **kw)


def clean_env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("EVENT_") and k not in ("LD_LIBRARY_PATH", "LD_PRELOAD")}
    env["LC_ALL"] = "C"
    return env


class Build:
    """The result of one compile (or compile and link)."""

    def __init__(self, status, detail="", missing=(), exe=None):
        self.status, self.detail, self.missing, self.exe = status, detail, sorted(set(missing)), exe

    def cell(self):
        if self.status == "link-error" and self.missing:
            return "link-error (%d missing)" % len(self.missing)
        return self.status


def build(cc, src, kind, side, cfg, out_dir, base):
    """Build src for side 'real' or 'ours'; return a Build."""
    out_dir = os.path.join(out_dir, side)
    dep = os.path.join(out_dir, base + ".d")
    if kind == "program":
        exe = os.path.join(out_dir, base)
        cmd = [cc, "-Wall", "-Wno-unused", src] + cfg["cflags"] + cfg["libs"] + ["-o", exe]
    else:
        exe = None
        cmd = [cc, "-c", "-Wall", "-Wno-unused"] + cfg["cflags"] + [src, "-o", os.path.join(out_dir, base + ".o")]
    r = sh(cmd + ["-MD", "-MF", dep], cwd=out_dir, env=clean_env())
    log = r.stdout
    with open(os.path.join(out_dir, base + ".log"), "w") as f:
        f.write(" ".join(shlex.quote(c) for c in cmd) + "\n" + log)
    if side == "ours" and os.path.exists(dep):
        with open(dep) as f:
            deps = f.read().replace("\\\n", " ").split()
        system = sorted({os.path.normpath(d) for d in deps if SYSTEM_HEADER.match(os.path.normpath(d))})
        if system:
            return Build("error", "read system libevent header(s) " + " ".join(system))
    if r.returncode != 0:
        undefined = re.findall(r"undefined reference to [`']([^'`]+)'", log)
        compile_errors = [ln for ln in log.splitlines() if "error:" in ln and "ld returned" not in ln]
        if undefined and not compile_errors:
            return Build("link-error", "undefined: " + " ".join(sorted(set(undefined))), undefined)
        first = next((ln for ln in log.splitlines() if "error:" in ln or "undefined reference" in ln),
                     log.strip().splitlines()[-1] if log.strip() else "exit %d" % r.returncode)
        return Build("error", first.strip())
    if side == "ours" and exe:
        ldd = sh(["ldd", exe], env=clean_env()).stdout
        m = re.search(r"libevent-2\.1\.so\.7 => (\S+)", ldd)
        want = os.path.realpath(os.path.join(cfg["libdir"], "libevent-2.1.so.7"))
        if not m or os.path.realpath(m.group(1)) != want:
            return Build("error", "libevent-2.1.so.7 resolves to %s, not %s" % (m.group(1) if m else "nothing", want))
    warn = next((ln.strip() for ln in log.splitlines() if "warning:" in ln), "")
    return Build("warning" if warn else "ok", warn, exe=exe)


def manifest_real_ok(text):
    """The compiles_with_real_libevent column as True (ok), False (error) or None."""
    t = text.strip().lower()
    if t.startswith("ok"):
        return True
    if t.startswith("error"):
        return False
    return None


def read_manifest(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        need = ["file", "kind", "compiles_with_real_libevent", "runs"]
        if any(n not in header for n in need):
            raise SystemExit("examples: %s: header lacks one of %s" % (path, need))
        for line in f:
            if not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            cols += [""] * (len(header) - len(cols))
            rows.append(dict(zip(header, cols)))
    return rows


def run_prog(exe, seconds=None, args=()):
    """Run exe in a scratch directory; return (status text, stdout, stderr).
    argv[0] is the bare file name, so both builds print the same usage line."""
    scratch = tempfile.mkdtemp(prefix="ex-run-")
    try:
        if seconds:
            cmd = ["timeout", str(seconds), "stdbuf", "-oL", exe] + list(args)
            limit = seconds + 10
        else:
            cmd = [os.path.basename(exe)] + list(args)
            limit = RUN_TIMEOUT
        try:
            r = subprocess.run(cmd, executable=None if seconds else exe, cwd=scratch, env=clean_env(), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=limit)
        except subprocess.TimeoutExpired as e:
            return "timeout", (e.stdout or b"").decode("utf-8", "replace"), (e.stderr or b"").decode("utf-8", "replace")
        rc = r.returncode
        status = ("stopped after %d s" % seconds) if seconds and rc == 124 else \
                 ("signal %d" % -rc if rc < 0 else "exit %d" % rc)
        return status, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", default=os.environ.get("EXAMPLES") or None,
                    help="examples directory with MANIFEST.tsv (relative to the repository root)")
    ap.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("EXAMPLES_JOBS", "2")))
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "examples"),
                    help="objects, binaries and compiler logs (default build/examples; real/ and ours/ below it)")
    ap.add_argument("--no-run", action="store_true", help="compile only")
    ap.add_argument("--include", default=os.path.join(ROOT, "include"),
                    help="headers used as ours (default include; a copy of the real ones checks this script)")
    ap.add_argument("--libdir", default=os.path.join(ROOT, "build", "lib"),
                    help="libraries used as ours (default build/lib)")
    opt = ap.parse_args()
    os.chdir(ROOT)

    candidates = [opt.examples] if opt.examples else DEFAULT_DIRS
    exdir = next((os.path.abspath(d) for d in candidates if os.path.isfile(os.path.join(d, "MANIFEST.tsv"))), None)
    if not exdir:
        print("examples: skipped: the seeds' examples are not beside this repository (no MANIFEST.tsv in %s);"
              " the repository's own examples run in tests/repo_examples.sh"
              % " or ".join(os.path.abspath(d) for d in candidates))
        return 1 if opt.examples else 77
    libdir = os.path.abspath(opt.libdir)
    if not os.path.exists(os.path.join(libdir, "libevent-2.1.so.7")):
        print("examples: %s/libevent-2.1.so.7 missing (run make lib)" % libdir)
        return 1
    cc = os.environ.get("CC") or "gcc"
    if shutil.which(cc) is None:
        print("examples: compiler %s not found" % cc)
        return 1
    pc = sh(["pkg-config", "--cflags", "--libs", "libevent"])
    if pc.returncode != 0:
        print("examples: pkg-config libevent failed (is libevent-dev installed?): %s" % pc.stdout.strip())
        return 1
    real = {"cflags": shlex.split(sh(["pkg-config", "--cflags", "libevent"]).stdout),
            "libs": shlex.split(sh(["pkg-config", "--libs", "libevent"]).stdout)}
    ours = {"cflags": ["-I", os.path.abspath(opt.include)],
            "libs": ["-L", libdir, "-levent", "-Wl,-rpath," + libdir], "libdir": libdir}

    rows = read_manifest(os.path.join(exdir, "MANIFEST.tsv"))
    out_dir = os.path.abspath(opt.out)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(os.path.join(out_dir, "real"))
    os.makedirs(os.path.join(out_dir, "ours"))
    print("examples: %d files from %s; compiler %s; logs and binaries in %s" % (
        len(rows), exdir, cc, os.path.relpath(out_dir, ROOT)))

    def one(row):
        f = row["file"]
        wrapper = os.path.join(exdir, "wrappers", f)
        src = wrapper if os.path.isfile(wrapper) else os.path.join(exdir, f)
        base = f[:-2] if f.endswith(".c") else f
        return (build(cc, src, row["kind"], "real", real, out_dir, base),
                build(cc, src, row["kind"], "ours", ours, out_dir, base))

    with concurrent.futures.ThreadPoolExecutor(max(1, opt.jobs)) as pool:
        results = list(pool.map(one, rows))

    passed = failed = skipped = 0
    pending = []  # (prefix, reason) of areas not implemented yet
    ni = os.path.join(ROOT, "tests", "not_implemented.txt")
    if os.path.exists(ni):
        for line in open(ni):
            if line.strip() and not line.startswith("#"):
                prefix, _, why = line.rstrip("\n").partition("\t")
                pending.append((prefix.strip(), why.strip()))

    def not_implemented(b):
        """The reasons, if every symbol ours lacks belongs to a pending area."""
        if b.status != "link-error" or not b.missing:
            return None
        why = set()
        for sym in b.missing:
            hit = [w for p, w in pending if sym.startswith(p)]
            if not hit:
                return None
            why.add(hit[0])
        return sorted(why)

    missing = {}  # symbol -> files whose ours link needs it
    notes = []
    width = max(len(r["file"]) for r in rows)
    print("\n%-*s  %-8s  %-24s  %-24s  %s" % (width, "file", "kind", "real", "ours", "match"))
    for row, (a, b) in zip(rows, results):
        f = row["file"]
        built = lambda x: x.status in ("ok", "warning")
        match = a.status == b.status
        expect = manifest_real_ok(row["compiles_with_real_libevent"])
        verdict = "yes" if match else "NO"
        if expect is not None and expect != built(a):
            verdict = "NO (real: manifest says %s)" % ("ok" if expect else "error")
            notes.append("%s: real libevent build is %s, the MANIFEST says %s: %s" % (
                f, a.status, "ok" if expect else "error", a.detail))
        pend = not_implemented(b) if built(a) else None
        if verdict != "yes" and pend:
            verdict = "skipped (not implemented: %s)" % "; ".join(pend)
            skipped += 1
        else:
            ok = verdict == "yes"
            passed += ok
            failed += not ok
        print("%-*s  %-8s  %-24s  %-24s  %s" % (width, f, row["kind"], a.cell(), b.cell(), verdict))
        for sym in b.missing:
            missing.setdefault(sym, []).append(f)
        if not match and not pend:
            if b.status == "link-error":
                notes.append("%s: ours does not link, missing %s" % (f, " ".join(b.missing)))
            else:
                notes.append("%s: real %s%s; ours %s%s" % (
                    f, a.status, (" (" + a.detail + ")") if a.detail else "",
                    b.status, (" (" + b.detail + ")") if b.detail else ""))

    # ---- runs
    by_file = {row["file"]: (row, res) for row, res in zip(rows, results)}
    runs = []
    for row in rows:
        if row["kind"] != "program":
            continue
        what = row["runs"].strip().lower()
        if row["file"] in TIMED_RUNS:
            secs, strip = TIMED_RUNS[row["file"]]
            runs.append((row["file"], "timeout %d stdbuf -oL" % secs, secs, strip))
        elif what.startswith("needs-args") or what.startswith("self-exiting") or what.startswith("exits"):
            runs.append((row["file"], "no arguments", None, None))
    if runs and not opt.no_run:
        print("\n%-*s  %-22s  %-28s  %-28s  %s" % (width, "run", "how", "real", "ours", "match"))
    for f, how, secs, strip in ([] if opt.no_run else runs):
        a, b = by_file[f][1]
        if not (a.exe and b.exe and a.status in ("ok", "warning") and b.status in ("ok", "warning")):
            if a.exe and not_implemented(b):
                skipped += 1
                print("%-*s  %-22s  %-28s  %-28s  %s" % (width, f, how, a.cell(), b.cell(), "skipped (not implemented)"))
                continue
            failed += 1
            print("%-*s  %-22s  %-28s  %-28s  %s" % (width, f, how, a.cell(), b.cell(), "NO (not run)"))
            notes.append("%s run: not run, the %s build failed" % (f, "real" if not a.exe else "ours"))
            continue
        ra = run_prog(a.exe, secs)
        rb = run_prog(b.exe, secs)
        if secs:
            la = [strip.sub("", ln) for ln in ra[1].splitlines()]
            lb = [strip.sub("", ln) for ln in rb[1].splitlines()]
            same = ra[0] == rb[0] and la == lb
            ca, cb = "%s, %d lines" % (ra[0], len(la)), "%s, %d lines" % (rb[0], len(lb))
        else:
            la, lb = ra[1].splitlines() + ra[2].splitlines(), rb[1].splitlines() + rb[2].splitlines()
            same = ra == rb
            ca, cb = "%s, %d lines" % (ra[0], len(la)), "%s, %d lines" % (rb[0], len(lb))
        passed += same
        failed += not same
        print("%-*s  %-22s  %-28s  %-28s  %s" % (width, f, how, ca, cb, "yes" if same else "NO"))
        if secs:
            for tag, r in (("real", ra), ("ours", rb)):
                print("    %s: %s" % (tag, " | ".join(ln.strip() for ln in r[1].splitlines()) or "(no output)"))
        if not same:
            notes.append("%s run differs:\n      real %s: stdout %r stderr %r\n      ours %s: stdout %r stderr %r" % (
                f, ra[0], ra[1][-400:], ra[2][-200:], rb[0], rb[1][-400:], rb[2][-200:]))

    if notes:
        print("\nfailures:")
        for n in notes:
            print("  " + n)
    if missing:
        print("\nlibevent symbols missing from build/lib (ours link errors), with the programs needing them:")
        for sym in sorted(missing):
            print("  %-40s %s" % (sym, " ".join(x.split("_", 1)[0] for x in missing[sym])))
    print("\n%d passed, %d failed%s" % (passed, failed, (", %d skipped" % skipped) if skipped else ""), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
