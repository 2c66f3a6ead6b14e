#!/usr/bin/python3
"""End-to-end tests of `coreapi credentials add ... --store helper:SPEC`.

Runs the real binary (argv[1]) with the real git credential helpers of the
machine (git credential-store, git credential-cache), an absolute-path helper
script, "!" shell snippets, helpers that hang, fail or answer badly, and
sends the stored credentials to the recording redirect server's /echo (as
started by tests/integration/servers.py --redirect), which reflects the
Authorization header. Checks that the secret reaches the server and the
helper, and appears nowhere else: not in credentials.json, not in the output
or --debug output, not in any process's argv or environment.

Prints one line per failed check and exits non-zero when any failed.
"""
import base64
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import time

BIN = os.path.abspath(sys.argv[1])
TMP = os.environ['COREAPI_TEST_TMPDIR']
RP = os.environ['COREAPI_TEST_REDIRECT_HTTP_PORT']
ECHO = 'http://api.test:%s/echo' % RP
RESOLVE = ['--resolve', 'api.test:%s:127.0.0.1' % RP, '--resolve', 'a.example.com:%s:127.0.0.1' % RP]
GIT = shutil.which('git')
PY = sys.executable or '/usr/bin/python3'

failures = 0
checks = 0
config = None


def check(cond, what, detail=''):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print('FAIL: %s%s' % (what, ('\n    ' + str(detail).replace('\n', '\n    ')) if detail else ''))
    return cond


class Run:
    def __init__(self, args, stdin=None, globals_=None, timeout=60):
        argv = [BIN, '--no-color', '--config-dir', config] + (globals_ or []) + RESOLVE + args
        e = dict(os.environ)
        e.pop('COREAPI_CONFIG_DIR', None)
        t0 = time.monotonic()
        p = subprocess.run(argv, input=(stdin or '').encode(), capture_output=True, env=e,
                           timeout=timeout)
        self.seconds = time.monotonic() - t0
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
    config = os.path.join(TMP, 'cfg-' + name)
    return config


def creds_text():
    with open(os.path.join(config, 'credentials.json')) as f:
        return f.read()


def creds():
    return json.loads(creds_text())


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return None


def echo(*globals_):
    r = cli(*(list(globals_) + ['get', ECHO]))
    try:
        return r, json.loads(r.out)['headers']
    except ValueError:
        return r, {}


def basic(user, password):
    return 'Basic ' + base64.b64encode(('%s:%s' % (user, password)).encode()).decode()


def write_script(name, text):
    path = os.path.join(TMP, name)
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, 0o700)
    return path


# --- the default store: as before ---------------------------------------------------
fresh('file')
ok(cli('credentials', 'add', 'api.test', '--token-stdin', stdin='file-token-1\n'), 'file store (default)')
check(creds() == {'api.test': {'kind': 'token', 'token': 'file-token-1', 'scheme': 'Bearer'}},
      'default store: the secret in credentials.json as before', creds_text())
check(stat.S_IMODE(os.stat(os.path.join(config, 'credentials.json')).st_mode) == 0o600,
      'credentials.json mode 0600')
ok(cli('credentials', 'add', 'api.test', '--token-stdin', '--store', 'file', stdin='file-token-2\n'),
   '--store file')
check(creds() == {'api.test': {'kind': 'token', 'token': 'file-token-2', 'scheme': 'Bearer'}},
      '--store file writes what the default writes', creds_text())
r = ok(cli('credentials', 'show'), 'show (file store)')
check(r.out == 'Credentials\napi.test token (Bearer)\n', 'show (file store) unchanged', repr(r.out))
r, h = echo()
check(h.get('authorization') == 'Bearer file-token-2', 'file store: token sent', repr(r))

# --- usage errors -------------------------------------------------------------------
for store, what in (('bogus', 'unknown store'), ('helper:', 'empty helper'),
                    ('helper:!', 'empty shell snippet'), ('helper:  ', 'blank helper')):
    r = cli('credentials', 'add', 'api.test', '--token-stdin', '--store', store, stdin='x\n')
    check(r.rc == 2 and '--store' in r.err, '--store %s: exit 2 (%s)' % (store, what), repr(r))
