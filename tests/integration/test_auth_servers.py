#!/usr/bin/python3
"""Self-test of the authentication test servers of servers.py (issue 11).

Proves, with the Python standard library only (http.client, hashlib), the
contracts that tests/integration/README.md documents and the C tests rely
on:

- the example API's OAuth 2.0 server (django-oauth-toolkit, --django):
  client credentials with client_secret_basic and client_secret_post, the
  password grant (confidential and public clients), refresh (rotated),
  revocation, introspection, /oauth-me/ with and without a token, the
  books through a Bearer token, the authorization code grant with PKCE done
  by hand (a session cookie of alice, a real loopback redirect URI on a
  random port), and expiry (a second run with --oauth-expire 2);
- the scripted device authorization server (--device): every scripted
  client_id, the log of polls with their timing;
- Apache httpd with mod_auth_digest (--apache): a Digest response computed
  here, the redirect to another host once authenticated;
- the harness itself: no server process is left and the private
  directories are gone after servers.py exits, normally, on SIGTERM and
  (processes only) when it is SIGKILLed.

Usage (CTest runs it so):  /usr/bin/python3 tests/integration/test_auth_servers.py
Internally it runs itself under servers.py with --inner PHASE.
"""
import base64
import hashlib
import http.client
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SERVERS = os.path.join(HERE, 'servers.py')
PYTHON = sys.executable or '/usr/bin/python3'

FAILURES = []


def check(cond, what):
    if cond:
        print('ok - %s' % what)
    else:
        print('FAIL - %s' % what)
        FAILURES.append(what)
    sys.stdout.flush()
    return cond


