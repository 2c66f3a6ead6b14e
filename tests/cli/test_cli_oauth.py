#!/usr/bin/python3
"""End-to-end tests of the tool's OAuth 2.0 credentials.

Runs the real binary (argv[1]) against the example API's
django-oauth-toolkit and the RFC 8628 device server, as started by
tests/integration/servers.py --django --device --apache --oauth-expire 45 (tokens
live 45 s: fresh for a while, renewed within the 30 s margin after a sleep).
Every invocation is a separate process: the token obtained at `add` must be
read back, used and renewed from the config directory.

Prints one line per failed check and exits non-zero when any failed.
"""
import json
import os
import re
import stat
import subprocess
import sys
import time
import urllib.parse
import urllib.request

BIN = os.path.abspath(sys.argv[1])
TMP = os.environ['COREAPI_TEST_TMPDIR']
DJ = os.environ['COREAPI_TEST_DJANGO_PORT']
DEV = os.environ['COREAPI_TEST_DEVICE_PORT']
USER = os.environ['COREAPI_TEST_USER']
PASSWORD = os.environ['COREAPI_TEST_PASSWORD']
CC_ID = os.environ['COREAPI_TEST_OAUTH_CC_ID']
CC_SECRET = os.environ['COREAPI_TEST_OAUTH_CC_SECRET']
PW_ID = os.environ['COREAPI_TEST_OAUTH_PW_ID']
PW_SECRET = os.environ['COREAPI_TEST_OAUTH_PW_SECRET']
API = 'http://api.test:%s' % DJ
TOKEN_URL = API + '/o/token/'
RESOLVE = []
for host in ('api.test', 'other.test'):
    for port in (DJ, DEV):
        RESOLVE += ['--resolve', '%s:%s:127.0.0.1' % (host, port)]

failures = 0
checks = 0
config = None


def check(cond, what, detail=''):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print('FAIL: %s%s' % (what, ('\n    ' + detail.replace('\n', '\n    ')) if detail else ''))
    return cond


class Run:
    def __init__(self, args, stdin=None, globals_=None):
        argv = [BIN, '--no-color', '--config-dir', config] + (globals_ or []) + RESOLVE + args
        e = dict(os.environ)
        e.pop('COREAPI_CONFIG_DIR', None)
        p = subprocess.run(argv, input=(stdin or '').encode(), capture_output=True, env=e,
                           timeout=60)
        self.rc = p.returncode
        self.out = p.stdout.decode('utf-8', 'replace')
        self.err = p.stderr.decode('utf-8', 'replace')
        self.args = args

    def __repr__(self):
        return 'coreapi %s -> %d\n--- stdout\n%s--- stderr\n%s' % (
            ' '.join(self.args), self.rc, self.out, self.err)


def cli(*args, **kw):
    return Run(list(args), **kw)


def ok(r, what):
    check(r.rc == 0, what + ': exit 0', repr(r))
    return r


def fresh(name):
    global config
    config = os.path.join(TMP, 'cli-oauth-' + name)
    os.makedirs(config, mode=0o700)


def creds():
    with open(os.path.join(config, 'credentials.json')) as f:
        return json.load(f)


def me():
    return cli('get', '--format', 'json', API + '/oauth-me/')


# --- client credentials: obtained at add, used by the next invocations ----------
fresh('cc')
r = ok(cli('credentials', 'add', 'api.test', '--oauth2', 'client-credentials', '--token-url',
           TOKEN_URL, '--client-id', CC_ID, '--client-secret-stdin', '--scope', 'read',
           stdin=CC_SECRET + '\n'), 'add --oauth2 client-credentials')
check(re.search(r'api\.test oauth2 \(client-credentials, client %s, expires in 1 min\)' % CC_ID,
                r.out), 'add says the grant, the client and the expiry', repr(r))
check(CC_SECRET not in r.out + r.err, 'add does not echo the secret', repr(r))
path = os.path.join(config, 'credentials.json')
check(stat.S_IMODE(os.stat(path).st_mode) == 0o600, 'credentials.json is 0600')
entry = creds()['api.test']
check(entry['kind'] == 'oauth2' and entry['token']['access_token'], 'the token is stored', str(entry))
first = entry['token']['access_token']
r = ok(me(), 'a request with the stored token')
check('"oauth2"' in r.out and CC_ID in r.out, 'the server saw the OAuth 2.0 token', r.out)
r = ok(cli('credentials', 'show'), 'credentials show')
check('oauth2 (client-credentials, client %s, expires in' % CC_ID in r.out, 'show: no secret',
      r.out)
