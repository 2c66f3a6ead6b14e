#!/usr/bin/python3
"""End-to-end tests of the coreapi command-line tool.

Runs the real binary (argv[1]) against the real example API and the
recording redirect server, as started by tests/integration/servers.py
--django --redirect (see tests/integration/README.md for the endpoints and
the environment variables). Every invocation is a separate process, so what
must hold between invocations (the current document, the history, the
session cookie jar) really is read back from the config directory.

Prints one line per failed check and exits non-zero when any failed.
"""
import hashlib
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
RP = os.environ['COREAPI_TEST_REDIRECT_HTTP_PORT']
USER = os.environ['COREAPI_TEST_USER']
PASSWORD = os.environ['COREAPI_TEST_PASSWORD']
API = 'http://api.test:%s' % DJ
RESOLVE = []
RSP = os.environ['COREAPI_TEST_REDIRECT_HTTPS_PORT']
for host in ('api.test', 'other.test', 'evil.test'):
    for port in (DJ, RP, RSP):
        RESOLVE += ['--resolve', '%s:%s:127.0.0.1' % (host, port)]

failures = 0
checks = 0
config = None  # the current config directory


def check(cond, what, detail=''):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print('FAIL: %s%s' % (what, ('\n    ' + detail.replace('\n', '\n    ')) if detail else ''))
    return cond


class Run:
    def __init__(self, args, stdin=None, env=None, globals_=None):
        argv = [BIN, '--no-color', '--config-dir', config] + (globals_ or []) + RESOLVE + args
        e = dict(os.environ, TMPDIR=os.path.join(TMP, 'downloads'))
        e.pop('COREAPI_CONFIG_DIR', None)
        if env:
            e.update(env)
        p = subprocess.run(argv, input=(stdin or '').encode(), capture_output=True,
                           env=e, timeout=60)
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
    """Use a new, not yet existing config directory."""
    global config
    config = os.path.join(TMP, 'cfg-' + name)
    return config


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def redirect_log():
    with urllib.request.urlopen('http://127.0.0.1:%s/__log' % RP) as r:
        return r.read().decode()


def redirect_clear():
    urllib.request.urlopen('http://127.0.0.1:%s/__clear' % RP).read()


os.makedirs(os.path.join(TMP, 'downloads'), exist_ok=True)

# A Core JSON document with links the schema has not: the session login (a
# plain Django view) and an array of links, to act on with a numeric key.
LOGIN_DOC = os.path.join(TMP, 'login.json')
with open(LOGIN_DOC, 'w') as f:
    json.dump({
        '_type': 'document',
        '_meta': {'url': API + '/', 'title': 'Login'},
        'login': {'_type': 'link', 'url': '/login/', 'action': 'post',
                  'encoding': 'application/json',
                  'fields': [{'name': 'username', 'required': True},
                             {'name': 'password', 'required': True}]},
        'csrf': {'_type': 'link', 'url': '/csrf/'},
        'pages': [{'_type': 'link', 'url': '/me/'},
                  {'_type': 'link', 'url': '/inspect/'}],
    }, f)

# --- global options, help, version ------------------------------------------
fresh('basics')
r = cli('--version')
ok(r, '--version')
check(re.fullmatch(r'coreapi version \d+\.\d+\.\d+\n', r.out), '--version output', repr(r))
r = cli('--help')
ok(r, '--help')
for word in ('get URL', 'credentials', 'Exit codes', '3  network or TLS failure'):
    check(word in r.out, '--help mentions %r' % word, r.out)
for cmd in ('get', 'show', 'describe', 'action', 'reload', 'load', 'dump', 'clear',
            'credentials', 'headers', 'bookmarks', 'history', 'codecs'):
    r = cli(cmd, '--help')
    check(r.rc == 0 and r.out.startswith('Usage: coreapi ' + cmd), '%s --help' % cmd, repr(r))
r = cli('frobnicate')
check(r.rc == 2 and r.err.startswith('coreapi: no such command'), 'unknown command: exit 2', repr(r))
r = cli('--bogus', 'show')
check(r.rc == 2, 'unknown global option: exit 2', repr(r))
r = cli('get')
check(r.rc == 2, 'get without URL: exit 2', repr(r))

# --- no document yet ----------------------------------------------------------
r = cli('show')
check(r.rc == 2 and 'No current document' in r.err, 'show without a document', repr(r))
check(r.err.startswith('coreapi: '), 'errors start with "coreapi: "', repr(r))

# --- get, show, describe, dump, load, reload, clear ---------------------------
r = ok(cli('get', API + '/schema/'), 'get schema')
check(r.out.startswith('<Example API "%s/schema/">\n' % API), 'get prints the display format',
      r.out)
check('    books: {\n        list([page], [genre], [search])\n' in r.out,
      'links shown with optional fields in brackets', r.out)
check('\x1b[' not in r.out, 'no colour with --no-color / not a terminal', repr(r.out))
st = os.stat(config)
check(stat.S_IMODE(st.st_mode) == 0o700, 'config dir mode 0700', oct(st.st_mode))
for name in ('document.json', 'history.json'):
    p = os.path.join(config, name)
    check(os.path.exists(p) and mode(p) == 0o600, '%s mode 0600' % name)
check(not [n for n in os.listdir(config) if n.startswith('.coreapi-tmp')],
      'no temporary files left', str(os.listdir(config)))

r = ok(cli('show', 'books'), 'show books')
check(r.out.startswith('{\n    list([page], [genre], [search])\n'), 'show books output', r.out)
r = cli('show', 'nope')
check(r.rc == 2 and "Key 'nope' not found." in r.err, 'show missing key: exit 2', repr(r))
r = ok(cli('describe', 'books', 'create'), 'describe books create')
check('\n* title\n' in r.out and '\n* [cover]\n' in r.out, 'describe lists fields', r.out)
r = cli('describe', 'books')
check(r.rc == 2 and 'must index a link' in r.err, 'describe a non-link: exit 2', repr(r))

