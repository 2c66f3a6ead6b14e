#!/usr/bin/python3
"""Secrets wiped in the tool (issue 12, section 3).

Runs the real binary (argv[1]) with tests/preload/free_scan.c (argv[2]) in
LD_PRELOAD: it wraps free() and realloc() and reports every heap block given
back to malloc with the secret in it. Each case takes a fresh random secret
of 40 characters and a fresh config directory, and runs

  credentials add DOMAIN --token-stdin / --basic USER --password-stdin /
      --digest USER --password-stdin / --value-stdin (with and without
      --auth basic) / --api-key NAME --key-stdin, in the file store and in a
      git credential helper (git credential-store),
  credentials which URL, credentials show,
  and which / show of OAuth 2.0 entries (the token in the file, and kept by
      a helper as one JSON object),

and checks that no freed block of the tool held the secret, that the
secret appears in no output, and that `which` made no request (a listening
socket on loopback is never connected to). The helper processes inherit
the variables but are not scanned (COREAPI_TEST_SECRET_PROGRAM): they hold
the secret by design. A control run (python3 freeing a block with the
secret) shows that the scan sees what it looks for.

Skipped (exit 77) in sanitizer builds: AddressSanitizer replaces malloc and
refuses to run under another preloaded allocator wrapper.
Prints one line per failed check and exits non-zero when any failed.
"""
import json
import os
import secrets
import shutil
import socket
import string
import subprocess
import sys
import tempfile
import time

BIN = os.path.abspath(sys.argv[1])
PRELOAD = sys.argv[2] if len(sys.argv) > 2 else ''
SANITIZED = os.environ.get('COREAPI_TEST_SANITIZED', '') not in ('', '0')
if SANITIZED or not PRELOAD:
    print('SKIP: the free() scan cannot run beside a sanitizer\'s allocator')
    sys.exit(77)
PRELOAD = os.path.abspath(PRELOAD)
PROGRAM = os.path.basename(BIN)
GIT = shutil.which('git')

failures = 0
checks = 0
TMP = tempfile.mkdtemp(prefix='coreapi-wipe-')


def check(cond, what, detail=''):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print('FAIL: %s%s' % (what, ('\n    ' + str(detail).replace('\n', '\n    ')) if detail else ''))
    return cond


def new_secret():
    alphabet = string.ascii_letters + string.digits
    return ''.join(secrets.choice(alphabet) for _ in range(40))


class Case:
    """A config directory and a secret; run() scans each invocation."""

    def __init__(self, name):
        self.name = name
        self.secret = new_secret()
        self.config = os.path.join(TMP, name)
        self.report = os.path.join(TMP, name + '.report')

    def run(self, *args, stdin=None, what=None, rc=0):
        what = '%s: coreapi %s' % (self.name, ' '.join(args) if what is None else what)
        env = dict(os.environ)
        env.pop('COREAPI_CONFIG_DIR', None)
        env.update({'LD_PRELOAD': PRELOAD, 'COREAPI_TEST_SECRET': self.secret,
                    'COREAPI_TEST_SECRET_REPORT': self.report,
                    'COREAPI_TEST_SECRET_PROGRAM': PROGRAM})
        if os.path.exists(self.report):
            os.unlink(self.report)
        p = subprocess.run([BIN, '--no-color', '--config-dir', self.config] + list(args),
                           input=stdin.encode() if stdin is not None else None,
                           capture_output=True, env=env, timeout=60)
        out, err = p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')
        check(p.returncode == rc, what + ': exit %d' % rc, 'exit %d\n%s%s' % (p.returncode, out, err))
        report = open(self.report).read() if os.path.exists(self.report) else ''
        check('scanned pid' in report, what + ': the scan ran', report or 'no report')
        hits = [line for line in report.splitlines() if line.startswith('hit ')]
        check(not hits, what + ': no freed block held the secret', '\n'.join(hits))
        check(self.secret not in out and self.secret not in err, what + ': the secret is not printed',
              out + err)
        return out

    def creds_text(self):
        with open(os.path.join(self.config, 'credentials.json')) as f:
            return f.read()


