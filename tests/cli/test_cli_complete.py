#!/usr/bin/python3
"""The current document's snapshot (document.index) and shell completion.

Runs the real binary (argv[1]) on documents written to files and loaded with
`coreapi load`; no server. What it checks (issue 12, sections 1 and 4):

- the snapshot: written by load beside document.json, mode 0600; `describe`
  of every link of a document with awkward keys (spaces, %, newlines, UTF-8,
  numbers), arrays, nested documents and security schemes prints exactly what
  it prints from the whole document (the snapshot kept from being used or
  rebuilt by holding the state lock); paths that are not links give the same
  errors; a document.json replaced behind the tool's back, and a damaged
  snapshot, are not trusted (the new document is described) and the snapshot
  is made again;
- `__complete`: global options, commands, subcommands, link paths step by
  step, fields after -p with "=", action's options, bookmark names,
  credential domains, header names, the line's --config-dir and
  $COREAPI_CONFIG_DIR; no config directory is created;
- `completion bash|zsh|fish` prints scripts; the bash one completes in a real
  bash (the zsh and fish scripts are only printed: neither shell is a
  dependency); an unknown shell is exit 2;
- speed: with a 5 MB schema (bench/decode's shape: 4000 resources, 12000
  links) as the current document, a completion and a describe take well
  under 100 ms (the median of 7; skipped under sanitizers, which slow every
  process down).
Prints one line per failed check and exits non-zero when any failed.
"""
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

BIN = os.path.abspath(sys.argv[1])
SANITIZED = os.environ.get('COREAPI_TEST_SANITIZED', '') not in ('', '0')
failures = 0
checks = 0


def check(cond, what, detail=''):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print('FAIL: %s%s' % (what, ('\n    ' + str(detail).replace('\n', '\n    ')) if detail else ''))
    return cond


def run(config, *args, env=None, stdin=None):
    e = dict(os.environ)
    e.pop('COREAPI_CONFIG_DIR', None)
    e.update(env or {})
    p = subprocess.run([BIN, '--no-color', '--config-dir', config] + list(args),
                       input=stdin, capture_output=True, env=e)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def complete(*words, env=None):
    e = dict(os.environ)
    e.pop('COREAPI_CONFIG_DIR', None)
    e.update(env or {})
    p = subprocess.run([BIN, '__complete'] + list(words), capture_output=True, env=e)
    return p.returncode, p.stdout.decode().splitlines()


def link(url, action='get', fields=(), description=''):
    out = {'_type': 'link', 'url': url, 'action': action}
    if description:
        out['description'] = description
    if fields:
        out['fields'] = [dict(f) for f in fields]
    return out


FIELD_ID = {'name': 'id', 'required': True, 'location': 'path',
            'schema': {'_type': 'integer', 'title': '', 'description': 'The id.'}}
FIELD_Q = {'name': 'q', 'location': 'query',
           'schema': {'_type': 'string', 'title': '', 'description': 'A search term.'}}

AWKWARD = {
    '_type': 'document',
    '_meta': {'url': 'http://api.test/', 'title': 'Awkward',
              'securitySchemes': {'tokenAuth': {'type': 'http', 'scheme': 'bearer'}}},
    'top': link('/top/', description='A link at the top.'),
    'with space': {'list it': link('/sp/', fields=[FIELD_Q], description='Spaces.')},
    'per%cent': {'100%': link('/pc/', 'post', [FIELD_Q])},
    'new\nline': {'tab\tkey': link('/nl/', description='Control characters in keys.')},
    'ünïcode': {'链接': link('/u/{id}/', fields=[FIELD_ID], description='UTF-8 keys.')},
    '3': {'7': link('/numbers/')},
    'list': [link('/a0/', description='In an array.'), {'x': link('/a1/{id}/', fields=[FIELD_ID])}],
    'nested': {'_type': 'document', '_meta': {'url': 'http://other.test/base/'},
               'inner': {'read': link('rel/{id}/', fields=[FIELD_ID], description='Nested.')}},
    'data': {'count': 3, 'name': 'not a link'},
}
SECURE = dict(link('/secure/', description='Needs a token.'))
SECURE['security'] = [{'tokenAuth': []}]
AWKWARD['secure'] = {'read': SECURE}

LINK_PATHS = [
    ['top'], ['with space', 'list it'], ['per%cent', '100%'], ['new\nline', 'tab\tkey'],
    ['ünïcode', '链接'], ['3', '7'], ['list', '0'], ['list', '1', 'x'],
    ['nested', 'inner', 'read'], ['secure', 'read'],
]
NOT_LINKS = [['data'], ['data', 'count'], ['nope'], ['list', '5'],
             ['top', 'deeper'], ['with space']]
LINK_PATHS.append(['list', '01', 'x'])  # the document reads 01 as index 1: no snapshot hit, same answer


def write(path, doc):
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(doc, f, ensure_ascii=False)


