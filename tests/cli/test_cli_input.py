#!/usr/bin/python3
"""End-to-end tests of how the tool takes secrets and values from outside argv.

Runs the real binary (argv[1]) against the real example API and the
recording redirect server, as started by tests/integration/servers.py
--django --redirect (/echo on the redirect server answers with the request
it got, body included). Checks the rules of cli/coreapi.1:

- a secret read from standard input (--token-stdin, --password-stdin,
  --key-stdin, --value-stdin, --client-secret-stdin) is all of it, one final
  LF or CRLF removed; one that is empty or still holds CR, LF, NUL or another
  control character is refused with exit 2, not echoed, and nothing is
  stored; with --client-secret-stdin and --password-stdin both, one line each;
- `action -p/-s/-d FIELD=@-` (standard input, once) and `=@FILE` (the file),
  one final newline removed, typed as the option says; `@@` starts a literal
  `@`; a second @-, a missing file, a NUL byte, more than 64 MiB: refused.

Prints one line per failed check and exits non-zero when any failed.
"""
import base64
import json
import os
import subprocess
import sys

BIN = os.path.abspath(sys.argv[1])
TMP = os.environ['COREAPI_TEST_TMPDIR']
DJ = os.environ['COREAPI_TEST_DJANGO_PORT']
RP = os.environ['COREAPI_TEST_REDIRECT_HTTP_PORT']
USER = os.environ['COREAPI_TEST_USER']
PASSWORD = os.environ['COREAPI_TEST_PASSWORD']
API = 'http://api.test:%s' % DJ
ECHO = 'http://api.test:%s/echo' % RP
RESOLVE = []
for port in (DJ, RP):
    RESOLVE += ['--resolve', 'api.test:%s:127.0.0.1' % port]

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
    def __init__(self, args, stdin=b''):
        argv = [BIN, '--no-color', '--config-dir', config] + RESOLVE + args
        e = dict(os.environ)
        e.pop('COREAPI_CONFIG_DIR', None)
        if isinstance(stdin, str):
            stdin = stdin.encode()
        p = subprocess.run(argv, input=stdin, capture_output=True, env=e, timeout=60)
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
    config = os.path.join(TMP, 'cfg-input-' + name)
    return config


def cred_bytes():
    """credentials.json as bytes, None when there is none."""
    try:
        with open(os.path.join(config, 'credentials.json'), 'rb') as f:
            return f.read()
    except FileNotFoundError:
        return None


def creds():
    return json.loads(cred_bytes() or b'{}')


def echoed_auth():
    """The Authorization header the redirect server's /echo got."""
    r = ok(cli('get', ECHO), 'get /echo')
    return json.loads(r.out)['headers'].get('authorization')


def refused(args, stdin, what, secret=None, word=None):
    """The add is refused with exit 2, credentials.json unchanged, the
    secret (when given) not echoed, word (when given) in the message."""
    before = cred_bytes()
    r = cli(*args, stdin=stdin)
    check(r.rc == 2 and r.err.startswith('coreapi: '), what + ': exit 2', repr(r))
    check(cred_bytes() == before, what + ': nothing stored', repr(cred_bytes()))
    if secret is not None:
        check(secret not in r.out + r.err, what + ': the secret is not echoed', repr(r))
    if word is not None:
        check(word in r.err, what + ': the message says %r' % word, repr(r))
    return r


def basic(user, password):
    return 'Basic ' + base64.b64encode(('%s:%s' % (user, password)).encode()).decode()


TOKEN = ['credentials', 'add', 'api.test', '--token-stdin']

# --- the reported case: a CRLF and a second "header" after the token ------------------
fresh('repro')
r = refused(TOKEN, b'abc\r\nX-Evil: 1\n', 'token with CRLF and more', word='line break')
check('abc' not in r.err and 'X-Evil' not in r.err, 'the refused secret is not echoed', repr(r))
check(cred_bytes() is None, 'no credentials file was written', repr(cred_bytes()))
# ... and with a credential already stored, it stays as it was
ok(cli(*TOKEN, stdin='good-token\n'), 'store a token first')
refused(TOKEN, b'abc\r\nX-Evil: 1\n', 'the same over a stored token', secret='abc')
check(creds()['api.test']['token'] == 'good-token', 'the stored token is kept', repr(creds()))
check(echoed_auth() == 'Bearer good-token', 'the kept token is sent', '')

