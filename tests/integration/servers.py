#!/usr/bin/python3
"""Start real test servers on loopback, run a command, stop the servers.

Usage:
    /usr/bin/python3 tests/integration/servers.py [--django] [--nginx] \\
        [--redirect] [--hostile] [--fastapi] [--device] [--apache] \\
        [--oauth-expire N] -- CMD [ARGS...]

Run it with Debian's Python (/usr/bin/python3), which has Django and Django
REST framework (and, for --fastapi, FastAPI and uvicorn). See
tests/integration/README.md for the servers and the exported variables.

The exit status is CMD's exit status (128+N if CMD died of signal N), or
non-zero if a server could not be started. Every server is stopped and the
private temporary directory removed in all cases (CMD failure, exceptions,
SIGINT, SIGTERM, SIGHUP).
"""
import argparse
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
EXAMPLE_API = os.path.join(REPO, 'examples', 'api')
MANAGE_PY = os.path.join(EXAMPLE_API, 'manage.py')
REDIRECT_SERVER = os.path.join(HERE, 'redirect_server.py')
HOSTILE_SERVER = os.path.join(HERE, 'hostile_server.py')
FASTAPI_APP = os.path.join(HERE, 'fastapi_app.py')
DEVICE_SERVER = os.path.join(HERE, 'device_server.py')
APACHE_CONF_TEMPLATE = os.path.join(HERE, 'apache', 'httpd.conf.in')

# The interpreter for Django and the redirect server: the one running this
# script (it must have Django + DRF; on Debian that is /usr/bin/python3).
PYTHON = (os.environ.get('COREAPI_TEST_PYTHON') or sys.executable
          or '/usr/bin/python3')
NGINX = os.environ.get('COREAPI_TEST_NGINX_BIN') or (
    '/usr/sbin/nginx' if os.path.exists('/usr/sbin/nginx')
    else shutil.which('nginx') or 'nginx')
OPENSSL = shutil.which('openssl') or '/usr/bin/openssl'
APACHE = os.environ.get('COREAPI_TEST_APACHE_BIN') or (
    '/usr/sbin/apache2' if os.path.exists('/usr/sbin/apache2')
    else shutil.which('apache2') or shutil.which('httpd') or 'apache2')
APACHE_MODULES = os.environ.get('COREAPI_TEST_APACHE_MODULES') or '/usr/lib/apache2/modules'

STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0

USER = 'alice'
PASSWORD = 'wonderland'
USER2 = 'j\u00fcrgen'           # jürgen
PASSWORD2 = 'p\u00e4ssw\u00f6rd'  # pässwörd

# HTTP Digest at the Apache server (--apache).
DIGEST_REALM = 'coreapi digest'
DIGEST_USER = 'digestuser'
DIGEST_PASSWORD = 'dig3st-pass'
DIGEST_BODY = 'digest ok'
OPEN_BODY = 'open ok'

# Access tokens of the example API's OAuth 2.0 server (--django), seconds.
OAUTH_EXPIRE_DEFAULT = 3600

SAN = ('DNS:api.test,DNS:other.test,DNS:evil.test,DNS:localhost,'
       'IP:127.0.0.1')


def note(msg):
    sys.stderr.write('servers.py: %s\n' % msg)
    sys.stderr.flush()


class HarnessError(Exception):
    pass


class Interrupted(BaseException):
    """Raised from the signal handler; BaseException so nothing swallows it."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum, frame):
    raise Interrupted(signum)


HANDLED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class signals_deferred:
    """Block our signals while a child is spawned and recorded, so that an
    interruption can never leave a started but unrecorded process behind.
    A signal arriving meanwhile is delivered when the block ends."""

    def __enter__(self):
        self.old = signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED_SIGNALS)

    def __exit__(self, *exc):
        signal.pthread_sigmask(signal.SIG_SETMASK, self.old)
        return False


def _unblock_signals():
    signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED_SIGNALS)


def _prctl(option, arg):
    """Linux prctl(2), best effort (ctypes, stdlib only)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, arg, 0, 0, 0) == 0
    except Exception:
        return False


PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def _child_setup():
    """In a server child before exec: unblock signals (see signals_deferred)
    and die with the harness even if the harness is SIGKILLed."""
    _unblock_signals()
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _cmd_setup():
    """In the CMD child before exec: own process group (so that it and
    everything it starts can be signalled as a group), unblocked signals,
    SIGTERM if the harness dies."""
    _unblock_signals()
    os.setpgid(0, 0)
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _killpg(pgid, sig):
    try:
        os.killpg(pgid, sig)
        return True
    except ProcessLookupError:
        return False


def stop_cmd(child, sig):
    """Stop CMD (if still running) and anything left in its process group."""
    if child.poll() is None:
        if not _killpg(child.pid, sig):
            child.send_signal(sig)
        try:
            child.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            _killpg(child.pid, signal.SIGKILL)
            child.wait()
    # Leftovers (background jobs of the test). As orphans they are
    # reparented to us (child subreaper) and reap_orphans() finishes them.
    _killpg(child.pid, signal.SIGTERM)


def _our_children():
    """[(pid, state)] of all current children of this process (/proc scan)."""
    me = os.getpid()
    kids = []
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % name) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(')') + 2:].split()
        if len(fields) > 1 and int(fields[1]) == me:
            kids.append((int(name), fields[0]))
    return kids


def _reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def reap_orphans():
    """Terminate and reap any process still our child: descendants of CMD
    or of a server that were orphaned and reparented to us (we are a child
    subreaper). Runs after all Popen objects have been waited for."""
    if not os.path.isdir('/proc'):
        return
    for sig in (signal.SIGTERM, signal.SIGKILL, signal.SIGKILL):
        _reap()
        live = [pid for pid, state in _our_children() if state != 'Z']
        if not live:
            break
        note('stopping %d leftover process(es): %s'
             % (len(live), ' '.join(map(str, live))))
        for pid in live:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            _reap()
            if not [p for p, st in _our_children() if st != 'Z']:
                break
            time.sleep(0.05)
    _reap()


def free_ports(n):
    """n distinct free TCP ports on 127.0.0.1 (all held open while picking)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(('127.0.0.1', 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class Proc:
    """A server process we started, with its output in a log file."""

    def __init__(self, procs, name, argv, tmpdir, env=None, cwd=None,
                 extra_logs=(), preexec_fn=None):
        self.name = name
        self.dumped = False
        self.extra_logs = list(extra_logs)
        self.log_path = os.path.join(tmpdir, '%s.log' % name)
        self.log = open(self.log_path, 'wb')
        with signals_deferred():
            self.popen = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=self.log,
                stderr=subprocess.STDOUT, env=env, cwd=cwd,
                start_new_session=True, preexec_fn=preexec_fn or _child_setup)
            procs.append(self)

    def alive(self):
        return self.popen.poll() is None

    def stop(self):
        p = self.popen
        if p.poll() is None:
            # Our own child is the leader of its own session/process group:
            # signal that group only (catches anything it may have forked).
            for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT),
                              (signal.SIGKILL, STOP_TIMEOUT)):
                try:
                    os.killpg(p.pid, sig)
                except ProcessLookupError:
                    pass
                except PermissionError:
                    p.send_signal(sig)
                try:
                    p.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        else:
            # The leader is gone; make sure no stray group member survives.
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.log.close()
        except OSError:
            pass

    def dump_log(self):
        """Copy the server's log file(s) to stderr (once)."""
        if self.dumped:
            return
        self.dumped = True
        for path in [self.log_path] + self.extra_logs:
            text = _read(path)
            if text and not text.endswith('\n'):
                text += '\n'
            sys.stderr.write('----- %s: %s -----\n%s----- end of %s -----\n'
                             % (self.name, path, text, os.path.basename(path)))
        sys.stderr.flush()


def run_quiet(argv, what, preexec_fn=None, **kw):
    """Run a setup command; on failure raise with its output."""
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, preexec_fn=preexec_fn or _child_setup,
                       **kw)
    if r.returncode != 0:
        raise HarnessError('%s failed (exit %d):\n%s' % (
            what, r.returncode, r.stdout.decode('utf-8', 'replace')))
    return r


# --- readiness probes ---------------------------------------------------------