def request(port, method, path, headers=None, body=None, host='127.0.0.1'):
    """(status, {lowercased header: value}, body bytes); no redirects followed."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        hdrs = dict(headers or {})
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            hdrs.setdefault('Content-Type', 'application/x-www-form-urlencoded')
        if isinstance(body, str):
            body = body.encode('utf-8')
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def as_json(data):
    try:
        return json.loads(data.decode('utf-8'))
    except ValueError:
        return None


def basic(user, password):
    return 'Basic ' + base64.b64encode(
        ('%s:%s' % (user, password)).encode('utf-8')).decode('ascii')


def env(name):
    value = os.environ.get(name)
    if value is None:
        raise SystemExit('test_auth_servers: %s is not set (is '
                         'python3-django-oauth-toolkit installed? run '
                         'scripts/deps.sh test)' % name)
    return value


# --- OAuth 2.0 (django-oauth-toolkit in the example API) ------------------------

class OAuth:
    def __init__(self):
        self.port = int(env('COREAPI_TEST_DJANGO_PORT'))
        self.cc = (env('COREAPI_TEST_OAUTH_CC_ID'), env('COREAPI_TEST_OAUTH_CC_SECRET'))
        self.pw = (env('COREAPI_TEST_OAUTH_PW_ID'), env('COREAPI_TEST_OAUTH_PW_SECRET'))
        self.pub = env('COREAPI_TEST_OAUTH_PUB_ID')
        self.ac = (env('COREAPI_TEST_OAUTH_AC_ID'), env('COREAPI_TEST_OAUTH_AC_SECRET'))
        self.user = env('COREAPI_TEST_USER')
        self.password = env('COREAPI_TEST_PASSWORD')
        self.expire = int(env('COREAPI_TEST_OAUTH_EXPIRE'))

    def token(self, form, client_basic=None):
        headers = {}
        if client_basic:
            headers['Authorization'] = basic(*client_basic)
        status, hdrs, data = request(self.port, 'POST', '/o/token/', headers, form)
        return status, hdrs, as_json(data)

    def password_token(self, scope=None):
        form = {'grant_type': 'password', 'username': self.user, 'password': self.password}
        if scope:
            form['scope'] = scope
        return self.token(form, self.pw)

    def me(self, token, method='GET', body=None):
        headers = {} if token is None else {'Authorization': 'Bearer ' + token}
        status, hdrs, data = request(self.port, method, '/oauth-me/', headers, body)
        return status, hdrs, as_json(data)


def test_oauth_tokens(o):
    # client_secret_basic
    status, hdrs, tok = o.token({'grant_type': 'client_credentials'}, o.cc)
    check(status == 200 and tok and tok.get('token_type') == 'Bearer'
          and tok.get('expires_in') == o.expire and tok.get('scope') == 'read write'
          and 'refresh_token' not in tok and tok.get('access_token'),
          'client credentials, client_secret_basic: %s %s' % (status, tok))
    check(hdrs.get('content-type') == 'application/json'
          and hdrs.get('cache-control') == 'no-store',
          'token response is application/json, Cache-Control: no-store (%s, %s)'
          % (hdrs.get('content-type'), hdrs.get('cache-control')))
    cc_token = tok['access_token']
    status, _, body = o.me(cc_token)
    check(status == 200 and body == {'username': None, 'auth': 'oauth2',
                                     'scope': 'read write', 'client_id': o.cc[0]},
          '/oauth-me/ with a client-credentials token: %s %s' % (status, body))
    # client_secret_post
    status, _, tok = o.token({'grant_type': 'client_credentials', 'client_id': o.cc[0],
                              'client_secret': o.cc[1], 'scope': 'read'})
    check(status == 200 and tok.get('scope') == 'read',
          'client credentials, client_secret_post, scope read: %s %s' % (status, tok))
    # wrong secret, both ways
    status, hdrs, tok = o.token({'grant_type': 'client_credentials'}, (o.cc[0], 'wrong'))
    check(status == 401 and tok == {'error': 'invalid_client'},
          'wrong client secret (basic) -> 401 invalid_client: %s %s %s'
          % (status, tok, hdrs.get('www-authenticate')))
    status, _, tok = o.token({'grant_type': 'client_credentials', 'client_id': o.cc[0],
                              'client_secret': 'wrong'})
    check(status == 401 and tok == {'error': 'invalid_client'},
          'wrong client secret (post) -> 401 invalid_client: %s %s' % (status, tok))
    status, _, tok = o.token({'grant_type': 'client_credentials', 'scope': 'admin'}, o.cc)
    check(status == 400 and tok.get('error') == 'invalid_scope',
          'unknown scope -> 400 invalid_scope: %s %s' % (status, tok))
    # the CC client may not use the password grant
    status, _, tok = o.token({'grant_type': 'password', 'username': o.user,
                              'password': o.password}, o.cc)
    check(status == 400 and tok.get('error') == 'unauthorized_client',
          'password grant by the client-credentials client -> 400 unauthorized_client:'
          ' %s %s' % (status, tok))

    # Books with a client-credentials token (no user): refused like anonymous.
    status, _, _ = request(o.port, 'GET', '/books/', {'Authorization': 'Bearer ' + cc_token})
    check(status == 403, 'books with a client-credentials token -> 403 (no user): %s' % status)

    # password grant, confidential client
    status, _, tok = o.password_token(scope='read')
    check(status == 200 and tok.get('scope') == 'read' and tok.get('refresh_token')
          and tok.get('expires_in') == o.expire,
          'password grant (confidential, basic), scope read: %s %s' % (status, tok))
    read_token, refresh = tok['access_token'], tok['refresh_token']
    status, _, body = o.me(read_token)
    check(status == 200 and body == {'username': o.user, 'auth': 'oauth2', 'scope': 'read',
                                     'client_id': o.pw[0]},
          '/oauth-me/ as alice: %s %s' % (status, body))
    status, hdrs, body = o.me(read_token, 'POST', {'x': '1'})
    check(status == 403 and 'www-authenticate' not in hdrs,
          'POST /oauth-me/ (needs write) with a read token -> 403: %s %s' % (status, body))
    status, _, tok = o.password_token()
    check(status == 200 and tok.get('scope') == 'read write',
          'password grant without scope -> all scopes "read write": %s' % tok)
    status, _, body = o.me(tok['access_token'], 'POST', {'x': '1'})
    check(status == 200 and body.get('data') == {'x': '1'},
          'POST /oauth-me/ with a write token: %s %s' % (status, body))
    status, _, tok = o.token({'grant_type': 'password', 'username': o.user,
                              'password': 'wrong'}, o.pw)
    check(status == 400 and tok.get('error') == 'invalid_grant',
          'password grant, wrong password -> 400 invalid_grant: %s %s' % (status, tok))
    # the same with client_secret_post
    status, _, tok = o.token({'grant_type': 'password', 'username': o.user,
                              'password': o.password, 'client_id': o.pw[0],
                              'client_secret': o.pw[1]})
    check(status == 200, 'password grant, client_secret_post: %s %s' % (status, tok))
    # the confidential client without its secret
    status, _, tok = o.token({'grant_type': 'password', 'username': o.user,
                              'password': o.password, 'client_id': o.pw[0]})
    check(status == 401 and tok.get('error') == 'invalid_client',
          'confidential client without a secret -> 401 invalid_client: %s %s'
          % (status, tok))

    # public client: client_id only
    status, _, tok = o.token({'grant_type': 'password', 'username': o.user,
                              'password': o.password, 'client_id': o.pub})
    check(status == 200 and tok.get('refresh_token'),
          'password grant, public client (client_id only): %s %s' % (status, tok))
    status, _, tok2 = o.token({'grant_type': 'refresh_token',
                               'refresh_token': tok['refresh_token'], 'client_id': o.pub})
    check(status == 200 and tok2.get('access_token') != tok['access_token'],
          'refresh by the public client: %s %s' % (status, tok2))

    # Books and /me/ through a Bearer token
    status, _, data = request(o.port, 'GET', '/books/', {'Authorization': 'Bearer ' + read_token})
    body = as_json(data)
    check(status == 200 and body.get('count') == 7,
          'GET /books/ with a Bearer token: %s' % status)
    status, _, data = request(o.port, 'GET', '/me/', {'Authorization': 'Bearer ' + read_token})
    check(status == 200 and as_json(data) == {'username': o.user, 'auth': 'oauth2'},
          '/me/ with a Bearer token: %s %s' % (status, data))
    status, _, data = request(o.port, 'GET', '/books/', {'Authorization': 'Bearer nonsense'})
    check(status == 403, 'GET /books/ with a bad Bearer token -> 403 (as anonymous): %s' % status)
    status, _, data = request(o.port, 'GET', '/books/1/?access_token=' + read_token)
    check(status == 200, 'a token as access_token query parameter also works'
                         ' (oauthlib): %s' % status)

    # /oauth-me/ failures
    status, hdrs, body = o.me(None)
    check(status == 401 and hdrs.get('www-authenticate') == 'Bearer realm="api"',
          '/oauth-me/ without a token -> 401, WWW-Authenticate: %s'
          % hdrs.get('www-authenticate'))
    status, hdrs, body = o.me('not-a-token')
    check(status == 401 and hdrs.get('www-authenticate') ==
          'Bearer realm="api",error="invalid_token",'
          'error_description="The access token is invalid."',
          '/oauth-me/ with an unknown token -> 401, WWW-Authenticate: %s'
          % hdrs.get('www-authenticate'))

    # refresh, rotated
    status, _, new = o.token({'grant_type': 'refresh_token', 'refresh_token': refresh}, o.pw)
    check(status == 200 and new.get('refresh_token') not in (None, refresh)
          and new.get('scope') == 'read',
          'refresh (confidential, basic): a new refresh token, same scope: %s %s'
          % (status, new))
    status, _, again = o.token({'grant_type': 'refresh_token', 'refresh_token': refresh}, o.pw)
    check(status == 400 and again.get('error') == 'invalid_grant',
          'the used refresh token -> 400 invalid_grant: %s %s' % (status, again))
    status, hdrs, _ = o.me(read_token)
    check(status == 401, 'the access token of a used refresh token is revoked: %s %s'
          % (status, hdrs.get('www-authenticate')))
    status, _, body = o.me(new['access_token'])
    check(status == 200, 'the refreshed access token works: %s' % status)
    status, _, new2 = o.token({'grant_type': 'refresh_token', 'client_id': o.pw[0],
                               'client_secret': o.pw[1],
                               'refresh_token': new['refresh_token'], 'scope': 'read'})
    check(status == 200, 'refresh with client_secret_post: %s %s' % (status, new2))

    # introspection (RFC 7662), client authenticated with Basic
    status, _, data = request(o.port, 'POST', '/o/introspect/',
                              {'Authorization': basic(*o.cc)},
                              {'token': new2['access_token']})
    info = as_json(data)
    check(status == 200 and info.get('active') is True and info.get('scope') == 'read'
          and info.get('username') == o.user and info.get('client_id') == o.pw[0]
          and isinstance(info.get('exp'), int),
          'introspect a live token: %s %s' % (status, info))
    status, _, data = request(o.port, 'POST', '/o/introspect/',
                              {'Authorization': basic(*o.cc)}, {'token': 'nope'})
    check(status == 200 and as_json(data) == {'active': False},
          'introspect an unknown token: %s %s' % (status, data))

    # revocation (RFC 7009)
    status, _, data = request(o.port, 'POST', '/o/revoke_token/',
                              {'Authorization': basic(*o.pw)},
                              {'token': new2['access_token'],
                               'token_type_hint': 'access_token'})
    check(status == 200, 'revoke an access token: %s %r' % (status, data))
    status, hdrs, _ = o.me(new2['access_token'])
    check(status == 401 and 'invalid_token' in hdrs.get('www-authenticate', ''),
          'a revoked token -> 401 invalid_token: %s' % status)
    status, _, data = request(o.port, 'POST', '/o/revoke_token/',
                              {}, {'token': new2['refresh_token'], 'client_id': o.pw[0],
                                   'client_secret': o.pw[1]})
    check(status == 200, 'revoke a refresh token (client_secret_post): %s' % status)
    status, _, tok = o.token({'grant_type': 'refresh_token',
                              'refresh_token': new2['refresh_token']}, o.pw)
    check(status == 400 and tok.get('error') == 'invalid_grant',
          'a revoked refresh token -> 400 invalid_grant: %s %s' % (status, tok))


class CallbackServer:
    """The client's loopback redirect URI (RFC 8252 7.3): a one-shot HTTP
    server on a random port recording the query it is sent."""

    def __init__(self):
        self.queries = []
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                outer.queries.append(self.path)
                body = b'you may close this window'
                self.send_response(200)
                self.send_header('Content-Type', 'text/plain')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.HTTPServer(('127.0.0.1', 0), H)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def session_login(o):
    """alice's Django session: {"sessionid": ..., "csrftoken": ...}."""
    jar = {}

    def take(headers_list):
        for name, value in headers_list:
            if name.lower() == 'set-cookie':
                k, v = value.split(';', 1)[0].split('=', 1)
                jar[k.strip()] = v.strip()

    conn = http.client.HTTPConnection('127.0.0.1', o.port, timeout=30)
    conn.request('GET', '/csrf/')
    r = conn.getresponse()
    r.read()
    take(r.getheaders())
    body = json.dumps({'username': o.user, 'password': o.password})
    conn.request('POST', '/login/', body=body, headers={
        'Content-Type': 'application/json', 'X-CSRFToken': jar['csrftoken'],
        'Cookie': 'csrftoken=' + jar['csrftoken']})
    r = conn.getresponse()
    r.read()
    take(r.getheaders())
    conn.close()
    check(r.status == 200 and 'sessionid' in jar, 'session login as alice: %s' % r.status)
    return jar


