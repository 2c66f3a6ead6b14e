#!/usr/bin/env bash
# The main job: build libcoreapi and its command-line tool, start the bundled
# example API (Django REST framework on loopback), run a short scripted
# session with the tool (cli/demo.sh: the schema, a token, a session login
# with CSRF, creating and reading data, "credentials which"), and stop the
# server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh demo
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target coreapi-cli >/dev/null
exec /usr/bin/python3 tests/integration/servers.py --django -- sh cli/demo.sh build/coreapi