r = ok(cli('dump'), 'dump')
dumped = json.loads(r.out)
check(dumped.get('_type') == 'document' and 'books' in dumped, 'dump writes Core JSON', r.out[:200])
# Compact, byte for byte the reference's CoreJSONCodec().encode(doc) of the same schema.
from coreapi.codecs import CoreJSONCodec  # noqa: E402 (python3-coreapi, the reference)
req = urllib.request.Request('http://127.0.0.1:%s/schema/' % DJ,
                             headers={'Accept': 'application/coreapi+json', 'Host': 'api.test:%s' % DJ})
ref_doc = CoreJSONCodec().decode(urllib.request.urlopen(req).read(), base_url=API + '/schema/')
check(r.out == CoreJSONCodec().encode(ref_doc).decode('utf-8') + '\n',
      'dump is the reference\'s compact encoding, byte for byte', r.out[:300])
r3 = ok(cli('-o', 'corejson', 'show'), 'show -o corejson')
check(r3.out == r.out, '-o corejson of the document is what dump writes', r3.out[:200])
r3 = ok(cli('--output', 'json', 'show', 'books'), 'show books --output json')
check(json.loads(r3.out) == {k: {} for k in json.loads(r3.out)} and 'list' in json.loads(r3.out),
      '--output json: an Object of links as plain JSON, links {}', r3.out[:200])
r3 = cli('--output=json', 'get', API + '/nothing-here/')
check(r3.rc == 1 and 'detail' in json.loads(r3.out), '--output json: an error response\'s body '
      'as JSON on stdout, exit 1', repr(r3))
r3 = cli('--output', 'yaml', 'show')
check(r3.rc == 2, '--output yaml: usage error', repr(r3))
r2 = ok(cli('dump', '--indent'), 'dump --indent')
check(r2.out == CoreJSONCodec().encode(ref_doc, indent=True).decode('utf-8') + '\n',
      'dump --indent is the reference\'s indented encoding', r2.out[:300])
dump_file = os.path.join(TMP, 'dump.json')
with open(dump_file, 'w') as f:
    f.write(r.out)
r = ok(cli('reload'), 'reload')
check(r.out.startswith('<Example API '), 'reload prints the document', r.out[:80])

r = ok(cli('load', LOGIN_DOC), 'load a Core JSON file')
check(r.out.startswith('<Login "%s/">' % API), 'load prints the document', r.out)
r = ok(cli('show', 'pages', '1'), 'show with a numeric key into an array')
check(r.out.strip() == 'inspect()' or r.out.strip() == 'link()' or '()' in r.out,
      'numeric key reaches the array item', r.out)
r = ok(cli('action', 'pages', '1'), 'action with a numeric key')
check(json.loads(r.out).get('authorization') is False, 'action pages 1 reached /inspect/', r.out)
r = cli('load', os.path.join(TMP, 'missing.json'))
check(r.rc == 2, 'load a missing file: exit 2', repr(r))
bad = os.path.join(TMP, 'bad.json')
with open(bad, 'w') as f:
    f.write('{"_type": ')
r = cli('load', bad)
check(r.rc == 2 and r.err.startswith('coreapi: '), 'load malformed Core JSON: exit 2', repr(r))
ok(cli('load', dump_file), 'load what dump wrote')

# history: schema, (reload: same entry), login doc, schema, schema?v=2
ok(cli('get', API + '/schema/?v=2'), 'get a second document')
r = ok(cli('history', 'show'), 'history show')
lines = r.out.splitlines()
check(lines == ['History',
                '[*] <Example API "%s/schema/?v=2">' % API,
                '[ ] <Example API "%s/schema/">' % API,
                '[ ] <Login "%s/">' % API,
                '[ ] <Example API "%s/schema/">' % API],
      'history show: newest first, current marked, a reload adds no entry', r.out)
r = ok(cli('history', 'back'), 'history back')
check(r.out.startswith('<Example API '), 'history back reloads the previous document', r.out)
r = ok(cli('history', 'show'), 'history show after back')
check(r.out.splitlines()[1:3] == ['[ ] <Example API "%s/schema/?v=2">' % API,
                                  '[*] <Example API "%s/schema/">' % API],
      'history show marks the new position', r.out)
r = ok(cli('dump'), 'dump after back')
check(json.loads(r.out)['_meta']['url'] == API + '/schema/', 'history back made it current', r.out[:200])
r = ok(cli('history', 'forward'), 'history forward')
r = ok(cli('dump'), 'dump after forward')
check(json.loads(r.out)['_meta']['url'] == API + '/schema/?v=2', 'history forward', r.out[:200])
r = ok(cli('history', 'forward'), 'history forward at the end')
check('Cannot navigate forward' in r.out, 'history forward at the most recent', r.out)

# bookmarks
ok(cli('bookmarks', 'add', 'schema'), 'bookmarks add')
r = ok(cli('bookmarks', 'show'), 'bookmarks show')
check(r.out == 'Bookmarks\nschema <Example API "%s/schema/?v=2">\n' % API, 'bookmarks show output',
      repr(r.out))
ok(cli('load', LOGIN_DOC), 'load again')
r = ok(cli('bookmarks', 'get', 'schema'), 'bookmarks get')
check(r.out.startswith('<Example API '), 'bookmarks get fetches the document', r.out[:80])
r = cli('bookmarks', 'get', 'nope')
check(r.rc == 2 and 'does not exist' in r.err, 'bookmarks get unknown: exit 2', repr(r))
ok(cli('bookmarks', 'remove', 'schema'), 'bookmarks remove')
r = ok(cli('bookmarks', 'show'), 'bookmarks show after remove')
check(r.out == 'Bookmarks\n', 'bookmark removed', repr(r.out))
p = os.path.join(config, 'bookmarks.json')
check(mode(p) == 0o600, 'bookmarks.json mode 0600')