def pkce_pair():
    verifier = base64.urlsafe_b64encode(os.urandom(48)).rstrip(b'=').decode('ascii')
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode('ascii')).digest()).rstrip(b'=').decode('ascii')
    return verifier, challenge


def test_oauth_authorization_code(o):
    cb = CallbackServer()
    try:
        redirect_uri = 'http://127.0.0.1:%d/callback' % cb.port
        verifier, challenge = pkce_pair()
        query = {'response_type': 'code', 'client_id': o.ac[0], 'redirect_uri': redirect_uri,
                 'scope': 'read', 'state': 'st-123', 'code_challenge': challenge,
                 'code_challenge_method': 'S256'}
        authorize = '/o/authorize/?' + urllib.parse.urlencode(query)

        status, hdrs, _ = request(o.port, 'GET', authorize)
        loc = hdrs.get('location', '')
        check(status == 302 and loc.startswith('/login/?next='),
              'authorize without a session -> 302 to the login URL: %s %s' % (status, loc))

        jar = session_login(o)
        cookie = {'Cookie': 'sessionid=' + jar['sessionid']}
        status, hdrs, _ = request(o.port, 'GET', authorize, cookie)
        loc = hdrs.get('location', '')
        check(status == 302 and loc.startswith(redirect_uri + '?'),
              'authorize as alice (skip_authorization) -> 302 to the loopback URI'
              ' with its random port: %s %s' % (status, loc))
        # Follow it, as a browser would: the client's own listener gets the code.
        u = urllib.parse.urlsplit(loc)
        s2, _, _ = request(u.port, 'GET', u.path + '?' + u.query)
        got = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(cb.queries[-1]).query)) \
            if cb.queries else {}
        check(s2 == 200 and got.get('state') == 'st-123' and got.get('code'),
              'the loopback redirect URI received code and state: %s' % got)
        code = got.get('code', '')

        # A wrong verifier first: a failed exchange does not consume the code
        # (oauthlib checks the verifier before it invalidates the code).
        status, _, tok = o.token({'grant_type': 'authorization_code', 'code': code,
                                  'redirect_uri': redirect_uri,
                                  'code_verifier': 'x' * 50}, o.ac)
        check(status == 400 and tok.get('error') == 'invalid_grant',
              'code exchange with a wrong code_verifier -> 400 invalid_grant: %s %s'
              % (status, tok))
        status, _, tok = o.token({'grant_type': 'authorization_code', 'code': code,
                                  'redirect_uri': redirect_uri, 'code_verifier': verifier},
                                 o.ac)
        check(status == 200 and tok.get('scope') == 'read' and tok.get('refresh_token'),
              'code exchange with the code_verifier (client_secret_basic): %s %s'
              % (status, tok))
        status, _, body = o.me(tok.get('access_token', 'x'))
        check(status == 200 and body.get('username') == o.user
              and body.get('client_id') == o.ac[0],
              '/oauth-me/ with the authorization-code token: %s %s' % (status, body))
        status, _, again = o.token({'grant_type': 'authorization_code', 'code': code,
                                    'redirect_uri': redirect_uri,
                                    'code_verifier': verifier}, o.ac)
        check(status == 400 and again.get('error') == 'invalid_grant',
              'the code a second time -> 400 invalid_grant: %s %s' % (status, again))

        # client_secret_post, and the redirect_uri must be the one of the request
        verifier, challenge = pkce_pair()
        query.update(code_challenge=challenge, state='st-2')
        status, hdrs, _ = request(o.port, 'GET',
                                  '/o/authorize/?' + urllib.parse.urlencode(query), cookie)
        code = dict(urllib.parse.parse_qsl(
            urllib.parse.urlsplit(hdrs.get('location', '')).query)).get('code', '')
        other_port = 'http://127.0.0.1:%d/callback' % (cb.port % 60000 + 1)
        status, _, tok = o.token({'grant_type': 'authorization_code', 'code': code,
                                  'redirect_uri': other_port, 'code_verifier': verifier,
                                  'client_id': o.ac[0], 'client_secret': o.ac[1]})
        check(status == 400 and tok.get('error') in ('invalid_request', 'access_denied',
                                                     'invalid_grant'),
              'code exchange with another port in redirect_uri -> 400: %s %s'
              % (status, tok))
        status, _, tok = o.token({'grant_type': 'authorization_code', 'code': code,
                                  'redirect_uri': redirect_uri, 'code_verifier': verifier,
                                  'client_id': o.ac[0], 'client_secret': o.ac[1]})
        check(status in (200, 400),
              'code exchange (client_secret_post) after a failed one: %s %s' % (status, tok))

        # PKCE is required
        q2 = dict(query)
        del q2['code_challenge'], q2['code_challenge_method']
        status, hdrs, _ = request(o.port, 'GET',
                                  '/o/authorize/?' + urllib.parse.urlencode(q2), cookie)
        err = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(
            hdrs.get('location', '')).query))
        check(status == 302 and err.get('error') == 'invalid_request',
              'authorize without code_challenge -> redirect with error=invalid_request:'
              ' %s %s' % (status, err))
        # an unregistered redirect URI: no redirect, an error page
        q3 = dict(query, redirect_uri='http://127.0.0.1:%d/elsewhere' % cb.port)
        status, hdrs, _ = request(o.port, 'GET',
                                  '/o/authorize/?' + urllib.parse.urlencode(q3), cookie)
        check(status == 400 and 'location' not in hdrs,
              'authorize with an unregistered redirect URI -> 400 page, no redirect: %s'
              % status)
        q4 = dict(query, redirect_uri='http://localhost:%d/callback' % cb.port)
        status, hdrs, _ = request(o.port, 'GET',
                                  '/o/authorize/?' + urllib.parse.urlencode(q4), cookie)
        check(status == 400, 'authorize with http://localhost:PORT/callback -> 400'
                             ' (only 127.0.0.1 and [::1] get any port): %s' % status)
        q5 = dict(query, client_id='no-such-client')
        status, hdrs, _ = request(o.port, 'GET',
                                  '/o/authorize/?' + urllib.parse.urlencode(q5), cookie)
        check(status == 400 and 'location' not in hdrs,
              'authorize with an unknown client -> 400 page, no redirect: %s' % status)
        # code_challenge_method absent: plain
        q6 = dict(query, code_challenge='p' * 43, state='st-plain')
        del q6['code_challenge_method']
        status, hdrs, _ = request(o.port, 'GET',
                                  '/o/authorize/?' + urllib.parse.urlencode(q6), cookie)
        code = dict(urllib.parse.parse_qsl(
            urllib.parse.urlsplit(hdrs.get('location', '')).query)).get('code', '')
        status, _, tok = o.token({'grant_type': 'authorization_code', 'code': code,
                                  'redirect_uri': redirect_uri,
                                  'code_verifier': 'p' * 43}, o.ac)
        check(status == 200, 'PKCE without code_challenge_method is plain: %s %s'
              % (status, tok))
        # IPv6 loopback, any port
        q7 = dict(query, redirect_uri='http://[::1]:%d/callback' % cb.port)
        status, hdrs, _ = request(o.port, 'GET',
                                  '/o/authorize/?' + urllib.parse.urlencode(q7), cookie)
        check(status == 302 and hdrs.get('location', '').startswith(
            'http://[::1]:%d/callback?' % cb.port),
              'authorize with http://[::1]:PORT/callback -> 302 there: %s %s'
              % (status, hdrs.get('location')))
    finally:
        cb.close()


