#!/bin/bash
# tests/thread_helgrind.sh: a few threaded parity ctests (ctests/thread_*.c)
# under valgrind's thread checker, on our library.
#
# Each program is built like the parity matrix builds it:
#   A  against real libevent (pkg-config), run normally: the reference output
#   B  against our headers and library (-I include -L build/lib, rpath), run
#      once under valgrind --tool=helgrind (THREAD_CHECK_TOOL=drd for drd)
# both with a small repeat count (the programs' first argument) because the
# checker slows threads down a lot.  B's stdout and exit status must equal
# A's (the programs print only deterministic counts).
#
# Errors the checker reports are sorted by the objects in their stacks:
#   ours       a frame in our library (build/lib) or in code built from
#              Sources/ (the static libevent_pthreads glue): fails the test
#   program    frames only in the test program and system libraries: fails
#              too (the programs share state only under their own mutexes,
#              so this is a defect of the test or a race reaching into it)
#   system     every frame in libc / ld.so / valgrind's preload: ignored.
#              These are the checker's own blind spots (libc internals it
#              cannot see synchronised, e.g. in pthread_cond_* or stdio).
# Only ours and program errors fail.  Real libevent itself is not run under
# the checker: 2.1.12 has a known benign race of its own (event_assign
# writes a global debug flag without a lock, visible with event_base_once
# from several threads), so its count would be no reference; ours must
# simply have none.
#
# Exit 0 passed, 1 failed, 77 skipped (no valgrind or no pkg-config libevent).
# Prints a closing "N passed, N failed" over the programs (make test reads it).
# Knobs: OURS_LIBDIR, OURS_INCDIR (default build/lib, include);
# THREAD_CHECK_TOOL (helgrind or drd); THREAD_HELGRIND_TESTS (default
# "thread_timer_heap:2 thread_del_wait:2 thread_workqueue:2", name:repeats);
# THREAD_HELGRIND_TIMEOUT (seconds per checked run, default 150).
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
me=thread_helgrind.sh
TOOL=${THREAD_CHECK_TOOL:-helgrind}
TESTS=${THREAD_HELGRIND_TESTS:-"thread_timer_heap:2 thread_del_wait:2 thread_workqueue:2"}
LIMIT=${THREAD_HELGRIND_TIMEOUT:-150}
SONAME=libevent-2.1.so.7
LIBDIR=$(cd "${OURS_LIBDIR:-build/lib}" 2> /dev/null && pwd) || LIBDIR=
INC=$(cd "${OURS_INCDIR:-include}" 2> /dev/null && pwd) || INC=

case $TOOL in
    helgrind | drd) ;;
    *) echo "$me: FAIL: THREAD_CHECK_TOOL must be helgrind or drd, not $TOOL"; exit 1 ;;
esac
if ! command -v valgrind > /dev/null; then
    echo "$me: SKIP: valgrind is not installed"
    exit 77
fi
if ! pkg-config --exists libevent 2> /dev/null; then
    echo "$me: SKIP: pkg-config libevent not found (the reference is needed)"
    exit 77
fi
if [ -z "$LIBDIR" ] || [ ! -e "$LIBDIR/$SONAME" ]; then
    echo "$me: FAIL: ${OURS_LIBDIR:-build/lib}/$SONAME missing (run make lib)"
    exit 1