r = cli('credentials', 'add', 'api.test', '--session', '--store', 'helper:store')
check(r.rc == 2 and 'session' in r.err, '--session with a helper store: exit 2', repr(r))
r = cli('credentials', 'add', 'api.test', '--token-stdin', '--store', stdin='x\n')
check(r.rc == 2, '--store without a value: exit 2', repr(r))
r = ok(cli('credentials', 'add', 'api.test', '--session', '--store', 'file'), '--session --store file')
r = cli('credentials', '--help')
check('--store helper:SPEC' in r.out, 'credentials --help documents --store', r.out)

# --- git credential-store --------------------------------------------------------------
fresh('git-store')
store_file = os.path.join(TMP, 'git-store.txt')
spec = 'store --file ' + store_file
r = ok(cli('credentials', 'add', 'api.test', '--basic', 'alice', '--password-stdin', '--store',
           'helper:' + spec, stdin='pw-in-git-store\n'), 'add basic to git credential-store')
check(r.out == 'Added credentials\napi.test basic (user alice) (in helper: %s)\n' % spec,
      'add says where the secret is', repr(r.out))
check('pw-in-git-store' not in r.out + r.err, 'add does not echo the password', repr(r))
check(creds() == {'api.test': {'kind': 'basic', 'username': 'alice', 'store': 'helper:' + spec}},
      'credentials.json: kind, username and store, no secret', creds_text())
check('pw-in-git-store' not in creds_text(), 'the password is not in credentials.json')
check(read(store_file) == 'https://alice:pw-in-git-store@api.test/coreapi/basic\n',
      'git credential-store file: the secret under protocol, host, path, username',
      repr(read(store_file)))
r = ok(cli('credentials', 'show'), 'show (git store)')
check(r.out == 'Credentials\napi.test basic (user alice) (in helper: %s)\n' % spec,
      'show says where the secret is', repr(r.out))
r, h = echo('--debug')
check(h.get('authorization') == basic('alice', 'pw-in-git-store'),
      'the password from credential-store reaches the server', repr(r))
check('pw-in-git-store' not in r.err and basic('alice', 'pw-in-git-store') not in r.err,
      '--debug does not show the secret', r.err)
r = ok(cli('credentials', 'which', ECHO), 'which (git store)')
check(r.out == 'api.test: basic (user alice)\n', 'which names the credential', repr(r.out))
# A second secret of the same helper, another domain (a wildcard pattern).
ok(cli('credentials', 'add', '*.example.com', '--token-stdin', '--scheme', 'Token', '--store',
       'helper:' + spec, stdin='wild-token\n'), 'add token for *.example.com')
check('https://token:wild-token@%2a.example.com/coreapi/token\n' in read(store_file),
      'the wildcard pattern is the host, the kind the path', repr(read(store_file)))
r = cli('get', 'http://a.example.com:%s/echo' % RP)
check(r.rc == 0 and json.loads(r.out)['headers'].get('authorization') == 'Token wild-token',
      'the wildcard credential is fetched and sent', repr(r))
# The pattern "*" (the first request's host) as the host.
fresh('git-store-any')
ok(cli('credentials', 'add', '*', '--token-stdin', '--store', 'helper:' + spec, stdin='any-token\n'),
   'add token for *')
check('https://token:any-token@%2a/coreapi/token\n' in read(store_file), 'host=*', read(store_file))
r, h = echo()
check(h.get('authorization') == 'Bearer any-token', 'the "*" credential is fetched and sent', repr(r))
ok(cli('credentials', 'remove', '*'), 'remove *')
check('any-token' not in read(store_file), 'remove * erases it', read(store_file))
fresh('git-store')
# A "store" that is not a string is refused, not taken for the file store.
with open(os.path.join(config, 'credentials.json')) as f:
    saved = f.read()
bad = json.dumps(dict(creds(), **{'api.test': {'kind': 'token', 'store': 5}}))
with open(os.path.join(config, 'credentials.json'), 'w') as f:
    f.write(bad)
