#!/usr/bin/python3
"""Safe state of the coreapi command-line tool between parallel invocations.

Runs the real binary (argv[1]) against the example API and the recording
redirect server, as started by tests/integration/servers.py --django
--redirect, plus a small HTTP server of its own (the cookie jar checks). What
it checks (issue 12, "Safe state"):

- lost updates: parallel `credentials add`, `headers add`, `bookmarks add`,
  `load` (the history) all keep every entry; a `credentials remove` racing
  adds stays removed; an OAuth 2.0 token written back (`credentials refresh`)
  racing adds loses none of them (when the API has its OAuth 2.0 server);
- the state lock: a lock held elsewhere is waited for, and after 10 s the
  command fails (exit 4) and says so; readers do not wait;
- permissions: a config directory others can write, a headers.json others
  can read are refused (exit 4) with the chmod that fixes them; what the tool
  creates is 0700 / 0600 whatever the umask;
- the cookie jar: a save that fails fails the command (exit 4), and says so;
- temporary files left by a killed write are removed at start.

Works as root and as an unprivileged user (root: a directory that cannot be
written does not stop root, so the jar is made a directory instead; the
unwritable-directory check runs only as a normal user, and says when it is
skipped). Prints one line per failed check and exits non-zero when any failed.
"""
import fcntl
import http.server
import json
import os
import stat
import subprocess
import sys
import threading
import time

BIN = os.path.abspath(sys.argv[1])
TMP = os.environ['COREAPI_TEST_TMPDIR']
DJ = os.environ['COREAPI_TEST_DJANGO_PORT']
API = 'http://api.test:%s' % DJ
CC_ID = os.environ.get('COREAPI_TEST_OAUTH_CC_ID')
CC_SECRET = os.environ.get('COREAPI_TEST_OAUTH_CC_SECRET')
RESOLVE = ['--resolve', 'api.test:%s:127.0.0.1' % DJ]
ROOT = os.geteuid() == 0

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


def argv_of(args, extra=None):
    return [BIN, '--no-color', '--config-dir', config] + RESOLVE + (extra or []) + list(args)


def env_of():
    e = dict(os.environ)
    e.pop('COREAPI_CONFIG_DIR', None)
    return e


class Run:
    def __init__(self, args, rc, out, err, seconds=0.0):
        self.args, self.rc, self.out, self.err, self.seconds = args, rc, out, err, seconds

    def __repr__(self):
        return 'coreapi %s -> %d (%.1f s)\n--- stdout\n%s--- stderr\n%s' % (
            ' '.join(self.args), self.rc, self.seconds, self.out, self.err)


def cli(*args, stdin=None, umask=None, extra=None):
    start = time.monotonic()
    p = subprocess.run(argv_of(args, extra), input=(stdin or '').encode(), capture_output=True,
                       env=env_of(), timeout=60,
                       preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)
    return Run(list(args), p.returncode, p.stdout.decode('utf-8', 'replace'),
               p.stderr.decode('utf-8', 'replace'), time.monotonic() - start)


def start(*args, stdin=None):
    p = subprocess.Popen(argv_of(args), stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_of())
    p.args_ = list(args)
    if stdin:
        p.stdin.write(stdin.encode())
        p.stdin.close()
        p.stdin = None
    return p


def finish(procs):
    runs = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        runs.append(Run(p.args_, p.returncode, out.decode('utf-8', 'replace'),
                        err.decode('utf-8', 'replace')))
    return runs


def all_ok(runs, what):
    bad = [r for r in runs if r.rc != 0]
    check(not bad, what + ': every invocation exits 0', '\n'.join(repr(r) for r in bad[:3]))


def ok(r, what):
    check(r.rc == 0, what + ': exit 0', repr(r))
    return r


def fresh(name):
    """Use a new, not yet existing config directory."""
    global config
    config = os.path.join(TMP, 'state-' + name)
    return config


def state(name):
    path = os.path.join(config, name)
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class Held:
    """The state lock, held by this process (flock on the config directory)."""

    def __enter__(self):
        self.fd = os.open(config, os.O_RDONLY)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


