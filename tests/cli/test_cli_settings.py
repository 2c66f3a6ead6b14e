#!/usr/bin/python3
"""The coreapi tool's transport settings per domain (settings.json) and
mutual TLS, against nginx's mutual TLS listener (servers.py --nginx:
COREAPI_TEST_NGINX_MTLS_PORT), where api.test requires a client certificate
issued by the test CA and other.test asks for one and says what it got.

- --cert/--key: verified; without: the 400 nginx answers;
- settings.json: a certificate and CA file for api.test; a certificate for
  other.test only is not presented to api.test; on api.test's redirect to
  other.test, api.test's certificate is not presented there, a *.test one is;
- the command line wins over the file for every host (--cert/--key,
  --cacert, --proxy, -k);
- "insecure": true prints the loud warning naming the domain, and applies
  to that domain only;
- strict reading: unknown keys, wrong types, bad patterns, bad JSON: exit 2
  naming the file and the entry; a file naming a file that cannot be read:
  exit 4; a settings.json group or others can write: exit 4 with the chmod.

Prints one line per failed check and exits non-zero when any failed.
"""
import json
import os
import subprocess
import sys
import tempfile

BIN = os.path.abspath(sys.argv[1])
TMP = os.environ['COREAPI_TEST_TMPDIR']
PORT = os.environ['COREAPI_TEST_NGINX_MTLS_PORT']
CA = os.environ['COREAPI_TEST_CA']
CERT = os.environ['COREAPI_TEST_CLIENT_CERT']
KEY = os.environ['COREAPI_TEST_CLIENT_KEY']
OTHER_KEY = os.environ['COREAPI_TEST_CLIENT_OTHER_KEY']
API = 'https://api.test:%s' % PORT
OTHER = 'https://other.test:%s' % PORT
RESOLVE = ['--resolve', 'api.test:%s:127.0.0.1' % PORT,
           '--resolve', 'other.test:%s:127.0.0.1' % PORT]
VERIFIED = 'verified SUCCESS CN=coreapi test client'

failures = 0
checks = 0


def check(cond, what, run=None):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print('FAIL: %s%s' % (what, ('\n    ' + repr(run).replace('\n', '\n    ')) if run else ''))
    return cond


class Run:
    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.out, self.err = args, rc, out, err

    def __repr__(self):
        return 'coreapi %s -> %d\n--- stdout\n%s--- stderr\n%s' % (
            ' '.join(self.args), self.rc, self.out, self.err)


def fresh_config(settings=None, mode=0o600):
    d = tempfile.mkdtemp(prefix='settings-', dir=TMP)
    os.chmod(d, 0o700)
    if settings is not None:
        path = os.path.join(d, 'settings.json')
        with open(path, 'w') as f:
            f.write(settings if isinstance(settings, str) else json.dumps(settings))
        os.chmod(path, mode)
    return d


def cli(config, *args):
    argv = [BIN, '--no-color', '--config-dir', config] + RESOLVE + list(args)
    env = dict(os.environ)
    for k in ('COREAPI_CONFIG_DIR', 'http_proxy', 'https_proxy', 'HTTPS_PROXY',
              'all_proxy', 'ALL_PROXY'):
        env.pop(k, None)
    p = subprocess.run(argv, capture_output=True, env=env, timeout=60)
    return Run(list(args), p.returncode, p.stdout.decode('utf-8', 'replace'),
               p.stderr.decode('utf-8', 'replace'))


def ok(run, expected, what):
    check(run.rc == 0 and expected in run.out, what, run)


def test_options():
    c = fresh_config()
    r = cli(c, '--cacert', CA, 'get', API + '/')
    check(r.rc == 1 and 'No required SSL certificate' in r.out + r.err,
          'without a certificate nginx answers 400 (exit 1)', r)
    ok(cli(c, '--cacert', CA, '--cert', CERT, '--key', KEY, 'get', API + '/'), VERIFIED,
       '--cert/--key are verified')


def test_file():
    mine = {'cert': CERT, 'key': KEY, 'cacert': CA}
    c = fresh_config({'api.test': mine})
    ok(cli(c, 'get', API + '/'), VERIFIED, 'settings.json: certificate and CA for api.test')
    r = cli(c, '--debug', 'get', API + '/')
    check('transport: timeout 30000 ms, proxy default, client certificate %s (api.test), '
          'CA %s (api.test), TLS verification on' % (CERT, CA) in r.err,
          '--debug says which settings the hop used', r)

    c = fresh_config({'other.test': mine, '*.test': {'cacert': CA}})
    r = cli(c, 'get', API + '/')
    check(r.rc == 1 and 'No required SSL certificate' in r.out + r.err,
          'a certificate for other.test is not presented to api.test', r)

    c = fresh_config({'api.test': mine, 'other.test': {'cacert': CA}})
    ok(cli(c, 'get', API + '/to-other'), 'other NONE',
       "api.test's certificate is not presented to other.test after a redirect")
    c = fresh_config({'*.test': mine})
    ok(cli(c, 'get', API + '/to-other'), 'other SUCCESS CN=coreapi test client',
       'a *.test certificate is presented to both')


