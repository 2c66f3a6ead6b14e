#!/usr/bin/env bash
# Install the Debian packages libcoreapi needs, only those that are missing.
# Usage: scripts/deps.sh build|test|bench   (test and bench include build)
set -euo pipefail

build=(cmake make gcc pkg-config libcurl4-openssl-dev libidn2-dev libyajl-dev libyaml-dev
       libssl-dev)
# The OpenAPI descriptions of examples/api (drf-spectacular's; DRF's own
# generator needs uritemplate, its YAML rendering yaml) and the FastAPI service
# of tests/integration/fastapi_app.py (under uvicorn). The authentication
# servers (issue 11): the example API's OAuth 2.0 server (django-oauth-toolkit)
# and Apache httpd with mod_auth_digest (servers.py --apache). apache2-bin is
# the binary and its modules without the system service that the apache2
# package would enable (and start, outside a container) on port 80.
test=(clang libclang-rt-14-dev python3 python3-django python3-djangorestframework
      openssl python3-coreapi python3-djangorestframework-spectacular python3-uritemplate
      python3-yaml python3-fastapi python3-uvicorn python3-django-oauth-toolkit apache2-bin)
bench=(python3-coreapi)

want=("${build[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${test[@]}") ;;
  bench) want+=("${test[@]}" "${bench[@]}") ;;
  *) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=()
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
# Any nginx will do (nginx, nginx-light, nginx-full...); Debian's smallest otherwise.
if [ "${1:-build}" != build ] && ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  missing+=(nginx-light)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing packages: ${missing[*]}"
sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
