#!/usr/bin/python3
"""Differential test: one scenario of Core API steps against the example
Django API, run by the reference client (python3-coreapi) and by libcoreapi
(diff_driver.c), must give the same results, step by step.

Usage (Debian's Python, which has coreapi, Django and DRF):

    /usr/bin/python3 tests/integration/test_differential.py PATH/TO/diff_driver

Each client runs on its own fresh server: this script starts
tests/integration/servers.py --django twice, once with itself in
--reference mode and once with the driver. Fresh servers seed the same
database, so the ids of created books (8, 9, ...) and the stored upload
names are the same in both runs, and nothing needs normalising except the
server's address (its port differs): each run prints "base URL" first and
that URL is replaced by "http://BASE" in its lines.

Every step prints one line, "<i> <kind> <payload>":
    document <Core JSON, compact>      data <JSON, compact, not ASCII-escaped>
    null                               file <basename> <hex of the bytes>
    error <Core JSON of the Error>     parameter <JSON of the messages>
    lookup <message>                   fail <what>
Payloads must be equal byte for byte, except for parameter errors, whose
messages are compared as objects (the reference builds them from sets, so
its key order is arbitrary).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SERVERS = os.path.join(HERE, 'servers.py')

COVER = b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR differential cover \xff'
RAW = b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR raw upload \x00\x01\x02'
CSV = b'id,title\r\n1,Dune\r\n\x00\xff'


def scenario(files):
    """The steps. Step 0 is the schema; actions act on step 0's document."""
    cover = {'path': files['cover'], 'name': 'front cover.png', 'type': 'image/png'}
    raw = {'path': files['raw'], 'name': 'raw cover.png', 'type': None}
    csv_typed = {'path': files['csv'], 'name': 'books.csv', 'type': 'text/csv'}
    csv_untyped = {'path': files['csv'], 'name': 'data.xyz123', 'type': None}

    def act(keys, params=None, files=None, doc=0, **extra):
        step = {'op': 'action', 'doc': doc, 'keys': keys}
        if params is not None:
            step['params'] = params
        if files is not None:
            step['files'] = files
        step.update(extra)
        return step

    return [
        {'op': 'get', 'path': '/schema/'},                                    # 0
        act(['', 'list']),                                                    # 1
        act(['books', 'list']),                                               # 2 403
        act(['books', 'list'], auth='basic'),                                 # 3
        act(['books', 'list'], {'page': 2}),                                  # 4
        act(['books', 'list'], {'genre': 'history', 'search': 'the'}),       # 5
        act(['books', 'list'], {'genre': 'poetry'}),                          # 6 400
        act(['books', 'list'], {'page': 99}),                                 # 7 404
        act(['books', 'read'], {'id': 4}),                                    # 8
        act(['books', 'create'], {'title': 'Caf\u00e9 \u2014 \U0001F600',
                                  'author': 'Me', 'year': 2001,
                                  'genre': 'science'}, {'cover': cover}),     # 9
        act(['books', 'create'], {'title': 'Two', 'author': 'You',
                                  'year': 1999, 'genre': 'fiction'}),         # 10
        act(['books', 'partial_update'], {'id': 8, 'year': 1984}),            # 11
        act(['books', 'update'], {'id': 9, 'title': 'Two, again',
                                  'author': 'Them', 'year': 2010,
                                  'genre': 'history'}),                       # 12
        act(['books', 'upload_cover'], {'id': 9}, {'file': raw}),             # 13
        {'op': 'get', 'url_from': [9, 'cover']},                              # 14
        {'op': 'get', 'url_from': [13, 'cover']},                             # 15
        act(['books', 'import_file'], {'description': 'd\u00e9j\u00e0'},
            {'file': csv_typed}),                                             # 16
        act(['books', 'import_file'], {'description': ['a', 'b']},
            {'file': csv_untyped}),                                           # 17
        act(['books', 'create'], {'title': 'x', 'bogus': 1}),                 # 18
        act(['books', 'read'], {'id': ''}),                                   # 19
        act(['books', 'nope']),                                               # 20
        act(['books']),                                                       # 21
        act(['me', 'list']),                                                  # 22
        act(['books', 'delete'], {'id': 8}),                                  # 23
        act(['books', 'read'], {'id': 8}),                                    # 24 404
        act(['books', 'list'], {'search': 'two'}),                            # 25
        {'op': 'reload', 'doc': 0},                                           # 26
        act(['books', 'create'], {'title': 'x', 'author': 'y', 'year': 'not a year',
                                  'genre': 'fiction'}),                       # 27 400
    ]


# --- the reference run -----------------------------------------------------------