def _http_probe(port, path, tls_ctx=None, server_hostname=None):
    """True if an HTTP response status line comes back."""
    with socket.create_connection(('127.0.0.1', port), timeout=2) as raw:
        sock = raw
        if tls_ctx is not None:
            sock = tls_ctx.wrap_socket(raw, server_hostname=server_hostname)
        try:
            host = server_hostname or '127.0.0.1'
            sock.sendall(('GET %s HTTP/1.1\r\nHost: %s:%d\r\n'
                          'Connection: close\r\n\r\n'
                          % (path, host, port)).encode('ascii'))
            data = b''
            while b'\r\n' not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
            return data.startswith(b'HTTP/1.')
        finally:
            if sock is not raw:
                sock.close()


def wait_ready(proc, probes):
    """Poll until every probe() is true; raise (with the log) on timeout."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    pending = list(probes)
    last_error = None
    while pending:
        if not proc.alive():
            proc.dump_log()
            raise HarnessError('%s exited early with status %s'
                               % (proc.name, proc.popen.returncode))
        probe = pending[0]
        try:
            if probe():
                pending.pop(0)
                continue
        except (OSError, ssl.SSLError) as exc:
            last_error = exc
        if time.monotonic() > deadline:
            proc.dump_log()
            raise HarnessError('%s did not answer within %g s (last error: %s)'
                               % (proc.name, STARTUP_TIMEOUT, last_error))
        time.sleep(0.1)


# --- certificates -------------------------------------------------------------

def make_certs(tmpdir):
    """A throw-away CA and a server certificate signed by it (openssl CLI)."""
    d = os.path.join(tmpdir, 'tls')
    os.mkdir(d, 0o700)
    p = lambda name: os.path.join(d, name)

    with open(p('ca.cnf'), 'w') as f:
        f.write('[req]\n'
                'distinguished_name = dn\n'
                'prompt = no\n'
                'x509_extensions = v3_ca\n'
                '[dn]\n'
                'CN = libcoreapi throw-away test CA\n'
                '[v3_ca]\n'
                'basicConstraints = critical, CA:TRUE\n'
                'keyUsage = critical, keyCertSign, cRLSign\n'
                'subjectKeyIdentifier = hash\n'
                'authorityKeyIdentifier = keyid:always\n')
    with open(p('server.cnf'), 'w') as f:
        f.write('[req]\n'
                'distinguished_name = dn\n'
                'prompt = no\n'
                '[dn]\n'
                'CN = api.test\n')
    with open(p('server.ext'), 'w') as f:
        f.write('basicConstraints = critical, CA:FALSE\n'
                'keyUsage = critical, digitalSignature, keyEncipherment\n'
                'extendedKeyUsage = serverAuth\n'
                'subjectAltName = %s\n'
                'subjectKeyIdentifier = hash\n'
                'authorityKeyIdentifier = keyid, issuer\n' % SAN)

    env = dict(os.environ, OPENSSL_CONF=p('ca.cnf'))
    run_quiet([OPENSSL, 'req', '-x509', '-config', p('ca.cnf'),
               '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
               '-keyout', p('ca.key'), '-out', p('ca.pem')],
              'openssl (CA)', env=env)
    run_quiet([OPENSSL, 'req', '-new', '-config', p('server.cnf'),
               '-newkey', 'rsa:2048', '-nodes', '-sha256',
               '-keyout', p('server.key'), '-out', p('server.csr')],
              'openssl (server key/CSR)', env=env)
    run_quiet([OPENSSL, 'x509', '-req', '-in', p('server.csr'),
               '-CA', p('ca.pem'), '-CAkey', p('ca.key'),
               '-set_serial', '0x%x' % int.from_bytes(os.urandom(8), 'big'),
               '-sha256', '-days', '2', '-extfile', p('server.ext'),
               '-out', p('server.pem')],
              'openssl (sign server cert)', env=env)
    return {'ca': p('ca.pem'), 'cert': p('server.pem'), 'key': p('server.key')}


def make_client_certs(tmpdir):
    """A client certificate signed by make_certs' CA (mutual TLS), and a
    second private key that does not go with it."""
    d = os.path.join(tmpdir, 'tls')
    p = lambda name: os.path.join(d, name)
    with open(p('client.cnf'), 'w') as f:
        f.write('[req]\n'
                'distinguished_name = dn\n'
                'prompt = no\n'
                '[dn]\n'
                'CN = coreapi test client\n')
    with open(p('client.ext'), 'w') as f:
        f.write('basicConstraints = critical, CA:FALSE\n'
                'keyUsage = critical, digitalSignature\n'
                'extendedKeyUsage = clientAuth\n'
                'subjectKeyIdentifier = hash\n'
                'authorityKeyIdentifier = keyid, issuer\n')
    env = dict(os.environ, OPENSSL_CONF=p('ca.cnf'))
    run_quiet([OPENSSL, 'req', '-new', '-config', p('client.cnf'),
               '-newkey', 'rsa:2048', '-nodes', '-sha256',
               '-keyout', p('client.key'), '-out', p('client.csr')],
              'openssl (client key/CSR)', env=env)
    run_quiet([OPENSSL, 'x509', '-req', '-in', p('client.csr'),
               '-CA', p('ca.pem'), '-CAkey', p('ca.key'),
               '-set_serial', '0x%x' % int.from_bytes(os.urandom(8), 'big'),
               '-sha256', '-days', '2', '-extfile', p('client.ext'),
               '-out', p('client.pem')],
              'openssl (sign client cert)', env=env)
    run_quiet([OPENSSL, 'genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048',
               '-out', p('client-other.key')], 'openssl (another key)', env=env)
    return {'client_cert': p('client.pem'), 'client_key': p('client.key'),
            'client_other_key': p('client-other.key')}


# --- the servers --------------------------------------------------------------

def django_env(tmpdir, oauth_expire=OAUTH_EXPIRE_DEFAULT):
    env = dict(os.environ)
    env['COREAPI_TEST_OAUTH_EXPIRE'] = str(oauth_expire)
    env['COREAPI_EXAMPLE_DB'] = os.path.join(tmpdir, 'example.sqlite3')
    env['COREAPI_EXAMPLE_MEDIA'] = os.path.join(tmpdir, 'media')
    env['DJANGO_SETTINGS_MODULE'] = 'exampleapi.settings'
    env['PYTHONUNBUFFERED'] = '1'
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    env['PYTHONIOENCODING'] = 'utf-8'
    env.pop('PYTHONPATH', None)
    env.pop('PYTHONHOME', None)
    return env


OAUTH_MARKER = 'COREAPI-OAUTH-APPLICATIONS='

CREATE_USERS = r'''
import json
from django.conf import settings
from django.contrib.auth import get_user_model
from library.seed import create_books, create_oauth_applications
User = get_user_model()
for name, password in ((%r, %r), (%r, %r)):
    User.objects.create_user(name, password=password)
owner = User.objects.get(username=%r)
create_books(owner)
if settings.OAUTH2:
    print(%r + json.dumps(create_oauth_applications(owner)))
''' % (USER, PASSWORD, USER2, PASSWORD2, USER, OAUTH_MARKER)


def start_django(tmpdir, procs, oauth_expire=OAUTH_EXPIRE_DEFAULT):
    """Django on a fresh database; (port, {KEY: {"id", "secret"}} of the
    seeded OAuth 2.0 clients, empty without django-oauth-toolkit)."""
    env = django_env(tmpdir, oauth_expire)
    run_quiet([PYTHON, MANAGE_PY, 'migrate', '--noinput', '-v', '0'],
              'manage.py migrate', env=env, cwd=EXAMPLE_API)
    # ASCII-only source (\u escapes via %r) so no locale can garble it.
    r = run_quiet([PYTHON, MANAGE_PY, 'shell', '-c', CREATE_USERS],
                  'creating users', env=env, cwd=EXAMPLE_API)
    oauth_apps = {}
    for line in r.stdout.decode('utf-8', 'replace').splitlines():
        if line.startswith(OAUTH_MARKER):
            oauth_apps = json.loads(line[len(OAUTH_MARKER):])
    port, = free_ports(1)
    proc = Proc(procs, 'django', [PYTHON, MANAGE_PY, 'runserver', '--noreload',
                           '127.0.0.1:%d' % port],
                tmpdir, env=env, cwd=EXAMPLE_API)
    wait_ready(proc, [lambda: _http_probe(port, '/')])
    return port, oauth_apps


NGINX_CONF = '''\
# Generated by tests/integration/servers.py; runs as
#   nginx -c THIS -p TMPDIR -g 'daemon off; master_process off;'
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;

events {{
    worker_connections 512;
}}

http {{
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/nginx-temp/client_body;
    proxy_temp_path {tmp}/nginx-temp/proxy;
    fastcgi_temp_path {tmp}/nginx-temp/fastcgi;
    uwsgi_temp_path {tmp}/nginx-temp/uwsgi;
    scgi_temp_path {tmp}/nginx-temp/scgi;

    client_max_body_size 64m;
    server_tokens off;

    upstream django {{
        server 127.0.0.1:{django_port};
        keepalive 16;
    }}

    server {{
        listen 127.0.0.1:{port} ssl http2;
        server_name _;

        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;

        location / {{
            proxy_pass http://django;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto https;
            proxy_read_timeout 120s;
        }}
    }}

    # Mutual TLS (COREAPI_TEST_NGINX_MTLS_PORT): api.test requires a client
    # certificate issued by the test CA (400 "No required SSL certificate
    # was sent" without one) and says whose; /to-other redirects to
    # other.test on the same port, which asks for one without requiring it
    # and says what it got ("other NONE " when none was presented).
    server {{
        listen 127.0.0.1:{mtls_port} ssl;
        server_name api.test;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_client_certificate {ca};
        ssl_verify_client on;
        default_type text/plain;
        location = /to-other {{
            return 302 https://other.test:{mtls_port}/whoami;
        }}
        location / {{
            return 200 "verified $ssl_client_verify $ssl_client_s_dn\n";
        }}
    }}

    server {{
        listen 127.0.0.1:{mtls_port} ssl;
        server_name other.test;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_client_certificate {ca};
        ssl_verify_client optional;
        default_type text/plain;
        location / {{
            return 200 "other $ssl_client_verify $ssl_client_s_dn\n";
        }}
    }}
}}
'''


def start_nginx(tmpdir, procs, certs, django_port):
    """nginx in front of Django on one port, and the mutual TLS listener on
    another: (port, mtls_port)."""
    port, mtls_port = free_ports(2)
    os.mkdir(os.path.join(tmpdir, 'nginx-temp'), 0o700)
    conf = os.path.join(tmpdir, 'nginx.conf')
    with open(conf, 'w') as f:
        f.write(NGINX_CONF.format(tmp=tmpdir, port=port, django_port=django_port,
                                  cert=certs['cert'], key=certs['key'],
                                  mtls_port=mtls_port, ca=certs['ca']))
    argv = [NGINX, '-c', conf, '-p', tmpdir + '/',
            '-e', os.path.join(tmpdir, 'nginx-error.log'),
            '-g', 'daemon off; master_process off;']
    run_quiet(argv + ['-t', '-q'], 'nginx -t')
    proc = Proc(procs, 'nginx', argv, tmpdir,
                extra_logs=[os.path.join(tmpdir, 'nginx-error.log')])
    ctx = ssl.create_default_context(cafile=certs['ca'])
    mtls = ssl.create_default_context(cafile=certs['ca'])
    mtls.load_cert_chain(certs['client_cert'], certs['client_key'])
    wait_ready(proc, [lambda: _http_probe(port, '/', ctx, 'api.test'),
                      lambda: _http_probe(mtls_port, '/', mtls, 'api.test')])
    return port, mtls_port


def start_redirect(tmpdir, procs, certs):
    http_port, http2_port, https_port = free_ports(3)
    env = dict(os.environ, PYTHONUNBUFFERED='1', PYTHONDONTWRITEBYTECODE='1')
    proc = Proc(procs, 'redirect', [PYTHON, REDIRECT_SERVER,
                             '--http-port', str(http_port),
                             '--http2-port', str(http2_port),
                             '--https-port', str(https_port),
                             '--cert', certs['cert'], '--key', certs['key']],
                tmpdir, env=env)
    ctx = ssl.create_default_context(cafile=certs['ca'])
    wait_ready(proc, [
        lambda: _http_probe(http_port, '/__log'),
        lambda: _http_probe(http2_port, '/__log'),
        lambda: _http_probe(https_port, '/__log', ctx, 'api.test'),
    ])
    return http_port, http2_port, https_port


def start_hostile(tmpdir, procs):
    port, = free_ports(1)
    env = dict(os.environ, PYTHONUNBUFFERED='1', PYTHONDONTWRITEBYTECODE='1')
    proc = Proc(procs, 'hostile', [PYTHON, HOSTILE_SERVER, '--port', str(port)],
                tmpdir, env=env)
    wait_ready(proc, [lambda: _http_probe(port, '/__ready')])
    return port


def start_fastapi(tmpdir, procs, key):
    """fastapi_app.py under uvicorn; ready once its description answers."""
    port, = free_ports(1)
    env = dict(os.environ, PYTHONUNBUFFERED='1', PYTHONDONTWRITEBYTECODE='1',
               COREAPI_TEST_FASTAPI_KEY=key)
    proc = Proc(procs, 'fastapi', [PYTHON, FASTAPI_APP, '--port', str(port)],
                tmpdir, env=env)
    wait_ready(proc, [lambda: _http_probe(port, '/openapi.json')])
    return port


def start_device(tmpdir, procs):
    """device_server.py (RFC 8628, scripted); its port."""
    port, = free_ports(1)
    env = dict(os.environ, PYTHONUNBUFFERED='1', PYTHONDONTWRITEBYTECODE='1')
    proc = Proc(procs, 'device', [PYTHON, DEVICE_SERVER, '--port', str(port)],
                tmpdir, env=env)
    wait_ready(proc, [lambda: _http_probe(port, '/__ready')])
    return port


def _unprivileged_identity():
    """(uid, gid) of nobody, for Apache when the harness is root."""
    import pwd
    try:
        pw = pwd.getpwnam('nobody')
        return pw.pw_uid, pw.pw_gid
    except KeyError:
        return 65534, 65534


def _htdigest_line(user, realm, password):
    """A line of an htdigest file: user:realm:MD5(user:realm:password)."""
    import hashlib
    ha1 = hashlib.md5(('%s:%s:%s' % (user, realm, password)).encode('utf-8'))
    return '%s:%s:%s\n' % (user, realm, ha1.hexdigest())


def start_apache(tmpdir, procs, cleanup_dirs, other_url):
    """Apache httpd with mod_auth_digest in the foreground (apache2 -X) on a
    config generated from tests/integration/apache/httpd.conf.in; its port.

    Apache always runs unprivileged. Not root: as us, everything in
    tmpdir/apache. Root: as nobody, switched to before exec (had Apache
    dropped root itself, the kernel would have cleared the parent-death
    signal that stops it when the harness is SIGKILLed), everything in a
    private directory of its own owned by nobody, since nobody cannot enter
    the 0700 tmpdir; it is removed at exit like tmpdir."""
    if not os.path.exists(APACHE_CONF_TEMPLATE):
        raise HarnessError('missing %s' % APACHE_CONF_TEMPLATE)
    port, = free_ports(1)
    root = os.geteuid() == 0
    if root:
        uid, gid = _unprivileged_identity()
        d = os.path.realpath(tempfile.mkdtemp(prefix='coreapi-apache-'))
        cleanup_dirs.append(d)
    else:
        d = os.path.join(tmpdir, 'apache')
        os.mkdir(d, 0o700)
    for sub in ('run', 'htdocs', 'htdocs/digest-md5', 'htdocs/open'):
        os.mkdir(os.path.join(d, sub), 0o700)
    with open(APACHE_CONF_TEMPLATE, encoding='utf-8') as f:
        conf_text = f.read()
    for key, value in (('DIR', d), ('MODULES', APACHE_MODULES), ('PORT', str(port)),
                       ('OTHER_URL', other_url)):
        conf_text = conf_text.replace('@%s@' % key, value)
    files = {
        'apache.conf': conf_text,
        'mime.types': '# empty: every document is text/plain (ForceType)\n',
        'htdigest': _htdigest_line(DIGEST_USER, DIGEST_REALM, DIGEST_PASSWORD),
        'htdocs/digest-md5/index.txt': DIGEST_BODY,
        'htdocs/open/index.txt': OPEN_BODY,
    }
    for name, text in files.items():
        with open(os.path.join(d, name), 'w', encoding='utf-8') as f:
            f.write(text)
    if root:
        for top, dirs, names in os.walk(d):
            for name in [top] + [os.path.join(top, n) for n in dirs + names]:
                os.chown(name, uid, gid)

        def setup():
            _unblock_signals()
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            # After the switch: a credential change clears it.
            _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    else:
        setup = _child_setup
    argv = [APACHE, '-f', os.path.join(d, 'apache.conf'), '-d', d]
    # No APACHE_* variables of a system instance; LANG=C.
    env = {k: v for k, v in os.environ.items() if not k.startswith('APACHE_')}
    env['LANG'] = 'C'
    try:
        run_quiet(argv + ['-t'], 'apache2 -t', preexec_fn=setup, env=env, cwd=d)
    except (OSError, subprocess.SubprocessError) as exc:
        raise HarnessError('cannot run %s: %s (install apache2-bin)' % (APACHE, exc))
    # -X: one process in the foreground, serving with its threads; our child.
    proc = Proc(procs, 'apache', argv + ['-X'], tmpdir, env=env, cwd=d,
                extra_logs=[os.path.join(d, 'error.log')], preexec_fn=setup)
    wait_ready(proc, [lambda: _http_probe(port, '/open/')])
    return port


def _read(path):
    try:
        with open(path, 'rb') as f:
            return f.read().decode('utf-8', 'replace')
    except OSError:
        return ''


# --- main ---------------------------------------------------------------------

def parse_args(argv):
    if '--' not in argv:
        raise SystemExit('usage: servers.py [--django] [--nginx] [--redirect]'
                         ' [--hostile] [--fastapi] [--device] [--apache]'
                         ' [--oauth-expire N] -- CMD [ARGS...]')
    i = argv.index('--')
    opts, cmd = argv[:i], argv[i + 1:]
    parser = argparse.ArgumentParser(
        prog='servers.py',
        usage='%(prog)s [--django] [--nginx] [--redirect] [--hostile] [--fastapi]'
              ' [--device] [--apache] [--oauth-expire N] -- CMD [ARGS...]')
    parser.add_argument('--django', action='store_true',
                        help='the example Django REST framework API (http)')
    parser.add_argument('--nginx', action='store_true',
                        help='TLS nginx in front of Django (implies --django)')
    parser.add_argument('--redirect', action='store_true',
                        help='the scripted recording server (http, http2, https)')
    parser.add_argument('--hostile', action='store_true',
                        help='the hostile server: gzip bombs, oversized bodies (http)')
    parser.add_argument('--fastapi', action='store_true',
                        help='the FastAPI items service (fastapi_app.py, uvicorn, http)')
    parser.add_argument('--device', action='store_true',
                        help='the scripted OAuth 2.0 device authorization server (http)')
    parser.add_argument('--apache', action='store_true',
                        help='Apache httpd with mod_auth_digest (http)')
    parser.add_argument('--oauth-expire', type=int, default=OAUTH_EXPIRE_DEFAULT,
                        metavar='N',
                        help='lifetime of the example API\'s OAuth 2.0 access '
                             'tokens, seconds (default %(default)s)')
    args = parser.parse_args(opts)
    if args.oauth_expire < 1:
        parser.error('--oauth-expire must be at least 1')
    if not cmd:
        parser.error('missing CMD after --')
    if args.nginx:
        args.django = True
    return args, cmd


def main(argv):
    args, cmd = parse_args(argv)

    for sig in HANDLED_SIGNALS:
        signal.signal(sig, _on_signal)

    # Orphaned descendants (e.g. background jobs of CMD) become our children,
    # so that reap_orphans() can find and stop them.
    _prctl(PR_SET_CHILD_SUBREAPER, 1)

    procs = []
    child = None
    stop_signal = signal.SIGTERM
    tmpdir = None
    cleanup_dirs = []  # more private directories to remove (Apache as root)
    status = 1
    failed = True  # CMD or the harness failed: show the server logs
    try:
        tmpdir = os.path.realpath(tempfile.mkdtemp(prefix='coreapi-test-'))
        os.chmod(tmpdir, 0o700)
        env = {'COREAPI_TEST_TMPDIR': tmpdir}
        certs = None
        if args.nginx or args.redirect:
            certs = make_certs(tmpdir)
            env['COREAPI_TEST_CA'] = certs['ca']
        if args.django:
            django_port, oauth_apps = start_django(tmpdir, procs, args.oauth_expire)
            env.update({
                'COREAPI_TEST_DJANGO_PORT': str(django_port),
                'COREAPI_TEST_USER': USER,
                'COREAPI_TEST_PASSWORD': PASSWORD,
                'COREAPI_TEST_USER2': USER2,
                'COREAPI_TEST_PASSWORD2': PASSWORD2,
            })
            if oauth_apps:
                env['COREAPI_TEST_OAUTH_EXPIRE'] = str(args.oauth_expire)
                for key, app in sorted(oauth_apps.items()):
                    env['COREAPI_TEST_OAUTH_%s_ID' % key] = app['id']
                    if app['secret']:
                        env['COREAPI_TEST_OAUTH_%s_SECRET' % key] = app['secret']
        if args.nginx:
            certs.update(make_client_certs(tmpdir))
            env['COREAPI_TEST_CLIENT_CERT'] = certs['client_cert']
            env['COREAPI_TEST_CLIENT_KEY'] = certs['client_key']
            env['COREAPI_TEST_CLIENT_OTHER_KEY'] = certs['client_other_key']
            nginx_port, mtls_port = start_nginx(tmpdir, procs, certs, django_port)
            env['COREAPI_TEST_NGINX_PORT'] = str(nginx_port)
            env['COREAPI_TEST_NGINX_MTLS_PORT'] = str(mtls_port)
        if args.redirect:
            ports = start_redirect(tmpdir, procs, certs)
            env['COREAPI_TEST_REDIRECT_HTTP_PORT'] = str(ports[0])
            env['COREAPI_TEST_REDIRECT_HTTP2_PORT'] = str(ports[1])
            env['COREAPI_TEST_REDIRECT_HTTPS_PORT'] = str(ports[2])
        if args.hostile:
            env['COREAPI_TEST_HOSTILE_URL'] = (
                'http://127.0.0.1:%d' % start_hostile(tmpdir, procs))
        if args.fastapi:
            key = os.urandom(16).hex()
            env['COREAPI_TEST_FASTAPI_PORT'] = str(start_fastapi(tmpdir, procs, key))
            env['COREAPI_TEST_FASTAPI_KEY'] = key
        if args.device:
            env['COREAPI_TEST_DEVICE_PORT'] = str(start_device(tmpdir, procs))
        if args.apache:
            # Port 9 (discard) when there is no redirect server to go to.
            other = 'http://other.test:%s/echo' % (
                env.get('COREAPI_TEST_REDIRECT_HTTP_PORT') or '9')
            env['COREAPI_TEST_APACHE_PORT'] = str(
                start_apache(tmpdir, procs, cleanup_dirs, other))
            env.update({'COREAPI_TEST_DIGEST_USER': DIGEST_USER,
                        'COREAPI_TEST_DIGEST_PASSWORD': DIGEST_PASSWORD,
                        'COREAPI_TEST_DIGEST_REALM': DIGEST_REALM})

        # Bytes environment: values are UTF-8 whatever the locale is.
        child_env = {os.fsencode(k): os.fsencode(v)
                     for k, v in os.environ.items()}
        for k, v in env.items():
            child_env[k.encode()] = v.encode('utf-8')
        try:
            with signals_deferred():
                child = subprocess.Popen(cmd, env=child_env,
                                         preexec_fn=_cmd_setup)
        except OSError as exc:
            raise HarnessError('cannot run %s: %s' % (cmd[0], exc))
        rc = child.wait()
        status = 128 - rc if rc < 0 else rc
        failed = rc != 0
    except HarnessError as exc:
        note(str(exc))
        status = 1
    except Interrupted as exc:
        note('interrupted by signal %d, cleaning up' % exc.signum)
        status = 128 + exc.signum
        stop_signal = exc.signum
    finally:
        # Ignore further signals while cleaning up, so cleanup completes.
        for sig in HANDLED_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        if child is not None:
            stop_cmd(child, stop_signal)
        for proc in reversed(procs):
            proc.stop()
        reap_orphans()
        if failed:
            for proc in procs:
                proc.dump_log()
        for d in cleanup_dirs:
            shutil.rmtree(d, ignore_errors=True)
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
    return status


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
