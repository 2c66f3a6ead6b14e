#!/usr/bin/python3
"""The Python side of bench/openapi: parsing the description with PyYAML and json.

Run with Debian's Python (/usr/bin/python3), which has python3-yaml:

    /usr/bin/python3 bench/openapi_reference.py JSON_FILE YAML_FILE OPERATIONS MIN_ROUNDS MIN_SECONDS

It reads both files (the same description, bench/gen_openapi.py) and
decodes them to str, untimed. Once, untimed, it checks that
yaml.load(text, Loader=yaml.CLoader) and json.loads(text) give equal
values with OPERATIONS operations under "paths". Then it times, with
time.perf_counter (and time.process_time beside it), json.loads of the JSON
text and yaml.load(..., Loader=yaml.CLoader) of the YAML text, each call
including dropping its result, alternating, until each has had at least
MIN_ROUNDS rounds and MIN_SECONDS seconds of work (at most 255 rounds). The
garbage collector is left as the interpreter has it.

Its last line on stdout is machine-readable, read by bench/openapi:

    json=<MB/s> yaml=<MB/s> json_cpu=<MB/s> yaml_cpu=<MB/s> json_rounds=<R> yaml_rounds=<R>
    json_bytes=<B> yaml_bytes=<B> operations=<N> pyyaml=<version> libyaml=<version>

(on one line): medians of the rounds, 10^6 bytes of input per second.
Exit status 0 on success, 1 on any failed check.
"""
import argparse
import json
import statistics
import sys
import time

import yaml

METHODS = ('get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace')


def fail(message):
    raise SystemExit('openapi_reference: ' + message)


def count_operations(doc):
    return sum(1 for item in doc['paths'].values() for m in item if m in METHODS)


def timed(fn, text):
    w0, c0 = time.perf_counter(), time.process_time()
    v = fn(text)
    del v
    return time.perf_counter() - w0, time.process_time() - c0


def load_yaml(text):
    return yaml.load(text, Loader=yaml.CLoader)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('json_file')
    parser.add_argument('yaml_file')
    parser.add_argument('operations', type=int)
    parser.add_argument('min_rounds', type=int)
    parser.add_argument('min_seconds', type=float)
    args = parser.parse_args()
    if not getattr(yaml, '__with_libyaml__', False) or not hasattr(yaml, 'CLoader'):
        fail('this PyYAML has no libyaml (yaml.CLoader)')
    with open(args.json_file, 'rb') as f:
        data_json = f.read()
    with open(args.yaml_file, 'rb') as f:
        data_yaml = f.read()
    text_json, text_yaml = data_json.decode('utf-8'), data_yaml.decode('utf-8')

    from_json, from_yaml = json.loads(text_json), load_yaml(text_yaml)
    if from_json != from_yaml:
        fail('the YAML and the JSON are not the same description')
    if count_operations(from_json) != args.operations:
        fail('%d operations, expected %d' % (count_operations(from_json), args.operations))
    del from_json, from_yaml

    runs = {'json': [], 'yaml': []}
    work = {'json': (json.loads, text_json), 'yaml': (load_yaml, text_yaml)}
    while True:
        todo = [k for k in ('json', 'yaml')
                if len(runs[k]) < 255 and (len(runs[k]) < args.min_rounds or
                                           sum(w for w, c in runs[k]) < args.min_seconds)]
        if not todo:
            break
        for k in todo:
            runs[k].append(timed(*work[k]))

    def rate(k, i):
        return len(data_json if k == 'json' else data_yaml) / 1e6 / statistics.median(
            r[i] for r in runs[k])

    libyaml = yaml._yaml.get_version_string() if hasattr(yaml, '_yaml') else '?'
    print('json=%.3f yaml=%.3f json_cpu=%.3f yaml_cpu=%.3f json_rounds=%d yaml_rounds=%d '
          'json_bytes=%d yaml_bytes=%d operations=%d pyyaml=%s libyaml=%s'
          % (rate('json', 0), rate('yaml', 0), rate('json', 1), rate('yaml', 1),
             len(runs['json']), len(runs['yaml']), len(data_json), len(data_yaml),
             args.operations, yaml.__version__, libyaml))
    return 0


if __name__ == '__main__':
    sys.exit(main())
