// bench/parallel.go - the Go client of bench/parallel: N GETs, CONC
// goroutines sharing one http.Client, after a warm-up of WARMUP GETs.
//
// bench/parallel builds it at run time (go build, standard library only,
// GOCACHE and GOPATH in its temp dir, GOPROXY=off) and runs it once per
// round:
//
//	parallel_go URL TOKEN N CONC WARMUP BODY_FILE CA_FILE|- PROTOCOL NGINX_PID
//
// Every response must be 200 with exactly the bytes of BODY_FILE, and carry
// "X-Protocol: PROTOCOL" (nginx's $server_protocol: "HTTP/1.1" or
// "HTTP/2.0"). The distinct X-Connection values (nginx's connection numbers)
// are the connections used. The last line is
//
//	rate=R n=N ok=OK conns=C cpu=U nginx_ticks=T secs=S
//
// with U its own CPU seconds and T nginx's CPU time (clock ticks, from
// /proc/NGINX_PID/stat) over the timed GETs. Exits 1 on any failed check.
package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type config struct {
	url, auth, proto string
	n, conc, warmup  int64
	want             []byte
	client           *http.Client
}

type result struct {
	ok    int64
	conns map[string]bool
	err   error
}

func die(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "parallel_go: "+format+"\n", args...)
	os.Exit(1)
}

func atoi(s string) int64 {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		die("not a count: %q", s)
	}
	return v
}

// newClient: one Transport for all goroutines, at most conc connections,
// conc idle ones kept; HTTP/2 over TLS when caFile is given.
func newClient(caFile string, conc int) *http.Client {
	tr := &http.Transport{
		MaxIdleConns:        conc,
		MaxIdleConnsPerHost: conc,
		MaxConnsPerHost:     conc,
		IdleConnTimeout:     600 * time.Second,
	}
	if caFile != "-" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			die("%v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			die("no certificate in %s", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
		tr.ForceAttemptHTTP2 = true
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// get: one verified GET; the body is read into buf.
func (c *config) get(buf *bytes.Buffer, res *result) error {
	req, err := http.NewRequest("GET", c.url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", c.auth)
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 || !bytes.Equal(buf.Bytes(), c.want) {
		return fmt.Errorf("status %d, %d bytes (expected 200, %d bytes)", resp.StatusCode,
			buf.Len(), len(c.want))
	}
	if p := resp.Header.Get("X-Protocol"); p != c.proto {
		return fmt.Errorf("served over %q, expected %q", p, c.proto)
	}
	res.conns[resp.Header.Get("X-Connection")] = true
	res.ok++
	return nil
}

// run: n GETs by conc goroutines taking the next one from a shared counter.
// Returns the seconds taken, the GETs verified and the connections used.
func (c *config) run(n int64) (float64, int64, int) {
	var next int64
	var wg sync.WaitGroup
	results := make([]result, c.conc)
	t0 := time.Now()
	for g := range results {
		wg.Add(1)
		go func(res *result) {
			defer wg.Done()
			var buf bytes.Buffer
			res.conns = map[string]bool{}
			for atomic.AddInt64(&next, 1) <= n && res.err == nil {
				res.err = c.get(&buf, res)
			}
		}(&results[g])
	}
	wg.Wait()
	secs := time.Since(t0).Seconds()
	ok, conns := int64(0), map[string]bool{}
	for i := range results {
		if results[i].err != nil {
			die("%v", results[i].err)
		}
		ok += results[i].ok
		for k := range results[i].conns {
			conns[k] = true
		}
	}
	return secs, ok, len(conns)
}

// nginxTicks: utime + stime of the process pid, in clock ticks.
func nginxTicks(pid string) int64 {
	data, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return -1
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return -1
	}
	return atoi(f[11]) + atoi(f[12])
}

// cpuSeconds: the CPU time of this process so far (user + system).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func main() {
	a := os.Args
	if len(a) != 10 {
		die("usage: parallel_go URL TOKEN N CONC WARMUP BODY_FILE CA_FILE|- PROTOCOL NGINX_PID")
	}
	want, err := os.ReadFile(a[6])
	if err != nil {
		die("%v", err)
	}
	c := &config{url: a[1], auth: "Token " + a[2], n: atoi(a[3]), conc: atoi(a[4]),
		warmup: atoi(a[5]), want: want, proto: a[8]}
	if c.conc < 1 {
		die("CONC must be at least 1")
	}
	c.client = newClient(a[7], int(c.conc))
	if _, ok, _ := c.run(c.warmup); ok != c.warmup {
		die("warm-up: %d of %d verified", ok, c.warmup)
	}
	t0, cpu0 := nginxTicks(a[9]), cpuSeconds()
	secs, ok, conns := c.run(c.n)
	t1, cpu1 := nginxTicks(a[9]), cpuSeconds()
	if ok != c.n {
		die("%d of %d GETs verified", ok, c.n)
	}
	fmt.Printf("rate=%.1f n=%d ok=%d conns=%d cpu=%.3f nginx_ticks=%d secs=%.6f\n",
		float64(c.n)/secs, c.n, ok, conns, cpu1-cpu0, t1-t0, secs)
}
