#!/bin/sh
# The shared library exports exactly the functions its headers declare with
# COREAPI_EXTERN, no more (nothing internal leaks) and no fewer (nothing
# declared is missing). Usage: check_exports.sh LIBRARY INCLUDE_DIR
set -eu
lib=$1
inc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort -u > "$tmp/exported"
# A declaration is "COREAPI_EXTERN <type> <name>(" possibly with "*" before the name.
cat "$inc"/*.h | tr '\n' ' ' | grep -o 'COREAPI_EXTERN [^(;]*(' |
  sed -e 's/($//' -e 's/.*[ *]//' | grep '^coreapi_[a-z0-9_]*$' | sort -u > "$tmp/declared"
if ! diff -u "$tmp/declared" "$tmp/exported"; then
  echo "exports: the exported symbols differ from the declared ones (- declared, + exported)"
  exit 1
fi
echo "exports: $(wc -l < "$tmp/declared") functions declared and exported"
