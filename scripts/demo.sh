#!/usr/bin/env bash
# The main job: build libcoreapi, start the bundled example API (Django REST
# framework on loopback, nginx with a throw-away TLS certificate in front),
# run the demo of the three authentication flows, and stop the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target demo >/dev/null
exec /usr/bin/python3 tests/integration/servers.py --nginx -- sh -c \
  'exec build/demo "http://api.test:$COREAPI_TEST_DJANGO_PORT" \
     "https://api.test:$COREAPI_TEST_NGINX_PORT" "$COREAPI_TEST_CA" \
     "$COREAPI_TEST_USER" "$COREAPI_TEST_PASSWORD"'