class Listener:
    """A socket on loopback that records whether anything connected."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def connected(self):
        try:
            conn, _ = self.sock.accept()
            conn.close()
            return True
        except BlockingIOError:
            return False


listener = Listener()
URL = 'http://127.0.0.1:%d/' % listener.port


def which_and_show(case, describes, which=None):
    out = case.run('credentials', 'which', URL)
    check((which or describes) in out, '%s: which names the credential' % case.name, out)
    out = case.run('credentials', 'show')
    check(describes in out, '%s: show lists it' % case.name, out)
    time.sleep(0.05)
    check(not listener.connected(), '%s: which made no request' % case.name)


def git_store(path, host, field, user, password):
    """Put a secret where `git credential-store --file path` finds it."""
    req = 'protocol=https\nhost=%s\npath=coreapi/%s\nusername=%s\npassword=%s\n\n' % (
        host, field, user, password)
    subprocess.run([GIT, 'credential-store', '--file', path, 'store'], input=req.encode(),
                   check=True)


# --- the control: the scan finds a secret in a block freed with it -------------------------
control = os.path.join(TMP, 'control.report')
secret = new_secret()
env = dict(os.environ, LD_PRELOAD=PRELOAD, COREAPI_TEST_SECRET=secret,
           COREAPI_TEST_SECRET_REPORT=control, COREAPI_TEST_SECRET_PROGRAM='python3')
subprocess.run(['/usr/bin/python3', '-c',
                'import sys; b = bytearray(4096); b[100:140] = sys.argv[1].encode(); del b',
                secret], env=env, check=True)
text = open(control).read() if os.path.exists(control) else ''
check(any(line.startswith('hit ') for line in text.splitlines()),
      'control: the scan finds a secret in a freed block', text)

# --- credentials add with each way of giving a secret, then which and show ------------------
DOMAIN = '127.0.0.1'
for name, args, stdin, describes in [
        ('token', ['--token-stdin'], '{s}\n', 'token (Bearer)'),
        ('token-scheme', ['--token-stdin', '--scheme', 'Token'], '{s}', 'token (Token)'),
        ('basic', ['--basic', 'alice', '--password-stdin'], '{s}\n', 'basic (user alice)'),
        ('digest', ['--digest', 'alice', '--password-stdin'], '{s}\n', 'digest'),
        ('value', ['--value-stdin'], 'Bearer {s}\n', 'header'),
        ('value-basic', ['--value-stdin', '--auth', 'basic'], 'alice:{s}\n', 'basic (user alice)'),
        ('apikey', ['--api-key', 'X-Key', '--key-stdin'], '{s}\n', 'X-Key')]:
    case = Case(name)
    out = case.run('credentials', 'add', DOMAIN, *args, stdin=stdin.format(s=case.secret),
                   what='credentials add %s %s' % (DOMAIN, ' '.join(args)))
    check(describes in out, '%s: add describes it' % name, out)
    check(case.secret in case.creds_text(), '%s: the secret is in credentials.json' % name,
          case.creds_text())
    which_and_show(case, describes)
    # Adding again replaces the entry: the old one is read, freed and written.
    case.run('credentials', 'add', DOMAIN, *args, stdin=stdin.format(s=case.secret),
             what='credentials add (again) %s' % ' '.join(args))
    case.run('credentials', 'add', 'other.test', '--token-stdin', stdin='not-the-secret\n',
             what='credentials add other.test beside it')
    which_and_show(case, describes)

# --- a git credential helper keeping the secret ----------------------------------------------
if GIT is not None:
    for name, args in [('helper-token', ['--token-stdin']),
                       ('helper-basic', ['--basic', 'alice', '--password-stdin'])]:
        case = Case(name)
        store = os.path.join(TMP, name + '.git-credentials')
        spec = 'helper:store --file ' + store
        out = case.run('credentials', 'add', DOMAIN, *args, '--store', spec,
                       stdin=case.secret + '\n', what='credentials add --store helper %s' % name)
        check(case.secret not in case.creds_text() and case.secret in open(store).read(),
              '%s: the helper keeps the secret' % name, case.creds_text())
        which_and_show(case, '(in helper: store --file %s)' % store, DOMAIN + ': ')
else:
    print('note: git not found; the helper cases are not run')

# --- OAuth 2.0 entries (written as `add --oauth2` leaves them: no server needed) -------------
FUTURE = int(time.time()) + 3600
case = Case('oauth-file')
os.makedirs(case.config, mode=0o700)
entry = {'kind': 'oauth2', 'grant': 'client-credentials', 'token_url': 'https://auth.test/token',
         'client_id': 'cid', 'client_auth': 'basic', 'client_secret': new_secret(),
         'token': {'access_token': case.secret, 'token_type': 'Bearer', 'expires_at': FUTURE}}
with open(os.path.join(case.config, 'credentials.json'), 'w') as f:
    json.dump({DOMAIN: entry}, f)
os.chmod(os.path.join(case.config, 'credentials.json'), 0o600)
which_and_show(case, 'oauth2 (client-credentials, client cid')

if GIT is not None:
    case = Case('oauth-helper')
    os.makedirs(case.config, mode=0o700)
    store = os.path.join(TMP, 'oauth.git-credentials')
    git_store(store, DOMAIN, 'oauth2', 'cid', json.dumps(
        {'client_secret': new_secret(),
         'token': {'access_token': case.secret, 'token_type': 'Bearer', 'expires_at': FUTURE}}))
    entry = {'kind': 'oauth2', 'grant': 'client-credentials',
             'token_url': 'https://auth.test/token', 'client_id': 'cid', 'client_auth': 'basic',
             'expires_at': FUTURE, 'store': 'helper:store --file ' + store}
    with open(os.path.join(case.config, 'credentials.json'), 'w') as f:
        json.dump({DOMAIN: entry}, f)
    os.chmod(os.path.join(case.config, 'credentials.json'), 0o600)
    which_and_show(case, 'oauth2 (client-credentials, client cid')

shutil.rmtree(TMP, ignore_errors=True)
print('%d checks, %d failed' % (checks, failures))
sys.exit(1 if failures else 0)