def test_oauth_expiry():
    o = OAuth()
    check(o.expire == 2, 'COREAPI_TEST_OAUTH_EXPIRE=2 with --oauth-expire 2')
    status, _, tok = o.password_token()
    check(status == 200 and tok.get('expires_in') == 2,
          'a token with expires_in 2: %s %s' % (status, tok))
    status, _, _ = o.me(tok['access_token'])
    check(status == 200, 'it works at once: %s' % status)
    time.sleep(3)
    status, hdrs, _ = o.me(tok['access_token'])
    check(status == 401 and hdrs.get('www-authenticate') ==
          'Bearer realm="api",error="invalid_token",'
          'error_description="The access token has expired."',
          'after 3 s -> 401, WWW-Authenticate: %s' % hdrs.get('www-authenticate'))
    status, _, data = request(o.port, 'GET', '/books/',
                              {'Authorization': 'Bearer ' + tok['access_token']})
    check(status == 403, 'books with the expired token -> 403 (as anonymous): %s' % status)
    status, _, new = o.token({'grant_type': 'refresh_token',
                              'refresh_token': tok['refresh_token']}, o.pw)
    check(status == 200, 'the refresh token still works: %s %s' % (status, new))
    status, _, _ = o.me(new['access_token'])
    check(status == 200, 'the refreshed token works: %s' % status)


