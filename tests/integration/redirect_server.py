#!/usr/bin/python3
"""A scripted, recording HTTP(S) server for libcoreapi's integration tests.

One process, three listeners on 127.0.0.1: plain HTTP on two ports (kinds
"http" and "http2") and HTTPS on a third (kind "https"). Python stdlib only.
Normally started by tests/integration/servers.py --redirect:

    redirect_server.py --http-port P1 --http2-port P2 --https-port P3 \\
                       --cert server.pem --key server.key

Clients reach it under several host names (api.test, other.test, evil.test,
all mapped to 127.0.0.1 by the client), so the Host header is recorded.

Every request except /__log, /__clear and /__peak is recorded in one shared log;
GET /__log returns it as text/plain, one line per request:

  <kind> <METHOD> <host> <path> auth=<0|1> csrf=<0|1> cookie=<c|-> \\
      extra=<0|1> origin=<o|-> referer=<r|-> body=<n>

(one line; "-" marks an absent or empty value; whitespace is removed from
values). GET /__clear empties the log.

Behaviour by path (any method):
  /redirect?code=N&to=URL  -> status N (301/302/303/307/308), Location: URL
  /set-cookie?name=N&value=V[&secure=1] -> 200, Set-Cookie: N=V; Path=/[; Secure], body "ok"
  /status?code=N           -> status N with a short text body
  /echo[ANYTHING]          -> 200 application/json {"method": ..., "path": the
                              raw request target (query included),
                              "headers": {lowercased name: value},
                              "cookie_headers": how many Cookie lines,
                              "body": the raw body decoded as Latin-1
                              (so byte b is code point b)}; with a query
                              parameter status=N instead: status N, body
                              body=B (UTF-8, default empty), Content-Type
                              type=T (default application/json)
  /download[/NAME]?size=N&type=T&name=F&disposition=D&stall=1
                           -> 200, N bytes (at most 64 MiB) of the pattern
                              byte i = (PATTERN[i % 65536] + i // 65536) % 256
                              (PATTERN[j] = ((j * 167) ^ (j >> 8)) % 256),
                              Content-Type T (application/octet-stream),
                              Content-Disposition D, or attachment;
                              filename="F" with name (none without either);
                              with stall=1 half the body, then silence for
                              30 s and the connection is closed
  /big-header?size=N&count=C&line=L&interim=1
                           -> 200 with C (default 1) header lines
                              "X-Big-<i>: " + N times "a" (N at most
                              16 MiB), or with line=status one status line
                              whose reason phrase is N times "a"; with
                              interim=1 first a "100 Continue" block; body
                              "ok". For libcurl's limits: one line over
                              CURL_MAX_HTTP_HEADER (100 KiB) or headers over
                              300 KiB in all are refused by the client
  [/PREFIX]/pages?page=K&last=N&host=H&body=next&loop=1&fail=F
                           -> page K (default 1) of N (default 3): 200
                              application/json [{"page": K, "item": 1},
                              {"page": K, "item": 2}], the next page (K+1,
                              the other parameters kept) in Link headers
                              (RFC 8288, as GitHub does): a first line
                              '<?page=1&..>; rel="first"; title="page 1,
                              the first; of N"' (and ', <..>; rel=prev'
                              after page 1), then '<pages?page=K+1&..>;
                              title="next, please"; REL="Next"' ("next
                              last" for the last but one), then
                              '<..>; rel=last' before that; targets are
                              relative references (pages?... resolves
                              against the path asked for) unless host=H
                              makes them http://H/... With body=next: no
                              Link header, the body {"next": the same
                              relative reference or null, "results": [...]}.
                              loop=1: the last page's next is page 1 again;
                              fail=F: page F answers 500 {"detail": ...}
  /counted?page=K&last=N&size=S&param=P&ms=M&key=K&lie=J&host=H
                           -> page K of N, Django REST framework style:
                              200 {"count": N*S, "next": URL|null,
                              "previous": URL|null, "results": S items
                              {"page": K, "item": i}}; URLs absolute (on
                              host H, else the Host asked), the query
                              sorted as DRF writes it. The page is named by
                              P (default page; P=offset: limit=S&offset=..
                              as LimitOffsetPagination). ms=M: answer after
                              M ms, counted under key K as /slow counts;
                              lie=J: page J's next skips a page. A page out
                              of range: 404 {"detail": "Invalid page."}
  /slow?ms=N&key=K&to=URL  -> waits N ms (at most 30000), then 200
                              application/json {"ok": true, "ms": N}, or
                              with to=URL a 302 to URL instead; with
                              key=K the requests of key K being handled at
                              the same moment are counted (from the moment
                              the request has been read to the response)
  /need-auth?value=V       -> 200 application/json {"ok": true} when the
                              Authorization header is exactly V, else 401
                              (WWW-Authenticate: Bearer realm="test") with
                              {"ok": false}
  /peer                    -> 200 application/json {"port": the client's
                              TCP port}: which connection a request came on
  /__peak?key=K[&reset=1]  -> (not logged) 200 application/json {"peak": the
                              most /slow requests of key K handled at once,
                              "total": how many arrived, "current": how many
                              are being handled}; reset=1 forgets key K
                              after answering
  anything else            -> 200 application/json {"ok": true, "path": ...}
"""
import argparse
import http.server
import json
import re
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