# codecs
r = ok(cli('codecs', 'show'), 'codecs show')
check(r.out.splitlines()[0] == 'Codecs' and 'corejson application/coreapi+json' in r.out
      and 'json     application/json' in r.out, 'codecs show output', r.out)

# headers: sent with requests (checked by /inspect/ and the recording server)
r = ok(cli('headers', 'add', 'x-trace-id', 'abc123'), 'headers add')
check(r.out == 'Added header\nX-Trace-Id: abc123\n', 'headers add title-cases', repr(r.out))
r = ok(cli('headers', 'show'), 'headers show')
check(r.out == 'Headers\nX-Trace-Id: abc123\n', 'headers show output', repr(r.out))
redirect_clear()
ok(cli('get', 'http://api.test:%s/echo' % RP), 'get echo with a custom header')
r = ok(cli('get', 'http://api.test:%s/echo' % RP), 'get echo again')
echo = json.loads(r.out)
check(echo['headers'].get('x-trace-id') == 'abc123', 'custom header sent', r.out)
check(list(echo.keys()) == ['method', 'path', 'headers', 'cookie_headers', 'body'],
      'plain data keeps the server key order', r.out)
check(r.out.startswith('{\n    "method": "GET",\n'), 'plain data: 4-space indented JSON', r.out)
r = cli('headers', 'add', 'Content-Length', '5')
check(r.rc == 2 and r.err.startswith('coreapi: '), 'framing header refused: exit 2', repr(r))
ok(cli('headers', 'remove', 'X-TRACE-ID'), 'headers remove')
r = ok(cli('headers', 'show'), 'headers show after remove')
check(r.out == 'Headers\n', 'header removed', repr(r.out))

ok(cli('clear'), 'clear')
check(sorted(os.listdir(config)) == [], 'clear removes the state files', str(os.listdir(config)))

# --- exit codes -------------------------------------------------------------------
fresh('exit')
r = cli('get', 'http://127.0.0.1:1/')
check(r.rc == 3 and r.err.startswith('coreapi: '), 'connection refused: exit 3', repr(r))
r = cli('get', API + '/nothing-here/')
check(r.rc == 1 and r.out.startswith('<Error: 404 Not Found>'), 'error response: exit 1, Error printed', repr(r))
r = cli('get', 'ftp://api.test/')
check(r.rc == 2, 'unsupported scheme: exit 2', repr(r))
r = cli('--cacert', os.path.join(TMP, 'no-such-ca.pem'), 'get', 'https://api.test:%s/' %
        os.environ['COREAPI_TEST_REDIRECT_HTTPS_PORT'])
check(r.rc in (2, 3), 'TLS with a missing CA file fails', repr(r))
r = cli('get', 'https://api.test:%s/' % os.environ['COREAPI_TEST_REDIRECT_HTTPS_PORT'])
check(r.rc == 3, 'TLS failure (untrusted CA): exit 3', repr(r))
r = cli('--cacert', os.environ['COREAPI_TEST_CA'], 'get',
        'https://api.test:%s/hello' % os.environ['COREAPI_TEST_REDIRECT_HTTPS_PORT'])
check(r.rc == 0 and '"ok": true' in r.out, '--cacert trusts the test CA', repr(r))
r = cli('--insecure', 'get', 'https://api.test:%s/hello' % RSP)
check(r.rc == 0 and '"ok": true' in r.out and 'NOT checked' in r.err,
      '--insecure: no check, and a loud warning', repr(r))
r = cli('--proxy', 'http://127.0.0.1:%s' % RP, 'get', '--format', 'json',
        'http://far.test:9/echo')
check(r.rc == 0 and json.loads(r.out)['path'] == 'http://far.test:9/echo',
      '--proxy: the request goes to the proxy in absolute form', repr(r))
r = cli('get', '--format', 'json', 'http://far.test:9/echo',
        env={'http_proxy': 'http://127.0.0.1:%s' % RP})
check(r.rc == 0 and json.loads(r.out)['path'] == 'http://far.test:9/echo',
      'http_proxy in the environment applies', repr(r))
r = cli('--proxy', '', 'get', 'http://far.test:9/echo', env={'http_proxy': 'http://127.0.0.1:%s' % RP})
check(r.rc == 3, '--proxy "": none, whatever the environment', repr(r))
r = cli('--proxy', 'ftp://x', 'get', API + '/')
check(r.rc == 2 and '--proxy' in r.err, 'a bad --proxy: usage error', repr(r))
started = time.time()
r = cli('--timeout', '1', 'get', 'http://api.test:%s/download?size=1000000&stall=1' % RP)
check(r.rc == 3 and time.time() - started < 10, '--timeout 1: a stalled body times out (exit 3)',
      repr(r))
r = cli('--timeout', 'soon', 'get', API + '/')
check(r.rc == 2, 'a bad --timeout: usage error', repr(r))
r = cli('--cert', os.path.join(TMP, 'no-such-cert.pem'), 'get', API + '/')
check(r.rc == 4 and 'no-such-cert.pem' in r.err, 'an unreadable --cert: exit 4, named', repr(r))

# --- API keys: stored from stdin, sent as a header, a query parameter, a cookie ---------
fresh('apikey')
r = ok(cli('credentials', 'add', 'api.test', '--api-key', 'X-API-Key', '--key-stdin',
           stdin='hk-secret-1\n'), 'credentials add --api-key (header)')
check('hk-secret-1' not in r.out + r.err, 'credentials add does not echo the key', repr(r))
check(r.out == 'Added credentials\napi.test API key (header X-API-Key)\n',
      'credentials add --api-key output', repr(r.out))
r = ok(cli('credentials', 'show'), 'credentials show (API key)')
check('hk-secret-1' not in r.out, 'credentials show redacts the key', repr(r.out))
r = ok(cli('--debug', 'get', 'http://api.test:%s/echo' % RP), 'get echo with an API key header')
check(json.loads(r.out)['headers'].get('x-api-key') == 'hk-secret-1', 'API key header sent', r.out)
check('hk-secret-1' not in r.err and 'X-API-Key: [redacted]' in r.err,
      '--debug redacts the API key header', r.err)