# --- the device authorization server ----------------------------------------------

class Device:
    GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

    def __init__(self):
        self.port = int(env('COREAPI_TEST_DEVICE_PORT'))

    def authorize(self, client_id, scope=None):
        form = {'client_id': client_id}
        if scope:
            form['scope'] = scope
        status, _, data = request(self.port, 'POST', '/device_authorization', {}, form)
        return status, as_json(data)

    def poll(self, client_id, device_code):
        return request(self.port, 'POST', '/token', {},
                       {'grant_type': self.GRANT, 'device_code': device_code,
                        'client_id': client_id})

    def polls(self, device_code):
        _, _, data = request(self.port, 'GET', '/__log')
        return [p for p in as_json(data)['polls'] if p['device_code'] == device_code]


def _error_of(resp):
    status, _, data = resp
    body = as_json(data) or {}
    return status, body.get('error')


def test_device():
    d = Device()
    status, auth = d.authorize('instant', 'read')
    check(status == 200 and set(auth) == {'device_code', 'user_code', 'verification_uri',
                                          'verification_uri_complete', 'expires_in',
                                          'interval'}
          and auth['interval'] == 1 and auth['expires_in'] == 600
          and auth['verification_uri'] == 'http://127.0.0.1:%d/device' % d.port
          and auth['verification_uri_complete'] == auth['verification_uri']
          + '?user_code=' + auth['user_code']
          and re.fullmatch(r'[A-Z]{4}-[A-Z]{4}', auth['user_code']),
          'device authorization response: %s %s' % (status, auth))
    status, hdrs, data = d.poll('instant', auth['device_code'])
    tok = as_json(data)
    check(status == 200 and tok.get('token_type') == 'Bearer' and tok.get('scope') == 'read'
          and tok.get('expires_in') == 3600 and hdrs.get('cache-control') == 'no-store',
          'instant: the token at the first poll: %s %s' % (status, tok))
    status, _, data = request(d.port, 'GET', '/me', {'Authorization': 'Bearer ' + tok['access_token']})
    check(status == 200 and as_json(data) == {'auth': 'bearer', 'client_id': 'instant',
                                              'scope': 'read'},
          'GET /me with the device token: %s %s' % (status, data))
    status, hdrs, _ = request(d.port, 'GET', '/me')
    check(status == 401 and hdrs.get('www-authenticate') == 'Bearer realm="device"',
          'GET /me without a token -> 401 %s' % hdrs.get('www-authenticate'))
    status, hdrs, _ = request(d.port, 'GET', '/me', {'Authorization': 'Bearer nope'})
    check(status == 401 and 'error="invalid_token"' in hdrs.get('www-authenticate', ''),
          'GET /me with a bad token -> 401 %s' % hdrs.get('www-authenticate'))
    check(_error_of(d.poll('instant', auth['device_code'])) == (400, 'invalid_grant'),
          'instant: the device code a second time -> invalid_grant')

    # pending2, honouring interval 1
    _, auth = d.authorize('pending2')
    answers = []
    for i in range(3):
        if i:
            time.sleep(auth['interval'])
        status, _, data = d.poll('pending2', auth['device_code'])
        answers.append((status, (as_json(data) or {}).get('error') or 'token'))
    check(answers == [(400, 'authorization_pending')] * 2 + [(200, 'token')],
          'pending2: pending, pending, token: %s' % answers)
    log = d.polls(auth['device_code'])
    check(len(log) == 3 and log[0]['since_previous'] is None
          and all(p['since_previous'] >= 1 and not p['too_early'] for p in log[1:])
          and all(p['interval'] == 1 for p in log)
          and [p['answer'] for p in log] == ['authorization_pending'] * 2 + ['token'],
          '/__log records the polls and their spacing: %s'
          % [(p['answer'], p['since_previous']) for p in log])

    # slowdown: the interval becomes 6 s
    _, auth = d.authorize('slowdown')
    check(_error_of(d.poll('slowdown', auth['device_code'])) == (400, 'slow_down'),
          'slowdown: slow_down at the first poll')
    time.sleep(6.1)
    status, _, _ = d.poll('slowdown', auth['device_code'])
    log = d.polls(auth['device_code'])
    check(status == 200 and log[1]['interval'] == 6 and not log[1]['too_early']
          and log[1]['since_previous'] >= 6,
          'slowdown: the token after waiting interval + 5 s; logged interval %s, waited %.2f'
          % (log[1]['interval'], log[1]['since_previous']))
    _, auth = d.authorize('slowdown')
    d.poll('slowdown', auth['device_code'])
    time.sleep(1.1)
    d.poll('slowdown', auth['device_code'])
    log = d.polls(auth['device_code'])
    check(log[1]['too_early'] is True and log[1]['interval'] == 6,
          'slowdown: a poll 1 s after slow_down is logged too_early')

    for client_id, error in (('denied', 'access_denied'), ('expired', 'expired_token')):
        _, auth = d.authorize(client_id)
        check(_error_of(d.poll(client_id, auth['device_code'])) == (400, error),
              '%s: %s at the first poll' % (client_id, error))

    # approve: pending until POST /approve
    _, auth = d.authorize('approve')
    check(_error_of(d.poll('approve', auth['device_code'])) == (400, 'authorization_pending'),
          'approve: pending before approval')
    status, _, data = request(d.port, 'POST', '/approve', {},
                              {'user_code': auth['user_code']})
    check(status == 200, 'POST /approve: %s %s' % (status, data))
    time.sleep(1)
    status, _, _ = d.poll('approve', auth['device_code'])
    check(status == 200, 'approve: the token after approval: %s' % status)
    _, auth = d.authorize('approve')
    request(d.port, 'POST', '/deny?user_code=' + auth['user_code'])
    check(_error_of(d.poll('approve', auth['device_code'])) == (400, 'access_denied'),
          'approve + POST /deny: access_denied')

    # nointerval: no interval in the answer; the log marks a fast poll too early
    status, auth = d.authorize('nointerval')
    check(status == 200 and 'interval' not in auth, 'nointerval: no interval: %s' % auth)
    d.poll('nointerval', auth['device_code'])
    d.poll('nointerval', auth['device_code'])
    log = d.polls(auth['device_code'])
    check([p['answer'] for p in log] == ['authorization_pending', 'token']
          and log[1]['interval'] == 5 and log[1]['too_early'] is True,
          'nointerval: pending then token; interval 5 assumed, a fast poll too early')

    # broken token endpoints
    _, auth = d.authorize('garbage')
    status, hdrs, data = d.poll('garbage', auth['device_code'])
    check(status == 200 and hdrs.get('content-type', '').startswith('text/html')
          and as_json(data) is None, 'garbage: 200 text/html: %s' % hdrs.get('content-type'))
    _, auth = d.authorize('badjson')
    status, hdrs, data = d.poll('badjson', auth['device_code'])
    check(status == 200 and hdrs.get('content-type') == 'application/json'
          and as_json(data) is None, 'badjson: 200 application/json, not JSON')

    # protocol errors
    status, body = d.authorize('nobody-knows-me')
    check(status == 400 and body.get('error') == 'invalid_client',
          'unknown client_id -> 400 invalid_client')
    _, auth = d.authorize('instant')
    check(_error_of(request(d.port, 'POST', '/token', {},
                            {'grant_type': 'password', 'device_code': auth['device_code'],
                             'client_id': 'instant'})) == (400, 'unsupported_grant_type'),
          'another grant_type -> unsupported_grant_type')
    check(_error_of(d.poll('pending2', auth['device_code'])) == (400, 'invalid_client'),
          'device_code of another client -> invalid_client')
    check(_error_of(d.poll('instant', 'nope')) == (400, 'invalid_grant'),
          'unknown device_code -> invalid_grant')
    status, _, data = request(d.port, 'POST', '/device_authorization', {'Authorization':
                              basic('instant', 'ignored')}, {'scope': 'x'})
    check(status == 200, 'client_id as the user of HTTP Basic: %s' % status)


