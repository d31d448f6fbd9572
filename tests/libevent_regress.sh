#!/bin/bash
# tests/libevent_regress.sh: libevent 2.1.12's own test programs run on our
# library. The release tarball (Debian's orig tarball, checked by SHA-256) is
# built once with CMake into a cache outside the repository
# (${XDG_CACHE_HOME:-$HOME/.cache}/swift-libevent); its programs are linked
# against that build's shared libraries, which carry our sonames, so the same
# binaries run on libevent (the reference, in this run) and on ours
# (LD_LIBRARY_PATH=build/lib, searched before their RUNPATH).
#
# Run: test/regress (every test group, in parallel on both libraries; the
# core groups again under the poll and select backends),
# test-init/eof/closed/weof/time/changelist/fdleak, test-dumpevents through
# libevent's check-dumpevents.py, test-ratelim (group and connection limits,
# shortened), bench and bench_cascade (exit status only).
# Rule: whatever passes on libevent must pass on ours. Tests that fail on
# libevent itself here (some https/ssl tests under OpenSSL 3) are reported,
# not compared. EXPECTED below lists the tests left out of both runs, each
# with its reason; KNOWN lists real differences not fixed yet (reported,
# not failing the run unless REGRESS_STRICT=1). Per-group counts are printed
# for both libraries.
#
# The changes made to libevent's test sources, all in regress_buffer.c and
# active when REGRESS_NO_INTERNALS is set (it is, for both runs):
# evbuffer_validate_, which walks struct evbuffer's private chain list after
# most evbuffer operations, returns "valid"; test_evbuffer_add_file does not
# read the private is_mapping / can_sendfile bits of struct
# evbuffer_file_segment to skip itself when the segment did not pick the
# mechanism the test asked for (the data checks run either way). Every other
# assertion of those tests still runs.
#
# Exit 0 passed, 1 failed, 77 skipped (tarball not downloadable and not
# cached, or cmake/cc/python3 missing). REGRESS_TIMEOUT (default 20) is the
# per-test timeout; REGRESS_TESTS limits regress to the given test names.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
OURS=$ROOT/build/lib
NAME=libevent_regress.sh
VER=2.1.12-stable
URL=http://deb.debian.org/debian/pool/main/libe/libevent/libevent_$VER.orig.tar.gz
SHA256=92e6de1be9ec176428fd2367677e61ceffc2ee1cb119035037a27d346b0403bb
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/swift-libevent
TARBALL=$CACHE/libevent_$VER.orig.tar.gz
SRC=$CACHE/libevent-$VER-regress-src
BLD=$CACHE/libevent-$VER-regress-build
STAMP_VERSION=2   # bump when the build or the patch below changes
TIMEOUT=${REGRESS_TIMEOUT:-20}

# Left out of both runs: they read libevent's private structures through its
# internal headers, or test a behaviour where Debian's libevent (the
# project's reference) differs from the upstream tarball, or check one of
# our documented departures (README "Known differences").
EXPECTED=(
  "signal/signal_pipeloss|reads base->sig.ev_signal_pair, a field of libevent's private struct event_base"
  "thread/forking|watches base->th_notify_fd[0], a field of libevent's private struct event_base (on ours an arbitrary fd)"
  "http/bad_headers|evhttp_add_header with a folded value (CRLF + space): upstream takes it, Debian's libevent (our reference) refuses it, as we do"
  "http/basic_trailing_space|a request line with a trailing space gets 400: our strict-parser departure (README, tests/http_strict.sh)"
  "http/data_length_constraints|headers past the limit: the server answers and reads on before closing, so the client gets the 400/413 page, not a reset (README: evhttp departures)"
  "http/non_lingering_close|same departure: without EVHTTP_SERVER_LINGERING_CLOSE libevent resets the connection under a client still sending"
)

# Real differences not fixed yet: run on both, reported as KNOWN, and they
# do not fail the run (REGRESS_STRICT=1 makes them fail it). One that starts
# passing is reported too, so it can leave the list.
KNOWN=(
  "http/https_connection|evhttp over a program-made TLS bufferevent: after the 'Connection: close' reply the next request finds no bufferevent ('bufferevent_socket_connect_hostname: NULL bufferevent'), where libevent reconnects the same one"
  "ssl/bufferevent_renegotiate_filter|TLS 1.2 renegotiation (SSL_renegotiate) over a filter does not complete in this test (test_is_done 0); over a socket it does"
  "ssl/bufferevent_renegotiate_filter_dirty_shutdown|same, with a dirty shutdown"
)

for tool in cmake cc python3; do
    if ! command -v $tool > /dev/null; then
        echo "$NAME: SKIP: $tool not installed"; exit 77
    fi