# --- line endings: one LF or CRLF removed, nothing else ---------------------------------
fresh('endings')
for stdin, want, what in ((b'tok-lf\n', 'tok-lf', 'LF'), (b'tok-crlf\r\n', 'tok-crlf', 'CRLF'),
                          (b'tok-none', 'tok-none', 'no line ending'),
                          (b'tok.w-i_t~h+/=\n', 'tok.w-i_t~h+/=', 'punctuation')):
    r = ok(cli(*TOKEN, '--scheme', 'Token', stdin=stdin), 'token ending in ' + what)
    check(creds()['api.test']['token'] == want, 'token ending in %s: stored as %r' % (what, want),
          repr(creds()))
    check(want not in r.out + r.err, 'token ending in %s: not echoed' % what, repr(r))
check(echoed_auth() == 'Token tok.w-i_t~h+/=', 'the token read is the one sent', '')
for stdin, what, word in ((b'', 'empty stdin', 'empty'), (b'\n', 'a lone LF', 'empty'),
                          (b'\r\n', 'a lone CRLF', 'empty'),
                          (b'tok\n\n', 'two final LFs', 'line break'),
                          (b'tok\r', 'a final CR without LF', 'line break'),
                          (b'tok\n\r\n', 'LF then CRLF', 'line break'),
                          (b'to\nk', 'an inner LF', 'line break'),
                          (b'to\rk\n', 'an inner CR', 'line break'),
                          (b'to\x00k\n', 'a NUL byte', 'NUL'),
                          (b'to\x00k', 'a NUL byte, no ending', 'NUL'),
                          (b'to\tk\n', 'a tab', 'control character'),
                          (b'to\x1b[2Jk\n', 'an escape sequence', 'control character'),
                          (b'to\x7fk\n', 'DEL', 'control character')):
    refused(TOKEN, stdin, 'token with ' + what, word=word)
check(creds()['api.test']['token'] == 'tok.w-i_t~h+/=', 'refusals left the last token', repr(creds()))
# bounded: 64 KiB at most
refused(TOKEN, b'a' * 70000 + b'\n', 'a 70000-byte stdin', word='65536')
refused(TOKEN, b'a' * 65537, '65537 bytes', word='65536')

# --- every secret option follows the rule ------------------------------------------------
fresh('options')
ok(cli('credentials', 'add', 'api.test', '--basic', 'alice', '--password-stdin',
       stdin=b'pw one\r\n'), '--basic --password-stdin with CRLF')
check(creds()['api.test']['password'] == 'pw one', 'basic password: CRLF removed', repr(creds()))
check(echoed_auth() == basic('alice', 'pw one'), 'the basic password sent', '')
refused(['credentials', 'add', 'api.test', '--basic', 'alice', '--password-stdin'],
        b'pw\r\nX-Evil: 1\n', '--password-stdin with a second line', secret='X-Evil')
refused(['credentials', 'add', 'api.test', '--digest', 'alice', '--password-stdin'],
        b'pw\nmore\n', '--digest --password-stdin with a second line', secret='more')
refused(['credentials', 'add', 'api.test', '--api-key', 'X-Key', '--key-stdin'],
        b'k\r\nX-Evil: 1\n', '--key-stdin with a second line', secret='X-Evil')
ok(cli('credentials', 'add', 'api.test', '--api-key', 'X-Key', '--key-stdin', stdin=b'key-1\r\n'),
   '--key-stdin with CRLF')
r = ok(cli('get', ECHO), 'get /echo with the key')
check(json.loads(r.out)['headers'].get('x-key') == 'key-1', 'the key sent without CRLF', r.out)
# --value-stdin: the raw Authorization value, VALUE left out
VALUE = ['credentials', 'add', 'api.test', '--value-stdin']
r = ok(cli(*VALUE, stdin=b'Token raw-1\n'), '--value-stdin')
check('raw-1' not in r.out + r.err and 'header (raw Authorization value)' in r.out,
      '--value-stdin: stored, not echoed', repr(r))