# --- Apache httpd, mod_auth_digest ---------------------------------------------------

def parse_challenge(header):
    scheme, _, rest = header.partition(' ')
    params = dict((k, v1 if v1 else v2) for k, v1, v2 in re.findall(
        r'([a-zA-Z]+)=(?:"([^"]*)"|([^\s,]*))', rest))
    return scheme, params


def digest_header(user, password, method, uri, ch, nc=1, cnonce=None):
    realm, nonce = ch['realm'], ch['nonce']
    cnonce = cnonce or os.urandom(8).hex()
    ncs = '%08x' % nc
    md5 = lambda s: hashlib.md5(s.encode('utf-8')).hexdigest()
    ha1 = md5('%s:%s:%s' % (user, realm, password))
    ha2 = md5('%s:%s' % (method, uri))
    response = md5('%s:%s:%s:%s:%s:%s' % (ha1, nonce, ncs, cnonce, 'auth', ha2))
    return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", algorithm=MD5, '
            'response="%s", qop=auth, nc=%s, cnonce="%s"'
            % (user, realm, nonce, uri, response, ncs, cnonce))


def test_apache():
    port = int(env('COREAPI_TEST_APACHE_PORT'))
    user, password = env('COREAPI_TEST_DIGEST_USER'), env('COREAPI_TEST_DIGEST_PASSWORD')
    check((user, password, env('COREAPI_TEST_DIGEST_REALM')) ==
          ('digestuser', 'dig3st-pass', 'coreapi digest'), 'digest credentials exported')
    status, hdrs, body = request(port, 'GET', '/open/')
    check(status == 200 and body == b'open ok' and hdrs.get('content-type') == 'text/plain',
          '/open/ needs nothing: %s %r' % (status, body))
    status, hdrs, _ = request(port, 'GET', '/digest-md5/')
    scheme, ch = parse_challenge(hdrs.get('www-authenticate', ''))
    check(status == 401 and scheme == 'Digest' and ch.get('realm') == 'coreapi digest'
          and ch.get('algorithm') == 'MD5' and ch.get('qop') == 'auth' and ch.get('nonce'),
          'challenge: %s %s' % (status, hdrs.get('www-authenticate')))
    auth = digest_header(user, password, 'GET', '/digest-md5/', ch)
    status, hdrs, body = request(port, 'GET', '/digest-md5/', {'Authorization': auth})
    check(status == 200 and body == b'digest ok' and hdrs.get('content-type') == 'text/plain'
          and 'rspauth=' in hdrs.get('authentication-info', ''),
          'a hand-made Digest response (MD5, qop=auth): %s %r %s'
          % (status, body, hdrs.get('authentication-info')))
    auth2 = digest_header(user, password, 'GET', '/digest-md5/', ch, nc=2)
    status, _, body = request(port, 'GET', '/digest-md5/', {'Authorization': auth2})
    check(status == 200, 'the same nonce again with nc=00000002: %s' % status)
    bad = digest_header(user, 'wrong', 'GET', '/digest-md5/', ch, nc=3)
    status, _, _ = request(port, 'GET', '/digest-md5/', {'Authorization': bad})
    check(status == 401, 'a wrong password -> 401: %s' % status)
    status, hdrs, _ = request(port, 'GET', '/digest-md5/redirect-other')
    check(status == 401, 'redirect-other without credentials -> 401: %s' % status)
    uri = '/digest-md5/redirect-other'
    status, hdrs, _ = request(port, 'GET', uri, {'Authorization': digest_header(
        user, password, 'GET', uri, ch, nc=4)})
    other = os.environ.get('COREAPI_TEST_REDIRECT_HTTP_PORT', '9')
    check(status == 302 and hdrs.get('location') == 'http://other.test:%s/echo' % other,
          'redirect-other once authenticated -> 302 %s' % hdrs.get('location'))
    uri = '/digest-md5/redirect-same'
    status, hdrs, _ = request(port, 'GET', uri, {'Authorization': digest_header(
        user, password, 'GET', uri, ch, nc=5)})
    check(status == 302 and hdrs.get('location') == 'http://127.0.0.1:%d/digest-md5/' % port,
          'redirect-same once authenticated -> 302 %s' % hdrs.get('location'))
    status, _, _ = request(port, 'GET', '/digest-sha256/')
    check(status == 404, '/digest-sha256/ does not exist (mod_auth_digest has no SHA-256): %s'
          % status)


