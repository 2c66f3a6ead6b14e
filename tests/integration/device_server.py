#!/usr/bin/python3
"""A scripted OAuth 2.0 device authorization server (RFC 8628) for
libcoreapi's integration tests. Plain HTTP on 127.0.0.1, Python stdlib only.
Normally started by tests/integration/servers.py --device:

    device_server.py --port PORT

The client_id chooses what the token endpoint answers (no secrets: device
clients are public; a client_id may also come as the user name of HTTP
Basic, whose password is ignored):

  approve      authorization_pending until POST /approve (user_code=...)
               is called, then the token; POST /deny instead -> access_denied
  instant      the token at the first poll
  pendingN     authorization_pending on the first N polls (N >= 0, e.g.
               pending2), then the token
  slowdown     slow_down on the first poll (the interval becomes 1 + 5 =
               6 s), then the token; slowdownN: slow_down N times (each
               adds 5 s), then the token
  denied       access_denied at the first poll
  expired      expired_token at the first poll
  nointerval   no "interval" in the device authorization response (the
               client must wait its default, 5 s); authorization_pending
               once, then the token
  escapes      the device authorization answer's verification_uri and
               user_code hold terminal escape sequences (ESC ] ... BEL)
  garbage      the token endpoint answers 200 text/html (not JSON)
  badjson      the token endpoint answers 200 application/json that is not
               valid JSON
  (any other)  POST /device_authorization answers 400 invalid_client

Endpoints (and GET /digest-sha256/, RFC 7616 Digest with SHA-256 and qop
auth for user digestuser, password dig3st-pass, realm "coreapi digest",
which Apache's mod_auth_digest lacks; and GET /.well-known/oauth-authorization-server, RFC 8414
metadata naming /token, /device_authorization and /revoke; POST /revoke,
RFC 7009: the token forgotten, logged under "revocations"):

  POST /device_authorization   form: client_id (required), scope (optional)
      -> 200 {"device_code", "user_code" ("XXXX-XXXX"), "verification_uri"
         (http://127.0.0.1:PORT/device), "verification_uri_complete"
         (...?user_code=...), "expires_in": 600, "interval": 1}
  POST /token   form: grant_type=urn:ietf:params:oauth:grant-type:device_code,
      device_code, client_id
      -> 200 {"access_token", "token_type": "Bearer", "expires_in": 3600,
         "scope"} (scope: the one asked for, if any), Cache-Control: no-store;
         a device code gives one token, then it is invalid_grant;
      -> 400 {"error": "authorization_pending" | "slow_down" |
         "access_denied" | "expired_token" | "invalid_grant" |
         "invalid_request" | "invalid_client" | "unsupported_grant_type",
         "error_description"} (RFC 8628 3.5, RFC 6749 5.2)
  POST /approve, POST /deny   user_code (query or form) -> 200
      {"user_code", "approved": true|false}; unknown code -> 404
  GET /device[?user_code=...]   a small text/html page (the verification URI)
  GET /me   Authorization: Bearer <a token this server issued> -> 200
      {"auth": "bearer", "client_id", "scope"}; otherwise 401 with
      WWW-Authenticate: Bearer realm="device"[, error="invalid_token"]
  GET /__log    200 application/json {"authorizations": [...], "polls":
      [...]}; a poll is {"t" (time.time() when it arrived, seconds, float),
      "since_previous" (seconds since the previous poll of the same device
      code, null for the first), "interval" (the interval in force for that
      code when it arrived, slow_down included), "too_early" (since_previous
      < interval), "client_id", "device_code", "grant_type", "answer" (the
      error code, "token", "garbage" or "badjson")}; an authorization is
      {"t", "client_id", "scope", "device_code", "user_code"}
  GET /__clear  empties the log;   GET /__ready  200 "ok"
"""
import argparse
import base64
import hashlib
import http.server
import json
import os
import re
import signal
import socketserver
import sys
import threading
import time
import urllib.parse

DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
INTERVAL = 1
SLOW_DOWN_STEP = 5
DEFAULT_INTERVAL = 5  # what a client assumes without "interval" (RFC 8628 3.2)
EXPIRES_IN = 600
TOKEN_EXPIRES_IN = 3600
USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ'  # RFC 8628 6.1: no vowels

