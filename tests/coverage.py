#!/usr/bin/env python3
"""make coverage: every function and macro our public headers declare must be
used by some C parity test.

For each header given (default: include/event2/event.h and event_compat.h; the
Makefile passes COVERAGE_HEADERS), collects the functions it declares (gcc
-aux-info) and the macros it defines (gcc -E -dD, minus the include guard),
then looks for each name as an identifier in ctests/*.c with comments and
string literals removed.  Prints the names no test mentions; exits 1 if any."""

import os
import re
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import apiscan  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE = os.path.join(ROOT, "include")
CTESTS = os.path.join(ROOT, "ctests")

DEFAULT_HEADERS = ["include/event2/event.h", "include/event2/event_compat.h"]


def strip_c(text):
    """Drop comments, string and character literals (keep newlines)."""
    out = re.sub(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                 lambda m: " " if m.group(0).startswith(("/", '"', "'")) else m.group(0),
                 text, flags=re.S)
    return out


def used_identifiers():
    names = set()
    files = sorted(f for f in os.listdir(CTESTS) if f.endswith(".c"))
    for f in files:
        with open(os.path.join(CTESTS, f), errors="replace") as fh:
            names |= set(re.findall(r"[A-Za-z_]\w*", strip_c(fh.read())))
    return names, len(files)


def main(argv):
    headers = argv or DEFAULT_HEADERS
    used, nfiles = used_identifiers()
    bad = False
    total = covered = 0
    print("API coverage by ctests/*.c (%d files):" % nfiles)
    for h in headers:
        path = os.path.abspath(os.path.join(ROOT, h))
        rel = os.path.relpath(path, ROOT)
        if not os.path.exists(path):
            print("  %s: missing header" % rel)
            bad = True
            continue
        inc_rel = os.path.relpath(path, INCLUDE)
        try:
            funcs, err = apiscan.functions_by_file([inc_rel], [INCLUDE])
        except RuntimeError as e:
            print("  %s: does not compile:\n%s" % (rel, textwrap.indent(str(e)[:1500], "      ")))
            bad = True
            continue
        if err:
            print("  %s: warning: compile errors, declarations may be incomplete:\n%s"
                  % (rel, textwrap.indent(err[:800], "      ")))
        macros = apiscan.macros_by_file([inc_rel], [INCLUDE]).get(path, [])
        guard = apiscan.include_guard(path)
        names = list(funcs.get(path, []))
        names += [m for m in macros if m != guard and m not in names]
        missing = [n for n in names if n not in used]
        total += len(names)
        covered += len(names) - len(missing)
        print("  %s: %d/%d names used (%d functions, %d macros)" % (
            rel, len(names) - len(missing), len(names), len(funcs.get(path, [])),
            len([m for m in macros if m != guard])))
        if missing:
            bad = True
            print(textwrap.fill(" ".join(missing), width=100, initial_indent="      not in any test: ",
                                subsequent_indent="      "))
    print("coverage: %d/%d names used by some ctest%s" % (covered, total, "" if not bad else " (FAILED)"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