# --- the harness: nothing left behind ----------------------------------------------

def _proc_refs(needle):
    """pids of live processes whose command line or environment has needle."""
    found = []
    raw = needle.encode()
    for name in os.listdir('/proc'):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open('/proc/%s/stat' % name) as f:
                if f.read().rsplit(')', 1)[1].split()[0] == 'Z':
                    continue
            blob = b''
            for part in ('cmdline', 'environ'):
                try:
                    with open('/proc/%s/%s' % (name, part), 'rb') as f:
                        blob += f.read()
                except OSError:
                    pass
        except (OSError, IndexError):
            continue
        if raw in blob:
            found.append(int(name))
    return found


def _port_closed(port):
    try:
        socket.create_connection(('127.0.0.1', port), timeout=1).close()
        return False
    except OSError:
        return True


def inner_record(path):
    """Under servers.py: write what the outer test needs to check cleanup."""
    me = os.getpid()
    harness = os.getppid()
    kids = []
    for name in os.listdir('/proc'):
        if name.isdigit() and int(name) != me:
            try:
                with open('/proc/%s/stat' % name) as f:
                    if int(f.read().rsplit(')', 1)[1].split()[1]) == harness:
                        kids.append(int(name))
            except (OSError, IndexError, ValueError):
                pass
    apache_dirs = []
    for pid in kids:
        try:
            with open('/proc/%d/cmdline' % pid, 'rb') as f:
                argv = f.read().split(b'\0')
        except OSError:
            continue
        if b'-d' in argv:
            apache_dirs.append(argv[argv.index(b'-d') + 1].decode())
    ports = [int(v) for k, v in os.environ.items()
             if k.startswith('COREAPI_TEST_') and k.endswith('_PORT')]
    with open(path, 'w') as f:
        json.dump({'tmpdir': os.environ['COREAPI_TEST_TMPDIR'], 'servers': kids,
                   'apache_dirs': apache_dirs, 'ports': ports}, f)


