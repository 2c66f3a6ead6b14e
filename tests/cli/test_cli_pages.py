#!/usr/bin/python3
"""End-to-end tests of `coreapi action PATH... --all` (issue 12, pagination).

Runs the real binary (argv[1]) under tests/integration/servers.py --django
--redirect:

- the example API's paginated lists: /books/ (page numbers, 5 a page) and
  /paged/numbers/, /paged/offsets/, /paged/cursor/ (DRF's three
  paginations, 3 a page; examples/api/library/paging.py), seven books in
  all, the next page in the body's "next";
- the recording redirect server's /pages (plain arrays, the next page in
  RFC 8288 Link headers with relative targets, or in a relative "next" of
  the body; a next page on another host; loops; a failing page), whose
  request log shows which pages were fetched and which carried a
  credential.

Prints one line per failed check and exits non-zero when any failed.
"""
import json
import os
import subprocess
import sys
import urllib.request

BIN = os.path.abspath(sys.argv[1])
TMP = os.environ['COREAPI_TEST_TMPDIR']
DJ = os.environ['COREAPI_TEST_DJANGO_PORT']
RP = os.environ['COREAPI_TEST_REDIRECT_HTTP_PORT']
USER = os.environ['COREAPI_TEST_USER']
PASSWORD = os.environ['COREAPI_TEST_PASSWORD']
API = 'http://api.test:%s' % DJ
RAPI = 'http://api.test:%s' % RP
OTHER = 'other.test:%s' % RP
RESOLVE = []
for host in ('api.test', 'other.test'):
    for port in (DJ, RP):
        RESOLVE += ['--resolve', '%s:%s:127.0.0.1' % (host, port)]
BOOK_IDS = list(range(1, 8))
WARNING = 'coreapi: stopped after %d pages; more remain (--max-pages)\n'

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
        env = dict(os.environ)
        env.pop('COREAPI_CONFIG_DIR', None)
        p = subprocess.run(argv, input=(stdin or '').encode(), capture_output=True, env=env,
                           timeout=60)
        self.rc = p.returncode
        self.out = p.stdout.decode('utf-8', 'replace')
        self.err = p.stderr.decode('utf-8', 'replace')
        self.args = args

    def json(self):
        try:
            return json.loads(self.out)
        except ValueError:
            return None

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
    config = os.path.join(TMP, 'cfg-pages-' + name)
    return config


def redirect_log():
    with urllib.request.urlopen('http://127.0.0.1:%s/__log' % RP) as r:
        return r.read().decode().splitlines()


def redirect_clear():
    urllib.request.urlopen('http://127.0.0.1:%s/__clear' % RP).read()


def ids(r):
    value = r.json()
    if not isinstance(value, list):
        return None
    return [b.get('id') if isinstance(b, dict) else b for b in value]


# --- the example API: DRF's three paginations ---------------------------------
fresh('django')
ok(cli('get', API + '/schema/'), 'get the schema')
r = cli('action', 'paged', 'numbers', 'list', '--all')
check(r.rc == 1 and '403' in r.out + r.err and '"id"' not in r.out,
      'no credential: the first page fails as any action does (exit 1)', repr(r))
ok(cli('credentials', 'add', 'api.test', '--basic', USER, '--password-stdin',
       stdin=PASSWORD + '\n'), 'credentials add --basic')

r = ok(cli('action', 'paged', 'numbers', 'list'), 'page numbers without --all')
page = r.json() or {}
check(sorted(page) == ['count', 'next', 'previous', 'results'] and len(page['results']) == 3
      and page['next'] == API + '/paged/numbers/?page=2',
      'without --all: the first page as it is', r.out)

for key in ('numbers', 'offsets', 'cursor'):
    r = ok(cli('action', 'paged', key, 'list', '--all'), '%s --all' % key)
    check(ids(r) == BOOK_IDS, '%s --all: the seven books of three pages, in order' % key, r.out)
    check(r.err == '', '%s --all: nothing on stderr' % key, r.err)
    books = r.json()
    check(isinstance(books, list) and books and books[0].get('title') == 'Dune'
          and r.out.startswith('[\n    {\n        "id": 1,'),
          '%s --all: the items whole, as indented JSON (the display of data)' % key, r.out[:200])

r = ok(cli('action', 'books', 'list', '--all'), 'books list --all (5 a page)')
check(ids(r) == BOOK_IDS, 'books --all: both pages merged', r.out)
r = ok(cli('action', 'books', 'list', '--all', '-p', 'genre=fiction'), 'books --all filtered')
check(ids(r) == [1, 4, 7], 'books --all with a filter: one page, its results only', r.out)
r = ok(cli('action', 'paged', 'numbers', 'list', '-p', 'page=2', '--all'), 'from page 2')
check(ids(r) == [4, 5, 6, 7], '--all from page 2: the pages from there on', r.out)
r = ok(cli('action', 'paged', 'offsets', 'list', '-p', 'limit=2', '--all'), 'limit=2')
check(ids(r) == BOOK_IDS, '--all with limit=2: four pages, the limit kept in next', r.out)