ok(cli('credentials', 'add', 'api.test', '--api-key', 'api_key', '--in', 'query', '--key-stdin',
       stdin='qk/secret\n'), 'credentials add --api-key --in query')
r = ok(cli('--debug', 'get', 'http://api.test:%s/echo?x=1' % RP), 'get echo with an API key query')
check(json.loads(r.out)['path'] == '/echo?x=1&api_key=qk%2fsecret', 'API key in the query', r.out)
check('qk' not in r.err and 'api_key=[redacted]' in r.err, '--debug redacts the query key', r.err)
ok(cli('credentials', 'add', 'api.test', '--api-key', 'ck', '--in', 'cookie', '--key-stdin',
       stdin='cookie-secret\n'), 'credentials add --api-key --in cookie')
r = ok(cli('get', 'http://api.test:%s/echo' % RP), 'get echo with an API key cookie')
check(json.loads(r.out)['headers'].get('cookie') == 'ck=cookie-secret', 'API key cookie sent', r.out)
r = cli('credentials', 'add', 'api.test', '--api-key', 'k', '--in', 'body', '--key-stdin', stdin='x\n')
check(r.rc == 2, '--in body: exit 2', repr(r))
r = cli('credentials', 'add', 'api.test', '--api-key', 'Host', '--key-stdin', stdin='x\n')
check(r.rc != 0 and 'API key' in r.err, 'a framing header as the key name is refused', repr(r))
r = cli('credentials', 'add', 'api.test', '--api-key', 'k', '--key-stdin', stdin='a b\n')
check(r.rc != 0 and 'a b' not in r.err, 'a key with a space is refused, not echoed', repr(r))
ok(cli('credentials', 'remove', 'api.test'), 'credentials remove (API key)')

# --- OpenAPI: a description served with its media type, then an operation ------------
fresh('openapi')
desc = json.dumps({
    'openapi': '3.0.3', 'info': {'title': 'Echo API', 'description': 'echoes'},
    'servers': [{'url': '/'}],
    'paths': {'/echo': {'get': {'operationId': 'echoGet', 'tags': ['tools'], 'summary': 'Echo',
                                'parameters': [{'name': 'q', 'in': 'query', 'required': True,
                                                'schema': {'type': 'string'}},
                                               {'name': 'X-Trace', 'in': 'header'}]}}}})
desc_url = 'http://api.test:%s/echo?status=200&type=%s&body=%s' % (
    RP, urllib.parse.quote('application/vnd.oai.openapi+json', safe=''),
    urllib.parse.quote(desc, safe=''))
r = ok(cli('get', desc_url), 'get an OpenAPI description')
check('Echo API' in r.out and 'echoGet(q, [X-Trace])' in r.out, 'the description as a document', r.out)
r = ok(cli('action', 'tools', 'echoGet', '-p', 'q=hello', '-p', 'X-Trace=t9'), 'action from OpenAPI')
echo = json.loads(r.out)
check(echo['path'] == '/echo?q=hello' and echo['headers'].get('x-trace') == 't9',
      'the operation sends its query and header parameters', r.out)
r = cli('action', 'tools', 'echoGet')
check(r.rc == 2 and 'q' in r.err, 'a required OpenAPI parameter is checked', repr(r))
r = cli('action', 'tools', 'echoGet', '-p', 'q=1', '-p', 'undeclared=x')
check(r.rc == 2 and 'undeclared' in r.err, 'an undeclared parameter is refused', repr(r))
r = ok(cli('action', '--no-validate', 'tools', 'echoGet', '-p', 'q=1', '-p', 'undeclared=x'),
       'action --no-validate')
check(json.loads(r.out)['path'] == '/echo?q=1&undeclared=x',
      '--no-validate sends the undeclared parameter (as a query parameter of a GET)', r.out)
r = ok(cli('get', '--format', 'openapi',
           'http://api.test:%s/echo?status=200&type=application/json&body=%s' % (
               RP, urllib.parse.quote(desc, safe=''))), 'get --format openapi')
check('Echo API' in r.out, '--format openapi decodes a description served as JSON', r.out)
desc_file = os.path.join(TMP, 'openapi.json')
with open(desc_file, 'w') as f:
    f.write(desc)
r = ok(cli('load', desc_file), 'load an OpenAPI file')
check('Echo API' in r.out, 'load sniffs OpenAPI', r.out)
r = ok(cli('security'), 'security without schemes')
check(r.out == 'The document declares no security schemes.\n', 'security: none declared', r.out)

# security schemes: kept with the stored document, listed, shown by describe
sec_file = os.path.join(TMP, 'security.yaml')
with open(sec_file, 'w') as f:
    f.write('''openapi: 3.0.3
info: {title: Secured}
servers: [{url: "https://api.test/v1/"}]
security: [{apiKeyAuth: []}, {basicAuth: []}]
paths:
  /pets:
    get: {operationId: listPets, tags: [pets], summary: List pets}
    post: {operationId: addPet, tags: [pets], security: [{oauth: [write, read], apiKeyAuth: []}]}
  /health: {get: {operationId: health, security: []}}
  /maybe: {get: {operationId: maybe, security: [{}, {bearer: []}]}}
components:
  securitySchemes:
    apiKeyAuth: {type: apiKey, in: header, name: X-API-Key}
    basicAuth: {type: http, scheme: basic}
    bearer: {type: http, scheme: bearer, bearerFormat: JWT, description: A JWT}
    oauth:
      type: oauth2
      flows:
        authorizationCode:
          authorizationUrl: /o/authorize/
          tokenUrl: https://auth.test/o/token/
          scopes: {read: Read things, write: Write things}
''')
ok(cli('load', sec_file), 'load a description with security schemes')
r = ok(cli('security'), 'security lists the schemes')
check(r.out == '''apiKeyAuth: apiKey, header X-API-Key
basicAuth: http, basic
bearer: http, bearer (JWT)
    A JWT
oauth: oauth2
    flow authorizationCode
      authorization URL: https://api.test/o/authorize/
      token URL: https://auth.test/o/token/
      scopes:
        read - Read things
        write - Write things
''', 'security: type, place, flows with URLs and scopes', r.out)
r = ok(cli('describe', 'pets', 'listPets'), 'describe a secured link')
check(r.out == 'Link has no description.\nauth: apiKeyAuth (header X-API-Key) or basicAuth\n',
      'describe: the inherited requirement', repr(r.out))