# --- parallel credentials add: every one kept --------------------------------------
for rnd in range(3):
    fresh('creds-add-%d' % rnd)
    ok(cli('credentials', 'add', 'first.test', '--token', 'tok-first'), 'the first add')
    runs = finish([start('credentials', 'add', 'd%02d.test' % i, '--token', 'tok-%d' % i)
                   for i in range(20)])
    all_ok(runs, 'round %d: 20 parallel credentials add' % rnd)
    creds = state('credentials.json')
    missing = ['d%02d.test' % i for i in range(20) if 'd%02d.test' % i not in creds]
    check(not missing and 'first.test' in creds,
          'round %d: all 20 parallel adds (and the first) are stored' % rnd,
          'missing: %s' % missing)
    check(all(creds.get('d%02d.test' % i, {}).get('token') == 'tok-%d' % i for i in range(20)),
          'round %d: each with its own token' % rnd)
    check(mode(os.path.join(config, 'credentials.json')) == 0o600, 'credentials.json still 0600')
    left = [n for n in os.listdir(config) if '.tmp' in n]
    check(not left, 'no temporary file left by the parallel writes', str(left))

# --- a remove racing adds: the removed credential stays removed ---------------------
for rnd in range(5):
    fresh('creds-remove-%d' % rnd)
    ok(cli('credentials', 'add', 'victim.test', '--token', 'revoked'), 'add the victim')
    procs = [start('credentials', 'add', 'a%02d.test' % i, '--token', 't') for i in range(8)]
    procs.append(start('credentials', 'remove', 'victim.test'))
    procs += [start('credentials', 'add', 'b%02d.test' % i, '--token', 't') for i in range(8)]
    runs = finish(procs)
    all_ok(runs, 'round %d: remove racing 16 adds' % rnd)
    creds = state('credentials.json')
    check('victim.test' not in creds, 'round %d: the removed credential does not come back' % rnd,
          str(sorted(creds)))
    want = ['a%02d.test' % i for i in range(8)] + ['b%02d.test' % i for i in range(8)]
    check(all(d in creds for d in want), 'round %d: every add racing the remove is kept' % rnd,
          str(sorted(creds)))
    r = ok(cli('credentials', 'show'), 'credentials show')
    check('victim.test' not in r.out, 'show does not list the removed one', r.out)

# --- parallel headers add, bookmarks add, load (history) ---------------------------
fresh('headers')
runs = finish([start('headers', 'add', 'x-h-%02d' % i, 'v%d' % i) for i in range(20)])
all_ok(runs, '20 parallel headers add')
headers = state('headers.json')
check(all(headers.get('X-H-%02d' % i) == 'v%d' % i for i in range(20)),
      'all 20 parallel headers are stored', str(headers))
check(mode(os.path.join(config, 'headers.json')) == 0o600, 'headers.json 0600')
runs = finish([start('headers', 'remove', 'x-h-%02d' % i) for i in range(0, 20, 2)] +
              [start('headers', 'add', 'x-n-%02d' % i, 'n') for i in range(10)])
all_ok(runs, 'parallel headers remove and add')
headers = state('headers.json')
check(sorted(headers) == sorted(['X-H-%02d' % i for i in range(1, 20, 2)] +
                                ['X-N-%02d' % i for i in range(10)]),
      'parallel removes and adds: exactly the expected headers', str(sorted(headers)))

fresh('history')
docs = []
for i in range(15):
    path = os.path.join(TMP, 'state-doc-%02d.json' % i)
    with open(path, 'w') as f:
        json.dump({'_type': 'document', '_meta': {'url': 'http://doc.test/%d/' % i,
                                                  'title': 'Doc %d' % i}}, f)
    docs.append(path)
runs = finish([start('load', d) for d in docs])
all_ok(runs, '15 parallel load')
urls = [it['url'] for it in state('history.json').get('items', [])]
check(sorted(urls) == sorted('http://doc.test/%d/' % i for i in range(15)),
      'every parallel visit is in the history', str(urls))
check(state('document.json').get('_meta', {}).get('url') == urls[0] if urls else False,
      'the current document is the newest history entry')
runs = finish([start('bookmarks', 'add', 'm%02d' % i) for i in range(15)])
all_ok(runs, '15 parallel bookmarks add')
check(sorted(state('bookmarks.json')) == ['m%02d' % i for i in range(15)],
      'all 15 parallel bookmarks are stored', str(sorted(state('bookmarks.json'))))