def reference(scenario_path):
    import coreapi
    from coreapi import codecs, exceptions
    from coreapi.utils import File

    base = 'http://127.0.0.1:%s' % os.environ['COREAPI_TEST_DJANGO_PORT']
    download_dir = os.environ['COREAPI_TEST_TMPDIR']
    user = os.environ['COREAPI_TEST_USER']
    password = os.environ['COREAPI_TEST_PASSWORD']
    with open(scenario_path) as f:
        steps = json.load(f)

    def decoders():
        return [codecs.CoreJSONCodec(), codecs.JSONCodec(), codecs.TextCodec(),
                codecs.DownloadCodec(download_dir=download_dir)]

    client = coreapi.Client(decoders=decoders())
    corejson = codecs.CoreJSONCodec()
    results = []
    opened = []
    print('base %s' % base)
    for i, step in enumerate(steps):
        if step.get('auth'):
            auth = coreapi.auth.BasicAuthentication(user, password)
            client = coreapi.Client(decoders=decoders(), auth=auth)
        result = None
        try:
            if step['op'] == 'get':
                if 'url_from' in step:
                    idx, key = step['url_from']
                    url = results[idx][key]
                else:
                    url = base + step['path']
                result = client.get(url)
            elif step['op'] == 'reload':
                result = client.reload(results[step['doc']])
            else:
                params = dict(step.get('params', {}))
                for name, spec in step.get('files', {}).items():
                    fh = open(spec['path'], 'rb')
                    opened.append(fh)
                    params[name] = File(spec['name'], fh, spec['type'])
                result = client.action(results[step['doc']], step['keys'],
                                       params=params or None)
            if result is None:
                line = 'null'
            elif isinstance(result, coreapi.Document):
                line = 'document ' + corejson.encode(result).decode('utf-8')
            elif hasattr(result, 'read') and hasattr(result, 'name'):
                data = result.read()
                line = 'file %s %s' % (os.path.basename(result.name), data.hex())
                result.close()
                os.remove(result.name)
                result = None
            else:
                line = 'data ' + json.dumps(result, ensure_ascii=False,
                                            separators=(',', ':'))
        except exceptions.ErrorMessage as exc:
            line = 'error ' + corejson.encode(exc.error).decode('utf-8')
        except exceptions.ParameterError as exc:
            line = 'parameter ' + json.dumps(exc.args[0], ensure_ascii=False,
                                             separators=(',', ':'))
        except exceptions.LinkLookupError as exc:
            line = 'lookup %s' % exc
        except Exception as exc:  # reported, and certainly different
            line = 'fail %s %s' % (type(exc).__name__, exc)
        results.append(result)
        print('%d %s' % (i, line.replace('\n', '\\n')))
    for fh in opened:
        fh.close()
    sys.stdout.flush()
    return 0


# --- the comparison ----------------------------------------------------------------

def run_under_servers(argv):
    r = subprocess.run([sys.executable, SERVERS, '--django', '--'] + argv,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = r.stdout.decode('utf-8', 'replace')
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode('utf-8', 'replace'))
        sys.stderr.write('%s exited with %d\n' % (argv[0], r.returncode))
    lines = out.splitlines()
    if not lines or not lines[0].startswith('base '):
        sys.stderr.write('no output from %s:\n%s\n' % (' '.join(argv), out))
        return None
    base = lines[0][5:]
    return [line.replace(base, 'http://BASE') for line in lines[1:]]


def same(ref, ours):
    if ref == ours:
        return True
    kind_r, _, payload_r = ref.partition(' ')[2].partition(' ')
    kind_o, _, payload_o = ours.partition(' ')[2].partition(' ')
    if kind_r == kind_o == 'parameter':
        try:
            ref_messages = json.loads(payload_r)
            our_messages = json.loads(payload_o)
        except ValueError:
            return False
        # The reference's validate_path_param never formats its message:
        # it says, literally, "Parameter %s: May not be empty.".
        for key, message in ref_messages.items():
            if message == 'Parameter %s: May not be empty.':
                ref_messages[key] = 'May not be empty.'
        return ref_messages == our_messages
    return False


def main(argv):
    if len(argv) == 3 and argv[1] == '--reference':
        return reference(argv[2])
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    driver = os.path.abspath(argv[1])
    tmp = tempfile.mkdtemp(prefix='coreapi-diff-')
    try:
        files = {}
        for name, data in (('cover', COVER), ('raw', RAW), ('csv', CSV)):
            files[name] = os.path.join(tmp, name + '.bin')
            with open(files[name], 'wb') as f:
                f.write(data)
        steps = scenario(files)
        scenario_path = os.path.join(tmp, 'scenario.json')
        with open(scenario_path, 'w') as f:
            json.dump(steps, f)

        ref = run_under_servers([sys.executable, os.path.abspath(__file__),
                                 '--reference', scenario_path])
        ours = run_under_servers([driver, scenario_path])
        if ref is None or ours is None:
            return 1
        failures = 0
        for i in range(max(len(ref), len(ours))):
            r = ref[i] if i < len(ref) else '(missing)'
            o = ours[i] if i < len(ours) else '(missing)'
            if not same(r, o):
                failures += 1
                sys.stderr.write('step %d differs (%s):\n  reference: %s\n  libcoreapi: %s\n'
                                 % (i, json.dumps(steps[i], ensure_ascii=False)[:200], r, o))
        print('test_differential: %d steps, %d equal, %d different'
              % (len(steps), len(steps) - failures, failures))
        return 1 if failures else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