check(CC_SECRET not in r.out and first not in r.out, 'show hides secret and token', r.out)
r = ok(cli('--debug', 'get', '--format', 'json', API + '/oauth-me/'), '--debug request')
check(first not in r.out + r.err and CC_SECRET not in r.out + r.err, '--debug hides the token',
      r.err)
check(creds()['api.test']['token']['access_token'] == first, 'a fresh token is not renewed')
r = ok(cli('credentials', 'refresh', 'api.test'), 'credentials refresh')
check('Refreshed credentials' in r.out, 'refresh says so', repr(r))
check(creds()['api.test']['token']['access_token'] != first, 'refresh stored a new token')
r = cli('get', '--format', 'json', 'http://other.test:%s/oauth-me/' % DJ)
check(r.rc == 1 and '401' in r.out, 'no token for another host', repr(r))

# --- password grant, renewed by its refresh token on use, revoked at remove ----
fresh('pw')
r = ok(cli('credentials', 'add', 'api.test', '--oauth2', 'password', '--token-url', TOKEN_URL,
           '--client-id', PW_ID, '--client-secret-stdin', '--username', USER,
           '--password-stdin', '--revoke-url', API + '/o/revoke_token/',
           stdin=PW_SECRET + '\n' + PASSWORD + '\n'), 'add --oauth2 password')
entry = creds()['api.test']
check('password' not in json.dumps(entry).replace('"grant": "password"', ''),
      'the user password is not stored', json.dumps(entry))
check(entry['token'].get('refresh_token'), 'a refresh token is stored')
r = ok(me(), 'password grant token used')
check(USER in r.out, 'the server saw alice', r.out)
old = creds()['api.test']['token']
time.sleep(16)  # 45 s tokens: within the 30 s margin now
r = ok(me(), 'a request after the token aged: renewed first')
new = creds()['api.test']['token']
check(new['access_token'] != old['access_token'], 'the renewed token was written back')
check(new.get('refresh_token') and new['refresh_token'] != old['refresh_token'],
      'the rotated refresh token was kept')
r = ok(cli('credentials', 'remove', 'api.test'), 'remove revokes')
check('Revoked the token' in r.out, 'remove says it revoked', repr(r))
r = cli('--debug', 'get', '--format', 'json', API + '/oauth-me/')
check(r.rc == 1, 'removed: no credential', repr(r))

# --- URLs from the document's security schemes -------------------------------------
fresh('doc')
desc = {'openapi': '3.0.3', 'info': {'title': 'OAuth API'}, 'servers': [{'url': API + '/'}],
        'paths': {'/oauth-me/': {'get': {'operationId': 'me'}}},
        'components': {'securitySchemes': {'oauth': {'type': 'oauth2', 'flows': {
            'clientCredentials': {'tokenUrl': '/o/token/', 'scopes': {'read': 'r'}}}}}}}
desc_file = os.path.join(TMP, 'oauth-description.json')
with open(desc_file, 'w') as f:
    json.dump(desc, f)
ok(cli('load', desc_file), 'load a description with an oauth2 scheme')
r = ok(cli('credentials', 'add', 'api.test', '--oauth2', 'client-credentials', '--client-id',
           CC_ID, '--client-secret-stdin', stdin=CC_SECRET + '\n'), 'add without --token-url')
check('Using the tokenUrl of the document\'s security scheme oauth: %s' % TOKEN_URL in r.out,
      'add names the URL it took from the document', repr(r))
r = ok(cli('action', 'me'), 'an action of the description with the token')
check(CC_ID in r.out, 'the action carried the token', r.out)

# --- errors --------------------------------------------------------------------------
fresh('errors')
r = cli('credentials', 'add', 'api.test', '--oauth2', 'client-credentials', '--token-url',
        TOKEN_URL, '--client-id', CC_ID, '--client-secret-stdin', stdin='wrong\n')
check(r.rc == 4 and 'invalid_client' in r.err, 'a wrong secret: the server\'s reason, exit 4',
      repr(r))
check(not os.path.exists(os.path.join(config, 'credentials.json')) or 'api.test' not in creds(),
      'nothing stored when no token came')
r = cli('credentials', 'add', 'api.test', '--oauth2', 'magic', '--client-id', 'x')
check(r.rc == 2 and 'GRANT' in r.err, 'an unknown grant: usage error', repr(r))
r = cli('credentials', 'add', 'api.test', '--oauth2', 'client-credentials', '--client-id', 'x')
check(r.rc == 2 and '--token-url' in r.err, 'no token URL anywhere: usage error', repr(r))
r = cli('credentials', 'refresh', 'api.test')
check(r.rc == 2, 'refresh without an OAuth 2.0 credential: usage error', repr(r))

