#!/bin/bash
# make install into a temporary prefix, build a program with pkg-config against
# it, check it links and loads our libraries (not the system libevent), then
# make uninstall and check the prefix is left empty.
set -u
cd "$(dirname "$0")/.."
MAKE=${MAKE:-make}
tmp=$(mktemp -d)
prefix=$tmp/prefix
fail() { echo "install.sh: FAIL: $*"; rm -rf "$tmp"; exit 1; }

$MAKE --no-print-directory -s install PREFIX="$prefix" > "$tmp/install.log" 2>&1 \
    || { tail -5 "$tmp/install.log"; fail "make install (last lines of its log above)"; }
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
for pc in libevent libevent_core libevent_extra libevent_pthreads; do
    [ -f "$prefix/lib/pkgconfig/$pc.pc" ] || fail "$pc.pc not installed"
    v=$(pkg-config --modversion $pc) || fail "pkg-config $pc"
    [ "$v" = "2.1.12-stable" ] || fail "$pc version is '$v'"
done
for so in libevent-2.1.so.7 libevent_core-2.1.so.7 libevent_extra-2.1.so.7 libevent_pthreads-2.1.so.7 \
          libevent.so libevent_core.so libevent_extra.so libevent_pthreads.so; do
    [ -e "$prefix/lib/$so" ] || fail "$so not installed"
done
[ -f "$prefix/include/event2/event.h" ] || fail "event2/event.h not installed"

cat > "$tmp/prog.c" <<'C'
#include <event2/event.h>
#include <event2/thread.h>
#include <stdio.h>
int main(void)
{
    struct event_base *base;
    if (evthread_use_pthreads() != 0)
        return 2;
    base = event_base_new();
    if (!base)
        return 1;
    printf("%s %s\n", event_get_version(), event_base_get_method(base));
    event_base_free(base);
    return 0;
}
C
# shellcheck disable=SC2046
cc -MD -MF "$tmp/prog.d" -o "$tmp/prog" "$tmp/prog.c" \
    $(pkg-config --cflags --libs libevent libevent_pthreads) 2> "$tmp/cc.log" \
    || { cat "$tmp/cc.log"; fail "building with pkg-config against the installed library"; }
grep -q "$prefix/include/event2/event.h" "$tmp/prog.d" || fail "prog.c did not use the installed headers"
if grep -q "/usr/include/event2/" "$tmp/prog.d"; then fail "prog.c used /usr/include/event2"; fi
readelf -d "$tmp/prog" | grep -q 'NEEDED.*\[libevent-2.1.so.7\]' || fail "prog does not need libevent-2.1.so.7"
resolved=$(LD_LIBRARY_PATH=$prefix/lib ldd "$tmp/prog" | awk '/libevent-2.1.so.7/ {print $3}')
[ "$resolved" = "$prefix/lib/libevent-2.1.so.7" ] || fail "libevent-2.1.so.7 resolves to '$resolved'"
out=$(LD_LIBRARY_PATH=$prefix/lib "$tmp/prog") || fail "prog exited $?"
echo "install.sh: prog linked via pkg-config against $prefix: $out"

$MAKE --no-print-directory -s uninstall PREFIX="$prefix" || fail "make uninstall"
left=$(find "$tmp" -mindepth 1 -not -path "$tmp/prog*" -not -path "$tmp/cc.log" -not -path "$tmp/install.log")
[ -z "$left" ] || fail "left after uninstall: $left"
rm -rf "$tmp"
echo "install.sh: install, pkg-config build and uninstall ok"
