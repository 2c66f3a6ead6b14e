#!/usr/bin/env python3
"""The httpx client of bench/parallel: N GETs by CONC asyncio tasks sharing one
httpx.AsyncClient, after a warm-up of WARMUP GETs.

    parallel_httpx.py URL TOKEN N CONC WARMUP BODY_FILE CA_FILE|- PROTOCOL NGINX_PID

bench/parallel runs it with Debian's /usr/bin/python3 (python3-httpx), once per
round. Over https the client asks for HTTP/2 (http2=True) when the h2 package
(python3-h2) can be imported. Without it httpx can only speak HTTP/1.1 over
TLS: it says so on stderr and checks for HTTP/1.1 instead, so that its h2
figure is then an HTTP/1.1-over-TLS figure.

Every response must be 200 with exactly the bytes of BODY_FILE and carry
"X-Protocol: PROTOCOL" (nginx's $server_protocol). The distinct X-Connection
values are the connections used. The last line is

    rate=R n=N ok=OK conns=C cpu=U nginx_ticks=T secs=S

with U its own CPU seconds and T nginx's CPU time (clock ticks) over the
timed GETs. Exits 1 on any failed check.
"""

import asyncio
import sys
import time

import httpx

try:
    import h2  # noqa: F401  (httpx needs it for http2=True)
    HAVE_H2 = True
except ImportError:
    HAVE_H2 = False


def nginx_ticks(pid):
    """utime + stime of process pid, in clock ticks."""
    try:
        with open("/proc/%s/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return -1


async def run(client, url, n, conc, want, proto):
    """n verified GETs by conc tasks; returns (seconds, verified, connections)."""
    left = [n]
    conns = set()
    ok = [0]

    async def worker():
        while left[0] > 0:
            left[0] -= 1
            resp = await client.get(url)
            body = resp.content
            if resp.status_code != 200 or body != want:
                raise SystemExit("parallel_httpx: status %d, %d bytes (expected 200, %d bytes)"
                                 % (resp.status_code, len(body), len(want)))
            served = resp.headers.get("X-Protocol")
            if served != proto:
                raise SystemExit("parallel_httpx: served over %r, expected %r (%s)"
                                 % (served, proto, resp.http_version))
            conns.add(resp.headers.get("X-Connection"))
            ok[0] += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(conc)))
    return time.perf_counter() - t0, ok[0], len(conns)


async def main(argv):
    if len(argv) != 10:
        raise SystemExit(__doc__)
    url, token = argv[1], argv[2]
    n, conc, warmup = int(argv[3]), int(argv[4]), int(argv[5])
    with open(argv[6], "rb") as f:
        want = f.read()
    ca, proto, pid = argv[7], argv[8], argv[9]
    tls = url.startswith("https:")
    if proto == "HTTP/2.0" and not HAVE_H2:
        print("parallel_httpx: no h2 module (Debian: python3-h2), so HTTP/1.1 over TLS",
              file=sys.stderr)
        proto = "HTTP/1.1"
    limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc,
                          keepalive_expiry=600)
    async with httpx.AsyncClient(http2=tls and HAVE_H2, verify=ca if tls else True,
                                 limits=limits, timeout=30,
                                 headers={"Authorization": "Token " + token}) as client:
        _, ok, _ = await run(client, url, warmup, conc, want, proto)
        if ok != warmup:
            raise SystemExit("parallel_httpx: warm-up: %d of %d verified" % (ok, warmup))
        t0, cpu0 = nginx_ticks(pid), time.process_time()
        secs, ok, conns = await run(client, url, n, conc, want, proto)
        t1, cpu1 = nginx_ticks(pid), time.process_time()
    if ok != n:
        raise SystemExit("parallel_httpx: %d of %d GETs verified" % (ok, n))
    print("httpx %s, h2 %s" % (httpx.__version__, "yes" if HAVE_H2 else "no"))
    print("rate=%.1f n=%d ok=%d conns=%d cpu=%.3f nginx_ticks=%d secs=%.6f"
          % (n / secs, n, ok, conns, cpu1 - cpu0, t1 - t0, secs))


if __name__ == "__main__":
    asyncio.run(main(sys.argv))