def locked(config):
    """The state lock held (flock on the directory): the tool can neither use
    a missing snapshot's rebuild nor write; reads go on."""
    fd = os.open(config, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def check_snapshot(tmp):
    config = os.path.join(tmp, 'snap')
    src = os.path.join(tmp, 'awkward.json')
    write(src, AWKWARD)
    code, out, err = run(config, 'load', src)
    check(code == 0, 'load the awkward document', err)
    index = os.path.join(config, 'document.index')
    check(os.path.exists(index), 'load writes document.index')
    check(os.path.exists(index) and (os.stat(index).st_mode & 0o777) == 0o600,
          'document.index is 0600')
    fast = {}
    for p in LINK_PATHS + NOT_LINKS:
        fast[tuple(p)] = run(config, 'describe', *p)
    # The whole document: no snapshot, none rebuilt while the lock is held.
    os.rename(index, index + '.kept')
    fd = locked(config)
    try:
        for p in LINK_PATHS + NOT_LINKS:
            whole = run(config, 'describe', *p)
            check(fast[tuple(p)] == whole, 'describe %r: the snapshot agrees with the document' % p,
                  'snapshot: %r\ndocument: %r' % (fast[tuple(p)], whole))
        check(not os.path.exists(index), 'no snapshot is written while the lock is held')
    finally:
        os.close(fd)
    for p in LINK_PATHS:
        check(fast[tuple(p)][0] == 0, 'describe %r succeeds' % p, fast[tuple(p)])
    check('auth: tokenAuth' in fast[('secure', 'read')][1], 'the auth line from the snapshot',
          fast[('secure', 'read')])
    check('Nested.' in fast[('nested', 'inner', 'read')][1], 'a nested document link',
          fast[('nested', 'inner', 'read')])
    for p in NOT_LINKS:
        check(fast[tuple(p)][0] == 2, 'describe %r is a usage error' % p, fast[tuple(p)])
    # A reader without the lock rebuilds the missing snapshot.
    run(config, 'describe', 'top')
    check(os.path.exists(index), 'a missing snapshot is made again')

    # document.json replaced behind the tool's back: the new one is described.
    other = dict(AWKWARD)
    other['top'] = link('/top/', description='Changed behind the back.')
    tmpdoc = os.path.join(config, 'document.json.new')
    write(tmpdoc, other)
    os.chmod(tmpdoc, 0o600)
    os.rename(tmpdoc, os.path.join(config, 'document.json'))
    code, out, err = run(config, 'describe', 'top')
    check('Changed behind the back.' in out, 'a stale snapshot is not used', out + err)
    code, out, err = run(config, 'describe', 'top')
    check('Changed behind the back.' in out, 'and the new snapshot is right', out + err)

    # A damaged snapshot of the right source: the header kept, the rest garbage.
    with open(index, 'rb') as f:
        data = f.read()
    head = data.split(b'\nlinks ')[0]
    for garbage in (b'\nlinks 5 999999999\n0 1', b'\nlinks 1 12\n0 99999 0 top\n{}',
                    b'\nlinks 1 10\n0 2 0 top\n{}'):
        with open(index, 'wb') as f:
            f.write(head + garbage)
        code, out, err = run(config, 'describe', 'top')
        check(code == 0 and 'Changed behind the back.' in out,
              'a damaged snapshot is not trusted (%r)' % garbage, out + err)


def check_completion(tmp):
    config = os.path.join(tmp, 'comp')
    src = os.path.join(tmp, 'awkward2.json')
    write(src, AWKWARD)
    run(config, 'load', src)
    run(config, 'bookmarks', 'add', 'awk-mark')
    run(config, 'credentials', 'add', 'api.example.com', 'Token abc')
    run(config, 'headers', 'add', 'X-Trace', '1')
    c = ['--config-dir', config]
    cases = [
        (['--conf'], ['--config-dir']),
        (c + ['desc'], ['describe']),
        (c + ['cred'], ['credentials']),
        (c + ['credentials', ''], ['show', 'add', 'remove', 'which']),
        (c + ['credentials', 'remove', ''], ['api.example.com']),
        (c + ['bookmarks', 'get', ''], ['awk-mark']),
        (c + ['headers', 'remove', ''], ['X-Trace']),
        (c + ['completion', ''], ['bash', 'zsh', 'fish']),
        (c + ['action', 'wi'], ['with space']),
        (c + ['action', 'with space', ''], ['list it']),
        (c + ['describe', 'ünïcode', ''], ['链接']),
        (c + ['action', 'list', ''], ['0', '1']),
        (c + ['action', 'list', '1', ''], ['x']),
        (c + ['action', 'nested', 'inner', ''], ['read']),
        (c + ['action', 'ünïcode', '链接', '-p', ''], ['id=']),
        (c + ['action', 'with space', 'list it', '-p', 'q'], ['q=']),
        (c + ['action', 'with space', 'list it', '-p', 'q=x'], []),
        (c + ['action', 'top', '--no'], ['--no-validate']),
        (c + ['action', 'zzz'], []),
        (c + ['--timeout', ''], []),
    ]
    for words, want in cases:
        code, got = complete(*words)
        check(code == 0 and got == want, '__complete %r' % words[2:], 'got %r, want %r' % (got, want))
    code, got = complete('action', 't', env={'COREAPI_CONFIG_DIR': config})
    check(got == ['top'], '$COREAPI_CONFIG_DIR is the default', got)
    code, got = complete('action', '', env={'COREAPI_CONFIG_DIR': config})
    check(set(got) == {'top', 'with space', 'per%cent', 'ünïcode', '3', 'list', 'nested', 'secure'},
          'the top-level steps (keys with newlines are not offered)', got)
    missing = os.path.join(tmp, 'never-made')
    code, got = complete('--config-dir', missing, 'action', '')
    check(code == 0 and got == [] and not os.path.exists(missing),
          'no document: nothing, and no directory made', got)

    for shell in ('bash', 'zsh', 'fish'):
        code, out, err = run(config, 'completion', shell)
        check(code == 0 and 'coreapi' in out and '__complete' in out, 'completion %s' % shell, err)
    code, out, err = run(config, 'completion', 'tcsh')
    check(code == 2, 'completion tcsh is a usage error', (code, err))
    bash_complete(config, tmp)


def bash_complete(config, tmp):
    script = subprocess.run([BIN, 'completion', 'bash'], capture_output=True).stdout.decode()
    bindir = os.path.join(tmp, 'bin')
    os.makedirs(bindir, exist_ok=True)
    target = os.path.join(bindir, 'coreapi')
    if not os.path.exists(target):
        os.symlink(BIN, target)
    test = script + '''
COMP_WORDS=(coreapi --config-dir "$1" action "with space" "")
COMP_CWORD=5
_coreapi_complete
printf '%s\\n' "${COMPREPLY[@]}"
COMP_WORDS=(coreapi --config-dir "$1" action ünïcode 链接 -p "")
COMP_CWORD=7
_coreapi_complete
printf '%s\\n' "${COMPREPLY[@]}"
'''
    env = dict(os.environ, PATH=bindir + ':' + os.environ.get('PATH', ''))
    p = subprocess.run(['bash', '-c', test, 'bash', config], capture_output=True, env=env)
    check(p.stdout.decode().splitlines() == ['list it', 'id='], 'the bash script completes',
          p.stdout.decode() + p.stderr.decode())


def big_schema():
    doc = {'_type': 'document', '_meta': {'url': 'https://api.example.org/', 'title': 'Bench API'}}
    for i in range(4000):
        page = [{'name': 'page', 'location': 'query',
                 'schema': {'_type': 'integer', 'title': 'Page', 'description': 'A page number within the paginated result set.'}},
                {'name': 'page_size', 'location': 'query',
                 'schema': {'_type': 'integer', 'title': 'Page size', 'description': 'Number of results to return per page.'}},
                {'name': 'search', 'location': 'query',
                 'schema': {'_type': 'string', 'title': 'Search', 'description': 'A search term.'}}]
        form = [{'name': 'field_%d' % j, 'required': j < 2, 'location': 'form',
                 'schema': {'_type': 'string', 'title': 'Field %d' % j, 'description': 'Field %d of resource %d, described at some length to look like a real serializer field.' % (j, i)}}
                for j in range(3 + i % 3)]
        doc['resource-%d' % i] = {
            'list': link('/resource-%d/' % i, fields=page, description='List resource %d.' % i),
            'create': link('/resource-%d/' % i, 'post', form, 'Create resource %d.' % i),
            'read': link('/resource-%d/{id}/' % i, fields=[FIELD_ID]),
        }
    return doc


def median_ms(argv, n=7):
    times = []
    for _ in range(n):
        t = time.monotonic()
        subprocess.run(argv, capture_output=True, check=True)
        times.append((time.monotonic() - t) * 1000)
    times.sort()
    return times[n // 2]


def check_speed(tmp):
    config = os.path.join(tmp, 'big')
    src = os.path.join(tmp, 'big.json')
    write(src, big_schema())
    size = os.path.getsize(src)
    code, out, err = run(config, 'load', src)
    check(code == 0, 'load the big schema', err)
    code, got = complete('--config-dir', config, 'action', 'resource-7', 'list', '-p', 'pa')
    check(got == ['page=', 'page_size='], 'fields of a link of the big schema', got)
    code, out, err = run(config, 'describe', 'resource-3999', 'create')
    check(code == 0 and 'resource 3999' in out, 'describe a link of the big schema', out + err)
    if SANITIZED:
        print('SKIP: timings under sanitizers')
        return
    comp = median_ms([BIN, '__complete', '--config-dir', config, 'action', 'resource-7', 'list', '-p', ''])
    desc = median_ms([BIN, '--config-dir', config, 'describe', 'resource-7', 'list'])
    print('speed: %.1f MB schema: __complete %.1f ms, describe %.1f ms' % (size / 1e6, comp, desc))
    check(comp < 100, 'a completion with the big schema takes well under 100 ms', '%.1f ms' % comp)
    check(desc < 100, 'describe with the big schema takes well under 100 ms', '%.1f ms' % desc)


def main():
    tmp = tempfile.mkdtemp(prefix='coreapi-complete-')
    try:
        check_snapshot(tmp)
        check_completion(tmp)
        check_speed(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d checks, %d failed' % (checks, failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