r = cli('get', ECHO)
check(r.rc == 2 and 'the store must be' in r.err, 'a "store" that is not a string is refused',
      repr(r))
r = ok(cli('credentials', 'show'), 'show with a bad store')
check('api.test      <invalid: the store must be' in r.out, 'show marks it invalid', repr(r.out))
with open(os.path.join(config, 'credentials.json'), 'w') as f:
    f.write(saved)
# Replacing the credential: the old slot (user alice) is erased, the new one stored.
ok(cli('credentials', 'add', 'api.test', '--basic', 'bob', '--password-stdin', '--store',
       'helper:' + spec, stdin='bobs-pw\n'), 'replace alice by bob')
check('alice' not in read(store_file) and 'https://bob:bobs-pw@api.test/coreapi/basic\n' in
      read(store_file), 'the replaced secret is erased from the helper', repr(read(store_file)))
# Replaced by a file-store credential: the helper forgets the old one.
ok(cli('credentials', 'add', 'api.test', '--token-stdin', stdin='now-in-file\n'), 'replace by file store')
check('bob' not in read(store_file), 'a helper secret replaced by a file one is erased',
      repr(read(store_file)))
ok(cli('credentials', 'add', 'api.test', '--basic', 'carol', '--password-stdin', '--store',
       'helper:' + spec, stdin='carol-pw\n'), 'back to the helper')
r = ok(cli('credentials', 'remove', 'api.test'), 'remove (git store)')
check('carol' not in read(store_file), 'remove erases the secret from the helper',
      repr(read(store_file)))
check('api.test' not in creds(), 'remove removes the entry', creds_text())
os.unlink(store_file)
r = cli('get', 'http://a.example.com:%s/echo' % RP)
check(r.rc == 4 and 'credential helper "%s" (get) has no password' % spec in r.err,
      'a helper without the secret: a clear error naming it, exit 4', repr(r))

# --- git credential-cache (its daemon started by the first store, stopped here) ------------
fresh('git-cache')
sock_dir = os.path.join(TMP, 'cache-dir')
os.makedirs(sock_dir, mode=0o700, exist_ok=True)
sock = os.path.join(sock_dir, 'socket')
spec = 'cache --timeout 300 --socket ' + sock
try:
    r = ok(cli('credentials', 'add', 'api.test', '--api-key', 'X-API-Key', '--key-stdin', '--store',
               'helper:' + spec, stdin='key-in-cache\n', timeout=30), 'add API key to credential-cache')
    check(creds() == {'api.test': {'kind': 'apikey', 'name': 'X-API-Key', 'in': 'header',
                                   'store': 'helper:' + spec}},
          'credentials.json: the API key is not in it', creds_text())
    r, h = echo('--debug')
    check(h.get('x-api-key') == 'key-in-cache', 'the key from credential-cache reaches the server',
          repr(r))
    check('key-in-cache' not in r.err, '--debug does not show the key', r.err)
    p = subprocess.run([GIT, 'credential-cache', '--socket', sock, 'get'],
                       input=b'protocol=https\nhost=api.test\npath=coreapi/apikey\nusername=apikey\n',
                       capture_output=True, timeout=30)
    check(b'password=key-in-cache' in p.stdout, 'the cache holds it under the documented fields',
          p.stdout)
    ok(cli('credentials', 'remove', 'api.test', timeout=30), 'remove (cache)')
    p = subprocess.run([GIT, 'credential-cache', '--socket', sock, 'get'],
                       input=b'protocol=https\nhost=api.test\npath=coreapi/apikey\nusername=apikey\n',
                       capture_output=True, timeout=30)
    check(b'password=' not in p.stdout, 'remove erased it from the cache', p.stdout)
finally:
    subprocess.run([GIT, 'credential-cache', '--socket', sock, 'exit'], capture_output=True,
                   timeout=30)

