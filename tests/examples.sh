#!/bin/bash
# The documentation examples of shared/examples compiled against real libevent
# and against ours, runnable ones run on both (tests/examples.py, also
# `make examples`).  Exit 77 when no examples directory is found.
cd "$(dirname "$0")/.." || exit 1
exec python3 tests/examples.py