check(echoed_auth() == 'Token raw-1', '--value-stdin: the value sent as Authorization', '')
refused(VALUE, b'Token raw-2\r\nX-Evil: 1\r\n', '--value-stdin with a second header',
        secret='raw-2', word='line break')
refused(VALUE + ['Token argv'], b'Token raw-3\n', 'VALUE and --value-stdin both')
refused(VALUE, b'', '--value-stdin with an empty stdin', word='empty')
ok(cli(*VALUE, '--auth', 'basic', stdin='%s:%s\r\n' % (USER, PASSWORD)),
   '--value-stdin --auth basic')
check(creds()['api.test'] == {'kind': 'basic', 'username': USER, 'password': PASSWORD},
      '--value-stdin --auth basic: user:password split', repr(creds()))
r = ok(cli('get', API + '/me/'), 'me with the basic credential from --value-stdin')
check(json.loads(r.out).get('auth') == 'basic', 'authenticated by it', r.out)
refused(VALUE + ['--auth', 'basic'], b'no-colon\n', '--value-stdin --auth basic without ":"')
# the prompt stays: without a terminal it says to use --password-stdin
r = cli('credentials', 'add', 'api.test', '--basic', 'alice')
check(r.rc == 2 and 'password-stdin' in r.err, 'no --password-stdin and no terminal: exit 2',
      repr(r))

# --- OAuth 2.0: one secret from stdin is all of it; two are a line each -------------------
PW_ID = os.environ.get('COREAPI_TEST_OAUTH_PW_ID')
PW_SECRET = os.environ.get('COREAPI_TEST_OAUTH_PW_SECRET')
CC_ID = os.environ.get('COREAPI_TEST_OAUTH_CC_ID')
CC_SECRET = os.environ.get('COREAPI_TEST_OAUTH_CC_SECRET')
if PW_ID and PW_SECRET and CC_ID and CC_SECRET:
    fresh('oauth')
    OAUTH_PW = ['credentials', 'add', 'api.test', '--oauth2', 'password', '--token-url',
                API + '/o/token/', '--client-id', PW_ID, '--client-secret-stdin',
                '--username', USER, '--password-stdin']
    OAUTH_CC = ['credentials', 'add', 'api.test', '--oauth2', 'client-credentials',
                '--token-url', API + '/o/token/', '--client-id', CC_ID, '--client-secret-stdin']
    for stdin, what in (('%s\r\n%s\r\n' % (PW_SECRET, PASSWORD), 'CRLF'),
                        ('%s\n%s' % (PW_SECRET, PASSWORD), 'LF, the last line unended')):
        r = ok(cli(*OAUTH_PW, stdin=stdin), 'oauth2 password, two lines, ' + what)
        check(PW_SECRET not in r.out + r.err and PASSWORD not in r.out + r.err,
              'oauth2 password: secrets not echoed', repr(r))
        check(creds()['api.test']['client_secret'] == PW_SECRET,
              'oauth2 password (%s): the client secret stored' % what, repr(creds()))
    for stdin, what, word in (('%s\n' % PW_SECRET, 'one line for two', 'one line'),
                              ('%s\n%s\nextra\n' % (PW_SECRET, PASSWORD), 'three lines',
                               'more than two'),
                              ('%s\n%s\n\n' % (PW_SECRET, PASSWORD), 'a blank third line',
                               'more than two'),
                              ('%s\r\r\n%s\n' % (PW_SECRET, PASSWORD), 'a CR in line 1', 'line 1'),
                              ('%s\n\n' % PW_SECRET, 'an empty line 2', 'empty'),
                              ('%s\n%s\x00\n' % (PW_SECRET, PASSWORD), 'a NUL in line 2', 'NUL')):
        refused(OAUTH_PW, stdin, 'oauth2 password with ' + what, secret=PASSWORD, word=word)
    ok(cli(*OAUTH_CC, stdin=CC_SECRET + '\r\n'), 'oauth2 client-credentials, secret with CRLF')
    check(creds()['api.test']['client_secret'] == CC_SECRET, 'client secret: CRLF removed',
          repr(creds()))
    refused(OAUTH_CC, CC_SECRET + '\nsecond\n', 'one client secret on two lines',
            secret=CC_SECRET, word='line break')
else:
    print('note: django-oauth-toolkit not installed: the OAuth 2.0 checks are skipped')

