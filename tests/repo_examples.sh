#!/bin/bash
# The examples that live in this repository (examples/*.c, `make demo` runs
# examples/demo.c) built three ways, like the parity matrix: A against real
# libevent, B against our headers and library, C = A run on ours through
# LD_LIBRARY_PATH. Each must exit 0 by itself, and B and C must print exactly
# what A prints. B also runs once under valgrind (no errors, nothing lost).
# Exit 0 passed, 1 failed, 77 skipped (no pkg-config libevent).
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
LIBDIR=$ROOT/build/lib
pkg-config --exists libevent 2>/dev/null || { echo "repo_examples: skipped: pkg-config libevent not found (apt-get install libevent-dev pkg-config)"; exit 77; }
[ -f "$LIBDIR/libevent-2.1.so.7" ] || { echo "repo_examples: build/lib missing: run make lib"; exit 1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
fail=0
for src in examples/*.c; do
    name=$(basename "$src" .c)
    bad=0
    if ! cc -O1 -o "$OUT/$name.A" "$src" $(pkg-config --cflags --libs libevent) 2>"$OUT/$name.A.log"; then
        echo "FAIL $name: does not build against libevent"; cat "$OUT/$name.A.log"; bad=1; fail=1; continue
    fi
    if ! cc -O1 -I include -o "$OUT/$name.B" "$src" -L"$LIBDIR" -levent -Wl,-rpath,"$LIBDIR" 2>"$OUT/$name.B.log"; then
        echo "FAIL $name: does not build against ours"; cat "$OUT/$name.B.log"; bad=1; fail=1; continue
    fi
    timeout 30 "$OUT/$name.A" > "$OUT/$name.A.out" 2>&1; ra=$?
    timeout 30 "$OUT/$name.B" > "$OUT/$name.B.out" 2>&1; rb=$?
    LD_LIBRARY_PATH=$LIBDIR timeout 30 "$OUT/$name.A" > "$OUT/$name.C.out" 2>&1; rc=$?
    if [ $ra -ne 0 ]; then echo "FAIL $name: exits $ra on libevent"; cat "$OUT/$name.A.out"; bad=1; fail=1; continue; fi
    for v in B C; do
        r=$rb; [ $v = C ] && r=$rc
        if [ $r -ne 0 ] || ! diff -u "$OUT/$name.A.out" "$OUT/$name.$v.out" > "$OUT/$name.$v.diff"; then
            echo "FAIL $name ($v, exit $r):"; head -20 "$OUT/$name.$v.diff"; bad=1
        fi
    done
    if command -v valgrind >/dev/null; then
        if ! timeout 120 valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
                "$OUT/$name.B" > /dev/null 2>"$OUT/$name.vg"; then
            echo "FAIL $name: valgrind"; head -30 "$OUT/$name.vg"; bad=1
        fi
    fi
    if [ $bad -eq 0 ]; then echo "ok   $name (A = B = C, valgrind clean)"; else fail=1; fi
done
exit $fail
