#!/usr/bin/python3
"""The Python reference client's side of bench/transport.

Run with Debian's Python (/usr/bin/python3), which has python3-coreapi:

    /usr/bin/python3 bench/transport_reference.py URL TOKEN N EXPECTED_BYTES

It makes one coreapi.Client with TokenAuthentication(token=TOKEN,
scheme='Token'), warms it up, then times N calls of client.get(URL) (which
sends the request through the HTTP transport and decodes the JSON body: that
decoding is part of what the reference costs). Every response is checked: a
response hook on the transport's requests session asserts status 200 and a
body of EXPECTED_BYTES bytes, and the decoded document must equal the first
one. It also records nginx's X-Connection header so that a reconnect during
the timed run is reported as an error (the rate would not be keep-alive's).

Its last line on stdout is machine-readable, read by bench/transport:

    rate=<req/s> n=<N> seconds=<s> coreapi=<version> requests=<version>

Exit status 0 on success, 1 on any failed check.
"""
import argparse
import sys
import time

import coreapi
import requests


class Checker:
    """A requests response hook that verifies every response."""

    def __init__(self, expected_bytes):
        self.expected_bytes = expected_bytes
        self.count = 0
        self.connection = None

    def __call__(self, response, *args, **kwargs):
        if response.status_code != 200:
            raise SystemExit('transport_reference: %s: status %d, expected 200'
                             % (response.url, response.status_code))
        if len(response.content) != self.expected_bytes:
            raise SystemExit('transport_reference: %s: %d bytes, expected %d'
                             % (response.url, len(response.content), self.expected_bytes))
        self.connection = response.headers.get('X-Connection')
        self.count += 1
        return response


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('url')
    parser.add_argument('token')
    parser.add_argument('n', type=int, help='timed requests')
    parser.add_argument('expected_bytes', type=int, help='body length of every response')
    parser.add_argument('--warmup', type=int, default=100, help='untimed requests first')
    args = parser.parse_args()
    if args.n < 1 or args.warmup < 1:
        parser.error('n and --warmup must be at least 1')

    auth = coreapi.auth.TokenAuthentication(token=args.token, scheme='Token')
    client = coreapi.Client(auth=auth)
    checker = Checker(args.expected_bytes)
    for transport in client.transports:
        transport._session.hooks['response'].append(checker)

    expected = client.get(args.url)
    for _ in range(args.warmup - 1):
        if client.get(args.url) != expected:
            raise SystemExit('transport_reference: decoded document differs')
    first_connection = checker.connection
    before = checker.count

    get = client.get
    url = args.url
    start = time.perf_counter()
    for _ in range(args.n):
        if get(url) != expected:
            raise SystemExit('transport_reference: decoded document differs')
    seconds = time.perf_counter() - start

    if checker.count - before != args.n:
        raise SystemExit('transport_reference: %d responses checked, expected %d'
                         % (checker.count - before, args.n))
    if first_connection is None or checker.connection != first_connection:
        raise SystemExit('transport_reference: the connection was not kept alive '
                         '(X-Connection %s, then %s)' % (first_connection, checker.connection))
    print('rate=%.1f n=%d seconds=%.6f coreapi=%s requests=%s'
          % (args.n / seconds, args.n, seconds, coreapi.__version__, requests.__version__))
    return 0


if __name__ == '__main__':
    sys.exit(main())
