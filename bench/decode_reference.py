#!/usr/bin/python3
"""The Python reference's side of bench/decode.

Run with Debian's Python (/usr/bin/python3), which has python3-coreapi:

    /usr/bin/python3 bench/decode_reference.py BASE_URL RUNS BYTES KEYS SPOT < schema.json

It reads the Core JSON schema from stdin (BYTES bytes, a document of KEYS
resources), decodes it once with CoreJSONCodec().decode(data, base_url=BASE_URL)
and checks the result in full, untimed: every resource's list, create and read
links, their resolved URLs and fields, and that CoreJSONCodec().encode() of the
document gives back exactly the input (so the generated schema is what the
reference's encoder, and so Django REST framework, writes). Then it times RUNS
calls of decode; each timed call includes dropping the document (its
deallocation), as the C side times decode + free. The garbage collector is
left as the interpreter has it.

Its last line on stdout is machine-readable, read by bench/decode:

    rate=<MB/s> best=<MB/s> cpu=<MB/s> runs=<R> bytes=<B> keys=<K> spot=<url> coreapi=<version>

rate is the median of the runs (wall clock) and best the fastest, cpu the
median by process CPU time, all in 10^6 bytes per second;
spot is the resolved URL of SPOT's read link. Exit status 0 on success, 1 on
any failed check.
"""
import argparse
import statistics
import sys
import time

import coreapi
from coreapi.codecs import CoreJSONCodec
from coreapi.document import Document, Link, Object


def fail(message):
    raise SystemExit('decode_reference: ' + message)


def check(doc, keys):
    """Every resource has the three links, resolved against the document."""
    if not isinstance(doc, Document):
        fail('the top level is a %s, not a document' % type(doc).__name__)
    if len(doc) != keys:
        fail('the document has %d keys, expected %d' % (len(doc), keys))
    for name, obj in doc.items():
        if not isinstance(obj, Object) or sorted(obj.keys()) != ['create', 'list', 'read']:
            fail('%s is not an object with list, create and read' % name)
        url = doc.url + name + '/'
        expected = {'list': (url, 'get'), 'create': (url, 'post'),
                    'read': (url + '{id}/', 'get')}
        for key, (link_url, action) in expected.items():
            link = obj[key]
            if not isinstance(link, Link) or link.url != link_url or link.action != action:
                fail('%s.%s: %r' % (name, key, link))
            if not link.fields:
                fail('%s.%s has no fields' % (name, key))
        if [f.name for f in obj['list'].fields] != ['page', 'page_size', 'search']:
            fail('%s.list fields: %r' % (name, obj['list'].fields))
        if [f.location for f in obj['read'].fields] != ['path']:
            fail('%s.read fields: %r' % (name, obj['read'].fields))
        enums = [f for f in obj['create'].fields if f.name == 'language']
        if len(enums) != 1 or not enums[0].schema.enum:
            fail('%s.create has no language enum' % name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('base_url')
    parser.add_argument('runs', type=int, help='timed decodes')
    parser.add_argument('bytes', type=int, help='the size of the schema on stdin')
    parser.add_argument('keys', type=int, help='resources in the schema')
    parser.add_argument('spot', help='the resource whose read link URL is reported')
    args = parser.parse_args()
    if args.runs < 1:
        parser.error('runs must be at least 1')

    data = sys.stdin.buffer.read()
    if len(data) != args.bytes:
        fail('read %d bytes, expected %d' % (len(data), args.bytes))
    codec = CoreJSONCodec()

    # Warm-up and checks, untimed.
    doc = codec.decode(data, base_url=args.base_url)
    check(doc, args.keys)
    spot = doc[args.spot]['read'].url
    if codec.encode(doc) != data:
        fail('CoreJSONCodec().encode() of the decoded schema differs from the input')
    del doc

    decode = codec.decode
    base_url = args.base_url
    seconds, cpu_seconds = [], []
    for _ in range(args.runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        doc = decode(data, base_url=base_url)
        n = len(doc)
        del doc
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu_start)
        if n != args.keys:
            fail('a decode gave %d keys, expected %d' % (n, args.keys))

    mb = len(data) / 1e6
    print('rate=%.2f best=%.2f cpu=%.2f runs=%d bytes=%d keys=%d spot=%s coreapi=%s'
          % (mb / statistics.median(seconds), mb / min(seconds),
             mb / statistics.median(cpu_seconds), args.runs, len(data), args.keys, spot,
             coreapi.__version__))
    return 0


if __name__ == '__main__':
    sys.exit(main())