r = ok(cli('describe', 'pets', 'addPet'), 'describe: its own requirement')
check(r.out.endswith('auth: oauth [scopes: write, read] and apiKeyAuth (header X-API-Key)\n'),
      'describe: schemes together, scopes', repr(r.out))
r = ok(cli('describe', 'health'), 'describe: security []')
check(r.out.endswith('auth: none\n'), 'describe: no authentication needed', repr(r.out))
r = ok(cli('describe', 'maybe'), 'describe: optional')
check(r.out.endswith('auth: bearer (optional)\n'), 'describe: optional authentication', repr(r.out))
r = ok(cli('dump'), 'dump keeps the security')
check('"securitySchemes"' in r.out and '"security"' in r.out, 'dump writes the schemes', r.out)
r = cli('security', 'extra')
check(r.rc == 2, 'security takes no arguments', repr(r))

# --- text from a server never drives the terminal ------------------------------------
fresh('escapes')
body = json.dumps({'ti\x1b]0;pwned\x07tle': 'v', 'ok': 1})
r = cli('get', 'http://api.test:%s/echo?status=400&type=application/json&body=%s' % (
    RP, urllib.parse.quote(body, safe='')))
check(r.rc == 1 and '\x1b' not in r.out and '\\x1b]0;pwned\\x07tle' in r.out,
      'an Error key with an escape sequence is shown, not sent', repr(r.out))
sec = json.dumps({'openapi': '3.0.0', 'info': {'title': 'T\x1b[2J'}, 'paths': {},
                  'components': {'securitySchemes': {'k\x1b[31m': {
                      'type': 'apiKey', 'in': 'header', 'name': 'X\x9bK'}}}})
sec_path = os.path.join(TMP, 'escapes.json')
with open(sec_path, 'w') as f:
    f.write(sec)
r = ok(cli('load', sec_path), 'load a description with escapes')
check('\x1b' not in r.out and '\\x1b[2J' in r.out, 'a title with an escape is shown', repr(r.out))
r = ok(cli('security'), 'security with escapes')
check('\x1b' not in r.out and '\x9b' not in r.out and '\\x1b[31m' in r.out and
      '\\u009b' in r.out, 'scheme names and key names are shown, not sent', repr(r.out))

# --- token flow: obtain a token, store it, use it ----------------------------------------
fresh('token')
ok(cli('get', API + '/schema/'), 'get schema (token)')
r = ok(cli('action', 'api-token-auth', 'create', '-p', 'username=' + USER,
           '-p', 'password=' + PASSWORD), 'obtain a token')
token = json.loads(r.out)['token']
check(re.fullmatch(r'[0-9a-f]{40}', token), 'token obtained', r.out)
r = cli('action', 'books', 'list')
check(r.rc == 1 and '403' in r.out, 'books list without credentials: 403, exit 1', repr(r))
r = ok(cli('credentials', 'add', 'api.test', '--token-stdin', '--scheme', 'Token',
           stdin=token + '\n'), 'credentials add --token-stdin')
check(token not in r.out + r.err, 'credentials add does not echo the token', repr(r))
check(r.out == 'Added credentials\napi.test token (Token)\n', 'credentials add output', repr(r.out))
cred_file = os.path.join(config, 'credentials.json')
check(mode(cred_file) == 0o600, 'credentials.json mode 0600', oct(mode(cred_file)))
r = ok(cli('credentials', 'show'), 'credentials show')
check(token not in r.out and r.out == 'Credentials\napi.test token (Token)\n',
      'credentials show redacts the token', repr(r.out))
r = ok(cli('action', 'books', 'list'), 'books list with the token')
check(json.loads(r.out)['count'] == 7, 'books list: 7 seeded books', r.out)
r = ok(cli('-o', 'json', 'action', 'books', 'list'), 'action -o json')
check(r.out.count('\n') == 1 and json.loads(r.out)['count'] == 7,
      '-o json: the result as one line of JSON', r.out[:200])
r = ok(cli('action', 'me', 'list'), 'me with the token')
check(json.loads(r.out) == {'username': USER, 'auth': 'token'}, 'authenticated by token', r.out)
r = ok(cli('--debug', 'action', 'me', 'list'), '--debug action')
check(token not in r.out + r.err, '--debug never shows the token', r.err)
check('> GET /me/ HTTP/1.1' in r.err and '< HTTP/1.1 200 OK' in r.err,
      '--debug shows request and status lines', r.err)
check('Authorization: [redacted]' in r.err, '--debug redacts Authorization', r.err)
check(re.search(r'hop 0 api\.test: credential .*token', r.err), '--debug shows the credential decision', r.err)
r = ok(cli('credentials', 'which', API + '/books/'), 'credentials which (covered)')
check(r.out == 'api.test: token (Token)\n', 'credentials which names the token', repr(r.out))
r = ok(cli('credentials', 'which', 'http://evil.test/'), 'credentials which (not covered)')
check(r.out == 'none: no credential matches evil.test\n', 'credentials which: none', repr(r.out))
r = cli('credentials', 'which', 'not a url')
check(r.rc == 2, 'credentials which with an invalid URL: exit 2', repr(r))

# a readable credentials file is refused, with the fix
os.chmod(cred_file, 0o644)
r = cli('action', 'me', 'list')
check(r.rc == 4 and ('chmod 600 ' + cred_file) in r.err, 'readable credentials file refused', repr(r))
r = cli('credentials', 'show')
check(r.rc == 4 and 'chmod 600' in r.err, 'credentials show refuses it too', repr(r))
os.chmod(cred_file, 0o600)

