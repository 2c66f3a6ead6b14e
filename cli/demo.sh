#!/bin/sh
# demo.sh - a short, scripted session with the coreapi command-line tool
# against the bundled example API (examples/api), one explanatory line per
# step. It builds nothing and starts nothing: give it the binary, and run it
# where the example API is up, e.g. under the test harness:
#
#   /usr/bin/python3 tests/integration/servers.py --django -- sh cli/demo.sh build/coreapi
#
# It reads COREAPI_TEST_DJANGO_PORT (the API's port on 127.0.0.1) and
# COREAPI_TEST_USER / COREAPI_TEST_PASSWORD (default alice / wonderland). The
# API is reached as http://api.test:PORT (mapped to 127.0.0.1 with --resolve,
# as curl does), so credentials are scoped to a real-looking host name. State
# goes to a throw-away config directory, never to ~/.coreapi.
set -eu

bin=${1:?usage: demo.sh PATH/TO/coreapi}
port=${COREAPI_TEST_DJANGO_PORT:?start the example API and export COREAPI_TEST_DJANGO_PORT}
user=${COREAPI_TEST_USER:-alice}
password=${COREAPI_TEST_PASSWORD:-wonderland}
api=http://api.test:$port

dir=$(mktemp -d "${TMPDIR:-/tmp}/coreapi-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
export COREAPI_CONFIG_DIR="$dir/config"

coreapi() { "$bin" --no-color --resolve "api.test:$port:127.0.0.1" "$@"; }
step() { printf '\n== %s\n' "$*"; }
show() { printf '$ coreapi %s\n' "$*"; coreapi "$@"; }

step "Fetch the API's schema: a Core API document of links (it becomes the current document)."
show get "$api/schema/"

step "No credential is stored yet, so a request to the API would carry none."
show credentials which "$api/books/"

step "Obtain a token: act on the schema's api-token-auth/create link."
echo "\$ coreapi action api-token-auth create -p username=$user -p password=********"
out=$(coreapi action api-token-auth create -p "username=$user" -p "password=$password")
token=$(printf '%s\n' "$out" | sed -n 's/.*"token": "\([^"]*\)".*/\1/p')
echo "(a token of ${#token} characters; it is never printed)"

step "Store it for api.test only, read from stdin so it is not in the process list."
printf '%s\n' "$token" | show credentials add api.test --token-stdin --scheme Token

step "Which credential will a request to the API use, and why? (And to another host?)"
show credentials which "$api/books/"
show credentials which "http://evil.test/"

step "List the books with the token (Authorization: Token ...)."
show action books list -p search=dune

step "Create a book (multipart form, as the schema says), then read it back by its id."
echo "\$ coreapi action books create -p title=Neuromancer -s 'author=William Gibson' -p year=1984 -p genre=fiction"
out=$(coreapi action books create -p title=Neuromancer -s "author=William Gibson" -p year=1984 -p genre=fiction)
printf '%s\n' "$out"
id=$(printf '%s\n' "$out" | sed -n 's/^ *"id": \([0-9]*\),*$/\1/p')
show action books read -p "id=$id"

step "Now a session login instead: replace the token with a session credential (cookies kept in the config directory, CSRF handled)."
show credentials remove api.test
show credentials add api.test --session

# The login view is a plain Django view, not in the schema. A three-link Core
# JSON document makes it (and the CSRF endpoint and /me/) links the tool can
# act on: `load` it, and `action` does the rest, each in a new invocation.
cat >"$dir/login.json" <<EOF
{"_type": "document", "_meta": {"url": "$api/", "title": "Login"},
 "csrf": {"_type": "link", "url": "/csrf/"},
 "login": {"_type": "link", "url": "/login/", "action": "post", "encoding": "application/json",
           "fields": [{"name": "username", "required": true}, {"name": "password", "required": true}]},
 "me": {"_type": "link", "url": "/me/"}}
EOF
step "Load a small document with the login link (login is not in the schema)."
show load "$dir/login.json"

step "Fetch the CSRF cookie; it is saved in the cookie jar when this invocation ends."
show action csrf

step "Log in: a new invocation, which mirrors the CSRF token from the jar in X-CSRFToken."
echo "\$ coreapi action login -p username=$user -p password=********"
coreapi action login -p "username=$user" -p "password=$password"

step "Who am I? A third invocation, authenticated by the session cookie."
show action me

step "Back to the schema; delete the book made earlier (an unsafe request: CSRF checked)."
coreapi get "$api/schema/" >/dev/null
show action books delete -p "id=$id"

step "Stored credentials are listed without secrets."
show credentials show

step "Done."