# --- the OAuth 2.0 token write-back racing adds ----------------------------------------
if CC_ID and CC_SECRET:
    fresh('oauth')
    ok(cli('credentials', 'add', 'api.test', '--oauth2', 'client-credentials', '--token-url',
           API + '/o/token/', '--client-id', CC_ID, '--client-secret-stdin', '--scope', 'read',
           stdin=CC_SECRET + '\n'), 'add --oauth2 client-credentials')
    first = state('credentials.json')['api.test']['token']['access_token']
    procs = [start('credentials', 'add', 'o%02d.test' % i, '--token', 't') for i in range(6)]
    procs += [start('credentials', 'refresh', 'api.test') for _ in range(2)]
    procs += [start('credentials', 'add', 'p%02d.test' % i, '--token', 't') for i in range(6)]
    runs = finish(procs)
    all_ok(runs, 'refresh (token written back) racing adds')
    creds = state('credentials.json')
    want = ['o%02d.test' % i for i in range(6)] + ['p%02d.test' % i for i in range(6)]
    check(all(d in creds for d in want), 'no add lost to the token write-back', str(sorted(creds)))
    token = creds.get('api.test', {}).get('token', {}).get('access_token')
    check(token and token != first, 'the renewed token is stored, not lost to an add')
else:
    print('notice: no OAuth 2.0 server (COREAPI_TEST_OAUTH_CC_ID): write-back race not run')

# --- the lock: waited for, then a clear error ---------------------------------------
fresh('lock')
ok(cli('headers', 'add', 'x-before', '1'), 'headers add')
before = state('headers.json')
with Held():
    r = cli('headers', 'add', 'x-during', '2')
    check(r.rc == 4, 'a lock held elsewhere for good: exit 4', repr(r))
    check('is locked by another coreapi process' in r.err and config in r.err and '10 s' in r.err,
          'the message says the directory is locked and for how long it waited', r.err)
    check(9.5 <= r.seconds <= 20, 'it waited about 10 s', '%.1f s' % r.seconds)
    check(state('headers.json') == before, 'nothing written without the lock')
    r = ok(cli('headers', 'show'), 'headers show while the lock is held (readers do not wait)')
    check(r.seconds < 5 and 'X-Before: 1' in r.out, 'a reader does not wait', repr(r))
    r = cli('credentials', 'add', 'x.test', '--token', 't')
    check(r.rc == 4 and 'is locked' in r.err, 'credentials add: exit 4 when the lock stays held',
          repr(r))
held = Held().__enter__()
threading.Timer(1.5, held.__exit__).start()
r = ok(cli('headers', 'add', 'x-after', '3'), 'headers add while the lock is held for 1.5 s')
check(r.seconds >= 1.0 and state('headers.json').get('X-After') == '3',
      'it waited for the lock, then wrote', repr(r))

# --- permissions ------------------------------------------------------------------------
fresh('perm')
ok(cli('headers', 'add', 'x-api-key', 'secret', umask=0), 'headers add with umask 0')
check(mode(config) == 0o700, 'a new config directory is 0700 whatever the umask', oct(mode(config)))
hpath = os.path.join(config, 'headers.json')
check(mode(hpath) == 0o600, 'a new headers.json is 0600 whatever the umask', oct(mode(hpath)))
for m in (0o770, 0o707, 0o722, 0o1777):
    os.chmod(config, m)
    r = cli('headers', 'show')
    check(r.rc == 4 and ('chmod 700 ' + config) in r.err and 'written by others' in r.err,
          'config directory mode %04o refused with the fix' % m, repr(r))
    r = cli('credentials', 'add', 'x.test', '--token', 't')
    check(r.rc == 4 and 'chmod 700' in r.err, 'credentials add refused too (%04o)' % m, repr(r))
for m in (0o750, 0o755, 0o500):
    os.chmod(config, m)
    r = cli('headers', 'show')
    check(r.rc == 0, 'config directory mode %04o (nobody else writes) accepted' % m, repr(r))
os.chmod(config, 0o700)
for m in (0o644, 0o640, 0o604, 0o660):
    os.chmod(hpath, m)
    r = cli('headers', 'show')
    check(r.rc == 4 and ('chmod 600 ' + hpath) in r.err and 'secret' not in r.out,
          'headers.json mode %04o refused with the fix' % m, repr(r))
    r = cli('get', API + '/schema/')
    check(r.rc == 4 and 'chmod 600' in r.err, 'a request refuses it too (%04o)' % m, repr(r))
    r = cli('headers', 'add', 'x-other', 'v')
    check(r.rc == 4 and mode(hpath) == m and 'X-Other' not in state('headers.json'),
          'headers add refuses it and leaves it alone (%04o)' % m, repr(r))