# an action that creates and then reads data; a delete (empty body)
r = ok(cli('action', 'books', 'create', '-p', 'title=Neuromancer', '-s', 'author=William Gibson',
           '-p', 'year=1984', '-p', 'genre=fiction'), 'books create')
book = json.loads(r.out)
check(book.get('title') == 'Neuromancer' and book.get('year') == 1984 and book.get('owner') == USER,
      'book created (year from JSON, author as a string)', r.out)
r = ok(cli('action', 'books', 'read', '-p', 'id=%d' % book['id']), 'books read')
check(json.loads(r.out).get('title') == 'Neuromancer', 'the created book reads back', r.out)
r = ok(cli('action', 'books', 'partial_update', '-p', 'id', str(book['id']), '-d', 'year=1985'),
       'books partial_update (-p FIELD VALUE, -d)')
check(json.loads(r.out).get('year') == 1985, 'partial update applied', r.out)
r = cli('action', 'books', 'partial_update', '-p', 'id=%d' % book['id'], '-d', 'year=nineteen')
check(r.rc == 2 and 'Invalid JSON for data argument "year"' in r.err, '-d with bad JSON: exit 2', repr(r))
r = cli('action', 'books', 'create', '-p', 'title=x')
check(r.rc == 2 and 'author' in r.err, 'missing required parameters: exit 2', repr(r))
r = cli('action', 'books', 'nope')
check(r.rc == 2 and r.err.startswith('coreapi: '), 'link lookup failure: exit 2', repr(r))
r = cli('action', 'books', 'list', '-p', 'genre=poetry')
check(r.rc == 1 and '<Error: 400 Bad Request>' in r.out, 'validation error: exit 1', repr(r))

# files: multipart upload (-f), raw upload, download of the cover with its name
upload = os.path.join(TMP, 'front cover.png')
payload = bytes(range(256)) * 40
with open(upload, 'wb') as f:
    f.write(payload)
r = ok(cli('action', 'books', 'import_file', '-f', 'file=' + upload, '-p', 'description=hello'),
       'multipart file upload (-f)')
imp = json.loads(r.out)
check(imp.get('sha256') == hashlib.sha256(payload).hexdigest() and imp.get('name') == 'front cover.png'
      and imp.get('fields', {}).get('description') == 'hello', 'uploaded bytes and name arrive', r.out)
r = ok(cli('action', 'books', 'upload_cover', '-p', 'id=%d' % book['id'], '-f', 'file=' + upload),
       'raw file upload (upload_cover)')
cover = json.loads(r.out).get('cover') or ''
check(cover.startswith(API + '/media/'), 'cover stored', r.out)
r = ok(cli('get', cover), 'download the cover')
path = r.out.strip()
check(os.path.isfile(path) and open(path, 'rb').read() == payload, 'download saved with the bytes', repr(r))
check(os.path.dirname(path) == os.path.join(TMP, 'downloads') and path.endswith('.png'),
      'download saved in $TMPDIR under the served name', path)
r = ok(cli('action', 'books', 'delete', '-p', 'id=%d' % book['id']), 'books delete')
check(r.out == '\n', 'delete: empty result prints an empty line', repr(r.out))

# Content-Disposition download from the redirect server
r = ok(cli('get', 'http://api.test:%s/download?size=1000&name=report%%202024.pdf&type=application/pdf' % RP),
       'download with Content-Disposition')
path = r.out.strip()
check(os.path.basename(path) == 'report 2024.pdf' and os.path.getsize(path) == 1000,
      'Content-Disposition names the file', repr(r))
check(mode(path) == 0o600, 'downloaded file mode 0600', oct(mode(path)))

# --max-filesize: over the limit is exit 4 and leaves no file (not even a temporary one)
limdir = os.path.join(TMP, 'downloads-limited')
os.makedirs(limdir)
dl = 'http://api.test:%s/download?size=%%d&name=limited.bin' % RP
for value, size, rc in (('1000', 1001, 4), ('1000', 1000, 0), ('1k', 1025, 4), ('1K', 1024, 0),
                        ('0', 300000, 0)):
    r = cli('get', dl % size, globals_=['--max-filesize', value], env={'TMPDIR': limdir})
    what = '--max-filesize %s, %d bytes: exit %d' % (value, size, rc)
    check(r.rc == rc, what, repr(r))
    left = os.listdir(limdir)
    if rc:
        check(r.err.startswith('coreapi: ') and 'larger than' in r.err and left == [],
              what + ', a message and no file', repr(r) + repr(left))
    else:
        check(len(left) == 1 and os.path.getsize(r.out.strip()) == size, what + ', saved', repr(r))
    for name in left:
        os.unlink(os.path.join(limdir, name))
r = cli('get', dl % 2000, globals_=['--max-filesize=1000'], env={'TMPDIR': limdir})
check(r.rc == 4 and os.listdir(limdir) == [], '--max-filesize=1000 form', repr(r))
for value in ('abc', '-1', '10x', '1kk', '', '99999999999999999999', '9000000000g'):
    r = cli('get', dl % 10, globals_=['--max-filesize', value], env={'TMPDIR': limdir})
    check(r.rc == 2 and '--max-filesize' in r.err, '--max-filesize %r: exit 2' % value, repr(r))
r = cli('--max-filesize')
check(r.rc == 2 and 'needs a value' in r.err, '--max-filesize without a value: exit 2', repr(r))
check('--max-filesize BYTES' in cli('--help').out, '--help documents --max-filesize')

# --- invalid input gets the library's message ---------------------------------------------
r = cli('credentials', 'add', '*example.com', '--token', 'abc')
check(r.rc == 2 and r.err.startswith('coreapi: ') and 'credentials.json' not in r.err,
      'invalid domain pattern: exit 2', repr(r))