REDIRECT_CODES = (301, 302, 303, 307, 308)
MAX_BODY = 64 * 1024 * 1024
# /download's body: block k (64 KiB) is PATTERN with k added to every byte.
PATTERN = bytes(((j * 167) ^ (j >> 8)) & 0xFF for j in range(65536))


class RequestLog:
    """The shared, thread-safe, in-memory request log."""

    def __init__(self):
        self._lock = threading.Lock()
        self._lines = []

    def add(self, line):
        with self._lock:
            self._lines.append(line)

    def text(self):
        with self._lock:
            return ''.join(line + '\n' for line in self._lines)

    def clear(self):
        with self._lock:
            self._lines.clear()


LOG = RequestLog()


class Concurrency:
    """How many /slow requests of each key are handled at once."""

    def __init__(self):
        self._lock = threading.Lock()
        self._keys = {}  # key -> [current, peak, total]

    def enter(self, key):
        with self._lock:
            c = self._keys.setdefault(key, [0, 0, 0])
            c[0] += 1
            c[1] = max(c[1], c[0])
            c[2] += 1

    def leave(self, key):
        with self._lock:
            self._keys[key][0] -= 1

    def report(self, key, reset):
        with self._lock:
            current, peak, total = self._keys.get(key, [0, 0, 0])
            if reset:
                self._keys.pop(key, None)
        return {'peak': peak, 'total': total, 'current': current}


CONCURRENCY = Concurrency()

_WS = re.compile(r'\s+')


def _field(value):
    """A log field: no whitespace inside, '-' when absent or empty."""
    if value is None:
        return '-'
    value = _WS.sub('', value)
    return value if value else '-'


def _query(path):
    """Query parameters, percent-decoded ('+' stays literal), first wins."""
    params = {}
    query = urllib.parse.urlsplit(path).query
    for part in query.split('&'):
        if not part:
            continue
        name, _, value = part.partition('=')
        name = urllib.parse.unquote(name)
        if name not in params:
            params[name] = urllib.parse.unquote(value)
    return params