# --output json and corejson print the merged array as one value.
r = ok(cli('-o', 'json', 'action', 'paged', 'cursor', 'list', '--all'), '-o json --all')
check(ids(r) == BOOK_IDS and '\n' not in r.out.rstrip('\n'), '-o json: one compact array',
      r.out)
r = ok(cli('--output', 'corejson', 'action', 'paged', 'offsets', 'list', '--all'),
       '-o corejson --all')
check(ids(r) == BOOK_IDS, '-o corejson: the array', r.out)

# --max-pages bounds the pages fetched.
r = ok(cli('action', 'paged', 'numbers', 'list', '--all', '--max-pages', '2'), '--max-pages 2')
check(ids(r) == BOOK_IDS[:6], '--max-pages 2: the two pages fetched', r.out)
check(r.err == WARNING % 2, '--max-pages 2: the warning on stderr', r.err)
r = ok(cli('action', 'paged', 'cursor', 'list', '--all', '--max-pages', '1'), '--max-pages 1')
check(ids(r) == BOOK_IDS[:3] and r.err == WARNING % 1, '--max-pages 1: the first page', repr(r))
r = ok(cli('action', 'paged', 'numbers', 'list', '--all', '--max-pages', '3'), '--max-pages 3')
check(ids(r) == BOOK_IDS and r.err == '', '--max-pages 3: all three, no warning', repr(r))
for bad in ('0', '-1', 'x', '2x', '99999999999999999999'):
    r = cli('action', 'paged', 'numbers', 'list', '--all', '--max-pages', bad)
    check(r.rc == 2 and '--max-pages' in r.err and r.out == '', '--max-pages %s: exit 2' % bad,
          repr(r))
r = cli('action', 'paged', 'numbers', 'list', '--all', '--max-pages')
check(r.rc == 2 and r.out == '', '--max-pages without a number: exit 2', repr(r))
r = cli('action', 'paged', 'numbers', 'list', '--max-pages', '2')
check(r.rc == 2 and '--all' in r.err, '--max-pages without --all: exit 2', repr(r))

# A result that is not a page prints as without --all.
plain = ok(cli('action', 'me', 'list'), 'me without --all')
r = ok(cli('action', 'me', 'list', '--all'), 'me --all')
check(r.out == plain.out and r.err == '' and '"username"' in r.out,
      'not a page: printed as without --all', repr(r))

r = ok(cli('action', '--help'), 'action --help')
check('--all' in r.out and '--max-pages N' in r.out, 'action --help documents --all', r.out)

# --- Link headers, relative references, hosts: the redirect server ------------
fresh('links')
DOC = os.path.join(TMP, 'pages.json')


def link(url):
    return {'_type': 'link', 'url': url}


with open(DOC, 'w') as f:
    json.dump({
        '_type': 'document',
        '_meta': {'url': RAPI + '/', 'title': 'Pages'},
        'linked': link(RAPI + '/pages?last=3'),
        'long': link(RAPI + '/list/pages?last=7'),
        'far': link(RAPI + '/pages?last=3&host=' + OTHER),
        'redirected': link(RAPI + '/redirect?code=302&to=/deep/er/pages%3Flast%3D3'),
        'bodynext': link(RAPI + '/sub/pages?last=3&body=next'),
        'looping': link(RAPI + '/pages?last=2&loop=1'),
        'failing': link(RAPI + '/pages?last=3&fail=2'),
        'failing_first': link(RAPI + '/pages?last=3&fail=1'),
        'plain': link(RAPI + '/echo'),
    }, f)
ok(cli('load', DOC), 'load the pages document')
ok(cli('credentials', 'add', 'api.test', '--token', 'pages-secret-token', '--scheme', 'Token'),
   'a token for api.test only')
ITEMS3 = [{'page': p, 'item': i} for p in (1, 2, 3) for i in (1, 2)]


def fetched():
    """(host, path, auth) of every request the redirect server saw."""
    out = []
    for line in redirect_log():
        f = line.split()
        out.append((f[2], f[3], f[4]))
    return out


