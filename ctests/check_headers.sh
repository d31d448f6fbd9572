#!/usr/bin/env bash
# Header parity check: our include/ against the installed libevent 2.1.12 headers.
#
#   a) ctests/layout_probe.c built against both header sets; outputs must match
#      (struct sizes/offsets, constant values and types, macro expansions).
#   b) for each header of /usr/include/event2 (and the top-level compat headers):
#      every macro name the reference defines must be defined by ours, with the
#      same replacement list (white space ignored); every function prototype
#      (gcc -aux-info, parameter types only) must match.
#   c) each header compiles on its own exactly when the reference one does.
#   d) no comment line of 40+ characters in our headers repeats a comment line of
#      the reference headers (we write our own text).
#   e) with --examples: every example in /work/shared/examples that compiles
#      against the reference headers also compiles against ours (link errors are
#      ignored, since no library is given).
#
# Usage: ctests/check_headers.sh [--examples]      Exit status 0 = all checks pass.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
ours="${CHECK_HEADERS_INCLUDE:-$root/include}"  # override to test the checker itself
ref_cflags="$(pkg-config --cflags libevent 2>/dev/null)"
ref_dir=/usr/include
work="$(mktemp -d /tmp/check_headers.XXXXXX)"
trap 'rm -rf "$work"' EXIT
fail=0
cc="${CC:-gcc}"

say() { printf '%s\n' "$*"; }

# ---------------------------------------------------------------- a) layout probe
say "== a) layout probe"
if $cc -Wall -Werror -I"$ours" "$here/layout_probe.c" -o "$work/probe_ours" 2>"$work/ours.err" &&
   $cc -Wall -Werror $ref_cflags "$here/layout_probe.c" -o "$work/probe_ref" 2>"$work/ref.err"; then
	"$work/probe_ref" >"$work/probe_ref.txt"
	"$work/probe_ours" >"$work/probe_ours.txt"
	if diff -u "$work/probe_ref.txt" "$work/probe_ours.txt" >"$work/probe.diff"; then
		say "   identical output ($(wc -l <"$work/probe_ref.txt") lines)"
	else
		say "   FAIL: outputs differ:"; cat "$work/probe.diff"; fail=1
	fi
else
	say "   FAIL: probe does not build:"; cat "$work/ours.err" "$work/ref.err" 2>/dev/null; fail=1
fi