os.chmod(hpath, 0o600)
ok(cli('headers', 'show'), 'headers.json 0600 accepted again')


# --- the cookie jar: a failed save fails the command ----------------------------------------
class JarHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith('/break'):
            # While the tool is at work: its jar's path becomes a directory,
            # which no rename can replace (this stops root too).
            jar = os.path.join(config, 'cookies.txt')
            if os.path.isfile(jar):
                os.unlink(jar)
            os.makedirs(jar, exist_ok=True)
            os.chmod(jar, 0o700)
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header('Set-Cookie', 'sid=s%d; Path=/' % int(time.time() * 1000))
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), JarHandler)
threading.Thread(target=server.serve_forever, daemon=True).start()
JAR_URL = 'http://jar.test:%d' % server.server_address[1]
RESOLVE += ['--resolve', 'jar.test:%d:127.0.0.1' % server.server_address[1]]

fresh('jar')
ok(cli('credentials', 'add', 'jar.test', '--session'), 'a session credential')
r = ok(cli('get', JAR_URL + '/login'), 'a request that sets a cookie')
jar = os.path.join(config, 'cookies.txt')
check(os.path.isfile(jar) and 'sid' in open(jar).read() and mode(jar) == 0o600,
      'the cookie is saved (0600)')
r = cli('get', JAR_URL + '/break')
check(r.rc == 4, 'a cookie jar that cannot be saved: exit 4, not 0', repr(r))
check("cannot save the session's cookies" in r.err and jar in r.err,
      'the message says the cookies were not saved, and where', r.err)
check('"ok": true' in r.out, 'the response is still printed', r.out)
os.rmdir(jar)
if ROOT:
    print('notice: running as root: the unwritable config directory check is skipped '
          '(chmod does not stop root; the jar-is-a-directory check above ran instead)')
else:
    ok(cli('get', JAR_URL + '/login'), 'log in again')
    os.chmod(config, 0o500)
    try:
        r = cli('get', JAR_URL + '/login')
    finally:
        os.chmod(config, 0o700)
    check(r.rc == 4 and "cannot save the session's cookies" in r.err,
          'a config directory that cannot be written: exit 4 and said', repr(r))
ok(cli('credentials', 'remove', 'jar.test'), 'remove the session')
check(not os.path.exists(jar), 'its jar goes with it')
ok(cli('get', JAR_URL + '/login'), 'no session: the jar is not kept')
check(not os.path.exists(jar), 'no jar without a session credential')
server.shutdown()

# --- temporary files of a killed write are removed at start ------------------------------
fresh('stale')
ok(cli('headers', 'add', 'x-a', '1'), 'headers add')
old = time.time() - 3600


def plant(name, age=None, directory=False):
    path = os.path.join(config, name)
    if directory:
        os.mkdir(path)
    else:
        with open(path, 'w') as f:
            f.write('{"half": ')
    if age is not None:
        os.utime(path, (age, age))
    return path


ours_old = plant('credentials.json.tmpAb12Cd', old)
ours_new = plant('document.json.tmpQwErTy')
foreign = [plant('notes.txt.tmp123456', old), plant('cookies.txt.tmpabc', old),
           plant('headers.json.tmpDIRDIR', old, directory=True),
           plant('headers.json.tmp1234567', old)]
r = ok(cli('headers', 'show'), 'a command with temporary files planted')
check(not os.path.exists(ours_old) and not os.path.exists(ours_new),
      'the lock free: every temporary file of ours is removed', str(os.listdir(config)))
check(all(os.path.exists(p) for p in foreign), 'other files are left alone', str(os.listdir(config)))
check(state('headers.json') == {'X-A': '1'}, 'the state files are untouched')
ours_old = plant('history.json.tmpOLDold', old)
ours_new = plant('bookmarks.json.tmpNEWnew')
with Held():
    r = ok(cli('headers', 'show'), 'a command while another holds the lock')
    check(not os.path.exists(ours_old), 'a temporary file older than 10 min is removed anyway')
    check(os.path.exists(ours_new), 'a fresh one may be a live write: kept while the lock is held')
ok(cli('headers', 'show'), 'the next command, the lock free')
check(not os.path.exists(ours_new), 'then it is removed')

print('%d checks, %d failed' % (checks, failures))
sys.exit(1 if failures else 0)
