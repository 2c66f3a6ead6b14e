#!/usr/bin/env bash
# bench/instructions.sh - the per-request cost of coreapi_client_request GET
# against a plain libcurl loop, counted in instructions (valgrind's callgrind)
# and heap allocations (valgrind's memcheck), which do not depend on the
# machine's load.
#
# Usage: bench/instructions.sh [TRANSPORT] [N1 N2]
#   TRANSPORT  the bench/transport binary (default build/bench/transport;
#              measure a Release or RelWithDebInfo build)
#   N1 N2      GETs of the short and the long run (default 200 and 1200)
#
# Each loop runs twice (`transport -o coreapi|libcurl -n N -r 1 -w 1 -s 1`,
# against the loopback nginx that bench/transport starts, the same keep-alive
# connection, the same 266-byte JSON with Token authentication), N1 and N2
# GETs: the difference of the two totals divided by N2 - N1 is the cost of
# one GET without the start-up (process, nginx, TLS-free connection set-up).
# The last line:
#   instructions: coreapi=<per GET> libcurl=<per GET> ratio=<coreapi/libcurl>
#   allocs_coreapi=<n> allocs_libcurl=<n>
set -euo pipefail

bin=${1:-build/bench/transport}
n1=${2:-200}
n2=${3:-1200}
[ -x "$bin" ] || { echo "instructions: $bin is not built (cmake --build build --target transport)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "instructions: valgrind is missing (apt-get install valgrind)" >&2; exit 1; }
[ "$n2" -gt "$n1" ] || { echo "instructions: N2 must be larger than N1" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/coreapi-instructions-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Total instructions of one run (callgrind's summary line).
instructions() {
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
    "$bin" -o "$1" -n "$2" -r 1 -w 1 -s 1 >"$tmp/run.log" 2>&1 ||
    { echo "instructions: $1 -n $2 failed:" >&2; cat "$tmp/run.log" >&2; exit 1; }
  sed -n 's/^summary: \([0-9]*\)$/\1/p' "$tmp/cg.out"
}

# Total heap allocations of one run (memcheck's "total heap usage").
allocations() {
  valgrind --tool=memcheck --leak-check=no "$bin" -o "$1" -n "$2" -r 1 -w 1 -s 1 \
    >"$tmp/run.log" 2>&1 ||
    { echo "instructions: $1 -n $2 failed under memcheck:" >&2; cat "$tmp/run.log" >&2; exit 1; }
  sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' "$tmp/run.log" | tr -d ,
}

per_get() { # TOTAL1 TOTAL2
  echo $(( ($2 - $1) / (n2 - n1) ))
}

echo "instructions: $bin, $n1 and $n2 GETs per loop, valgrind $(valgrind --version)"
for client in coreapi libcurl; do
  i1=$(instructions $client "$n1"); i2=$(instructions $client "$n2")
  a1=$(allocations $client "$n1"); a2=$(allocations $client "$n2")
  printf -v "ins_$client" '%s' "$(per_get "$i1" "$i2")"
  printf -v "alloc_$client" '%s' "$(per_get "$a1" "$a2")"
  echo "instructions: $client: $i1 and $i2 instructions, $a1 and $a2 allocations"
done
ratio=$(awk -v a="$ins_coreapi" -v b="$ins_libcurl" 'BEGIN { printf "%.3f", a / b }')
echo "instructions: coreapi=$ins_coreapi libcurl=$ins_libcurl ratio=$ratio allocs_coreapi=$alloc_coreapi allocs_libcurl=$alloc_libcurl"