done
if [ ! -e "$OURS/libevent_core-2.1.so.7" ]; then
    echo "$NAME: FAIL: $OURS has no libevent_core-2.1.so.7 (run make lib)"; exit 1
fi
mkdir -p "$CACHE"

# ------------------------------------------------------------ tarball
if [ ! -f "$TARBALL" ] || ! echo "$SHA256  $TARBALL" | sha256sum -c --status; then
    rm -f "$TARBALL.part"
    if ! curl -sSf --max-time 120 -o "$TARBALL.part" "$URL" 2>/dev/null; then
        rm -f "$TARBALL.part"
        echo "$NAME: SKIP: cannot download $URL (no network?) and no cached copy in $CACHE"
        exit 77
    fi
    if ! echo "$SHA256  $TARBALL.part" | sha256sum -c --status; then
        rm -f "$TARBALL.part"
        echo "$NAME: FAIL: $URL does not have the expected SHA-256"; exit 1
    fi
    mv "$TARBALL.part" "$TARBALL"
fi

# ------------------------------------------------------------ build (once)
PROGS="regress test-init test-eof test-closed test-weof test-time test-changelist test-fdleak test-dumpevents test-ratelim bench bench_cascade"
if [ "$(cat "$BLD/.stamp" 2>/dev/null)" != "$SHA256-$STAMP_VERSION" ]; then
    echo "$NAME: building libevent $VER and its tests in $BLD (once)"
    rm -rf "$SRC" "$BLD" && mkdir -p "$SRC" "$BLD"
    tar xzf "$TARBALL" -C "$SRC" --strip-components=1 || { echo "$NAME: FAIL: cannot unpack $TARBALL"; exit 1; }
    python3 - "$SRC/test/regress_buffer.c" <<'EOF' || { echo "$NAME: FAIL: cannot patch regress_buffer.c"; exit 1; }
import sys
p = sys.argv[1]
s = open(p).read()
head = 'static int\nevbuffer_validate_(struct evbuffer *buf)\n{\n'
assert s.count(head) == 1
s = s.replace(head, head + '\tif (getenv("REGRESS_NO_INTERNALS")) return 1; /* private layout */\n')
for field in ('want_ismapping', 'want_cansendfile'):
    old = '\t\tif (%s >= 0) {\n' % field
    assert s.count(old) == 1
    s = s.replace(old, '\t\tif (%s >= 0 && !getenv("REGRESS_NO_INTERNALS")) {\n' % field)
open(p, 'w').write(s)
EOF
    if ! (cd "$BLD" && cmake "$SRC" -DEVENT__LIBRARY_TYPE=SHARED -DCMAKE_BUILD_TYPE=Release \
              -DEVENT__DISABLE_MBEDTLS=ON -DEVENT__DISABLE_SAMPLES=ON > cmake.log 2>&1 &&
          nice make -j2 $PROGS > build.log 2>&1); then
        echo "$NAME: FAIL: building libevent failed, see $BLD/cmake.log and $BLD/build.log"; exit 1
    fi
    echo "$SHA256-$STAMP_VERSION" > "$BLD/.stamp"
fi
LE=$BLD/lib
BIN=$BLD/bin
for so in libevent_core libevent_extra libevent_pthreads libevent_openssl; do
    if ! ldd "$BIN/regress" | grep -q "$so-2.1.so.7 => $LE/"; then
        echo "$NAME: FAIL: $BIN/regress does not load $so-2.1.so.7 from $LE"; exit 1
    fi
    if [ ! -e "$OURS/$so-2.1.so.7" ]; then
        echo "$NAME: FAIL: $OURS lacks $so-2.1.so.7"; exit 1
    fi
done
if ! LD_LIBRARY_PATH=$OURS ldd "$BIN/regress" | grep -q "libevent_core-2.1.so.7 => $OURS/"; then
    echo "$NAME: FAIL: with LD_LIBRARY_PATH=$OURS, regress does not load our libevent_core"; exit 1
fi

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
unset EVENT_NOEPOLL EVENT_NOPOLL EVENT_NOSELECT EVENT_SHOW_METHOD EVENT_PRECISE_TIMER \
      EVENT_EPOLL_USE_CHANGELIST EVENT_DEBUG_MODE LD_PRELOAD
export REGRESS_NO_INTERNALS=1

# ------------------------------------------------------------ regress
ARGS=(--timeout "$TIMEOUT")
if [ -n "${REGRESS_TESTS:-}" ]; then
    read -r -a sel <<< "$REGRESS_TESTS"; ARGS+=("${sel[@]}")
fi
for e in "${EXPECTED[@]}"; do ARGS+=(":${e%%|*}"); done
# Each library in its own scratch directory (some tests write files there).
mkdir -p "$OUT/le" "$OUT/ours"
(cd "$OUT/le" && LD_LIBRARY_PATH=$LE timeout 600 "$BIN/regress" "${ARGS[@]}" > "$OUT/le.txt" 2>&1) &
LEPID=$!
(cd "$OUT/ours" && LD_LIBRARY_PATH=$OURS timeout 600 "$BIN/regress" "${ARGS[@]}" > "$OUT/ours.txt" 2>&1) &
OURSPID=$!

