#!/usr/bin/env python3
"""make check-symbols: which of real libevent's public functions we export.

Real libevent's public functions are the dynamic symbols that
libevent{,_core,_extra,_pthreads}-2.1.so.7 define and that some
/usr/include/event2/*.h declares; each is listed under the header declaring it.
Ours are the dynamic symbols of build/lib/libevent-2.1.so.7.  Prints per header
"exported/total" and the missing names, then every symbol we export that is
not a libevent public function (there should be none).

Then, per library file of Debian's libevent (libevent_core, libevent_extra,
libevent_pthreads, libevent-2.1, libevent_openssl), which of the dynamic
symbols it defines (functions and data objects, internal names included: a
binary built against libevent may bind to any of them) ours defines, and for
each one we do not, the reason (REASONS below; "no reason recorded" when none
applies).

Exit status: 1 if we export anything that libevent does not (bar the
deliberate extensions) or a library is missing; 0 otherwise (missing symbols
are reported, not fatal, unless --require-all)."""

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
# Every library file of Debian's package, for the per-file report.
DEBIAN_FILES = ["libevent_core-2.1.so.7", "libevent_extra-2.1.so.7", "libevent_pthreads-2.1.so.7",
                "libevent-2.1.so.7", "libevent_openssl-2.1.so.7"]

# Why a symbol Debian's libevent defines is not defined by ours: (match, reason),
# the first match wins; a match ending in "*" is a prefix.
PRIVATE_STRUCTS = "works on libevent's private structures, which ours does not have"
REASONS = [
    ("evmap_*", "libevent's fd/signal map (struct event_io_map, evmap_io...): " + PRIVATE_STRUCTS),
    ("event_changelist_*", "libevent's epoll changelist (struct event_changelist): " + PRIVATE_STRUCTS),
    ("epollops", "a struct eventop backend table: libevent's private backend interface"),
    ("pollops", "a struct eventop backend table: libevent's private backend interface"),
    ("selectops", "a struct eventop backend table: libevent's private backend interface"),
    ("nil_eventop", "a struct eventop backend table: libevent's private backend interface"),
    ("bufferevent_ops_*", "a struct bufferevent_ops table: libevent's private bufferevent vtable"),
    ("evsig_free_globals_", "libevent's global-state teardown, run by libevent_global_shutdown; ours has none to free"),
    ("evsig_global_setup_locks_", "libevent's global-lock setup, run by evthread_set_lock_callbacks; ours has no such locks"),
    ("evsig_*", "libevent's signal machinery on its private struct evsig_info"),
    ("event_debug_map_HT_*", "the hash-table internals of libevent's debug mode"),
    ("event_global_setup_locks_", "libevent's global-lock setup, run by evthread_set_lock_callbacks; ours has no such locks"),
    ("evutil_global_setup_locks_", "libevent's global-lock setup, run by evthread_set_lock_callbacks; ours has no such locks"),
    ("evutil_secure_rng_global_setup_locks_", "libevent's global-lock setup, run by evthread_set_lock_callbacks; ours has no such locks"),
    ("evthread_setup_global_lock_", "libevent's global-lock setup, run by evthread_set_lock_callbacks; ours has no such locks"),
    ("evutil_free_globals_", "libevent's global-state teardown, run by libevent_global_shutdown; ours has none to free"),
    ("evutil_free_secure_rng_globals_", "libevent's global-state teardown, run by libevent_global_shutdown; ours has none to free"),
    ("evbuffer_chain_pin_", "takes libevent's private struct evbuffer_chain"),
    ("evbuffer_chain_unpin_", "takes libevent's private struct evbuffer_chain"),
    ("evbuffer_read_setup_vecs_", "fills iovecs from libevent's private struct evbuffer_chain list"),
    ("evbuffer_expand_fast_", "an allocation step of libevent's own chain layout"),
    ("evbuffer_set_parent_", "links libevent's private evbuffer to its struct bufferevent_private"),
    ("bufferevent_ratelim_init_", "initialises libevent's private struct bufferevent_rate_limit"),
    ("bufferevent_remove_from_rate_limit_group_internal_", "takes libevent's private struct bufferevent_private"),
    ("evhttp_check_transfer_encoding_", "a helper of Debian's Transfer-Encoding patch, called only inside its http.c (ours: HttpParser.framing)"),
    ("evhttp_str_is_chunked_", "a helper of Debian's Transfer-Encoding patch, called only inside its http.c (ours: HttpParser.teEndsChunked)"),
    ("evhttp_*", "http: the extra library's API (EventExtra), not in this build yet"),
    ("evdns_*", "dns: the extra library's API (EventExtra), not in this build yet"),
    ("evrpc_*", "rpc: the extra library's API (EventExtra), not in this build yet"),
    ("evtag_*", "tag: the extra library's API (EventExtra), not in this build yet"),
]


