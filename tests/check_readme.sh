#!/bin/sh
# The README's C example compiles and links against the library as it is.
# Usage: check_readme.sh README.md INCLUDE_DIR STATIC_LIBRARY
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/^```c$/ { on = 1; next } /^```$/ { if (on) exit } on' "$1" > "$tmp/example.c"
test -s "$tmp/example.c" || { echo "readme: no C example found"; exit 1; }
${CC:-cc} ${CFLAGS:-} -std=c11 -Wall -Wextra -Werror -I"$2" "$tmp/example.c" "$3" \
  $(pkg-config --libs libcurl libidn2 jansson) -o "$tmp/example"
echo "readme: the example compiles and links"