r = cli('credentials', 'add', 'api.test', '--token', 'has space')
check(r.rc == 2 and r.err.startswith('coreapi: '), 'invalid token: exit 2', repr(r))
r = cli('credentials', 'add', 'api.test', 'alice', '--auth', 'basic')
check(r.rc == 2, '--auth basic without a colon: exit 2', repr(r))
r = ok(cli('credentials', 'show'), 'credentials unchanged by refused adds')
check(r.out == 'Credentials\napi.test token (Token)\n', 'credentials unchanged', repr(r.out))
ok(cli('credentials', 'remove', 'API.test.'), 'credentials remove (normalised)')
r = ok(cli('credentials', 'show'), 'credentials show after remove')
check(r.out == 'Credentials\n', 'credential removed', repr(r.out))

# --- basic flows ------------------------------------------------------------------------------
fresh('basic')
ok(cli('get', API + '/schema/'), 'get schema (basic)')
r = ok(cli('credentials', 'add', '*.test', '--basic', USER, '--password-stdin', stdin=PASSWORD + '\n'),
       'credentials add --basic --password-stdin')
check(PASSWORD not in r.out + r.err and r.out == 'Added credentials\n*.test basic (user %s)\n' % USER,
      'basic add output without the password', repr(r))
r = ok(cli('action', 'me', 'list'), 'me with basic')
check(json.loads(r.out) == {'username': USER, 'auth': 'basic'}, 'authenticated by basic', r.out)
r = ok(cli('credentials', 'show'), 'credentials show (basic)')
check(PASSWORD not in r.out, 'credentials show hides the password', r.out)
r = ok(cli('--debug', 'action', 'me', 'list'), '--debug with basic')
check(PASSWORD not in r.err and 'Authorization: [redacted]' in r.err, '--debug hides basic secrets', r.err)
r = cli('credentials', 'add', 'api.test', '--basic', USER)
check(r.rc == 2 and 'password-stdin' in r.err, 'no terminal for the prompt: exit 2', repr(r))
# the reference's form: a raw value, --auth basic user:password
ok(cli('credentials', 'remove', '*.test'), 'remove basic')
r = ok(cli('credentials', 'add', 'api.test', '%s:%s' % (USER, PASSWORD), '--auth', 'basic'),
       'credentials add --auth basic')
check(PASSWORD not in r.out, '--auth basic add hides the password', r.out)
r = ok(cli('action', 'me', 'list'), 'me with --auth basic')
check(json.loads(r.out).get('auth') == 'basic', 'authenticated by --auth basic', r.out)
# a raw Authorization value (custom authentication)
r = ok(cli('credentials', 'add', 'api.test', 'Token ' + token), 'credentials add raw VALUE')
check(token not in r.out and r.out == 'Added credentials\napi.test header (raw Authorization value)\n',
      'raw value not echoed', repr(r.out))
r = ok(cli('action', 'me', 'list'), 'me with a raw Authorization value')
check(json.loads(r.out) == {'username': USER, 'auth': 'token'}, 'raw value sent as Authorization', r.out)
r = ok(cli('--debug', 'action', 'me', 'list'), '--debug with a raw value')
check(token not in r.err and 'Authorization: [redacted]' in r.err, '--debug hides the raw value', r.err)
r = ok(cli('credentials', 'which', API + '/'), 'which for the raw value')
check(r.out == 'api.test: header (raw Authorization value)\n', 'which names the raw value', repr(r.out))
r = ok(cli('credentials', 'show'), 'show raw value')
check(token not in r.out, 'show hides the raw value', r.out)
# compatibility: a credentials file written by the reference ({"domain": "header"})
with open(cred_file_ref := os.path.join(config, 'credentials.json'), 'w') as f:
    json.dump({'api.test': 'Token ' + token}, f)
os.chmod(cred_file_ref, 0o600)
r = ok(cli('action', 'me', 'list'), "the reference's credentials file")
check(json.loads(r.out).get('auth') == 'token', "reference's format read as a raw value", r.out)

# --- session flow across invocations: CSRF cookie, login, then act ---------------------------
fresh('session')
r = ok(cli('credentials', 'add', 'api.test', '--session'), 'credentials add --session')
check(r.out == 'Added credentials\napi.test session (csrf csrftoken -> X-CSRFToken)\n',
      'session add output', repr(r.out))
ok(cli('load', LOGIN_DOC), 'load the login document')
r = ok(cli('action', 'csrf'), 'fetch the CSRF cookie')
jar = os.path.join(config, 'cookies.txt')
check(os.path.exists(jar) and mode(jar) == 0o600, 'cookie jar saved with mode 0600')
check('csrftoken' in open(jar).read(), 'the jar holds the CSRF cookie')
r = ok(cli('action', 'login', '-p', 'username=' + USER, '-p', 'password=' + PASSWORD),
       'log in (new invocation: CSRF token from the jar)')
check(json.loads(r.out) == {'username': USER}, 'logged in', r.out)
check('sessionid' in open(jar).read(), 'the jar holds the session cookie')
ok(cli('get', API + '/schema/'), 'get schema (session)')
r = ok(cli('action', 'me', 'list'), 'me by session (third invocation)')
check(json.loads(r.out) == {'username': USER, 'auth': 'session'}, 'authenticated by session', r.out)
r = ok(cli('action', 'books', 'create', '-p', 'title=Session Book', '-p', 'author=Anon',
           '-p', 'year=2000', '-p', 'genre=history'), 'unsafe request with the session (CSRF)')
sbook = json.loads(r.out)
check(sbook.get('owner') == USER, 'created by the session user', r.out)
r = ok(cli('action', 'books', 'read', '-p', 'id=%d' % sbook['id']), 'read it back')
check(json.loads(r.out).get('title') == 'Session Book', 'session-created book reads back', r.out)
r = ok(cli('--debug', 'action', 'me', 'list'), '--debug with the session')
session_id = re.search(r'sessionid\t(\S+)', open(jar).read())
check(session_id and session_id.group(1) not in r.err, '--debug never shows the session cookie', r.err)
check('Cookie: [redacted]' in r.err, '--debug redacts Cookie', r.err)
r = ok(cli('credentials', 'which', API + '/'), 'which (session)')
check(r.out == 'api.test: session (csrf csrftoken -> X-CSRFToken)\n', 'which names the session', repr(r.out))
ok(cli('credentials', 'remove', 'api.test'), 'remove the session')
check(not os.path.exists(jar), 'removing the last session drops the cookie jar')