def reason_for(name):
    for pat, why in REASONS:
        if (pat.endswith("*") and name.startswith(pat[:-1])) or pat == name:
            return why
    return None


def per_file_report(ours_dir, real_libdir, brief):
    """Per Debian library file: its defined dynamic symbols we define, and why not the rest.
    A symbol our file lacks but one of its NEEDED libraries of ours defines still
    binds (lookups are global), and counts as defined. Returns the unexplained ones."""
    unexplained = []
    seen_missing = {}
    print("Dynamic symbols of Debian's libevent 2.1.12 defined by ours, per library file:")
    for so in DEBIAN_FILES:
        real_path = os.path.join(real_libdir, so)
        if not os.path.exists(real_path):
            print("  %-28s (not installed here)" % so)
            continue
        real = apiscan.exported_symbols(real_path)
        ours_path = os.path.join(ours_dir, so)
        ours = {}
        if os.path.exists(ours_path):
            ours = dict(apiscan.exported_symbols(ours_path))
            for dep in apiscan.needed_libraries(ours_path):
                dep_path = os.path.join(ours_dir, dep)
                if os.path.exists(dep_path):
                    for n, k in apiscan.exported_symbols(dep_path).items():
                        ours.setdefault(n, k)
        missing = sorted(n for n in real if n not in ours)
        data = sum(1 for n in real if real[n] not in ("T", "W", "i"))
        print("  %-28s %4d/%-4d (%d data objects)%s%s" % (
            so, len(real) - len(missing), len(real), data,
            "" if os.path.exists(ours_path) else "  [we ship no such file]",
            "  complete" if not missing else ""))
        if brief or not missing:
            seen_missing[so] = set(missing)
            continue
        union = seen_missing.get("libevent_core-2.1.so.7", set()) | seen_missing.get("libevent_extra-2.1.so.7", set())
        seen_missing[so] = set(missing)
        if so == "libevent-2.1.so.7" and set(missing) == union:
            print("      missing: exactly libevent_core's and libevent_extra's above (this file holds both)")
            continue
        by_reason = {}
        for n in missing:
            why = reason_for(n)
            if why is None:
                why = "no reason recorded"
                unexplained.append(n)
            by_reason.setdefault(why, []).append(n)
        order = [w for _, w in REASONS]
        for why in sorted(by_reason, key=lambda w: order.index(w) if w in order else len(order)):
            names = by_reason[why]
            print(textwrap.fill(" ".join(names), width=100, initial_indent="      %d: " % len(names),
                                subsequent_indent="         "))
            print("         -> %s" % why)
    return unexplained


def real_public(real_inc, real_libdir):
    """{header basename: [function names]} for real libevent."""
    evdir = os.path.join(real_inc, "event2")
    headers = sorted("event2/" + f for f in os.listdir(evdir) if f.endswith(".h"))
    decls, err = apiscan.functions_by_file(headers, [real_inc])
    if err:
        print("check-symbols: warning: real headers did not compile cleanly:\n" + err[:2000])
    exported = {}
    for so in REAL_LIBS:
        # Data objects too: binaries bind to those (evthread_lock_fns_, ...).
        exported.update(apiscan.exported_symbols(os.path.join(real_libdir, so)))
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
        print("Exported, not in a header, but exported by libevent too (%d):" % len(abi_only))
        print(textwrap.fill(" ".join(abi_only), width=100, initial_indent="      ", subsequent_indent="      "))
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
    print()
    unexplained = per_file_report(os.path.dirname(os.path.abspath(opts.ours)), opts.real_libdir, opts.brief)
    if unexplained:
        print("Missing with no reason recorded (%d): %s" % (len(unexplained), " ".join(unexplained)))
    if extra or (opts.require_all and (have < total or unexplained)):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
