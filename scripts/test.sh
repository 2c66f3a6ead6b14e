#!/usr/bin/env bash
# Every test, as CI runs them: the suite built with gcc, again with clang,
# again under AddressSanitizer + UndefinedBehaviorSanitizer (leak detection
# on), the threads test under ThreadSanitizer, and the libFuzzer targets. Each build directory is
# separate; all are under build-test/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test

jobs=$(nproc)
root=build-test
failed=()

run() { # run NAME CMAKE_ARGS... ; then ctest with CTEST_ARGS from the env
  local name=$1; shift
  echo "=== $name"
  cmake -S . -B "$root/$name" -DCOREAPI_BUILD_BENCH=OFF "$@" >"$root/$name.cmake.log" 2>&1 ||
    { cat "$root/$name.cmake.log"; failed+=("$name (configure)"); return; }
  cmake --build "$root/$name" -j"$jobs" >"$root/$name.build.log" 2>&1 ||
    { cat "$root/$name.build.log"; failed+=("$name (build)"); return; }
  (cd "$root/$name" && ctest --output-on-failure -j"$jobs" ${CTEST_ARGS:-}) ||
    failed+=("$name")
}

mkdir -p "$root"
run gcc -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo
run clang -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run asan-ubsan -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Debug -DCOREAPI_SANITIZE=address,undefined
TSAN_OPTIONS=halt_on_error=1 CTEST_ARGS="-L threads" \
  run tsan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DCOREAPI_SANITIZE=thread
# libFuzzer: the Core JSON decoder, Content-Disposition names, URI Templates,
# response header lines and the cookie parsers, a fixed seed and a fixed number
# of inputs, 5-30 s each (reproducible; see tests/fuzz/CMakeLists.txt).
CTEST_ARGS="-L fuzz" \
  run fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DCOREAPI_FUZZ=ON

if [ ${#failed[@]} -ne 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "All test builds passed: gcc, clang, asan-ubsan, tsan, fuzz"