# ------------------------------------------------------------ the small programs (meanwhile)
# name|command line; each passes when it exits 0 (as test/test.sh judges them).
SMALL=(
  "test-init|$BIN/test-init"
  "test-eof|$BIN/test-eof"
  "test-closed|$BIN/test-closed"
  "test-weof|$BIN/test-weof"
  "test-time|$BIN/test-time"
  "test-changelist|$BIN/test-changelist"
  "test-fdleak|$BIN/test-fdleak"
  "test-dumpevents|$BIN/test-dumpevents | python3 $SRC/test/check-dumpevents.py"
  "test-ratelim group|$BIN/test-ratelim -g 30000 -n 30 -t 100 -d 3 --check-grouplimit 1000 --check-stddev 100"
  "test-ratelim conn|$BIN/test-ratelim -c 1000 -n 30 -t 100 -d 3 --check-connlimit 50 --check-stddev 50"
  "test-ratelim group+conn+drain|$BIN/test-ratelim -c 1000 -g 35000 -n 30 -t 100 -d 3 -G 500 --check-grouplimit 1000 --check-connlimit 50 --check-stddev 50"
  "bench|$BIN/bench -n 200 -a 20 -w 20"
  "bench_cascade|$BIN/bench_cascade -n 200"
)
small_fail=0
small_ok_le=0; small_ok_ours=0; small_n=0
for entry in "${SMALL[@]}"; do
    name=${entry%%|*}; cmd=${entry#*|}
    small_n=$((small_n + 1))
    LD_LIBRARY_PATH=$LE timeout 60 bash -c "set -o pipefail; $cmd" > "$OUT/small-le.txt" 2>&1; a=$?
    LD_LIBRARY_PATH=$OURS timeout 60 bash -c "set -o pipefail; $cmd" > "$OUT/small-ours.txt" 2>&1; b=$?
    [ $a = 0 ] && small_ok_le=$((small_ok_le + 1))
    [ $b = 0 ] && small_ok_ours=$((small_ok_ours + 1))
    if [ $a = 0 ] && [ $b != 0 ]; then
        echo "FAIL $name: exit $b on ours (0 on libevent); its output:"; tail -n 15 "$OUT/small-ours.txt" | sed 's/^/    /'
        small_fail=1
    elif [ $a != 0 ]; then
        echo "note: $name fails on libevent too (exit $a): not compared"
    fi
done

wait $LEPID; lerc=$?
wait $OURSPID; oursrc=$?

# ------------------------------------------------------------ other backends
# The core groups again under poll and select (libevent's test/test.sh runs
# regress under every backend), both libraries at once.
CORE_GROUPS=(main/.. et/.. signal/.. bufferevent/.. evbuffer/.. thread/.. listener/.. finalize/..)
BACKEND_PIDS=()
if [ -z "${REGRESS_TESTS:-}" ]; then
    for be in poll select; do
        envs=(EVENT_NOEPOLL=1); [ $be = select ] && envs+=(EVENT_NOPOLL=1)
        for lib in le ours; do
            dir=$LE; [ $lib = ours ] && dir=$OURS
            mkdir -p "$OUT/$lib-$be"
            (cd "$OUT/$lib-$be" && env "${envs[@]}" LD_LIBRARY_PATH=$dir timeout 600 "$BIN/regress" \
                 --timeout "$TIMEOUT" "${CORE_GROUPS[@]}" "${ARGS[@]:2}" > "$OUT/$lib-$be.txt" 2>&1) &
            BACKEND_PIDS+=($!)
        done
    done
fi
for pid in "${BACKEND_PIDS[@]}"; do wait "$pid"; done

# ------------------------------------------------------------ compare
python3 - "$OUT/le.txt" "$OUT/ours.txt" "$lerc" "$oursrc" "$small_ok_le" "$small_ok_ours" "$small_n" "$small_fail" \
    "${REGRESS_STRICT:-0}" "${#EXPECTED[@]}" "${EXPECTED[@]}" "${KNOWN[@]}" <<'EOF'
import re, sys
le_path, ours_path, lerc, oursrc, sle, sours, sn, sfail, strict, nexp = sys.argv[1:11]
expected = sys.argv[11:11 + int(nexp)]
known = dict(k.split('|', 1) for k in sys.argv[11 + int(nexp):])

def parse(path):
    """tinytest's output: 'group/test: [forking] ... OK|SKIPPED|DISABLED' or a
    '[test FAILED]' line; the last verdict seen for a test wins (retries)."""
    res, order, cur = {}, [], None
    for line in open(path, errors='replace'):
        line = line.rstrip('\n')
        m = re.match(r'^([A-Za-z0-9_]+/[^\s:]+): (.*)$', line)
        if m:
            cur, rest = m.group(1), m.group(2)
            if cur not in res:
                order.append(cur)
            if rest.endswith('OK'):
                res[cur] = 'ok'
            elif 'SKIPPED' in rest:
                res[cur] = 'skip'
            elif 'DISABLED' in rest:
                res[cur] = 'disabled'
            else:
                res[cur] = 'fail'
            continue
        if cur is None:
            continue
        if re.match(r'^\s*\[.* FAILED\]', line):
            res[cur] = 'fail'
        elif line.endswith('OK'):
            # also a retried test's verdict, printed right after its failure
            res[cur] = 'ok'
    return res, order

le, order = parse(le_path)
ours, _ = parse(ours_path)
if not le:
    print('FAIL: regress printed nothing on libevent (exit %s)' % lerc)
    sys.exit(1)

groups = {}
for t in order:
    groups.setdefault(t.split('/')[0], []).append(t)
bad, le_only = [], []
print('%-12s %16s %16s' % ('group', 'libevent ok/run', 'ours ok/run'))
tot = [0, 0, 0, 0]
for g, tests in groups.items():
    run = [t for t in tests if le.get(t) in ('ok', 'fail')]
    lo = sum(1 for t in run if le[t] == 'ok')
    oruns = [t for t in tests if ours.get(t) in ('ok', 'fail')]
    oo = sum(1 for t in oruns if ours.get(t) == 'ok')
    tot = [tot[0] + lo, tot[1] + len(run), tot[2] + oo, tot[3] + len(oruns)]
    print('%-12s %16s %16s' % (g, '%d/%d' % (lo, len(run)), '%d/%d' % (oo, len(oruns))))
    for t in tests:
        if le.get(t) == 'ok' and ours.get(t) != 'ok':
            bad.append((t, ours.get(t, 'not run (crashed?)')))
        elif le.get(t) == 'fail':
            le_only.append((t, ours.get(t, 'not run')))
print('%-12s %16s %16s' % ('total', '%d/%d' % (tot[0], tot[1]), '%d/%d' % (tot[2], tot[3])))
print('%-12s %16s %16s' % ('programs', '%s/%s' % (sle, sn), '%s/%s' % (sours, sn)))
import os
outdir = os.path.dirname(le_path)
for be in ('poll', 'select'):
    lp, op = os.path.join(outdir, 'le-%s.txt' % be), os.path.join(outdir, 'ours-%s.txt' % be)
    if not os.path.exists(lp):
        continue
    bl, _ = parse(lp)
    bo, _ = parse(op)
    run = [t for t in bl if bl[t] in ('ok', 'fail')]
    oruns = [t for t in bo if bo[t] in ('ok', 'fail')]
    print('%-12s %16s %16s' % (be + ' (core)', '%d/%d' % (sum(1 for t in run if bl[t] == 'ok'), len(run)),
                               '%d/%d' % (sum(1 for t in oruns if bo[t] == 'ok'), len(oruns))))
    for t in run:
        if bl[t] == 'ok' and bo.get(t) != 'ok':
            bad.append(('%s (%s)' % (t, be), bo.get(t, 'not run (crashed?)')))
for t, v in le_only:
    print('note: %s fails on libevent too (ours: %s): not compared' % (t, v))
for e in expected:
    t, why = e.split('|', 1)
    print('expected difference, not run: %s: %s' % (t, why))
for t in known:
    if ours.get(t) == 'ok':
        print('note: %s passes on ours now: remove it from KNOWN' % t)
known_bad = [(t, v) for t, v in bad if t in known]
if strict != '1':
    bad = [(t, v) for t, v in bad if t not in known]
for t, v in known_bad:
    print('KNOWN %s: ok on libevent, %s on ours: %s' % (t, v, known[t]))
for t, v in bad:
    print('FAIL %s: ok on libevent, %s on ours' % (t, v))
if bad:
    # the first lines of each failure, from ours' output
    lines = open(ours_path, errors='replace').read().split('\n')
    for t, _ in bad:
        for i, l in enumerate(lines):
            if l.startswith(t + ':'):
                print('  ' + '\n  '.join(lines[i:i + 4]))
                break
if bad or sfail != '0':
    print('libevent_regress.sh: FAILED: %d regress test(s)%s pass on libevent, not on ours'
          % (len(bad), ' and program(s)' if sfail != '0' else ''))
    sys.exit(1)
print('libevent_regress.sh: passed: everything that passes on libevent passes on ours%s'
      % (' except %d known difference(s) listed above' % len(known_bad) if known_bad else ''))
EOF