# ---------------------------------------------------------------- b) names and prototypes
say "== b) macro names/definitions and function prototypes"
headers=$(cd "$ref_dir" && ls event2/*.h; for h in event.h evutil.h evdns.h evhttp.h evrpc.h; do [ -f "$h" ] && echo "$h"; done)
for h in $headers; do
	if [ ! -f "$ours/$h" ]; then say "   FAIL: we do not provide $h"; fail=1; continue; fi
	printf '#include <%s>\n' "$h" >"$work/one.c"
	$cc -E -dM -I"$ref_dir" "$work/one.c" 2>/dev/null | sort >"$work/ref.dm"
	$cc -E -dM -I"$ours" "$work/one.c" 2>/dev/null | sort >"$work/ours.dm"
	python3 - "$h" "$work/ref.dm" "$work/ours.dm" <<'EOF' || fail=1
import re, sys
h, ref, ours = sys.argv[1:]
def load(p):
    d = {}
    for line in open(p):
        m = re.match(r"#define (\w+)(\([^)]*\))?(.*)$", line.rstrip("\n"))
        if m:
            d[m.group(1)] = re.sub(r"\s+", "", (m.group(2) or "") + "|" + m.group(3))
    return d
r, o = load(ref), load(ours)
missing = sorted(set(r) - set(o))
differ = sorted(n for n in set(r) & set(o) if r[n] != o[n])
bad = False
if missing:
    print("   FAIL %s: macros missing from ours: %s" % (h, " ".join(missing))); bad = True
for n in differ:
    print("   FAIL %s: macro %s differs:\n      ref:  %s\n      ours: %s" % (h, n, r[n], o[n])); bad = True
extra = sorted(n for n in set(o) - set(r))
if extra:
    print("   note %s: extra macros in ours: %s" % (h, " ".join(extra)))
sys.exit(1 if bad else 0)
EOF
done

# Prototypes: one translation unit that includes every header in a valid order.
cat >"$work/all.c" <<'EOF'
#include <event.h>
#include <evutil.h>
#include <evdns.h>
#include <evhttp.h>
#include <evrpc.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <event2/bufferevent_ssl.h>
#include <event2/keyvalq_struct.h>
#include <event2/visibility.h>
EOF
(cd "$work" && $cc -c -w -I"$ref_dir" -aux-info ref.aux all.c -o /dev/null) || { say "   FAIL: reference headers do not compile together"; fail=1; }
(cd "$work" && $cc -c -w -I"$ours" -aux-info ours.aux all.c -o /dev/null) || { say "   FAIL: our headers do not compile together"; fail=1; }
python3 - "$work/ref.aux" "$work/ours.aux" "$ref_dir" "$ours" <<'EOF' || fail=1
import re, sys
ref, ours, refdir, ourdir = sys.argv[1:]
def load(p, d):
    res = {}
    for line in open(p):
        m = re.match(r"/\* (\S+):\d+:\S+ \*/ (.*);$", line.rstrip("\n"))
        if not m or not m.group(1).startswith(d + "/"):
            continue
        rel = m.group(1)[len(d) + 1:]
        if not (rel.startswith("event2/") or rel in ("event.h", "evutil.h", "evdns.h", "evhttp.h", "evrpc.h")):
            continue
        sig = m.group(2)
        name = re.search(r"(\w+) \(", sig)
        if name:
            res[name.group(1)] = (rel, sig)
    return res
r, o = load(ref, refdir), load(ours, ourdir)
bad = False
for n in sorted(set(r) - set(o)):
    print("   FAIL: function %s (%s) missing from ours" % (n, r[n][0])); bad = True
for n in sorted(set(r) & set(o)):
    if r[n][1] != o[n][1]:
        print("   FAIL: prototype of %s differs:\n      ref:  %s\n      ours: %s" % (n, r[n][1], o[n][1])); bad = True
    elif r[n][0] != o[n][0]:
        print("   FAIL: %s declared in %s by the reference but in %s by ours" % (n, r[n][0], o[n][0])); bad = True
for n in sorted(set(o) - set(r)):
    print("   note: extra function %s in ours (%s)" % (n, o[n][0]))
print("   %d reference prototypes compared" % len(r))
sys.exit(1 if bad else 0)
EOF

# ---------------------------------------------------------------- c) standalone compile
say "== c) each header on its own"
for h in $headers; do
	printf '#include <%s>\nint probe_dummy;\n' "$h" >"$work/one.c"
	$cc -c -Wall -I"$ref_dir" "$work/one.c" -o /dev/null >/dev/null 2>&1; r=$?
	$cc -c -Wall -I"$ours" "$work/one.c" -o /dev/null >"$work/one.err" 2>&1; o=$?
	if [ $r -ne $o ]; then
		say "   FAIL: $h alone: reference exit $r, ours $o"; cat "$work/one.err"; fail=1
	fi
done
say "   done"

# ---------------------------------------------------------------- d) comment originality
say "== d) comment text is our own"
python3 - "$ref_dir" "$ours" <<'EOF' || fail=1
import glob, os, re, sys
refdir, ourdir = sys.argv[1:]
def lines(path):
    out = []
    s = open(path, errors="replace").read()
    for m in re.finditer(r"/\*.*?\*/|//[^\n]*", s, re.S):
        for line in m.group(0).split("\n"):
            t = re.sub(r"^\s*(/\*+|\*+|//)\s*", "", line)
            t = re.sub(r"\s*\*+/\s*$", "", t)
            t = " ".join(t.split())
            if len(t) >= 40:
                out.append(t)
    # whole source lines that carry a comment
    for line in s.split("\n"):
        if "/*" in line or "*/" in line or line.strip().startswith("*"):
            t = " ".join(line.split())
            if len(t) >= 40:
                out.append(t)
    return out
def headers(d):
    return glob.glob(os.path.join(d, "event2", "*.h")) + [
        os.path.join(d, h) for h in ("event.h", "evutil.h", "evdns.h", "evhttp.h", "evrpc.h")
        if os.path.exists(os.path.join(d, h))]
ref = set()
for p in headers(refdir):
    ref.update(lines(p))
bad = 0
for p in sorted(headers(ourdir)):
    for t in lines(p):
        if t in ref:
            print("   FAIL: %s repeats: %s" % (os.path.relpath(p, ourdir), t)); bad += 1
print("   %d repeated comment lines" % bad)
sys.exit(1 if bad else 0)
EOF

# ---------------------------------------------------------------- e) examples
if [ "${1:-}" = "--examples" ]; then
	say "== e) /work/shared/examples compile with our headers"
	ex=/work/shared/examples
	OUT="$work/ex-ref" bash "$ex/compile_all.sh" >"$work/ex-ref.tsv" 2>/dev/null
	EV_CFLAGS="-I$ours" EV_LIBS="" OUT="$work/ex-ours" bash "$ex/compile_all.sh" >"$work/ex-ours.tsv" 2>/dev/null
	python3 - "$work/ex-ref.tsv" "$work/ex-ours.tsv" <<'EOF' || fail=1
import sys
def load(p):
    d = {}
    for line in open(p):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 3:
            d[f[0]] = (f[1], f[2], f[3] if len(f) > 3 else "")
    return d
r, o = load(sys.argv[1]), load(sys.argv[2])
bad = 0
for name in sorted(r):
    kind, st, first = r[name]
    ost, ofirst = o.get(name, ("", "missing", ""))[1:]
    ref_ok = st != "error"
    # Our run links nothing: an 'undefined reference' is not a compile failure.
    ours_ok = ost != "error" or "undefined reference" in ofirst
    if ref_ok and not ours_ok:
        print("   FAIL: %s compiles with the reference but not with ours: %s" % (name, ofirst)); bad += 1
    elif ref_ok and ost == "warning" and st != "warning":
        print("   FAIL: %s: new warning with ours: %s" % (name, ofirst)); bad += 1
    elif not ref_ok and ours_ok:
        print("   note: %s fails with the reference (%s) but compiles with ours" % (name, first))
print("   %d examples, %d regressions" % (len(r), bad))
sys.exit(1 if bad else 0)
EOF
fi

if [ $fail -eq 0 ]; then say "ALL HEADER CHECKS PASSED"; else say "HEADER CHECKS FAILED"; fi
exit $fail