# --- an absolute-path helper with arguments (shell quoting as git has it) ----------------
fresh('abs')
db = os.path.join(TMP, 'abs-db.json')
log = os.path.join(TMP, 'abs-log.json')
helper = write_script('abs helper.py', r'''#!%s
import json, os, sys
fds = sorted(int(x) for x in os.listdir('/proc/self/fd'))
db, log = sys.argv[2], sys.argv[3]
req = sys.stdin.read()
fields = dict(l.split('=', 1) for l in req.split('\n') if '=' in l)
key = '|'.join(fields.get(k, '') for k in ('protocol', 'host', 'path', 'username'))
entries = json.load(open(db)) if os.path.exists(db) else {}
with open(log, 'a') as f:
    f.write(json.dumps({'argv': sys.argv[1:], 'stdin': req, 'fds': fds}) + '\n')
action = sys.argv[-1]
if action == 'store':
    entries[key] = fields['password']
elif action == 'erase':
    entries.pop(key, None)
elif action == 'get' and key in entries:
    print('username=%%s' %% fields['username'])
    print('password=%%s' %% entries[key])
json.dump(entries, open(db, 'w'))
''' % PY)
# git: a SPEC starting with "/" is the command as written, parsed by the shell
# (so a space in the path is escaped, and quotes group an argument).
spec = "%s/abs\\ helper.py 'first arg' %s %s" % (TMP, db, log)
ok(cli('credentials', 'add', 'api.test', '--token-stdin', '--scheme', 'Token', '--store',
       'helper:' + spec, stdin='abs-token\n'), 'add token with an absolute-path helper')
r, h = echo()
check(h.get('authorization') == 'Token abs-token', 'the token from the custom helper is sent', repr(r))
ok(cli('credentials', 'remove', 'api.test'), 'remove (absolute helper)')
calls = [json.loads(l) for l in read(log).splitlines()]
check([c['argv'] for c in calls] == [['first arg', db, log, a] for a in ('store', 'get', 'erase')],
      'the helper is run as the shell runs "SPEC ACTION": its arguments, then the action',
      [c['argv'] for c in calls])
want = 'protocol=https\nhost=api.test\npath=coreapi/token\nusername=token\n'
check([c['stdin'] for c in calls] == [want + 'password=abs-token\n\n', want + '\n', want + '\n'],
      'the protocol fields sent for store, get, erase', [c['stdin'] for c in calls])
check(all(c['fds'] == [0, 1, 2, 3] for c in calls),
      'the helper has only stdin, stdout and stderr open (and its own listing fd)',
      [c['fds'] for c in calls])
check(json.load(open(db)) == {}, 'the custom helper was told to erase', read(db))

# --- "!" shell snippets ----------------------------------------------------------------
fresh('shell')
kept = os.path.join(TMP, 'shell-kept.txt')
spec = ('!f() { case "$1" in store) cat > %s;; get) grep ^password= %s;; erase) rm -f %s;; esac; }; f'
        % (kept, kept, kept))
ok(cli('credentials', 'add', 'api.test', 'Custom raw-header-secret', '--store', 'helper:' + spec),
   'add a raw header value with a "!" helper')
check(read(kept) == 'protocol=https\nhost=api.test\npath=coreapi/header\nusername=header\n'
      'password=Custom raw-header-secret\n\n', 'the "!" snippet got the store request',
      repr(read(kept)))
check(creds() == {'api.test': {'kind': 'header', 'store': 'helper:' + spec}},
      'credentials.json holds no header value', creds_text())
r, h = echo()
check(h.get('authorization') == 'Custom raw-header-secret', 'the header value from "!" is sent', repr(r))
r = ok(cli('credentials', 'show'), 'show (shell)')
check(r.out == 'Credentials\napi.test header (raw Authorization value) (in helper: %s)\n' % spec,
      'show names the snippet', repr(r.out))
ok(cli('credentials', 'remove', 'api.test'), 'remove (shell)')
check(read(kept) is None, 'the "!" snippet was told to erase')

# Values that could add lines of their own are refused before any helper runs.
ran = os.path.join(TMP, 'ran.txt')
spec = '!f() { echo "$1" >> %s; cat > /dev/null; }; f' % ran
r = cli('credentials', 'add', 'api.test', '--basic', 'alice\nhost=evil.test', '--password-stdin',
        '--store', 'helper:' + spec, stdin='pw\n')
