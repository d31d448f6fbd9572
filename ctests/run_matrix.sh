#!/bin/sh
# Parity matrix: see ctests/README.md.  Usage: ctests/run_matrix.sh [--no-valgrind] [ctests/foo.c ...]
exec python3 "$(dirname "$0")/run_matrix.py" "$@"
