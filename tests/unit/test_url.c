/*
 * tests/unit/test_url.c - URLs read without libcurl's parser
 * (src/http/url_plain.c) against libcurl's parser itself.
 *
 * The cases say which URLs the plain path takes and which it leaves to
 * libcurl; every case, and 200,000 URLs generated (more with an argument) from pieces that libcurl
 * normalises (upper case, numeric IPv4 forms, dot segments, escapes, empty
 * queries, userinfo, fragments, odd ports, bytes of every kind), must then
 * pass url_agree: what the plain path fills, libcurl's parser fills the same,
 * and the handle it built writes back the URL text.
 */
#include <string.h>

#include "check.h"
#include "url_agree.h"

struct url_case {
  const char *url;
  int plain; /* 1: the plain path takes it, 0: left to libcurl */
};

static const struct url_case cases[] = {
    {"http://127.0.0.1:8000/api/", 1},
    {"https://api.example.com/users/?page=2&size=10", 1},
    {"http://a:80/", 1},
    {"https://a:443/x", 1},
    {"http://a-b.c-d.example/x/y;p=1/z", 1},
    {"http://a/%2e%c3%a9/x", 1}, /* escapes are kept, not decoded */
    {"http://a/%2e%2E/x", 0},    /* libcurl's handle lowercases the hex */
    {"http://a/x'y*z(1)!$,+=:@", 1},
    {"http://a/x?q=/../&r=?", 1},
    {"http://a/x/.hidden/..x/...", 1},
    {"http://1a.com/", 0},     /* starts with a digit: libcurl may read a number */
    {"http://127.1/", 0},      /* libcurl writes 127.0.0.1 */
    {"http://0x7f.0.0.1/", 0}, /* libcurl writes 127.0.0.1 */
    {"http://01.2.3.4/", 0},   /* libcurl writes 1.2.3.4 */
    {"http://1.2.3.4.5/", 0},
    {"http://A/", 0},          /* upper case host */
    {"HTTP://a/", 0},          /* upper case scheme */
    {"http://a./", 0},         /* trailing dot */
    {"http://a..b/", 0},
    {"http://a", 0},           /* libcurl adds the '/' */
    {"http://a?x", 0},
    {"http://a:080/", 0},      /* libcurl writes :80 */
    {"http://a:0/", 0},
    {"http://a:65536/", 0},
    {"http://a:/x", 0},
    {"http://a/./x", 0},       /* dot segments are removed */
    {"http://a/x/..", 0},
    {"http://a/x/..?q", 0},
    {"http://a/x?", 0},        /* the empty query is dropped */
    {"http://a/x#f", 0},       /* fragment */
    {"http://u:p@a/", 0},      /* userinfo */
    {"http://[::1]/", 0},      /* IPv6 */
    {"http://a/x y", 0},
    {"http://a/x%zz", 0},
    {"http://a/x\\y", 0},
    {"http://a/\xc3\xa9", 0},
    {"http://b\xc3\xbc\x63her.example/", 0},
    {"ftp://a/", 0},
    {"//a/x", 0},
    {"/x", 0},
    {"", 0},
};

/* Pieces a generated URL is made of: each one something libcurl normalises,
 * refuses or keeps. */
static const char *const schemes[] = {"http://", "https://", "HTTP://", "hTtps://", "http:/",
                                      "http:///", "ws://", "http://u@", "http://u:p@"};
static const char *const hosts[] = {
    "a", "example.com", "api.example.com", "127.0.0.1", "0.0.0.0", "255.255.255.255",
    "256.1.1.1", "127.1", "0x7f.1", "017.0.0.1", "1.2.3", "1.2.3.4.", "a.", "a..b", ".a",
    "A.com", "x-y", "-a", "a_b", "1a", "a.1", "[::1]", "[::ffff:1.2.3.4]", "", "%61",
    "b\xc3\xbc\x63her.de", "xn--bcher-kva.de", "a b", "localhost", "0"};
static const char *const ports[] = {"", ":80", ":443", ":8000", ":0", ":080", ":65535",
                                    ":65536", ":", ":1a", ":99999"};
static const char *const chars = "abcXYZ019-._~!$&'()*+,;=:@/%?#[] \"<>\\^`{|}\t\x01\x7f\xc3\xa9";

static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static unsigned next_rand(unsigned n) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (unsigned)(rng % n);
}

#define PICK(a) a[next_rand(sizeof(a) / sizeof(a[0]))]

/* Pieces of URLs the plain path takes. */
static const char *const good_schemes[] = {"http://", "https://"};
static const char *const good_hosts[] = {"a", "example.com", "api.example.com", "127.0.0.1",
                                         "10.0.0.255", "x-y.z", "localhost"};
static const char *const good_ports[] = {"", "", ":80", ":443", ":8000", ":65535", ":1"};
static const char *const good_chars =
    "abcxyzABCXYZ0189-._~!$&'()*+,;=:@/?";

/* Half the URLs: pieces of every kind. The other half: pieces the plain
 * path takes, with at most a few characters from anywhere, so that both
 * sides of each of its rules are reached. */
static void generate(char *out, size_t size) {
  int wild = next_rand(2) == 0;
  size_t n = wild ? (size_t)snprintf(out, size, "%s%s%s", PICK(schemes), PICK(hosts), PICK(ports))
                  : (size_t)snprintf(out, size, "%s%s%s/", PICK(good_schemes), PICK(good_hosts),
                                     PICK(good_ports));
  unsigned len = next_rand(24);
  static const char *const segments[] = {"/", "/.", "/..", "/./", "/../", "?", "#", "%2e",
                                         "%41", "%4", "//", "%c3%a9", "%7E", "?."};
  size_t nchars = strlen(chars), ngood = strlen(good_chars);
  for (unsigned i = 0; i < len && n + 8 < size; i++) {
    if (next_rand(wild ? 4 : 8) == 0) {
      const char *s = PICK(segments);
      memcpy(out + n, s, strlen(s));
      n += strlen(s);
    } else if (wild || next_rand(40) == 0) {
      out[n++] = chars[next_rand((unsigned)nchars)];
    } else {
      out[n++] = good_chars[next_rand((unsigned)ngood)];
    }
  }
  out[n] = '\0';
}

/* test_url [COUNT [SEED]]: COUNT generated URLs (200000), from SEED. */
int main(int argc, char **argv) {
  char why[1024], url[512];
  long taken = 0, count = argc > 1 ? atol(argv[1]) : 200000;
  if (argc > 2)
    rng = strtoull(argv[2], NULL, 0) | 1;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int rc = url_agree(cases[i].url, why, sizeof(why));
    if (rc != cases[i].plain)
      fprintf(stderr, "case %s: %s (%s)\n", cases[i].url,
              rc < 0 ? "disagree" : rc ? "taken by the plain path" : "left to libcurl", why);
    CHECK_INT(rc, cases[i].plain);
  }
  for (long i = 0; i < count; i++) {
    int rc;
    generate(url, sizeof(url));
    rc = url_agree(url, why, sizeof(why));
    if (rc < 0)
      fprintf(stderr, "generated %s: %s\n", url, why);
    CHECK(rc >= 0);
    taken += rc == 1;
  }
  /* The generator must reach the plain path often, or the run proves little. */
  CHECK(count < 200000 || taken > 5000);
  printf("test_url: %d checks, %d failed; %ld generated URLs took the plain path\n", check_count,
         check_failures, taken);
  return check_failures ? 1 : 0;
}
