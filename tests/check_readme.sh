#!/bin/sh
# The README's C examples compile and link against the library as it is: the
# first is a whole program; later ones are fragments, compiled as the body of
# a function given a `coreapi_client *client`.
# Usage: check_readme.sh README.md INCLUDE_DIR STATIC_LIBRARY
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '/^```c$/ { on = 1; n++; next } /^```$/ { on = 0; next }
  on { print > (dir "/block" n ".c") }' "$1"
test -s "$tmp/block1.c" || { echo "readme: no C example found"; exit 1; }
libs="$(pkg-config --libs libcurl libidn2 yajl)"
${CC:-cc} ${CFLAGS:-} -std=c11 -Wall -Wextra -Werror -I"$2" "$tmp/block1.c" "$3" $libs \
  -o "$tmp/example"
n=1
for f in "$tmp"/block*.c; do
  [ "$f" = "$tmp/block1.c" ] && continue
  {
    printf '#include <coreapi/coreapi.h>\n#include <stdio.h>\n#include <stdlib.h>\n'
    printf 'void readme_fragment(coreapi_client *client);\n'
    printf 'void readme_fragment(coreapi_client *client) {\n'
    cat "$f"
    printf '}\n'
  } > "$f.wrapped.c"
  ${CC:-cc} ${CFLAGS:-} -std=c11 -Wall -Wextra -Wno-unused-variable -c -I"$2" "$f.wrapped.c" \
    -o "$f.o"
  n=$((n + 1))
done
echo "readme: $n C examples compile"
