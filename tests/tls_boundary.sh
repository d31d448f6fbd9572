#!/bin/bash
# libevent_openssl reaches the core through C symbols only, as libevent's
# does: EventTls never imports the core module, the core carries no TLS
# names, libevent_openssl exports exactly bufferevent_ssl.h and NEEDs
# libevent_core, libssl and libcrypto (plus libc), with libevent's SONAME.
set -u
cd "$(dirname "$0")/.."
fail=0
if grep -rn '^\s*\(@testable \)\?import Event\s*$' Sources/EventTls; then
  echo "FAIL: Sources/EventTls imports the core module"; fail=1
fi
lib=build/lib
so=$lib/libevent_openssl-2.1.so.7
[ -f $so ] || { echo "no $so: run make lib"; exit 1; }
if nm -D --defined-only $lib/libevent_core-2.1.so.7 | awk '{print $3}' | grep -E '^bufferevent_(openssl_|ssl_|get_openssl)'; then
  echo "FAIL: libevent_core defines TLS symbols"; fail=1
fi
exported=$(readelf --dyn-syms -W $so | awk '($5 == "GLOBAL" || $5 == "WEAK") && $7 != "UND" {print $8}' | sort | tr '\n' ' ')
want="bufferevent_get_openssl_error bufferevent_openssl_filter_new bufferevent_openssl_get_allow_dirty_shutdown bufferevent_openssl_get_ssl bufferevent_openssl_set_allow_dirty_shutdown bufferevent_openssl_socket_new bufferevent_ssl_renegotiate "
[ "$exported" = "$want" ] || { echo "FAIL: libevent_openssl exports: $exported"; fail=1; }
soname=$(readelf -d $so | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = libevent_openssl-2.1.so.7 ] || { echo "FAIL: soname $soname"; fail=1; }
needed=$(readelf -d $so | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
[ "$needed" = "libc.so.6 libcrypto.so.3 libevent_core-2.1.so.7 libssl.so.3 " ] || { echo "FAIL: NEEDED $needed"; fail=1; }
[ $fail = 0 ] && echo "tls boundary: ok (exports bufferevent_ssl.h only; NEEDED: $needed)"
exit $fail
