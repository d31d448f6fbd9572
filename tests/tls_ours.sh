#!/bin/bash
# tests/tls_ours.sh: the TLS behaviour where ours is better than libevent
# 2.1.12 over OpenSSL 3, hence not in the parity matrix (tests/tls_ours.c
# says what and why): built against our headers and library, each line
# checked, then run once under valgrind.
# Exit 0 passed, 77 no OpenSSL headers, 1 failed.
set -u
cd "$(dirname "$0")/.."
[ -f /usr/include/openssl/ssl.h ] || { echo "tls_ours.sh: SKIP: no OpenSSL headers (apt-get install libssl-dev)"; exit 77; }
[ -f build/lib/libevent_openssl-2.1.so.7 ] || { echo "tls_ours.sh: no build/lib: run make lib"; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
gcc -g -O1 -w -Iinclude -o "$out/t" tests/tls_ours.c -Lbuild/lib -levent -levent_openssl -lssl -lcrypto \
  -Wl,-rpath,"$PWD/build/lib" || exit 1
timeout 20 "$out/t" > "$out/stdout" 2> "$out/stderr"
st=$?
expected='clean close with data (socket): event READING|EOF, read before it 1000
dirty close with data, allowed (socket): event READING|EOF, read before it 1000
dirty close with data, allowed (filter): event EOF, read before it 1000
max_single_read 1 MiB: 150000 bytes in 1 read callbacks, largest above 16 KiB
renegotiated filter: got 4 after 2 CONNECTED
unknown state: NULL'
if [ $st != 0 ] || [ "$(cat "$out/stdout")" != "$expected" ]; then
  echo "tls_ours.sh: FAIL (status $st)"; diff <(echo "$expected") "$out/stdout"; cat "$out/stderr"; exit 1
fi
if command -v valgrind > /dev/null; then
  valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 "$out/t" > /dev/null 2> "$out/vg"
  if [ $? != 0 ]; then echo "tls_ours.sh: FAIL under valgrind"; head -40 "$out/vg"; exit 1; fi
fi
echo "tls_ours.sh: ok (dirty shutdown allowed = EOF, data before the close delivered first, unknown state refused, reads beyond 16 KiB, filter renegotiation)"
