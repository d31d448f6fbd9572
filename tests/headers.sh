#!/bin/bash
# Our public headers against the installed libevent ones: layout probe output,
# every macro value and prototype, each header compiling on its own, and no
# comment line copied (ctests/check_headers.sh).
cd "$(dirname "$0")/.." || exit 1
[ -d /usr/include/event2 ] || { echo "headers.sh: libevent-dev not installed"; exit 77; }
exec bash ctests/check_headers.sh