redirect_clear()
r = ok(cli('action', 'linked'), 'a Link-paginated array without --all')
check(r.json() == ITEMS3[:2], 'without --all: the first page only', r.out)
redirect_clear()
r = ok(cli('action', 'linked', '--all'), 'Link headers: --all')
check(r.json() == ITEMS3, 'Link headers: the arrays of three pages concatenated', r.out)
check(fetched() == [('api.test:%s' % RP, '/pages?last=3', 'auth=1'),
                    ('api.test:%s' % RP, '/pages?page=2&last=3', 'auth=1'),
                    ('api.test:%s' % RP, '/pages?page=3&last=3', 'auth=1')],
      'Link headers: each page once, the relative targets resolved, the token on every page '
      'of its host', str(fetched()))

redirect_clear()
r = ok(cli('action', 'long', '--all', '--max-pages', '4'), 'Link headers: --max-pages 4')
check(r.json() == [{'page': p, 'item': i} for p in (1, 2, 3, 4) for i in (1, 2)]
      and r.err == WARNING % 4, 'Link headers: four pages of seven, the warning', repr(r))
check([p for _, p, _ in fetched()] == ['/list/pages?last=7'] + [
    '/list/pages?page=%d&last=7' % k for k in (2, 3, 4)],
    '--max-pages 4: no fifth page fetched', str(fetched()))

redirect_clear()
r = ok(cli('action', 'far', '--all'), 'a next page on another host')
check(r.json() == ITEMS3, 'another host: the pages merged', r.out)
got = fetched()
check([h for h, _, _ in got] == ['api.test:%s' % RP, OTHER, OTHER],
      'another host: pages 2 and 3 fetched from other.test', str(got))
check([a for _, _, a in got] == ['auth=1', 'auth=0', 'auth=0'],
      'another host: the token of api.test never sent to other.test', str(got))

redirect_clear()
r = ok(cli('action', 'redirected', '--all'), 'first page after a redirect')
check(r.json() == ITEMS3, 'after a redirect: the pages merged', r.out)
check([p for _, p, _ in fetched()] == [
    '/redirect?code=302&to=/deep/er/pages%3Flast%3D3', '/deep/er/pages?last=3',
    '/deep/er/pages?page=2&last=3', '/deep/er/pages?page=3&last=3'],
    'after a redirect: relative targets resolved against the URL redirected to',
    str(fetched()))

redirect_clear()
r = ok(cli('action', 'bodynext', '--all'), 'a relative "next" in the body')
check(r.json() == ITEMS3, 'relative next: the results of three pages', r.out)
check([p for _, p, _ in fetched()] == [
    '/sub/pages?last=3&body=next', '/sub/pages?page=2&last=3&body=next',
    '/sub/pages?page=3&last=3&body=next'],
    'relative next: resolved against the page\'s URL; next null ends', str(fetched()))

redirect_clear()
r = cli('action', 'looping', '--all')
# Pages: /pages?last=2&loop=1, ?page=2&.., ?page=1&.. (another URL), then
# ?page=2&.. again: the loop.
check(r.rc == 4 and r.out == '' and 'loop' in r.err and
      r.err.startswith('coreapi: page 4: %s/pages?page=2&last=2&loop=1 ' % RAPI),
      'a next page fetched before: an error, exit 4, nothing on stdout', repr(r))
check([p for _, p, _ in fetched()] == ['/pages?last=2&loop=1', '/pages?page=2&last=2&loop=1',
                                       '/pages?page=1&last=2&loop=1'],
      'a loop: no URL fetched twice', str(fetched()))

redirect_clear()
r = cli('action', 'failing', '--all')
check(r.rc == 1 and 'page 2 failed' in r.out + r.err and '"item"' not in r.out,
      'a failing page: reported as a failed action (exit 1), no partial result', repr(r))
check(len(fetched()) == 2, 'a failing page: no page after it', str(fetched()))
r = cli('-o', 'json', 'action', 'failing', '--all')
check(r.rc == 1 and (r.json() or {}).get('detail') == 'page 2 failed',
      'a failing page with -o json: the error body as JSON, exit 1', repr(r))
r = cli('action', 'failing_first', '--all')
check(r.rc == 1 and 'page 1 failed' in r.out + r.err, 'a failing first page: exit 1', repr(r))

plain = ok(cli('action', 'plain'), 'an object that is not a page')
r = ok(cli('action', 'plain', '--all'), 'an object that is not a page, --all')
check(r.out == plain.out and (r.json() or {}).get('method') == 'GET' and r.err == '',
      'not a page: printed as without --all', repr(r))

