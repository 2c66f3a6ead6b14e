#!/bin/sh
# `cmake --install` gives a usable library: a program builds against it with
# pkg-config (shared and static) and with CMake's find_package, and runs.
# Usage: check_install.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
libdir=$(ls -d "$tmp"/prefix/lib*/ | head -n 1)
export PKG_CONFIG_PATH="$libdir/pkgconfig"
test "$(pkg-config --modversion coreapi)" = "$(sed -n 's/^#define COREAPI_VERSION "\(.*\)"/\1/p' "$src/include/coreapi/version.h")"
cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags coreapi) "$src/tests/install/consumer.c" \
  $(pkg-config --libs coreapi) -o "$tmp/pc_shared"
LD_LIBRARY_PATH="$libdir" "$tmp/pc_shared"
cc -std=c11 $(pkg-config --cflags coreapi) "$src/tests/install/consumer.c" \
  "$libdir/libcoreapi.a" $(pkg-config --libs libcurl libidn2 yajl yaml-0.1 libcrypto) \
  -o "$tmp/pc_static"
"$tmp/pc_static"
cmake -S "$src/tests/install" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
LD_LIBRARY_PATH="$libdir" "$tmp/consumer/consumer_shared"
"$tmp/consumer/consumer_static"
echo "install: pkg-config and find_package consumers build and run"