# --- the device grant -----------------------------------------------------------------
fresh('device')
dev = 'http://api.test:%s' % DEV
r = ok(cli('credentials', 'add', 'api.test', '--oauth2', 'device', '--token-url', dev + '/token',
           '--device-url', dev + '/device_authorization', '--client-id', 'pending2'),
       'add --oauth2 device')
check('enter the code' in r.err, 'the user is told where to go', repr(r))
check(creds()['api.test']['token']['access_token'], 'the device token is stored')
check(creds()['api.test'].get('revoke_url') == dev + '/revoke',
      'the revocation URL the server advertises (RFC 8414) is kept', json.dumps(creds()))
r = ok(cli('--debug', 'get', '--format', 'json', dev + '/me'), 'the device token used')
r = ok(cli('credentials', 'remove', 'api.test'), 'remove revokes at the advertised URL')
check('Revoked the token at %s/revoke' % dev in r.out, 'remove says where it revoked', repr(r))
log = json.loads(urllib.request.urlopen('http://127.0.0.1:%s/__log' % DEV).read())
check(any(x['hint'] == 'access_token' for x in log['revocations']),
      'the device server received the revocation', json.dumps(log['revocations']))
r = cli('get', '--format', 'json', dev + '/me')
check(r.rc == 1, 'the revoked token is refused', repr(r))

# --- an OAuth 2.0 credential whose secrets a git credential helper keeps -----------
fresh('helper')
store_file = os.path.join(TMP, 'oauth-git-credentials')
r = ok(cli('credentials', 'add', 'api.test', '--oauth2', 'client-credentials', '--token-url',
           TOKEN_URL, '--client-id', CC_ID, '--client-secret-stdin', '--store',
           'helper:store --file ' + store_file, stdin=CC_SECRET + '\n'),
       'add --oauth2 --store helper:store')
check('(in helper: store --file %s)' % store_file in r.out, 'add says where the secrets are',
      repr(r))
text = open(os.path.join(config, 'credentials.json')).read()
check(CC_SECRET not in text and 'access_token' not in text, 'credentials.json holds no secret',
      text)
check(CC_SECRET in open(store_file).read(), 'the helper keeps the client secret')
r = ok(me(), 'a request with the helper-kept token')
check(CC_ID in r.out, 'the helper-kept token reached the server', r.out)
before = open(store_file).read()
ok(cli('credentials', 'refresh', 'api.test'), 'refresh a helper-kept token')
check(open(store_file).read() != before, 'the renewed token went back to the helper')
ok(cli('credentials', 'remove', 'api.test'), 'remove a helper-kept credential')
check(CC_SECRET not in open(store_file).read(), 'remove erased it from the helper')
ok(cli('credentials', 'add', 'api.test', '--oauth2', 'client-credentials', '--token-url',
       TOKEN_URL, '--client-id', CC_ID, '--client-secret-stdin', '--store',
       'helper:store --file ' + store_file, stdin=CC_SECRET + '\n'), 'add again')
ok(cli('clear'), 'clear')
check(CC_SECRET not in open(store_file).read(), 'clear erased the helper-kept secrets too')

# --- Digest (Apache's mod_auth_digest) ------------------------------------------------
fresh('digest')
AP = os.environ['COREAPI_TEST_APACHE_PORT']
ok(cli('credentials', 'add', '127.0.0.1', '--digest', os.environ['COREAPI_TEST_DIGEST_USER'],
       '--password-stdin', stdin=os.environ['COREAPI_TEST_DIGEST_PASSWORD'] + '\n'),
   'add --digest')
r = ok(cli('credentials', 'show'), 'show a digest credential')
check('digest (%s)' % os.environ['COREAPI_TEST_DIGEST_USER'] in r.out and
      os.environ['COREAPI_TEST_DIGEST_PASSWORD'] not in r.out, 'show: digest, no password', r.out)
r = ok(cli('get', 'http://127.0.0.1:%s/digest-md5/' % AP), 'a Digest-protected page')
check('digest ok' in r.out, 'Digest answered by the tool', repr(r))
ok(cli('credentials', 'add', '127.0.0.1', '--digest', 'digestuser', '--password-stdin',
       stdin='wrong\n'), 'add a wrong digest password')
r = cli('get', 'http://127.0.0.1:%s/digest-md5/' % AP)
check(r.rc == 1 and '401' in r.out, 'a wrong Digest password: 401, exit 1', repr(r))

print('test_cli_oauth: %d checks, %d failed' % (checks, failures))
sys.exit(1 if failures else 0)