check(r.rc == 2 and read(ran) is None, 'a username with a newline is refused, the helper not run',
      repr(r))
r = cli('credentials', 'add', 'api.test', '--token', 'tok\nhost=evil.test', '--store', 'helper:' + spec)
check(r.rc == 2 and read(ran) is None, 'a token with a newline is refused, the helper not run', repr(r))
r = cli('credentials', 'add', 'api.test', '--token', 'tok\rpassword=x', '--store', 'helper:' + spec)
check(r.rc == 2 and read(ran) is None, 'a token with a carriage return is refused', repr(r))
r = cli('credentials', 'add', 'api.test', '--token-stdin', '--store', 'helper:' + spec,
        stdin='tok\0host=evil.test\n')
check(r.rc == 2 and 'NUL' in r.err and read(ran) is None, 'a secret with a NUL byte is refused',
      repr(r))
r = cli('credentials', 'add', 'api.test', '--token-stdin', stdin='tok\0rest\n')
check(r.rc == 2 and 'NUL' in r.err, 'a NUL byte is refused for the file store too', repr(r))

# --- helpers that fail, answer badly, hang --------------------------------------------
fresh('fail')
r = cli('credentials', 'add', 'api.test', '--token-stdin', '--store', 'helper:!exit 3', stdin='t\n')
check(r.rc == 4 and 'credential helper "!exit 3" (store) failed with exit status 3' in r.err,
      'a failing helper at add: clear error naming it, exit 4', repr(r))
check(not os.path.exists(os.path.join(config, 'credentials.json')) or creds() == {},
      'nothing saved when the helper fails')
r = cli('credentials', 'add', 'api.test', '--token-stdin', '--store', 'helper:no-such-helper',
        stdin='t\n')
check(r.rc == 4 and 'credential helper "no-such-helper" (store) failed' in r.err,
      'a helper that does not exist: git credential-no-such-helper fails', repr(r))


def add_with_get(spec, what):
    """Store with a snippet whose get is spec's; then GET and return the run."""
    full = '!f() { if [ "$1" = get ]; then %s; else cat >/dev/null; fi; }; f' % spec
    ok(cli('credentials', 'add', 'api.test', '--token-stdin', '--store', 'helper:' + full,
           stdin='t\n'), 'add (%s)' % what)
    return full, cli('get', ECHO)


full, r = add_with_get('exit 5', 'get fails')
check(r.rc == 4 and 'credential helper "%s" (get) failed with exit status 5' % full in r.err,
      'a helper failing at get: clear error, exit 4, no request', repr(r))
full, r = add_with_get('echo username=token', 'no password')
check(r.rc == 4 and '(get) has no password for host=api.test path=coreapi/token username=token'
      in r.err, 'an answer without password=: clear error', repr(r))
full, r = add_with_get('echo not-a-key-value-line', 'garbage')
check(r.rc == 4 and 'not key=value' in r.err, 'an answer that is not key=value: clear error', repr(r))
full, r = add_with_get('head -c 100000 /dev/zero | tr "\\\\0" a', 'huge answer')
check(r.rc == 4 and 'more than 65536 bytes' in r.err, 'an answer over 64 KiB: refused', repr(r))
full, r = add_with_get('printf "password=crlf-ok\\\\r\\\\n\\\\r\\\\npassword=ignored\\\\n"', 'CRLF')
check(r.rc == 0 and json.loads(r.out)['headers'].get('authorization') == 'Bearer crlf-ok',
      'an answer with CRLF lines ends at its blank line, as git reads it', repr(r))
r = ok(cli('credentials', 'remove', 'api.test'), 'remove')

# A helper that hangs at get: stopped after 10 s with its process group.
pidfile = os.path.join(TMP, 'hang.pid')
full, r = add_with_get('echo $$ > %s; sleep 120 & wait' % pidfile, 'hangs')
check(r.rc == 4 and 'credential helper "%s..." (get) did not finish within 10 s' % full[:80] in r.err,
      'a hanging helper: a clear error naming it, exit 4', repr(r))