# --- nothing reaches a host that no credential covers --------------------------------------
fresh('scope')
ok(cli('credentials', 'add', 'api.test', '--token', 'sekrit-token-1'), 'token for api.test only')
ok(cli('credentials', 'add', 'other.test', '--session'), 'session for other.test')
redirect_clear()
ok(cli('get', 'http://other.test:%s/set-cookie?name=sid&value=s3cr3t' % RP), 'cookie set on other.test')
ok(cli('get', 'http://api.test:%s/hello' % RP), 'request to api.test')
ok(cli('get', 'http://evil.test:%s/direct' % RP), 'request to evil.test')
ok(cli('get', 'http://api.test:%s/redirect?code=307&to=http://evil.test:%s/echo' % (RP, RP)),
   'redirect from api.test to evil.test')
ok(cli('get', 'http://other.test:%s/redirect?code=302&to=http://evil.test:%s/after' % (RP, RP)),
   'redirect from other.test to evil.test')
log = redirect_log()
lines = log.splitlines()
evil = [l for l in lines if ' evil.test:' in l]
check(len(evil) == 3, 'three requests reached evil.test', log)
check(all(' auth=0 ' in l and ' csrf=0 ' in l and ' cookie=- ' in l for l in evil),
      'evil.test got no credential, no CSRF header, no cookie', log)
api = [l for l in lines if ' api.test:' in l]
check(api and all(' auth=1 ' in l for l in api), 'api.test got its token', log)
other = [l for l in lines if ' other.test:' in l and '/redirect' in l]
check(other and all('sid' in l for l in other), 'other.test got its session cookie back', log)
r = ok(cli('credentials', 'which', 'http://evil.test:%s/' % RP), 'which evil.test')
check(r.out == 'none: no credential matches evil.test\n', 'which: evil.test is covered by none', repr(r.out))

# --- state files written by hand: a key that is not a domain pattern is refused ---------
fresh('badkeys')
ok(cli('credentials', 'add', 'a', '--token', 'tok'), 'a credential for host a')
with open(os.path.join(config, 'credentials.json'), 'w') as f:
    f.write('{"a\\u0000b": "Bearer NULSECRET"}')
r = cli('credentials', 'which', 'http://a/')
check(r.rc == 4 and 'not a domain pattern' in r.err and 'NULSECRET' not in r.out + r.err,
      'a credentials key with a NUL byte is refused, not read as another domain', repr(r))
with open(os.path.join(config, 'credentials.json'), 'w') as f:
    f.write('{"API.Test": "Bearer CASESECRET"}')
r = cli('credentials', 'which', 'http://api.test/')
check(r.rc == 4 and 'not a domain pattern' in r.err, 'a key in another spelling is refused', repr(r))
os.unlink(os.path.join(config, 'credentials.json'))
with open(os.path.join(config, 'headers.json'), 'w') as f:
    f.write('{"X-A": 5}')
os.chmod(os.path.join(config, 'headers.json'), 0o600)
r = cli('headers', 'show')
check(r.rc == 0 and 'X-A: (not a string' in r.out, 'headers show names a bad entry', repr(r))
r = cli('get', API + '/schema/')
check(r.rc == 4 and 'headers.json' in r.err, 'a bad header entry stops a request', repr(r))

# --- on a terminal: colour, and an upload progress bar on stderr -------------------------
def run_tty(args):
    """Run with stdout and stderr on a pseudo-terminal; returns (rc, output)."""
    import pty
    import select
    master, slave = pty.openpty()
    e = dict(os.environ, TMPDIR=os.path.join(TMP, 'downloads'))
    e.pop('NO_COLOR', None)
    p = subprocess.Popen([BIN, '--config-dir', config] + RESOLVE + args, stdin=subprocess.DEVNULL,
                         stdout=slave, stderr=slave, env=e)
    os.close(slave)
    out = b''
    while True:
        try:
            ready, _, _ = select.select([master], [], [], 30)
            if not ready:
                break
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
    rc = p.wait(timeout=30)
    os.close(master)
    return rc, out.decode('utf-8', 'replace')


fresh('tty')
rc, out = run_tty(['get', API + '/schema/'])
check(rc == 0 and '\x1b[32m<Example API' in out, 'colour on a terminal', repr(out[:120]))
rc, out = run_tty(['--no-color', 'show'])
check(rc == 0 and '\x1b[' not in out, '--no-color on a terminal', repr(out[:120]))
ok(cli('credentials', 'add', 'api.test', '--token', token, '--scheme', 'Token'), 'token (tty)')
big = os.path.join(TMP, 'big.bin')
with open(big, 'wb') as f:
    f.write(os.urandom(3 * 1024 * 1024))
rc, out = run_tty(['--no-color', 'action', 'books', 'import_file', '-f', 'file=' + big])
check(rc == 0 and 'upload big.bin' in out and '100%' in out, 'upload progress bar on a terminal',
      repr(out[-400:]))
digest = hashlib.sha256(open(big, 'rb').read()).hexdigest()
check(digest in out, 'the streamed upload arrives whole', repr(out[-400:]))

rc, out = run_tty(['--no-color', 'get',
                   'http://api.test:%s/download?size=3000000&name=big-download.bin'
                   '&type=application/octet-stream' % RP])
check(rc == 0 and 'download [' in out and '100%' in out and 'big-download.bin' in out,
      'download progress bar on a terminal', repr(out[-400:]))

print('%d checks, %d failed' % (checks, failures))
sys.exit(1 if failures else 0)