def test_command_line_wins():
    c = fresh_config({'api.test': {'cert': CERT, 'key': OTHER_KEY, 'cacert': '/nonexistent/ca.pem',
                                   'proxy': 'http://127.0.0.1:9'}})
    r = cli(c, 'get', API + '/')
    check(r.rc == 4 and 'settings.json' in r.err and '/nonexistent/ca.pem' in r.err,
          'a file naming a CA file that cannot be read: exit 4, naming it', r)
    ok(cli(c, '--cacert', CA, '--cert', CERT, '--key', KEY, '--proxy', '', 'get', API + '/'),
       VERIFIED, '--cacert, --cert/--key and --proxy win over the file')
    r = cli(c, '--cacert', CA, '--cert', CERT, '--key', KEY, 'get', API + '/')
    check(r.rc == 3, "the file's proxy for api.test applies when --proxy is not given (exit 3)", r)


def test_insecure():
    c = fresh_config({'api.test': {'cert': CERT, 'key': KEY, 'cacert': CA},
                      'other.test': {'insecure': True}})
    r = cli(c, 'get', API + '/to-other')
    check(r.rc == 0 and 'other NONE' in r.out, 'insecure for other.test lets its hop through', r)
    check('warning: insecure for other.test (' in r.err and 'NOT checked' in r.err,
          'the loud warning names the domain', r)
    c2 = fresh_config({'other.test': {'insecure': True}})
    r = cli(c2, '--cert', CERT, '--key', KEY, 'get', API + '/')
    check(r.rc == 3, 'insecure for other.test does not turn verification off for api.test', r)
    r = cli(c2, '-k', '--cert', CERT, '--key', KEY, 'get', API + '/')
    check(r.rc == 0 and 'warning: --insecure' in r.err and 'insecure for other.test' not in r.err,
          '-k wins over the file (its own warning, not the file\'s)', r)


def test_strict():
    bad = [
        ({'api.test': {'cert': CERT, 'verify': False}}, '"verify"', 'an unknown key'),
        ({'api.test': {'timeout': '10'}}, '"timeout"', 'a timeout that is not a number'),
        ({'api.test': {'timeout': -1}}, '"timeout"', 'a negative timeout'),
        ({'api.test': {'insecure': 'yes'}}, '"insecure"', 'insecure not a boolean'),
        ({'api.test': {'cert': 5}}, '"cert"', 'cert not a string'),
        ({'api.test': {'key': KEY}}, '"key"', 'a key without its certificate'),
        ({'api.test': {'proxy': 'ftp://p.test'}}, 'proxy must be', 'a proxy of another scheme'),
        ({'api.test': 'fast'}, '"api.test"', 'an entry that is not an object'),
        ({'*api.test': {}}, 'invalid domain pattern', 'a bad domain pattern'),
        ('[1, 2]', 'JSON object', 'a top level that is not an object'),
        ('{"api.test": {', 'settings.json', 'bad JSON'),
    ]
    for settings, needle, what in bad:
        c = fresh_config(settings)
        r = cli(c, '--cacert', CA, 'get', API + '/')
        check(r.rc == 2 and 'settings.json' in r.err and needle in r.err,
              'settings.json with %s: exit 2 naming the file and entry' % what, r)
    c = fresh_config({'api.test': {'cert': '/nonexistent/cert.pem'}})
    r = cli(c, '--cacert', CA, 'get', API + '/')
    check(r.rc == 4 and '/nonexistent/cert.pem' in r.err,
          'a certificate file that cannot be read: exit 4', r)
    ok(cli(fresh_config(''), '--cacert', CA, '--cert', CERT, '--key', KEY, 'get', API + '/'),
       VERIFIED, 'an empty settings.json is no settings')
    ok(cli(fresh_config({'api.test': {'timeout': 0, 'cert': CERT, 'key': KEY}}), '--cacert', CA,
           'get', API + '/'), VERIFIED, 'timeout 0: no limit')


def test_permissions():
    settings = {'api.test': {'cert': CERT, 'key': KEY, 'cacert': CA}}
    for mode in (0o620, 0o602, 0o666):
        c = fresh_config(settings, mode)
        r = cli(c, 'get', API + '/')
        check(r.rc == 4 and 'chmod 600' in r.err and 'settings.json' in r.err,
              'a settings.json with mode %04o is refused (exit 4)' % mode, r)
    ok(cli(fresh_config(settings, 0o644), 'get', API + '/'), VERIFIED,
       'a settings.json others can only read is used')


def main():
    test_options()
    test_file()
    test_command_line_wins()
    test_insecure()
    test_strict()
    test_permissions()
    print('test_cli_settings: %d passed, %d failed' % (checks - failures, failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
