#!/usr/bin/env bash
# Install the Debian packages libcoreapi needs, only those that are missing.
# Usage: scripts/deps.sh build|demo|test|bench   (each includes build; test the
# demo's). A package that ships a system service (nginx) is installed with
# that service kept from starting (policy-rc.d), and left disabled.
set -euo pipefail

build=(cmake make gcc pkg-config libcurl4-openssl-dev libidn2-dev libyajl-dev libyaml-dev
       libssl-dev)
# The OpenAPI descriptions of examples/api (drf-spectacular's; DRF's own
# generator needs uritemplate, its YAML rendering yaml) and the FastAPI service
# of tests/integration/fastapi_app.py (under uvicorn). The authentication
# servers (issue 11): the example API's OAuth 2.0 server (django-oauth-toolkit)
# and Apache httpd with mod_auth_digest (servers.py --apache). apache2-bin is
# the binary and its modules without the system service that the apache2
# package would enable (and start, outside a container) on port 80. git: the
# credential helpers (git credential-store, -cache) the secret-store tests
# use; procps: ps, with which they check no helper is left running.
test=(clang libclang-rt-14-dev python3 python3-django python3-djangorestframework
      openssl python3-coreapi python3-djangorestframework-spectacular python3-uritemplate
      python3-yaml python3-fastapi python3-uvicorn python3-django-oauth-toolkit apache2-bin
      git procps)
bench=(python3-coreapi valgrind golang-go python3-httpx python3-h2)  # valgrind: bench/instructions.sh; go, httpx (h2: its HTTP/2): bench/parallel
# The demo runs the example API alone (servers.py --django): no nginx, no
# Apache, no compilers beyond the build's.
demo=(python3 python3-django python3-djangorestframework)

want=("${build[@]}")
case "${1:-build}" in
  build) ;;
  demo) want+=("${demo[@]}") ;;
  test) want+=("${demo[@]}" "${test[@]}") ;;
  bench) want+=("${demo[@]}" "${test[@]}" "${bench[@]}") ;;
  *) echo "usage: $0 build|demo|test|bench" >&2; exit 2 ;;
esac

missing=()
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
# Any nginx will do (nginx, nginx-light, nginx-full...); Debian's smallest otherwise.
if [ "${1:-build}" = test ] || [ "${1:-build}" = bench ]; then
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    missing+=(nginx-light)
  fi
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing packages: ${missing[*]}"
sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
# No service a package ships starts during the install (policy-rc.d answers
# 101, "action forbidden", to invoke-rc.d), unless the machine has its own.
policy=/usr/sbin/policy-rc.d
own_policy=0
[ -e "$policy" ] && own_policy=1
if [ "$own_policy" = 0 ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  trap '[ "$own_policy" = 0 ] && "${sudo[@]}" rm -f "$policy"' EXIT
fi
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# ... and the one we brought (nginx-light's nginx) is not left enabled either.
for service in $(printf '%s\n' "${missing[@]}" | sed -n 's/^nginx-light$/nginx/p'); do
  if [ -e "/lib/systemd/system/$service.service" ] && command -v systemctl >/dev/null; then
    "${sudo[@]}" systemctl disable --now "$service" >/dev/null 2>&1 || true
  elif [ -e "/etc/init.d/$service" ] && command -v update-rc.d >/dev/null; then
    "${sudo[@]}" update-rc.d "$service" disable >/dev/null 2>&1 || true
    "${sudo[@]}" service "$service" stop >/dev/null 2>&1 || true
  fi
done