LOCK = threading.Lock()
DEVICES = {}     # device_code -> state dict
USER_CODES = {}  # user_code -> device_code
TOKENS = {}      # access token -> {"client_id", "scope"}
NONCES = set()   # Digest nonces given out (/digest-sha256/)
LOG = {'authorizations': [], 'polls': [], 'revocations': []}


def script_of(client_id):
    """(kind, n) for a known client_id, else None."""
    if client_id in ('approve', 'instant', 'denied', 'expired', 'nointerval', 'escapes',
                     'garbage', 'badjson'):
        return client_id, 0
    m = re.fullmatch(r'pending(\d{1,3})', client_id or '')
    if m:
        return 'pending', int(m.group(1))
    m = re.fullmatch(r'slowdown(\d{0,3})', client_id or '')
    if m:
        return 'slowdown', int(m.group(1) or 1)
    return None


def _random_user_code():
    raw = os.urandom(8)
    chars = ''.join(USER_CODE_ALPHABET[b % len(USER_CODE_ALPHABET)] for b in raw)
    return chars[:4] + '-' + chars[4:]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'coreapi-device/1'
    sys_version = ''

    def log_message(self, fmt, *args):  # quiet
        pass

    # --- helpers ---------------------------------------------------------

    def _send(self, status, body, content_type='application/json',
              headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        data = body.encode('utf-8') if isinstance(body, str) else body
        self.send_response(status)
        if content_type:
            self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    def _error(self, status, error, description, headers=()):
        self._send(status, {'error': error, 'error_description': description},
                   headers=[('Cache-Control', 'no-store'),
                            ('Pragma', 'no-cache')] + list(headers))

    def _body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length > 0 else b''

    def _form(self):
        """Query and (urlencoded) body parameters, body winning."""
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        body = self._body()
        ctype = (self.headers.get('Content-Type') or '').split(';')[0].strip().lower()
        if body and ctype in ('', 'application/x-www-form-urlencoded'):
            params.update(urllib.parse.parse_qsl(body.decode('utf-8', 'replace'),
                                                 keep_blank_values=True))
        return url.path, params

    def _basic_client_id(self):
        header = self.headers.get('Authorization') or ''
        if not header[:6].lower() == 'basic ':
            return None
        try:
            user = base64.b64decode(header[6:].strip()).decode('utf-8').split(':', 1)[0]
        except (ValueError, UnicodeDecodeError):
            return None
        return urllib.parse.unquote_plus(user)

    # --- routing ---------------------------------------------------------

    def do_GET(self):
        path, params = self._form()
        if path == '/__ready':
            return self._send(200, 'ok', 'text/plain')
        if path == '/__log':
            with LOCK:
                return self._send(200, LOG)
        if path == '/__clear':
            with LOCK:
                LOG['authorizations'].clear()
                LOG['polls'].clear()
                LOG['revocations'].clear()
            return self._send(200, 'cleared', 'text/plain')
        if path == '/device':
            code = params.get('user_code', '')
            return self._send(200, '<!doctype html><title>Device</title>'
                              '<p>Enter the code%s.</p>'
                              % (' ' + code if re.fullmatch(r'[A-Z-]{1,9}', code) else ''),
                              'text/html; charset=utf-8')
        if path == '/me':
            return self._me()
        if path == '/digest-sha256/':
            return self._digest_sha256()
        if path == '/.well-known/oauth-authorization-server':
            base = 'http://%s' % (self.headers.get('Host') or
                                  '127.0.0.1:%d' % self.server.server_address[1])
            return self._send(200, {'issuer': base, 'token_endpoint': base + '/token',
                                    'device_authorization_endpoint':
                                        base + '/device_authorization',
                                    'revocation_endpoint': base + '/revoke'})
        return self._send(404, {'detail': 'Not found.'})

    do_HEAD = do_GET

    def do_POST(self):
        path, params = self._form()
        if path == '/device_authorization':
            return self._device_authorization(params)
        if path == '/token':
            return self._token(params)
        if path in ('/approve', '/deny'):
            return self._decide(params, path == '/approve')
        if path == '/me':
            return self._me()
        if path == '/revoke':  # RFC 7009: the token forgotten, 200 either way
            with LOCK:
                TOKENS.pop(params.get('token', ''), None)
                LOG['revocations'].append({'hint': params.get('token_type_hint'),
                                           'client_id': params.get('client_id') or
                                           self._basic_client_id()})
            return self._send(200, '', 'text/plain')
        return self._send(404, {'detail': 'Not found.'})

    # --- endpoints ---------------------------------------------------------

    def _digest_sha256(self):
        """RFC 7616 Digest with algorithm SHA-256 and qop auth (Apache's
        mod_auth_digest has MD5 only): user digestuser, password dig3st-pass,
        realm "coreapi digest"; 200 "digest ok" for a right answer."""
        realm, user, password = 'coreapi digest', 'digestuser', 'dig3st-pass'
        header = self.headers.get('Authorization') or ''
        h = lambda text: hashlib.sha256(text.encode('utf-8')).hexdigest()
        if header.lower().startswith('digest '):
            fields = dict((k.strip(), v.strip().strip('"')) for k, v in
                          (part.split('=', 1) for part in
                           re.findall(r'\w+=(?:"[^"]*"|[^,]*)', header[7:])))
            with LOCK:
                known = fields.get('nonce') in NONCES
            ha1 = h('%s:%s:%s' % (user, realm, password))
            ha2 = h('%s:%s' % (self.command, fields.get('uri', '')))
            want = h(':'.join([ha1, fields.get('nonce', ''), fields.get('nc', ''),
                               fields.get('cnonce', ''), fields.get('qop', ''), ha2]))
            if (known and fields.get('username') == user and
                    fields.get('algorithm', '').upper() == 'SHA-256' and
                    fields.get('qop') == 'auth' and fields.get('response') == want):
                return self._send(200, 'digest ok', 'text/plain')
        nonce = os.urandom(16).hex()
        with LOCK:
            NONCES.add(nonce)
        return self._send(401, 'unauthorized', 'text/plain', headers=[(
            'WWW-Authenticate', 'Digest realm="%s", qop="auth", algorithm=SHA-256, '
                                'nonce="%s", opaque="%s"' % (realm, nonce, os.urandom(8).hex()))])

    def _device_authorization(self, params):
        client_id = params.get('client_id') or self._basic_client_id()
        if not client_id:
            return self._error(400, 'invalid_request', 'client_id is required.')
        script = script_of(client_id)
        if script is None:
            return self._error(400, 'invalid_client', 'Unknown client.')
        kind, n = script
        device_code = os.urandom(20).hex()
        scope = params.get('scope')
        host = '127.0.0.1:%d' % self.server.server_address[1]
        with LOCK:
            user_code = _random_user_code()
            while user_code in USER_CODES:
                user_code = _random_user_code()
            DEVICES[device_code] = {
                'client_id': client_id, 'scope': scope, 'kind': kind, 'n': n,
                'polls': 0, 'last': None, 'user_code': user_code,
                'interval': DEFAULT_INTERVAL if kind == 'nointerval' else INTERVAL,
                'decision': None, 'used': False,
                'expires': time.time() + EXPIRES_IN,
            }
            USER_CODES[user_code] = device_code
            LOG['authorizations'].append({
                't': time.time(), 'client_id': client_id, 'scope': scope,
                'device_code': device_code, 'user_code': user_code})
        verification = 'http://%s/device' % host
        answer = {
            'device_code': device_code,
            'user_code': user_code,
            'verification_uri': verification,
            'verification_uri_complete': verification + '?user_code=' + user_code,
            'expires_in': EXPIRES_IN,
            'interval': INTERVAL,
        }
        if kind == 'escapes':
            answer['verification_uri'] = verification + '\x1b]2;owned\x07'
            answer['user_code'] = user_code + '\x1b[2J'
            answer['verification_uri_complete'] = answer['verification_uri']
        if kind == 'nointerval':
            del answer['interval']
        return self._send(200, answer, headers=[('Cache-Control', 'no-store')])

    def _decide(self, params, approve):
        code = params.get('user_code', '').upper()
        with LOCK:
            device_code = USER_CODES.get(code)
            if device_code is None:
                return self._send(404, {'detail': 'Unknown user_code.'})
            DEVICES[device_code]['decision'] = 'approved' if approve else 'denied'
        return self._send(200, {'user_code': code, 'approved': approve})

    def _token(self, params):
        grant_type = params.get('grant_type')
        client_id = params.get('client_id') or self._basic_client_id()
        device_code = params.get('device_code')
        now = time.time()
        with LOCK:
            state = DEVICES.get(device_code) if device_code else None
            entry = {'t': now, 'client_id': client_id, 'device_code': device_code,
                     'grant_type': grant_type, 'since_previous': None,
                     'interval': None, 'too_early': False}
            if state is not None:
                if state['last'] is not None:
                    entry['since_previous'] = now - state['last']
                entry['interval'] = state['interval']
                entry['too_early'] = (entry['since_previous'] is not None
                                      and entry['since_previous'] < state['interval'])
                state['last'] = now
            answer = self._decide_token(state, grant_type, client_id, device_code)
            entry['answer'] = answer[0]
            LOG['polls'].append(entry)
        what = answer[0]
        if what == 'token':
            return self._send(200, answer[1], headers=[('Cache-Control', 'no-store'),
                                                       ('Pragma', 'no-cache')])
        if what == 'garbage':
            return self._send(200, '<!doctype html><html><body><h1>Welcome!</h1>'
                              '<p>This is not JSON.</p></body></html>',
                              'text/html; charset=utf-8')
        if what == 'badjson':
            return self._send(200, '{"access_token": "dev-truncated", "token_type": ',
                              'application/json')
        return self._error(400, what, answer[1])

    @staticmethod
    def _decide_token(state, grant_type, client_id, device_code):
        """(answer, payload) under LOCK; mutates the device state."""
        if grant_type != DEVICE_GRANT:
            return ('unsupported_grant_type',
                    'grant_type must be %s.' % DEVICE_GRANT)
        if not device_code or not client_id:
            return 'invalid_request', 'device_code and client_id are required.'
        if state is None or state['used']:
            return 'invalid_grant', 'Unknown or already used device_code.'
        if state['client_id'] != client_id:
            return 'invalid_client', 'device_code was issued to another client.'
        state['polls'] += 1
        polls, kind, n = state['polls'], state['kind'], state['n']
        if kind in ('garbage', 'badjson'):
            return kind, None
        if time.time() > state['expires']:
            return 'expired_token', 'The device_code has expired.'
        if kind == 'denied' or state['decision'] == 'denied':
            return 'access_denied', 'The user denied the request.'
        if kind == 'expired':
            return 'expired_token', 'The device_code has expired.'
        if kind == 'slowdown' and polls <= n:
            state['interval'] += SLOW_DOWN_STEP
            return 'slow_down', 'Polling too fast; interval is now %d s.' % state['interval']
        if kind == 'pending' and polls <= n:
            return 'authorization_pending', 'The user has not yet decided.'
        if kind == 'nointerval' and polls <= 1:
            return 'authorization_pending', 'The user has not yet decided.'
        if kind == 'approve' and state['decision'] != 'approved':
            return 'authorization_pending', 'The user has not yet decided.'
        state['used'] = True
        token = 'dev-' + os.urandom(16).hex()
        TOKENS[token] = {'client_id': client_id, 'scope': state['scope']}
        body = {'access_token': token, 'token_type': 'Bearer',
                'expires_in': TOKEN_EXPIRES_IN}
        if state['scope'] is not None:
            body['scope'] = state['scope']
        return 'token', body

    def _me(self):
        header = self.headers.get('Authorization') or ''
        m = re.fullmatch(r'[Bb]earer +(\S+)', header.strip())
        if not m:
            return self._send(401, {'detail': 'Authentication credentials were not provided.'},
                              headers=[('WWW-Authenticate', 'Bearer realm="device"')])
        with LOCK:
            info = TOKENS.get(m.group(1))
        if info is None:
            return self._send(401, {'detail': 'Invalid token.'}, headers=[(
                'WWW-Authenticate', 'Bearer realm="device", error="invalid_token"')])
        return self._send(200, {'auth': 'bearer', 'client_id': info['client_id'],
                                'scope': info['scope']})


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--port', type=int, required=True)
    args = parser.parse_args()
    server = Server(('127.0.0.1', args.port), Handler)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    sys.stderr.write('device_server.py: listening on 127.0.0.1:%d\n' % args.port)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == '__main__':
    main()
