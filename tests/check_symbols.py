#!/usr/bin/env python3
"""make check-symbols: which of real libevent's public functions we export.

Real libevent's public functions are the dynamic symbols that
libevent{,_core,_extra,_pthreads}-2.1.so.7 define and that some
/usr/include/event2/*.h declares; each is listed under the header declaring it.
Ours are the dynamic symbols of build/lib/libevent-2.1.so.7.  Prints per header
"exported/total" and the missing names, then every symbol we export that is
not a libevent public function (there should be none).

Exit status: 1 if we export anything that is not a public libevent function or
a library is missing; 0 otherwise (missing functions are reported, not fatal,
unless --require-all)."""

import argparse
import os
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import apiscan  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Deliberate additions to the 2.1 API (issue 4: libevent 2.2's read limit).
EXTENSIONS = {"evbuffer_set_max_read", "evbuffer_get_max_read"}

REAL_LIBS = ["libevent-2.1.so.7", "libevent_core-2.1.so.7", "libevent_extra-2.1.so.7",
             "libevent_pthreads-2.1.so.7"]


def real_public(real_inc, real_libdir):
    """{header basename: [function names]} for real libevent."""
    evdir = os.path.join(real_inc, "event2")
    headers = sorted("event2/" + f for f in os.listdir(evdir) if f.endswith(".h"))
    decls, err = apiscan.functions_by_file(headers, [real_inc])
    if err:
        print("check-symbols: warning: real headers did not compile cleanly:\n" + err[:2000])
    exported = {}
    for so in REAL_LIBS:
        exported.update(apiscan.exported_symbols(os.path.join(real_libdir, so), functions_only=True))
    by_header, seen = {}, set()
    # Main headers claim a function before their *_compat.h twins.
    order = sorted(decls, key=lambda p: ("_compat" in p, p))
    for path in order:
        if os.path.dirname(path) != os.path.abspath(evdir):
            continue
        for name in decls[path]:
            if name in exported and name not in seen:
                seen.add(name)
                by_header.setdefault(os.path.basename(path), []).append(name)
    return by_header, set(exported)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", default=os.path.join(ROOT, "build", "lib", "libevent-2.1.so.7"))
    ap.add_argument("--real-include", default="/usr/include")
    ap.add_argument("--real-libdir", default="/usr/lib/x86_64-linux-gnu")
    ap.add_argument("--require-all", action="store_true", help="also fail when functions are missing")
    ap.add_argument("--brief", action="store_true", help="only the per-header counts and extras")
    opts = ap.parse_args()

    if not os.path.exists(opts.ours):
        print("check-symbols: %s not found (run make lib)" % opts.ours)
        return 1
    by_header, real_exported = real_public(opts.real_include, opts.real_libdir)
    public = {n for names in by_header.values() for n in names}
    ours = apiscan.exported_symbols(opts.ours)

    total = have = 0
    width = max(len(h) for h in by_header)
    print("Public functions of libevent 2.1.12 exported by %s:" % os.path.relpath(opts.ours, ROOT))
    for header in sorted(by_header):
        names = by_header[header]
        missing = [n for n in names if n not in ours]
        total += len(names)
        have += len(names) - len(missing)
        print("  %-*s %4d/%-4d%s" % (width, header, len(names) - len(missing), len(names),
                                     "" if missing else "  complete"))
        if missing and not opts.brief:
            print(textwrap.fill(" ".join(missing), width=100, initial_indent="      missing: ",
                                subsequent_indent="               "))
    print("  %-*s %4d/%-4d" % (width, "all", have, total))

    # Functions libevent exports without declaring them in a header (its
    # internal cross-library helpers) are part of its ABI: binaries may bind
    # to them, so exporting them is allowed.
    abi_only = sorted(n for n in ours if n not in public and n in real_exported)
    if abi_only:
        print("Exported, not in a header, but exported by libevent too (%d): %s" % (len(abi_only), " ".join(abi_only)))
    ext = sorted(n for n in ours if n in EXTENSIONS)
    if ext:
        print("Deliberate extensions (%d): %s" % (len(ext), " ".join(ext)))
    extra = sorted(n for n in ours if n not in public and n not in real_exported and n not in EXTENSIONS)
    if extra:
        print("Exported but not a libevent public function (%d):" % len(extra))
        print(textwrap.fill(" ".join("%s(%s)" % (n, ours[n]) for n in extra), width=100,
                            initial_indent="      ", subsequent_indent="      "))
    else:
        print("Exported but not a libevent public function: none")
    if extra or (opts.require_all and have < total):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