# --- action: values from standard input and from files ------------------------------------
fresh('action')
DOC = os.path.join(TMP, 'input-echo.json')
with open(DOC, 'w') as f:
    json.dump({
        '_type': 'document', '_meta': {'url': ECHO, 'title': 'Echo'},
        'echo': {'_type': 'link', 'url': ECHO, 'action': 'post', 'encoding': 'application/json',
                 'fields': [{'name': n, 'location': 'form'}
                            for n in ('note', 'n', 'data', 'password')]},
    }, f)
ok(cli('load', DOC), 'load the echo document')


def body(*params, stdin=b''):
    """The JSON body /echo got for `action echo PARAMS`, or None."""
    r = cli('action', 'echo', *params, stdin=stdin)
    if not check(r.rc == 0, 'action %s: exit 0' % ' '.join(params), repr(r)):
        return None
    return json.loads(json.loads(r.out)['body'])


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, 'wb') as f:
        f.write(data)
    return path


check(body('-p', 'note=@-', stdin=b'hello\n') == {'note': 'hello'}, '-p note=@-: LF removed')
check(body('-p', 'note=@-', stdin=b'hello\r\n') == {'note': 'hello'}, '-p note=@-: CRLF removed')
check(body('-p', 'note=@-', stdin=b'two\nlines\n\n') == {'note': 'two\nlines\n'},
      '-p note=@-: only one final LF removed')
check(body('-p', 'note=@-', stdin=b' spaced \n') == {'note': ' spaced '},
      '-p note=@-: spaces kept')
check(body('-p', 'note=@-', stdin=b'') == {'note': ''}, '-p note=@- with an empty stdin: ""')
check(body('-p', 'n=@-', stdin=b'42\n') == {'n': 42}, '-p n=@-: JSON when it parses')
check(body('-p', 'data=@-', stdin=b'{"a": [1, "x"]}\n') == {'data': {'a': [1, 'x']}},
      '-p data=@-: a JSON object')
check(body('-s', 'n=@-', stdin=b'42\n') == {'n': '42'}, '-s n=@-: always a string')
check(body('-p', 'note', '@-', stdin=b'two args\n') == {'note': 'two args'},
      '-p FIELD @- (two arguments)')
check(body('-s', 'password=@-', stdin=b'1234\n') == {'password': '1234'},
      '-s password=@-: a numeric password stays a string')
check(body('-p', 'note=@-', '-p', 'n=7', stdin=b'mixed\n') == {'note': 'mixed', 'n': 7},
      '@- mixed with argv values')
f_lf = write('input-lf.txt', b'from a file\n')
f_crlf = write('input-crlf.txt', b'crlf file\r\n')
f_exact = write('input-exact.txt', b'no newline')
f_multi = write('input-multi.txt', b'line 1\nline 2\n\n')
f_json = write('input.json', b'{\n  "k": true,\n  "n": 1.5\n}\n')
f_num = write('input-num.txt', b'17\n')
f_utf8 = write('input-utf8.txt', 'caf\u00e9 \u2603\n'.encode())
check(body('-p', 'note=@' + f_lf) == {'note': 'from a file'}, '-p note=@FILE: LF removed')
check(body('-p', 'note=@' + f_crlf) == {'note': 'crlf file'}, '-p note=@FILE: CRLF removed')
check(body('-p', 'note=@' + f_exact) == {'note': 'no newline'}, '-p note=@FILE without newline')
check(body('-p', 'note=@' + f_multi) == {'note': 'line 1\nline 2\n'},
      '-p note=@FILE: one final LF removed, the rest kept')
check(body('-p', 'data=@' + f_json) == {'data': {'k': True, 'n': 1.5}}, '-p data=@FILE: JSON')
check(body('-d', 'data=@' + f_json) == {'data': {'k': True, 'n': 1.5}}, '-d data=@FILE')
check(body('-p', 'n=@' + f_num) == {'n': 17}, '-p n=@FILE: a number')
check(body('-s', 'n=@' + f_num) == {'n': '17'}, '-s n=@FILE: a string')
got = body('-s', 'note=@' + f_utf8)
check(got == {'note': 'caf\u00e9 \u2603'}, '-s note=@FILE: UTF-8 text', repr(got))
check(body('-p', 'note=@-', '-p', 'data=@' + f_json, stdin=b'both\n') ==
      {'note': 'both', 'data': {'k': True, 'n': 1.5}}, '@- and @FILE together')
