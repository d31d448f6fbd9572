#!/bin/bash
# The CMake package (issue #15): make install into a temporary prefix, build
# tests/cmake_project with find_package(Libevent 2.1 REQUIRED COMPONENTS core
# extra pthreads) against it, shared and static, run it and check it ran on the
# installed library; probe libevent's version and component rules
# (tests/cmake_probe), that a moved prefix still works, and that make
# uninstall leaves nothing.  Exit 77 (skip) without cmake.
set -u
cd "$(dirname "$0")/.."
if ! command -v cmake > /dev/null; then
    echo "cmake.sh: SKIP: cmake not installed (apt-get install cmake)"
    exit 77
fi
MAKE=${MAKE:-make}
here=$PWD
tmp=$(mktemp -d)
prefix=$tmp/prefix
fail() { echo "cmake.sh: FAIL: $*"; rm -rf "$tmp"; exit 1; }

$MAKE --no-print-directory -s install PREFIX="$prefix" > "$tmp/install.log" 2>&1 \
    || { tail -5 "$tmp/install.log"; fail "make install (last lines of its log above)"; }
cm=$prefix/lib/cmake/libevent
for f in LibeventConfig LibeventConfigVersion LibeventTargets-shared LibeventTargets-shared-release \
         LibeventTargets-static LibeventTargets-static-release; do
    [ -f "$cm/$f.cmake" ] || fail "$cm/$f.cmake not installed"
done

# build NAME [cmake args]: configure and build tests/cmake_project in $tmp/NAME
build() {
    local dir=$tmp/$1; shift
    cmake -S "$here/tests/cmake_project" -B "$dir" -DCMAKE_PREFIX_PATH="$prefix" \
          -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "$@" > "$dir.log" 2>&1 \
        || { tail -20 "$dir.log"; fail "configuring cmake_project $* (log above)"; }
    cmake --build "$dir" >> "$dir.log" 2>&1 || { tail -20 "$dir.log"; fail "building cmake_project $*"; }
    grep -q -- "$prefix/include" "$dir/compile_commands.json" || fail "$1: not compiled with $prefix/include"
}

# Shared: no LD_LIBRARY_PATH; CMake's build rpath must lead to the prefix.
build shared
grep -q "cmake_prog: LIBEVENT_INCLUDE_DIRS=$prefix/include\$" "$tmp/shared.log" \
    || fail "LIBEVENT_INCLUDE_DIRS is not $prefix/include: $(grep INCLUDE_DIRS "$tmp/shared.log")"
grep -q "cmake_prog: LIBEVENT_LIBRARIES=libevent::core;libevent::extra;libevent::pthreads\$" "$tmp/shared.log" \
    || fail "LIBEVENT_LIBRARIES: $(grep LIBEVENT_LIBRARIES= "$tmp/shared.log")"
for so in libevent_core-2.1.so.7 libevent_pthreads-2.1.so.7; do
    resolved=$(ldd "$tmp/shared/cmake_prog" | awk -v so="$so" '$1 == so {print $3}')
    [ "$resolved" = "$prefix/lib/$so" ] || fail "$so resolves to '$resolved', not $prefix/lib/$so"
done
out=$("$tmp/shared/cmake_prog") || fail "cmake_prog (shared) exited $?"
case $out in "cmake_prog: timer fired (what=0x1) on "*", libevent 2.1.12-stable") ;;
    *) fail "cmake_prog (shared) printed '$out'" ;; esac
echo "cmake.sh: shared: $out"

# Static: the archives, no libevent shared object needed at all.
build static -DLIBEVENT_STATIC_LINK=TRUE
if readelf -d "$tmp/static/cmake_prog" | grep -q 'NEEDED.*libevent'; then
    fail "static cmake_prog still needs a libevent shared object"
fi
out=$("$tmp/static/cmake_prog") || fail "cmake_prog (static) exited $?"
case $out in "cmake_prog: timer fired (what=0x1) on "*) ;; *) fail "cmake_prog (static) printed '$out'" ;; esac
echo "cmake.sh: static: $out"