check(9 <= r.seconds < 20, 'the time limit is 10 s', r.seconds)
# SIGKILL is delivered asynchronously: give the kernel a moment to finish them.
# Only the helper's own processes count: those of its process group (the
# shell's pid, which it wrote to pidfile), not any "sleep 120" elsewhere on
# the machine (a shell waiting on this very run once failed the check).
with open(pidfile) as f:
    helper_pgid = f.read().strip()
for _ in range(50):
    out = subprocess.run(['ps', '-eo', 'pid,pgid,stat,args'], capture_output=True).stdout.decode()
    alive = [l for l in out.splitlines()[1:]
             if len(l.split()) > 2 and l.split()[1] == helper_pgid and not l.split()[2].startswith('Z')]
    if not alive:
        break
    time.sleep(0.1)
check(helper_pgid.isdigit(), 'the hanging helper wrote its pid', helper_pgid)
check(not alive, 'the hanging helper and its children were killed', out)
# A helper that hangs at store, with the same limit.
r = cli('credentials', 'add', 'other.test', '--token-stdin', '--store', 'helper:!sleep 100;:',
        stdin='t\n')
check(r.rc == 4 and 'credential helper "!sleep 100;:" (store) did not finish' in r.err,
      'a helper hanging at store: clear error', repr(r))
check('other.test' not in creds(), 'nothing saved when the helper hangs', creds_text())
# A helper failing at erase: the entry goes, the error says the secret stayed.
ok(cli('credentials', 'add', 'api.test', '--token-stdin', '--store',
       'helper:!f() { [ "$1" = erase ] && exit 7; cat >/dev/null; }; f', stdin='t\n'), 'add (erase fails)')
r = cli('credentials', 'remove', 'api.test')
check(r.rc == 4 and 'api.test' not in creds() and 'could not be erased' in r.err
      and 'exit status 7' in r.err, 'erase failing: entry removed, clear error, exit 4', repr(r))

# --- the secret is in no process's argv or environment while a slow helper runs -------------
fresh('ps')
slow_db = os.path.join(TMP, 'slow.txt')
slow = write_script('slow-helper.sh', '''#!/bin/sh
case "$1" in
store) grep ^password= > %s ;;
get) sleep 2; cat %s ;;
erase) rm -f %s ;;
esac
''' % (slow_db, slow_db, slow_db))
secret = 'ps-secret-4bd1e9'
ok(cli('credentials', 'add', 'api.test', '--token-stdin', '--store', 'helper:' + slow,
       stdin=secret + '\n'), 'add with a slow helper')
seen = []


def watch(stop):
    while not stop.is_set():
        for pid in os.listdir('/proc'):
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            for what in ('cmdline', 'environ'):
                try:
                    with open('/proc/%s/%s' % (pid, what), 'rb') as f:
                        data = f.read()
                except OSError:
                    continue
                if secret.encode() in data:
                    seen.append((pid, what, data[:200]))
                if what == 'cmdline' and b'slow-helper.sh' in data:
                    seen.append(('helper-seen', pid, data))
        ps = subprocess.run(['ps', '-eww', '-o', 'pid,args'], capture_output=True).stdout
        if secret.encode() in ps:
            seen.append(('ps', 'args', ps))
        if b'slow-helper.sh get' in ps:
            seen.append(('helper-seen', 'ps', b''))
        time.sleep(0.05)


stop = threading.Event()
t = threading.Thread(target=watch, args=(stop,))
t.start()
r, h = echo('--debug')
stop.set()
t.join()
check(h.get('authorization') == 'Bearer ' + secret, 'the slow helper\'s secret is sent', repr(r))
check(any(s[:2] == ('helper-seen', 'ps') for s in seen), 'ps saw the helper running', seen)
check(not [s for s in seen if s[0] != 'helper-seen'],
      'the secret is in no argv or environment while the helper runs', seen)
check(secret not in r.err and secret not in creds_text(), 'nor in --debug output or credentials.json')

print('%d checks, %d failed' % (checks, failures))
sys.exit(1 if failures else 0)