# the escape: @@ starts a literal @
check(body('-p', 'note=@@tom') == {'note': '@tom'}, '-p note=@@tom is "@tom"')
check(body('-s', 'note=@@@x') == {'note': '@@x'}, '-s note=@@@x is "@@x"')
check(body('-p', 'note=@@-') == {'note': '@-'}, '-p note=@@- is "@-"')
check(body('-p', 'note', '@@') == {'note': '@'}, '-p note @@ is "@"')
check(body('-p', 'note=a@b') == {'note': 'a@b'}, 'an @ not first is literal')
r = cli('action', 'echo', '-d', 'data=@@')
check(r.rc == 2 and 'Invalid JSON' in r.err, '-d data=@@ is "@", not JSON: exit 2', repr(r))


def action_refused(params, stdin, what, word):
    r = cli('action', 'echo', *params, stdin=stdin)
    check(r.rc == 2 and r.err.startswith('coreapi: '), what + ': exit 2', repr(r))
    check(word in r.err, what + ': the message says %r' % word, repr(r))
    return r


action_refused(['-p', 'note=@-', '-s', 'n=@-'], b'one\n', 'two @- values', 'only one')
action_refused(['-p', 'note=@-', '-p', 'note=@-'], b'one\n', 'the same @- twice', 'only one')
missing = os.path.join(TMP, 'no-such-file.txt')
r = action_refused(['-p', 'note=@' + missing], b'', 'a missing @FILE', 'no-such-file.txt')
check('No such file' in r.err, 'a missing @FILE: the reason given', repr(r))
action_refused(['-p', 'note=@' + TMP], b'', 'a directory as @FILE', 'directory')
if os.geteuid() != 0:
    secret_file = write('input-unreadable.txt', b'x\n')
    os.chmod(secret_file, 0)
    action_refused(['-p', 'note=@' + secret_file], b'', 'an unreadable @FILE', 'Permission')
action_refused(['-p', 'note=@'], b'', 'a lone @', '@@')
action_refused(['-p', 'note=@-'], b'a\x00b\n', 'a NUL byte in @-', 'NUL')
action_refused(['-s', 'note=@' + write('input-nul.bin', b'\x00\x01')], b'', 'a NUL in @FILE',
               'NUL')
action_refused(['-d', 'data=@' + f_lf], b'', '-d with a file that is not JSON', 'Invalid JSON')
big = os.path.join(TMP, 'input-big.txt')
with open(big, 'wb') as f:
    f.truncate(64 * 1024 * 1024 + 1)
action_refused(['-p', 'note=@' + big], b'', 'an @FILE over 64 MiB', '64 MiB')
os.remove(big)
r = cli('action', 'echo', '-p', 'note=@-', stdin=b'x' * (64 * 1024 * 1024 + 1))
check(r.rc == 2 and '64 MiB' in r.err, '@- over 64 MiB: exit 2', repr(r)[:500])
# -f takes its FILENAME as it is: no @ rules there
r = cli('action', 'echo', '-f', 'note=@' + f_lf)
check(r.rc == 2 and '@' + f_lf in r.err, '-f FIELD=@FILE names the file "@FILE"', repr(r))

# --- the man page's example: the password from stdin, never on the command line -------------
fresh('manpage')
ok(cli('get', API + '/schema/'), 'get the schema')
r = ok(cli('action', 'api-token-auth', 'create', '-p', 'username=' + USER, '-s', 'password=@-',
           stdin=PASSWORD + '\n'), 'obtain a token with -s password=@-')
check(len(json.loads(r.out).get('token', '')) == 40, 'a token for the password from stdin', r.out)
r = cli('action', 'api-token-auth', 'create', '-p', 'username=' + USER, '-s', 'password=@-',
        stdin=PASSWORD + '\r\nX-Evil: 1\n')
check(r.rc == 1, 'a value with a second line is sent as it is (and refused by the server)',
      repr(r))

print('%d checks, %d failed' % (checks, failures))
sys.exit(1 if failures else 0)