fi
[ -n "$INC" ] || { echo "$me: FAIL: no include directory ${OURS_INCDIR:-include}"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/thread-helgrind.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# The environment the programs run in: no backend choice, no preloads.
clean_env() {
    local v
    local args=(env -u LD_LIBRARY_PATH -u LD_PRELOAD)
    for v in $(env | sed -n 's/^\(EVENT_[A-Za-z0-9_]*\)=.*/\1/p'); do
        args+=(-u "$v")
    done
    "${args[@]}" "$@"
}

# classify XML ROOT LIBDIR: prints "total ours program system" then up to
# three lines describing distinct errors of ours (kind, first frame of ours).
classify() {
    python3 - "$@" << 'EOF'
import sys
import xml.etree.ElementTree as ET

xml, root, libdir = sys.argv[1], sys.argv[2], sys.argv[3]
sources = root + "/Sources"
system = ("/usr/lib/", "/lib/", "/lib64/", "/usr/lib64/", "/usr/libexec/valgrind/")
try:
    errors = ET.parse(xml).getroot().findall("error")
except (OSError, ET.ParseError) as e:
    print("-1 0 0 0")
    print("cannot read %s: %s" % (xml, e))
    sys.exit(0)
ours = program = sysonly = 0
shown = []
for e in errors:
    frames = e.findall(".//stack/frame")
    def mine(f):
        obj = f.findtext("obj") or ""
        d = f.findtext("dir") or ""
        return obj.startswith(libdir + "/") or d.startswith(sources)
    hit = [f for f in frames if mine(f)]
    if hit:
        ours += 1
        f = hit[0]
        desc = "%s: %s (%s:%s)" % (e.findtext("kind"), f.findtext("fn") or "?",
                                   f.findtext("file") or "?", f.findtext("line") or "?")
        if desc not in shown and len(shown) < 3:
            shown.append(desc)
    elif any(not (f.findtext("obj") or "").startswith(system) for f in frames):
        program += 1
        if len(shown) < 3:
            top = [f for f in frames if not (f.findtext("obj") or "").startswith(system)][0]
            shown.append("%s in the program: %s (%s:%s)" % (e.findtext("kind"), top.findtext("fn") or "?",
                                                           top.findtext("file") or "?", top.findtext("line") or "?"))
    else:
        sysonly += 1
print(len(errors), ours, program, sysonly)
for s in shown:
    print(s)
EOF
}

passed=0
failed=0
for spec in $TESTS; do
    name=${spec%%:*}
    reps=${spec#*:}
    [ "$reps" = "$spec" ] && reps=2
    src=ctests/$name.c
    if [ ! -f "$src" ]; then
        echo "$me: [$name] FAIL: no $src"
        failed=$((failed + 1))
        continue
    fi
    libs=$(sed -n '1,100s/.*ctest-libs:\(.*\)/\1/p' "$src" | head -1)
    # shellcheck disable=SC2046,SC2086
    if ! gcc -g -O1 -w $(pkg-config --cflags libevent) -o "$tmp/$name.A" "$src" \
            $(pkg-config --libs libevent) $libs -lpthread 2> "$tmp/$name.A.log"; then
        head -5 "$tmp/$name.A.log"
        echo "$me: [$name] FAIL: does not build against real libevent"
        failed=$((failed + 1))
        continue
    fi
    # shellcheck disable=SC2086
    if ! gcc -g -O1 -w -I"$INC" -MD -MF "$tmp/$name.B.d" -o "$tmp/$name.B" "$src" \
            -L"$LIBDIR" -levent $libs -lpthread -Wl,-rpath,"$LIBDIR" 2> "$tmp/$name.B.log"; then
        head -5 "$tmp/$name.B.log"
        echo "$me: [$name] FAIL: does not build against our headers and library"
        failed=$((failed + 1))
        continue
    fi
    if [ -z "${OURS_INCDIR:-}" ] && grep -qE '/usr/(local/)?include/event2/' "$tmp/$name.B.d"; then
        echo "$me: [$name] FAIL: the B build read a system libevent header"
        failed=$((failed + 1))
        continue
    fi

    clean_env timeout -k 5 60 "$tmp/$name.A" "$reps" > "$tmp/$name.A.out" 2> "$tmp/$name.A.err"
    sa=$?
    if [ $sa -ne 0 ]; then
        echo "$me: [$name] FAIL: the reference run (real libevent) exited $sa: a defect of the test"
        failed=$((failed + 1))
        continue
    fi
    start=$SECONDS
    clean_env timeout -k 5 "$LIMIT" valgrind --tool="$TOOL" --xml=yes --xml-file="$tmp/$name.xml" \
        --log-file="$tmp/$name.vg.log" --num-callers=30 --child-silent-after-fork=yes \
        "$tmp/$name.B" "$reps" > "$tmp/$name.B.out" 2> "$tmp/$name.B.err"
    sb=$?
    took=$((SECONDS - start))

    ok=1
    why=
    if [ $sb -eq 124 ] || [ $sb -eq 137 ]; then
        ok=0
        why="no exit within ${LIMIT}s under $TOOL"
    elif [ $sb -ne $sa ]; then
        ok=0
        why="exit status $sb, real libevent $sa"
    fi
    if ! cmp -s "$tmp/$name.A.out" "$tmp/$name.B.out"; then
        ok=0
        why="${why:+$why; }stdout differs from real libevent's"
    fi
    mapfile -t cls < <(classify "$tmp/$name.xml" "$ROOT" "$LIBDIR")
    read -r total ours program sysonly <<< "${cls[0]}"
    if [ "$total" = -1 ]; then
        ok=0
        why="${why:+$why; }no $TOOL report"
    elif [ $((ours + program)) -gt 0 ]; then
        ok=0
        why="${why:+$why; }$TOOL errors: $ours in our library, $program in the program"
    fi
    echo "$me: [$name] B under $TOOL (${reps} repeats, ${took}s): exit $sb; $TOOL errors: ${total} total," \
        "${ours} in our library, ${program} in the program only, ${sysonly} in system libraries only (ignored)"
    for ((i = 1; i < ${#cls[@]}; i++)); do
        echo "$me: [$name]   ${cls[$i]}"
    done
    if [ $ok = 1 ]; then
        passed=$((passed + 1))
        echo "$me: [$name] ok"
    else
        failed=$((failed + 1))
        diff -u --label "A (real libevent)" --label "B under $TOOL" "$tmp/$name.A.out" "$tmp/$name.B.out" \
            | head -12 | sed "s/^/$me: [$name]   /"
        [ -s "$tmp/$name.B.err" ] && echo "$me: [$name]   stderr: $(head -c 200 "$tmp/$name.B.err" | tr '\n' ' ')"
        echo "$me: [$name] FAIL: $why"
    fi
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && exit 0
exit 1