def check_cleanup(record_path, label, dirs_too=True):
    try:
        with open(record_path) as f:
            rec = json.load(f)
    except (OSError, ValueError):
        return check(False, '%s: the inner run recorded its servers' % label)
    check(len(rec['servers']) >= 1, '%s: server processes seen: %d' % (label, len(rec['servers'])))
    deadline = time.monotonic() + 10
    while True:
        left = [p for p in rec['servers'] if os.path.exists('/proc/%d' % p)]
        refs = _proc_refs(rec['tmpdir'])
        for d in rec['apache_dirs']:
            refs += _proc_refs(d)
        if (not left and not refs) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    check(not left and not refs,
          '%s: no server process left (pids %s, referencing the temp dirs %s)'
          % (label, left, refs))
    check(all(_port_closed(p) for p in rec['ports']),
          '%s: every server port is closed: %s' % (label, rec['ports']))
    if dirs_too:
        gone = [d for d in [rec['tmpdir']] + rec['apache_dirs'] if os.path.exists(d)]
        check(not gone, '%s: private directories removed: %s' % (label, gone or 'all'))
    else:
        import shutil
        for d in [rec['tmpdir']] + rec['apache_dirs']:
            shutil.rmtree(d, ignore_errors=True)


def run_phase(opts, phase, record):
    argv = [PYTHON, SERVERS] + opts + ['--', PYTHON, os.path.abspath(__file__),
                                       '--inner', phase, record]
    print('# running: %s' % ' '.join(opts + ['--', '...', phase]))
    sys.stdout.flush()
    r = subprocess.run(argv, stdin=subprocess.DEVNULL)
    check(r.returncode == 0, 'phase %s under servers.py %s: exit %d'
          % (phase, ' '.join(opts), r.returncode))
    check_cleanup(record, 'after %s' % phase)


def interrupt_phase(opts, sig, record, label):
    """servers.py interrupted by sig while its command sleeps."""
    argv = [PYTHON, SERVERS] + opts + ['--', PYTHON, os.path.abspath(__file__),
                                       '--inner', 'sleep', record]
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not os.path.exists(record) and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.1)
    time.sleep(0.3)  # the record is complete once written and closed
    p.send_signal(sig)
    rc = p.wait(60)
    if sig == signal.SIGKILL:
        check(rc == -signal.SIGKILL, '%s: servers.py was killed' % label)
    else:
        check(rc == 128 + sig, '%s: servers.py exits 128+%d: %s' % (label, sig, rc))
    check_cleanup(record, label, dirs_too=(sig != signal.SIGKILL))


def main(argv):
    if len(argv) >= 3 and argv[0] == '--inner':
        phase, record = argv[1], argv[2]
        inner_record(record)
        if phase == 'main':
            o = OAuth()
            test_oauth_tokens(o)
            test_oauth_authorization_code(o)
            test_device()
            test_apache()
        elif phase == 'expiry':
            test_oauth_expiry()
        elif phase == 'sleep':
            time.sleep(120)
        print('# %s: %d failure(s)' % (phase, len(FAILURES)))
        return 1 if FAILURES else 0

    work = tempfile.mkdtemp(prefix='coreapi-authtest-')
    try:
        run_phase(['--django', '--device', '--apache', '--redirect'], 'main',
                  os.path.join(work, 'main.json'))
        run_phase(['--django', '--oauth-expire', '2'], 'expiry',
                  os.path.join(work, 'expiry.json'))
        interrupt_phase(['--device', '--apache'], signal.SIGTERM,
                        os.path.join(work, 'term.json'), 'SIGTERM to servers.py')
        interrupt_phase(['--device', '--apache'], signal.SIGKILL,
                        os.path.join(work, 'kill.json'), 'SIGKILL to servers.py')
    finally:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    if FAILURES:
        print('FAILED: %d check(s):' % len(FAILURES))
        for f in FAILURES:
            print('  ' + f)
        return 1
    print('all checks passed')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