# --- pages fetched ahead: counted pages (the redirect server's /counted) -------
# A counted page-number or limit-offset first page foretells the others'
# URLs: they are fetched --parallel N at a time, each taken only when the
# page before links it. Whatever the server does, the output must be what
# one page at a time gives.
fresh('counted')
CDOC = os.path.join(TMP, 'counted.json')
with open(CDOC, 'w') as f:
    json.dump({
        '_type': 'document',
        '_meta': {'url': RAPI + '/', 'title': 'Counted pages'},
        'numbers': link(RAPI + '/counted?last=7&size=2'),
        'named': link(RAPI + '/counted?last=5&size=3&param=p'),
        'offsets': link(RAPI + '/counted?last=6&size=2&param=offset&offset=0'),
        'lying': link(RAPI + '/counted?last=7&size=2&lie=3'),
        'slow': link(RAPI + '/counted?last=9&size=1&ms=150&key=pages'),
        'far': link(RAPI + '/counted?last=4&size=1&host=' + OTHER),
    }, f)
ok(cli('load', CDOC), 'load the counted pages document')
ok(cli('credentials', 'add', 'api.test', '--token', 'pages-secret-token', '--scheme', 'Token'),
   'a token for api.test only (counted pages)')


def pages_of(r):
    value = r.json()
    return [x['page'] for x in value] if isinstance(value, list) else None


def peak(key):
    url = 'http://127.0.0.1:%s/__peak?key=%s&reset=1' % (RP, key)
    with urllib.request.urlopen(url) as resp:
        return json.loads(resp.read())


for name, expect in (('numbers', [p for p in range(1, 8) for _ in (1, 2)]),
                     ('named', [p for p in range(1, 6) for _ in (1, 2, 3)]),
                     ('offsets', [p for p in range(1, 7) for _ in (1, 2)]),
                     ('lying', [p for p in (1, 2, 3, 5, 6, 7) for _ in (1, 2)])):
    redirect_clear()
    ahead = ok(cli('action', name, '--all'), '%s: --all (pages ahead)' % name)
    seen_ahead = fetched()
    redirect_clear()
    one = ok(cli('action', name, '--all', '--parallel', '1'), '%s: --all --parallel 1' % name)
    seen_one = fetched()
    check(pages_of(ahead) == expect and ahead.out == one.out and ahead.err == one.err == '',
          '%s: the same pages as one at a time, in order' % name,
          'ahead %r\none %r' % (pages_of(ahead), pages_of(one)))
    check(sorted(p for _, p, _ in seen_one) == sorted(p for _, p, _ in seen_ahead)
          if name != 'lying' else set(p for _, p, _ in seen_one) <= set(p for _, p, _ in seen_ahead),
          '%s: the pages fetched ahead are those linked (lying: a superset)' % name,
          'ahead %s\none %s' % (seen_ahead, seen_one))
    check(all(a == 'auth=1' for _, _, a in seen_ahead),
          '%s: the token on every page of its host' % name, str(seen_ahead))

peak('pages')
ok(cli('action', 'slow', '--all', '--parallel', '1'), 'slow pages, one at a time')
one = peak('pages')
r = ok(cli('action', 'slow', '--all', '--parallel', '4'), 'slow pages, four at a time')
four = peak('pages')
check(pages_of(r) == list(range(1, 10)), 'slow pages: nine pages in order', r.out)
check(one['peak'] == 1 and one['total'] == 9, '--parallel 1: one page at a time', str(one))
check(2 <= four['peak'] <= 4 and four['total'] == 9,
      '--parallel 4: pages 2 to 9 fetched at most four at a time, each once', str(four))

redirect_clear()
r = ok(cli('action', 'numbers', '--all', '--max-pages', '3'), 'pages ahead with --max-pages 3')
check(pages_of(r) == [1, 1, 2, 2, 3, 3] and r.err == WARNING % 3,
      'pages ahead, --max-pages 3: three pages and the warning', repr(r))
check(len(fetched()) == 3, 'pages ahead, --max-pages 3: no page past the third fetched',
      str(fetched()))

redirect_clear()
r = ok(cli('action', 'far', '--all'), 'pages ahead on another host')
got = fetched()
check(pages_of(r) == [1, 2, 3, 4], 'another host, ahead: four pages', r.out)
check([h for h, _, _ in got] == ['api.test:%s' % RP] + [OTHER] * 3 and
      [a for _, _, a in got] == ['auth=1'] + ['auth=0'] * 3,
      'another host, ahead: the token of api.test never sent to other.test', str(got))
r = cli('action', 'numbers', '--parallel', '2')
check(r.rc == 2 and '--parallel goes with --all' in r.err, '--parallel without --all: usage',
      repr(r))
r = cli('action', 'numbers', '--all', '--parallel', '0')
check(r.rc == 2 and 'not a number of requests' in r.err, '--parallel 0: usage', repr(r))

print('test_cli_pages: %d checks, %d failed' % (checks, failures))
sys.exit(1 if failures else 0)