class BodyError(Exception):
    pass


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    # Idle keep-alive connections are dropped after this many seconds.
    timeout = 120

    # Any method (GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, custom ...)
    # is handled by handle_any().
    def __getattr__(self, name):
        if name.startswith('do_'):
            return self.handle_any
        raise AttributeError(name)

    def version_string(self):
        return 'coreapi-test-redirect/1'

    def log_message(self, fmt, *args):
        # Goes to stderr, which the harness collects into a log file.
        sys.stderr.write('%s [%s] %s\n' % (
            self.server.kind, self.log_date_time_string(), fmt % args))

    # --- request body -------------------------------------------------------

    def _read_exact(self, n):
        data = self.rfile.read(n)
        if data is None or len(data) != n:
            raise BodyError('short body')
        return data

    def _read_body(self, keep=None):
        """Read (and discard, unless keep is a bytearray to append it to)
        the request body; return its length."""
        te = self.headers.get('Transfer-Encoding', '')
        if 'chunked' in te.lower():
            total = 0
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise BodyError('eof in chunk size')
                size_text = line.split(b';', 1)[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise BodyError('bad chunk size %r' % size_text)
                if size == 0:
                    break
                total += size
                if total > MAX_BODY:
                    raise BodyError('body too large')
                data = self._read_exact(size)
                if keep is not None:
                    keep += data
                if self._read_exact(2) != b'\r\n':
                    raise BodyError('missing CRLF after chunk')
            # Trailers, up to the empty line.
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise BodyError('eof in trailers')
                if line in (b'\r\n', b'\n'):
                    break
            return total
        length = self.headers.get('Content-Length')
        if length is None:
            return 0
        try:
            n = int(length)
        except ValueError:
            raise BodyError('bad Content-Length')
        if n < 0 or n > MAX_BODY:
            raise BodyError('bad Content-Length')
        remaining = n
        while remaining:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                raise BodyError('short body')
            if keep is not None:
                keep += chunk
            remaining -= len(chunk)
        return n

    # --- response -----------------------------------------------------------

    def _send(self, code, body=b'', content_type='text/plain; charset=utf-8',
              headers=()):
        self.send_response(code)
        for name, value in headers:
            self.send_header(name, value)
        no_body = code in (204, 304) or 100 <= code < 200
        if not no_body:
            self.send_header('Content-Type', content_type)
            self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if not no_body and self.command != 'HEAD':
            self.wfile.write(body)

    def handle_any(self):
        path_only = urllib.parse.urlsplit(self.path).path
        body = bytearray() if path_only.startswith('/echo') else None

        try:
            body_len = self._read_body(body)
        except BodyError as exc:
            self.close_connection = True
            self._send(400, ('bad request body: %s\n' % exc).encode(),
                       headers=[('Connection', 'close')])
            return

        if path_only == '/__log':
            self._send(200, LOG.text().encode('utf-8'))
            return
        if path_only == '/__clear':
            LOG.clear()
            self._send(200, b'')
            return
        if path_only == '/__peak':
            params = _query(self.path)
            report = CONCURRENCY.report(params.get('key', ''), params.get('reset') == '1')
            self._send(200, json.dumps(report).encode(), content_type='application/json')
            return

        h = self.headers
        LOG.add(' '.join([
            self.server.kind,
            _field(self.command),
            _field(h.get('Host')),
            _field(self.path),
            'auth=%d' % ('Authorization' in h),
            'csrf=%d' % ('X-CSRFToken' in h),
            'cookie=' + _field(h.get('Cookie')),
            'extra=%d' % ('X-Extra' in h),
            'origin=' + _field(h.get('Origin')),
            'referer=' + _field(h.get('Referer')),
            'body=%d' % body_len,
        ]))

        params = _query(self.path)
        if path_only == '/redirect':
            try:
                code = int(params.get('code', '302'))
            except ValueError:
                code = 0
            if code not in REDIRECT_CODES or 'to' not in params:
                self._send(400, b'need code=301|302|303|307|308 and to=URL\n')
                return
            self._send(code, b'', headers=[('Location', params['to'])])
        elif path_only == '/set-cookie':
            name = params.get('name')
            if not name:
                self._send(400, b'need name=NAME&value=VALUE\n')
                return
            attrs = '; Path=/' + ('; Secure' if params.get('secure') == '1' else '')
            self._send(200, b'ok', headers=[
                ('Set-Cookie', '%s=%s%s' % (name, params.get('value', ''), attrs))])
        elif path_only == '/status':
            try:
                code = int(params.get('code', ''))
            except ValueError:
                code = 0
            if not 200 <= code <= 599:
                self._send(400, b'need code=200..599\n')
                return
            self._send(code, ('status %d\n' % code).encode())
        elif path_only.startswith('/echo'):
            self._echo(params, bytes(body))
        elif path_only == '/download' or path_only.startswith('/download/'):
            self._download(params)
        elif path_only == '/big-header':
            self._big_header(params)
        elif path_only == '/pages' or path_only.endswith('/pages'):
            self._pages(params, path_only)
        elif path_only == '/slow':
            self._slow(params)
        elif path_only == '/counted':
            self._counted(params)
        elif path_only == '/peer':
            self._send(200, json.dumps({'port': self.client_address[1]}).encode(),
                       content_type='application/json')
        elif path_only == '/need-auth':
            ok = self.headers.get('Authorization') == params.get('value')
            self._send(200 if ok else 401, json.dumps({'ok': ok}).encode(),
                       content_type='application/json',
                       headers=[] if ok else [('WWW-Authenticate', 'Bearer realm="test"')])
        else:
            self._send(200, json.dumps({'ok': True, 'path': self.path}).encode(),
                       content_type='application/json')

    def _echo(self, params, body):
        if 'status' in params:
            try:
                code = int(params['status'])
            except ValueError:
                code = 0
            if not 200 <= code <= 599:
                self._send(400, b'need status=200..599\n')
                return
            self._send(code, params.get('body', '').encode('utf-8'),
                       content_type=params.get('type', 'application/json'))
            return
        self._send(200, json.dumps({
            'method': self.command,
            'path': self.path,
            'headers': {name.lower(): value for name, value in self.headers.items()},
            'cookie_headers': len(self.headers.get_all('Cookie') or []),
            'body': body.decode('latin-1'),
        }).encode(), content_type='application/json')

    def _counted(self, params):
        """Django REST framework's counted pages (see the docstring)."""
        try:
            size = int(params.get('size', '2'))
            last = int(params.get('last', '3'))
            ms = min(int(params.get('ms', '0')), 5000)
            lie = int(params.get('lie', '0'))
            if params.get('param') == 'offset':
                offset = int(params.get('offset', '0'))
                page = offset // size + 1 if offset % size == 0 else 0
            else:
                page = int(params.get(params.get('param') or 'page', '1'))
        except ValueError:
            size = page = 0
        if not 1 <= size <= 100 or not 1 <= page <= last <= 1000:
            self._send(404, json.dumps({'detail': 'Invalid page.'}).encode(),
                       content_type='application/json')
            return
        key = params.get('key')
        if key:
            CONCURRENCY.enter(key)
        try:
            time.sleep(ms / 1000.0)
        finally:
            if key:
                CONCURRENCY.leave(key)

        def url(k):
            if k is None:
                return None
            name = params.get('param') or 'page'
            rest = {n: v for n, v in params.items() if n not in (name, 'limit', 'offset')}
            if name == 'offset':
                rest.update(limit=str(size), offset=str((k - 1) * size))
            elif k > 1:
                rest[name] = str(k)
            host = params.get('host') or self.headers.get('Host')
            # Sorted, as DRF's replace_query_param writes the query.
            return 'http://%s/counted?%s' % (host, urllib.parse.urlencode(sorted(rest.items())))
        nxt = page + 1 if page < last else None
        if nxt is not None and page == lie:
            nxt = nxt + 1 if nxt < last else None  # page "lie" skips the one after it
        body = {'count': size * last, 'next': url(nxt), 'previous': url(page - 1 or None),
                'results': [{'page': page, 'item': i} for i in range(1, size + 1)]}
        self._send(200, json.dumps(body).encode(), content_type='application/json')

    def _slow(self, params):
        """Answer after ms milliseconds, counting the requests of a key."""
        try:
            ms = int(params.get('ms', '0'))
        except ValueError:
            ms = -1
        if not 0 <= ms <= 30000:
            self._send(400, b'need ms=0..30000\n')
            return
        key = params.get('key')
        if key:
            CONCURRENCY.enter(key)
        try:
            time.sleep(ms / 1000.0)
        finally:
            if key:
                CONCURRENCY.leave(key)
        if 'to' in params:
            self._send(302, b'', headers=[('Location', params['to'])])
            return
        self._send(200, json.dumps({'ok': True, 'ms': ms}).encode(),
                   content_type='application/json')

    def _pages(self, params, path_only):
        """A list split into pages, the next one in Link headers or the body
        (see the docstring)."""
        try:
            page = int(params.get('page', '1'))
            last = int(params.get('last', '3'))
        except ValueError:
            page = last = 0
        if not 1 <= page <= last <= 1000:
            self._send(400, b'need 1 <= page <= last <= 1000\n')
            return
        if params.get('fail') == str(page):
            self._send(500, json.dumps({'detail': 'page %d failed' % page}).encode(),
                       content_type='application/json')
            return
        rest = [(k, v) for k, v in params.items() if k != 'page']

        def ref(k, relative_path):
            query = urllib.parse.urlencode([('page', str(k))] + rest)
            if params.get('host'):
                return 'http://%s%s?%s' % (params['host'], path_only, query)
            return ('pages?' if relative_path else '?') + query
        nxt = page + 1 if page < last else (1 if params.get('loop') == '1' else None)
        items = [{'page': page, 'item': i} for i in (1, 2)]
        if params.get('body') == 'next':
            body = {'next': ref(nxt, True) if nxt else None, 'results': items}
            self._send(200, json.dumps(body).encode(), content_type='application/json')
            return
        first = '<%s>; rel="first"; title="page 1, the first; of %d"' % (ref(1, False), last)
        if page > 1:
            first += ', <%s>; rel=prev' % ref(page - 1, True)
        links = [first]
        if nxt:
            links.append('<%s>; title="next, please"; REL="%s"'
                         % (ref(nxt, True), 'next last' if nxt == last else 'Next'))
        if page < last - 1:
            links.append('<%s>; rel=last' % ref(last, True))
        self._send(200, json.dumps(items).encode(), content_type='application/json',
                   headers=[('Link', v) for v in links])

    def _big_header(self, params):
        """Oversized header lines, written raw (send_header would accept
        them too, but the status line's reason is ours to shape here)."""
        try:
            size = int(params.get('size', '0'))
            count = int(params.get('count', '1'))
        except ValueError:
            size = count = -1
        if not 0 <= size <= 16 * 1024 * 1024 or not 0 <= count <= 100000:
            self._send(400, b'need size=0..16777216 and count=0..100000\n')
            return
        filler = b'a' * size
        out = bytearray()
        if params.get('interim') == '1':
            out += b'HTTP/1.1 100 Continue\r\n\r\n'
        if params.get('line') == 'status':
            out += b'HTTP/1.1 200 ' + filler + b'\r\n'
        else:
            out += b'HTTP/1.1 200 OK\r\n'
            for i in range(count):
                out += b'X-Big-%d: ' % i + filler + b'\r\n'
        out += b'Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n'
        if self.command != 'HEAD':
            out += b'ok'
        self.wfile.write(bytes(out))
        self.close_connection = True

    def _download(self, params):
        try:
            size = int(params.get('size', '0'))
        except ValueError:
            size = -1
        if not 0 <= size <= MAX_BODY:
            self._send(400, b'need size=0..67108864\n')
            return
        disposition = params.get('disposition')
        if disposition is None and params.get('name'):
            disposition = 'attachment; filename="%s"' % params['name']
        stall = params.get('stall') == '1'
        self.send_response(200)
        self.send_header('Content-Type', params.get('type', 'application/octet-stream'))
        if disposition is not None:
            # send_header encodes as Latin-1: this sends the UTF-8 bytes.
            self.send_header('Content-Disposition',
                             disposition.encode('utf-8').decode('latin-1'))
        self.send_header('Content-Length', str(size))
        self.end_headers()
        if self.command == 'HEAD':
            return
        end = size // 2 if stall else size
        pos = 0
        while pos < end:
            k = pos // 65536
            block = PATTERN.translate(bytes((b + k) & 0xFF for b in range(256)))
            n = min(65536, end - pos)
            self.wfile.write(block[:n])
            pos += n
        if stall:
            self.wfile.flush()
            time.sleep(30)
            self.close_connection = True


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, kind, port, ssl_context=None):
        self.kind = kind
        self.ssl_context = ssl_context
        super().__init__(('127.0.0.1', port), Handler)

    def server_bind(self):
        # Skip HTTPServer.server_bind's reverse DNS lookup (getfqdn).
        socketserver.TCPServer.server_bind(self)
        self.server_name = '127.0.0.1'
        self.server_port = self.server_address[1]

    def finish_request(self, request, client_address):
        if self.ssl_context is None:
            return super().finish_request(request, client_address)
        # TLS handshake in the per-connection thread, not in the accept loop,
        # so one stalled or failing client cannot block the listener.
        try:
            request.settimeout(30)
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            sys.stderr.write('%s: TLS handshake with %s failed: %s\n'
                             % (self.kind, client_address, exc))
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout, ssl.SSLError)):
            return
        super().handle_error(request, client_address)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--http-port', type=int, required=True)
    parser.add_argument('--http2-port', type=int, required=True)
    parser.add_argument('--https-port', type=int, required=True)
    parser.add_argument('--cert', required=True, help='server certificate PEM')
    parser.add_argument('--key', required=True, help='server private key PEM')
    args = parser.parse_args(argv)

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.set_alpn_protocols(['http/1.1'])

    servers = [
        Server('http', args.http_port),
        Server('http2', args.http2_port),
        Server('https', args.https_port, ctx),
    ]

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    threads = []
    for server in servers:
        t = threading.Thread(target=server.serve_forever,
                             kwargs={'poll_interval': 0.2}, daemon=True)
        t.start()
        threads.append(t)
    sys.stderr.write('redirect server: http=%d http2=%d https=%d\n'
                     % (args.http_port, args.http2_port, args.https_port))
    sys.stderr.flush()

    while not stop.wait(0.5):
        pass
    for server in servers:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