# probe EXPECT ARGS...: find_package(Libevent ARGS) and compare its PROBE line
# (found, LIBEVENT_FOUND, version, per-component flags) with EXPECT.
probe() {
    local want=$1; shift
    local dir=$tmp/probe
    rm -rf "$dir"
    cmake -S "$here/tests/cmake_probe" -B "$dir" -DCMAKE_PREFIX_PATH="$probe_prefix" -DPROBE_ARGS="$*" \
          > "$dir.log" 2>&1 || { tail -20 "$dir.log"; fail "probe '$*' did not configure"; }
    got=$(sed -n 's/^-- PROBE //p' "$dir.log")
    [ "$got" = "$want" ] || fail "find_package(Libevent $*): got '$got', want '$want'"
}
probe_prefix=$prefix
all="libs=libevent::core;libevent::extra;libevent::openssl;libevent::pthreads inc=$prefix/include"
# No version and no components: all of them.  libevent 2.1.12's rule: a requested version up to ours matches, a newer one does not.
probe "found=1 LIBEVENT_FOUND=TRUE version=2.1.12 core=TRUE extra=TRUE openssl=TRUE pthreads=TRUE $all"
probe "found=1 LIBEVENT_FOUND=TRUE version=2.1.12 core=TRUE extra=TRUE openssl=TRUE pthreads=TRUE $all" 2.1
probe "found=1 LIBEVENT_FOUND=TRUE version=2.1.12 core=TRUE extra=TRUE openssl=TRUE pthreads=TRUE $all" 2.0
probe "found=1 LIBEVENT_FOUND=TRUE version=2.1.12 core=TRUE extra=TRUE openssl=TRUE pthreads=TRUE $all" 2.1.12 EXACT
probe "found=0 LIBEVENT_FOUND= version= core= extra= openssl= pthreads= libs= inc=" 2.2
probe "found=0 LIBEVENT_FOUND= version= core= extra= openssl= pthreads= libs= inc=" 2.1 EXACT
probe "found=1 LIBEVENT_FOUND=TRUE version=2.1.12 core=TRUE extra= openssl= pthreads= libs=libevent::core inc=$prefix/include" \
    COMPONENTS core
probe "found=1 LIBEVENT_FOUND=TRUE version=2.1.12 core=TRUE extra= openssl=TRUE pthreads= libs=libevent::core;libevent::openssl inc=$prefix/include" \
    COMPONENTS core openssl
# A component libevent 2.1.12 does not have (2.2's mbedtls): required fails, optional does not.
probe "found=0 LIBEVENT_FOUND=FALSE version=2.1.12 core=TRUE extra= openssl= pthreads= libs= inc=" COMPONENTS core mbedtls
probe "found=1 LIBEVENT_FOUND=TRUE version=2.1.12 core=TRUE extra= openssl= pthreads= libs=libevent::core inc=$prefix/include" \
    COMPONENTS core OPTIONAL_COMPONENTS mbedtls
rm -rf "$tmp/probe"
if cmake -S "$here/tests/cmake_probe" -B "$tmp/probe" -DCMAKE_PREFIX_PATH="$prefix" \
        -DPROBE_ARGS="REQUIRED COMPONENTS mbedtls" > "$tmp/probe.log" 2>&1; then
    fail "find_package(Libevent REQUIRED COMPONENTS mbedtls) succeeded"
fi
grep -q "no mbedtls component" "$tmp/probe.log" || fail "no reason given for the missing mbedtls component"

# Relocatable: the same files found from a moved prefix point into it.
mv "$prefix" "$tmp/moved"
probe_prefix=$tmp/moved
probe "found=1 LIBEVENT_FOUND=TRUE version=2.1.12 core=TRUE extra= openssl= pthreads= libs=libevent::core inc=$tmp/moved/include" \
    COMPONENTS core
mv "$tmp/moved" "$prefix"
echo "cmake.sh: version rule (2.0, 2.1 and 2.1.12 EXACT found; 2.2 and 2.1 EXACT not), components and a moved prefix ok"

$MAKE --no-print-directory -s uninstall PREFIX="$prefix" > /dev/null || fail "make uninstall"
[ ! -e "$prefix" ] || fail "left after uninstall: $(find "$prefix")"
rm -rf "$tmp"
echo "cmake.sh: install, find_package(Libevent) builds (shared, static) and uninstall ok"
