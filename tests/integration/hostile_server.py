#!/usr/bin/python3
"""A hostile HTTP server for libcoreapi's integration tests: small bodies
that decode to huge ones (gzip bombs), bodies larger than a limit, lengths
that lie. Plain HTTP/1.1 on 127.0.0.1, Python stdlib only. Normally started
by tests/integration/servers.py --hostile:

    hostile_server.py --port P

Every path but /__ready answers from its query parameters (any method; the
path itself only names the download, e.g. /body/bomb.bin):

  size=N | mib=M  the content: N zero bytes, or M MiB of them (default 0)
  ce=C1,C2        content codings applied in that order (gzip, deflate,
                  identity) and sent as Content-Encoding: C1, C2, with
                  Content-Length (the coded length)
  te=T1,T2        transfer codings applied in that order and sent as
                  Transfer-Encoding: T1, T2, chunked (no Content-Length);
                  a name other than gzip, x-gzip, deflate, identity leaves
                  the bytes as they are but is still announced
  chunked=1       Transfer-Encoding: chunked only (no Content-Length)
  length=L        announce Content-Length: L whatever the content, send
                  min(L, len) bytes, then close the connection
  type=T          Content-Type (default application/octet-stream)
  name=F          Content-Disposition: attachment; filename="F"

So /body?mib=128&te=gzip,gzip is the 128 MiB double-gzip bomb of issue 9
(about 400 bytes on the wire). Coded bodies are made once per parameters
and cached. GET /__ready answers 200 "ok" (the harness's readiness probe).
"""
import argparse
import functools
import http.server
import signal
import socketserver
import sys
import threading
import urllib.parse
import zlib

MIB = 1024 * 1024
MAX_CONTENT = 2048 * MIB  # zeros only: cheap to code, whatever the size
PIECE = 64 * 1024


def _coder(name):
    """A zlib compressor for a coding name, or None for bytes left as is."""
    name = name.lower()
    if name in ('gzip', 'x-gzip'):
        return zlib.compressobj(9, zlib.DEFLATED, 31)
    if name == 'deflate':
        return zlib.compressobj(9, zlib.DEFLATED, 15)
    return None


def _zeros_coded(size, name):
    """size zero bytes coded with name, made piece by piece (never whole)."""
    coder = _coder(name)
    if coder is None:
        return bytes(size)
    out = []
    piece = bytes(MIB)
    left = size
    while left > 0:
        n = min(left, MIB)
        out.append(coder.compress(piece[:n]))
        left -= n
    out.append(coder.flush())
    return b''.join(out)


def _code(data, name):
    coder = _coder(name)
    return data if coder is None else coder.compress(data) + coder.flush()


@functools.lru_cache(maxsize=32)
def coded_body(size, codings):
    """The content (size zeros) with codings (a tuple) applied in order."""
    if not codings:
        return bytes(size)
    data = _zeros_coded(size, codings[0])
    for name in codings[1:]:
        data = _code(data, name)
    return data


def _codings(value):
    return tuple(c.strip() for c in value.split(',') if c.strip()) if value else ()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'hostile/1'
    sys_version = ''

    def log_message(self, fmt, *args):
        sys.stderr.write('hostile: %s\n' % (fmt % args))

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == '/__ready':
            self._simple(200, b'ok\n')
            return
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        try:
            size = int(q['mib']) * MIB if 'mib' in q else int(q.get('size', '0'))
            length = int(q['length']) if 'length' in q else None
        except ValueError:
            size = -1
        if not 0 <= size <= MAX_CONTENT:
            self._simple(400, b'need size=0..2 GiB\n')
            return
        ce, te = _codings(q.get('ce')), _codings(q.get('te'))
        body = coded_body(size, ce + te)
        self.send_response(200)
        self.send_header('Content-Type', q.get('type', 'application/octet-stream'))
        if q.get('name'):
            self.send_header('Content-Disposition', 'attachment; filename="%s"' % q['name'])
        if ce:
            self.send_header('Content-Encoding', ', '.join(ce))
        if te or q.get('chunked') == '1':
            self.send_header('Transfer-Encoding', ', '.join(te + ('chunked',)))
            self.end_headers()
            self._send_chunked(body)
            return
        if length is not None:
            body = body[:length]
            self.close_connection = True
        self.send_header('Content-Length', str(len(body) if length is None else length))
        self.end_headers()
        self._send_all(body)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def do_HEAD(self):
        self._simple(200, b'')

    def _simple(self, status, body):
        self.send_response(status)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def _send_all(self, body):
        try:
            for i in range(0, len(body), PIECE):
                self.wfile.write(body[i:i + PIECE])
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up: expected here

    def _send_chunked(self, body):
        try:
            for i in range(0, len(body), PIECE):
                piece = body[i:i + PIECE]
                self.wfile.write(b'%x\r\n%s\r\n' % (len(piece), piece))
            self.wfile.write(b'0\r\n\r\n')
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self):
        # Skip HTTPServer.server_bind's reverse DNS lookup (getfqdn).
        socketserver.TCPServer.server_bind(self)
        self.server_name = '127.0.0.1'
        self.server_port = self.server_address[1]

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--port', type=int, required=True)
    args = parser.parse_args(argv)
    server = Server(('127.0.0.1', args.port), Handler)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.2},
                     daemon=True).start()
    sys.stderr.write('hostile server: http=%d\n' % args.port)
    sys.stderr.flush()
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
