/*
 * tests/unit/test_hops.c - the hop suite: every case under tests/suites/hops/
 * runs through the library's own hop planner (src/transport/hop.c) and the
 * authentications' apply, without a server, and the request of every hop is
 * compared byte for byte with the case's `expected` file (curl's way of
 * checking the exact request a client sends). See tests/suites/hops/README.md
 * for the case format.
 *
 *   test_hops              run every case; one line per failing case
 *   test_hops --print DIR  print what case DIR produces (to write a case)
 *
 * What the runner models: the lines libcurl adds to a request are written
 * where libcurl writes them (Host first, Cookie last), and the cookie jar is a
 * model of libcurl's: Set-Cookie lines of a hop's response are stored only
 * when the plan allowed cookies on that hop, as the client attaches the jar
 * only then, and the Cookie line lists the matching cookies, longest path
 * first. The CSRF header comes from the library's own cookie choice
 * (coreapi__cookie_line_better), through the request's cookie lookup, as in
 * the client. The live tests (tests/integration/test_redirects.c) prove the
 * backend sends what the planner decided.
 *
 * layout: one file on purpose: the case parser, the jar model and the runner
 * are one small program whose parts only make sense together.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/transport/hop.h"
#include "coreapi/oauth2.h"
#include "check.h"

#ifndef COREAPI_HOPS_DIR
#error "COREAPI_HOPS_DIR must name tests/suites/hops"
#endif

#define NOW 1800000000LL /* the cases' clock: 2027-01-15 */
#define MAX_LINES 64

typedef struct hop_case {
  coreapi_auth *auths[8];
  size_t auth_count;
  coreapi__headers extra;
  char *user_agent;
  unsigned max_redirects;
  char *jar[MAX_LINES]; /* Netscape cookie-file lines */
  unsigned long created[MAX_LINES]; /* libcurl's creation order, for its sort */
  unsigned long clock;
  size_t jar_count;
  char *method, *url;
  coreapi__headers headers;
  char *body;
  long status[MAX_LINES]; /* the response to hop i */
  char *location[MAX_LINES];
  size_t response_count;
  char *set_cookie[MAX_LINES]; /* "hop value" */
  size_t set_cookie_count;
} hop_case;

static coreapi__buf out; /* what the case produced */

static void emit(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static void emit(const char *fmt, ...) {
  char line[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  coreapi__buf_append(&out, line, strlen(line));
}

/* --- a custom scheme: signs the method and host, optionally with cookies -- */

static coreapi_code custom_apply(void *state, coreapi_request *req, coreapi_error *err) {
  char sig[300];
  (void)state;
  snprintf(sig, sizeof(sig), "%s %s", coreapi_request_method(req), coreapi_request_host(req));
  return coreapi_request_set_header(req, "X-Signature", sig, err);
}

static const coreapi_auth_ops custom_ops = {"custom", 0, custom_apply, NULL, NULL, NULL};
static const coreapi_auth_ops custom_cookie_ops = {"custom", 1, custom_apply, NULL, NULL, NULL};

/* --- the case file --------------------------------------------------------- */

static char *word(char **p) {
  char *s = *p, *start;
  while (*s == ' ')
    s++;
  if (*s == '\0')
    return NULL;
  start = s;
  while (*s && *s != ' ')
    s++;
  if (*s)
    *s++ = '\0';
  *p = s;
  return start;
}

/* OAuth 2.0 holding token (no expiry: never renewed, so no token request
 * is made): the hops it reaches are the planner's to decide, as for any
 * other credential. */
static coreapi_auth *oauth2_with_token(const char *token, const char *domain,
                                       coreapi_error *err) {
  coreapi_oauth2_token stored = {token, "Bearer", "refresh-secret", NULL, 0};
  coreapi_oauth2_config cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.grant = COREAPI_OAUTH2_CLIENT_CREDENTIALS;
  cfg.token_url = "https://auth.test/o/token/";
  cfg.client_id = "app";
  cfg.client_secret = "client-secret";
  cfg.token = &stored;
  return coreapi_auth_oauth2_new(&cfg, domain, err);
}

static int add_auth(hop_case *c, char *rest, char *why, size_t size) {
  coreapi_error err;
  char *kind = word(&rest), *domain = word(&rest), *a = word(&rest), *b = word(&rest);
  coreapi_auth *auth = NULL;
  if (kind == NULL || domain == NULL || c->auth_count == 8) {
    snprintf(why, size, "auth: KIND DOMAIN ...");
    return -1;
  }
  if (strcmp(domain, "-") == 0)
    domain = NULL;
  if (strcmp(kind, "token") == 0)
    auth = coreapi_auth_token_new(a, b, domain, &err);
  else if (strcmp(kind, "basic") == 0)
    auth = coreapi_auth_basic_new(a, b ? b : "", domain, &err);
  else if (strcmp(kind, "session") == 0)
    auth = coreapi_auth_session_new(a, b, domain, &err);
  else if (strcmp(kind, "oauth2") == 0)
    auth = oauth2_with_token(a, domain, &err);
  else if (strcmp(kind, "custom") == 0)
    auth = coreapi_auth_new(a && strcmp(a, "cookies") == 0 ? &custom_cookie_ops : &custom_ops,
                            NULL, domain, &err);
  else
    snprintf(err.text, sizeof(err.text), "unknown kind %s", kind);
  if (auth == NULL) {
    snprintf(why, size, "auth: %s", err.text);
    return -1;
  }
  c->auths[c->auth_count++] = auth;
  return 0;
}

static int add_header(coreapi__headers *h, char *rest) {
  char *colon = strchr(rest, ':'), *v;
  if (colon == NULL)
    return -1;
  *colon = '\0';
  v = colon + 1;
  while (*v == ' ')
    v++;
  return coreapi__headers_add(h, rest, strlen(rest), v, strlen(v));
}

/* "jar DOMAIN TAILMATCH PATH SECURE EXPIRES NAME VALUE" as a Netscape line. */
static char *jar_line(char *rest) {
  char *f[7], line[1024];
  for (int i = 0; i < 7; i++)
    if ((f[i] = word(&rest)) == NULL)
      return NULL;
  snprintf(line, sizeof(line), "%s\t%s\t%s\t%s\t%s\t%s\t%s", f[0], f[1], f[2], f[3], f[4], f[5],
           f[6]);
  return coreapi__strdup(line);
}

static int parse_line(hop_case *c, char *line, char *why, size_t size) {
  char *rest = line, *key = word(&rest);
  while (*rest == ' ')
    rest++;
  if (key == NULL || key[0] == '#')
    return 0;
  if (strcmp(key, "auth") == 0)
    return add_auth(c, rest, why, size);
  if (strcmp(key, "client-header") == 0)
    return add_header(&c->extra, rest);
  if (strcmp(key, "user-agent") == 0)
    return (c->user_agent = coreapi__strdup(rest)) ? 0 : -1;
  if (strcmp(key, "max-redirects") == 0) {
    c->max_redirects = (unsigned)strtoul(rest, NULL, 10);
    return 0;
  }
  if (strcmp(key, "jar") == 0 && c->jar_count < MAX_LINES)
  {
    c->created[c->jar_count] = ++c->clock;
    return (c->jar[c->jar_count++] = jar_line(rest)) ? 0 : -1;
  }
  if (strcmp(key, "request") == 0) {
    char *m = word(&rest), *u = word(&rest);
    c->method = coreapi__strdup(m);
    c->url = coreapi__strdup(u);
    return c->method && c->url ? 0 : -1;
  }
  if (strcmp(key, "header") == 0)
    return add_header(&c->headers, rest);
  if (strcmp(key, "body") == 0)
    return (c->body = coreapi__strdup(rest)) ? 0 : -1;
  if (strcmp(key, "redirect") == 0 && c->response_count < MAX_LINES) {
    char *s = word(&rest);
    c->status[c->response_count] = s ? strtol(s, NULL, 10) : 0;
    c->location[c->response_count++] = coreapi__strdup(rest[0] ? rest : NULL);
    return 0;
  }
  if (strcmp(key, "set-cookie") == 0 && c->set_cookie_count < MAX_LINES)
    return (c->set_cookie[c->set_cookie_count++] = coreapi__strdup(rest)) ? 0 : -1;
  snprintf(why, size, "unknown line '%s'", key);
  return -1;
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  coreapi__buf b = {0};
  char chunk[4096];
  size_t n;
  if (f == NULL)
    return NULL;
  coreapi__buf_append(&b, "", 0);
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    coreapi__buf_append(&b, chunk, n);
  fclose(f);
  return b.data;
}

static void case_free(hop_case *c) {
  for (size_t i = 0; i < c->auth_count; i++)
    coreapi_auth_free(c->auths[i]);
  coreapi__headers_free(&c->extra);
  coreapi__headers_free(&c->headers);
  for (size_t i = 0; i < c->jar_count; i++)
    free(c->jar[i]);
  for (size_t i = 0; i < c->response_count; i++)
    free(c->location[i]);
  for (size_t i = 0; i < c->set_cookie_count; i++)
    free(c->set_cookie[i]);
  free(c->user_agent);
  free(c->method);
  free(c->url);
  free(c->body);
}

/* --- the jar model ---------------------------------------------------------- */

/* The seven fields of a Netscape line (copied into buf), "#HttpOnly_" off. */
static int jar_fields(const char *line, char *buf, size_t size, char *f[7]) {
  char *s = buf;
  snprintf(buf, size, "%s", line + (strncmp(line, "#HttpOnly_", 10) == 0 ? 10 : 0));
  for (int k = 0; k < 7; k++)
    if ((f[k] = strsep(&s, "\t")) == NULL)
      return -1;
  return 0;
}

/* A cookie path without its trailing '/' (libcurl's sanitised path). */
static size_t spath_len(const char *p) {
  size_t n = strlen(p);
  return n > 1 && p[n - 1] == '/' ? n - 1 : n;
}

static int same_path(const char *a, const char *b) {
  size_t n = spath_len(a);
  return n == spath_len(b) && strncmp(a, b, n) == 0;
}

/* Seconds since the epoch of an HTTP date "Wdy, DD Mon YYYY HH:MM:SS GMT"
 * (also with '-' between the date's parts), or -1 when unreadable. */
static long long http_date(const char *s) {
  static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  char mon[4];
  int d, y, hh, mm, ss;
  const char *comma = strchr(s, ','), *m;
  long long days;
  if (comma == NULL || sscanf(comma + 1, " %d%*[ -]%3s%*[ -]%d %d:%d:%d", &d, mon, &y, &hh, &mm,
                              &ss) != 6 ||
      (m = strstr(months, mon)) == NULL)
    return -1;
  {
    int month = (int)(m - months) / 3 + 1, yy = y - (month <= 2);
    long long era = (yy >= 0 ? yy : yy - 399) / 400;
    long long yoe = yy - era * 400, mp = (month + 9) % 12;
    long long doy = (153 * mp + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    days = era * 146097 + doe - 719468;
  }
  return days * 86400 + hh * 3600 + mm * 60 + ss;
}

static int secure_origin(const coreapi__url *url) {
  return strcmp(url->scheme, "https") == 0 || strcmp(url->host, "localhost") == 0 ||
         strcmp(url->host, "127.0.0.1") == 0 || strcmp(url->host, "[::1]") == 0;
}

/* Store a Set-Cookie value received from url, as libcurl 7.88's engine does:
 * Domain (which must cover the host; stored as a domain cookie), Path
 * (default: the request path up to its last '/', that '/' included), Secure
 * (refused from an origin that is not secure), Max-Age and Expires (in the
 * past: the cookie is deleted), HttpOnly; a cookie from an origin that is not
 * secure never replaces a Secure one; a replaced cookie keeps its place in
 * libcurl's creation order. */
static void jar_store(hop_case *c, const coreapi__url *url, const char *value) {
  char buf[1024], *attr, *save = NULL, domain[300], path[300] = "", line[1400];
  const char *name, *val;
  size_t nl, vl;
  int tail = 0, secure = 0, httponly = 0, have_age = 0;
  long long expires = 0;
  unsigned long created = 0;
  snprintf(buf, sizeof(buf), "%s", value);
  if (coreapi__set_cookie_parse(buf, strlen(buf), &name, &nl, &val, &vl) != 0)
    return;
  snprintf(domain, sizeof(domain), "%s", url->host);
  attr = strchr(buf, ';');
  for (attr = attr ? strtok_r(attr + 1, ";", &save) : NULL; attr;
       attr = strtok_r(NULL, ";", &save)) {
    while (*attr == ' ')
      attr++;
    if (strncasecmp(attr, "Domain=", 7) == 0) {
      const char *d = attr[7] == '.' ? attr + 8 : attr + 7;
      size_t dl = strlen(d), hl = strlen(url->host);
      if (!(strcasecmp(d, url->host) == 0 ||
            (hl > dl && url->host[hl - dl - 1] == '.' && strcasecmp(url->host + hl - dl, d) == 0)))
        return; /* a domain that does not cover the host: refused */
      snprintf(domain, sizeof(domain), ".%s", d);
      tail = 1;
    } else if (strncasecmp(attr, "Path=", 5) == 0) {
      snprintf(path, sizeof(path), "%s", attr + 5);
    } else if (strcasecmp(attr, "Secure") == 0) {
      secure = 1;
    } else if (strcasecmp(attr, "HttpOnly") == 0) {
      httponly = 1;
    } else if (strncasecmp(attr, "Max-Age=", 8) == 0) {
      long long age = strtoll(attr + 8, NULL, 10);
      expires = age <= 0 ? 1 : NOW + age;
      have_age = 1;
    } else if (strncasecmp(attr, "Expires=", 8) == 0 && !have_age) {
      long long t = http_date(attr + 8);
      if (t >= 0)
        expires = t <= NOW ? 1 : t;
    }
  }
  if (secure && !secure_origin(url))
    return;
  if (path[0] != '/') {
    const char *p = strstr(url->url, "://"), *slash = p ? strchr(p + 3, '/') : NULL;
    size_t len = slash ? strcspn(slash, "?#") : 0;
    while (len > 0 && slash[len - 1] != '/')
      len--;
    snprintf(path, sizeof(path), "%.*s", len > 0 ? (int)len : 1, len > 0 ? slash : "/");
  }
  for (size_t i = 0; i < c->jar_count; i++) {
    char fb[1024], *f[7];
    if (jar_fields(c->jar[i], fb, sizeof(fb), f) != 0 || strncmp(f[5], name, nl) != 0 ||
        f[5][nl] != '\0')
      continue;
    if (!secure && !secure_origin(url) && strcmp(f[3], "TRUE") == 0)
      return; /* a Secure cookie stays out of reach of http */
    if (strcasecmp(f[0], domain) == 0 && same_path(f[2], path)) {
      created = c->created[i];
      free(c->jar[i]);
      c->jar[i] = c->jar[--c->jar_count];
      c->created[i] = c->created[c->jar_count];
      break;
    }
  }
  snprintf(line, sizeof(line), "%s%s\t%s\t%s\t%s\t%lld\t%.*s\t%.*s", httponly ? "#HttpOnly_" : "",
           domain, tail ? "TRUE" : "FALSE", path, secure ? "TRUE" : "FALSE",
           expires == 1 ? 0 : expires, (int)nl, name, (int)vl, val);
  if (expires != 1 && c->jar_count < MAX_LINES) {
    c->created[c->jar_count] = created ? created : ++c->clock;
    c->jar[c->jar_count++] = coreapi__strdup(line);
  }
}

/* The request's cookie lookup over the model jar (ctx: the case). */
static char *jar_lookup(void *ctx, const coreapi_request *req, const char *name) {
  hop_case *c = ctx;
  coreapi__cookie_match best = {NULL, 0, 0, 0};
  for (size_t i = 0; i < c->jar_count; i++)
    coreapi__cookie_line_better(c->jar[i], strlen(c->jar[i]), &req->url, name, NOW, &best);
  return best.value ? coreapi__strndup(best.value, best.value_len) : NULL;
}

/* Does cookie x go before y in libcurl's Cookie line? Longest path first
 * (as stored), then longest domain, then longest name, then the newest. */
static int sent_before(const hop_case *c, size_t x, size_t y) {
  char bx[1024], by[1024], *fx[7], *fy[7];
  size_t a, b;
  jar_fields(c->jar[x], bx, sizeof(bx), fx);
  jar_fields(c->jar[y], by, sizeof(by), fy);
  if ((a = strlen(fx[2])) != (b = strlen(fy[2])))
    return a > b;
  if ((a = strlen(fx[0])) != (b = strlen(fy[0])))
    return a > b;
  if ((a = strlen(fx[5])) != (b = strlen(fy[5])))
    return a > b;
  return c->created[x] > c->created[y];
}

/* The Cookie line libcurl would send: every matching cookie, in its order. */
static void cookie_line(const hop_case *c, const coreapi__url *url) {
  size_t order[MAX_LINES], n = 0;
  for (size_t i = 0; i < c->jar_count; i++) {
    char fb[1024], *f[7];
    if (jar_fields(c->jar[i], fb, sizeof(fb), f) == 0 &&
        coreapi__cookie_line_match(c->jar[i], strlen(c->jar[i]), url, f[5], NOW, NULL))
      order[n++] = i;
  }
  for (size_t a = 1; a < n; a++)
    for (size_t b = a; b > 0 && sent_before(c, order[b], order[b - 1]); b--) {
      size_t t = order[b];
      order[b] = order[b - 1];
      order[b - 1] = t;
    }
  if (n == 0)
    return;
  emit("> Cookie: ");
  for (size_t k = 0; k < n; k++) {
    char fb[1024], *f[7];
    jar_fields(c->jar[order[k]], fb, sizeof(fb), f);
    emit("%s%s=%s", k ? "; " : "", f[5], f[6]);
  }
  emit("\n");
}

/* --- running a case ----------------------------------------------------------- */

static void emit_request(const hop_case *c, const coreapi_request *req, int cookies) {
  const char *p = strstr(req->url.url, "://"), *path = p ? strchr(p + 3, '/') : NULL;
  int default_port = (strcmp(req->url.scheme, "http") == 0 && req->url.port == 80) ||
                     (strcmp(req->url.scheme, "https") == 0 && req->url.port == 443);
  emit("> %s %s HTTP/1.1\n", req->method, path ? path : "/");
  if (default_port)
    emit("> Host: %s\n", req->url.host);
  else
    emit("> Host: %s:%d\n", req->url.host, req->url.port);
  for (size_t i = 0; i < req->headers.count; i++)
    emit("> %s: %s\n", req->headers.items[i].name, req->headers.items[i].value);
  if (cookies)
    cookie_line(c, &req->url);
  if (req->body != NULL)
    emit("> body: %zu bytes\n", req->body_len);
}

static void run_case(hop_case *c) {
  coreapi__hop_policy pol = {c->auths, c->auth_count, &c->extra,
                             c->user_agent ? c->user_agent : "coreapi", 1};
  coreapi__memo memo = {0};
  coreapi__chain ch;
  coreapi_error err;
  coreapi_request *base = coreapi_request_new(c->method, c->url, &err);
  unsigned redirects = 0;
  coreapi_code rc = base ? COREAPI_OK : err.code;
  for (size_t i = 0; base && i < c->headers.count; i++)
    if (rc == COREAPI_OK)
      rc = coreapi_request_set_header(base, c->headers.items[i].name, c->headers.items[i].value,
                                      &err);
  if (rc == COREAPI_OK && c->body != NULL)
    rc = coreapi_request_set_body(base, c->body, strlen(c->body), &err);
  if (rc == COREAPI_OK)
    rc = coreapi__chain_start(&ch, &pol, base, &err);
  for (unsigned hop = 0; rc == COREAPI_OK; hop++) {
    coreapi__hop_plan plan;
    long status = hop < c->response_count ? c->status[hop] : 200;
    const char *location = hop < c->response_count ? c->location[hop] : NULL;
    int follow = 0;
    rc = coreapi__hop_plan_make(&ch, &pol, base, &plan, &err);
    if (rc != COREAPI_OK)
      break;
    plan.req->cookie_lookup = plan.cookies ? jar_lookup : NULL;
    plan.req->cookie_ctx = c;
    plan.req->memo = &memo;
    plan.req->memo_owner = plan.auth;
    if (plan.auth != NULL)
      rc = coreapi__auth_run_apply(plan.auth, plan.req, &err);
    emit("%s\n", plan.why);
    if (rc == COREAPI_OK)
      emit_request(c, plan.req, plan.cookies);
    for (size_t i = 0; rc == COREAPI_OK && i < c->set_cookie_count; i++)
      if (strtoul(c->set_cookie[i], NULL, 10) == hop && plan.cookies)
        jar_store(c, &plan.req->url, strchr(c->set_cookie[i], ' ') + 1);
    coreapi_request_free(plan.req);
    if (rc != COREAPI_OK)
      break;
    emit("< %ld%s%s\n", status, location ? " " : "", location ? location : "");
    rc = coreapi__chain_next(&ch, &pol, base, status, location, c->max_redirects, &redirects,
                             &follow, &err);
    if (rc == COREAPI_OK && !follow) {
      emit("final %ld after %u redirects\n", status, redirects);
      break;
    }
  }
  if (rc != COREAPI_OK)
    emit("error %s: %s\n", coreapi_strerror(rc), err.text);
  if (base != NULL)
    coreapi__chain_free(&ch);
  coreapi_request_free(base);
  coreapi__memo_free(&memo);
}

/* Run the case in dir; the output is left in out. -1 when it cannot be read. */
static int run_dir(const char *dir, char *why, size_t size) {
  char path[4200], *text, *line, *save = NULL;
  hop_case c;
  int rc = 0;
  memset(&c, 0, sizeof(c));
  c.max_redirects = 20;
  snprintf(path, sizeof(path), "%s/case", dir);
  text = read_file(path);
  if (text == NULL) {
    snprintf(why, size, "cannot read %.400s", path);
    return -1;
  }
  for (line = strtok_r(text, "\n", &save); line && rc == 0; line = strtok_r(NULL, "\n", &save))
    rc = parse_line(&c, line, why, size);
  free(text);
  coreapi__buf_free(&out);
  coreapi__buf_append(&out, "", 0);
  if (rc == 0 && c.method == NULL) {
    snprintf(why, size, "no request line");
    rc = -1;
  }
  if (rc == 0)
    run_case(&c);
  case_free(&c);
  return rc;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
  DIR *d;
  struct dirent *e;
  char *names[1024];
  size_t n = 0;
  char why[512];
  if (argc == 3 && strcmp(argv[1], "--print") == 0) {
    if (run_dir(argv[2], why, sizeof(why)) != 0) {
      fprintf(stderr, "%s: %s\n", argv[2], why);
      return 2;
    }
    fputs(out.data, stdout);
    coreapi__buf_free(&out);
    return 0;
  }
  d = opendir(COREAPI_HOPS_DIR);
  REQUIRE(d != NULL);
  while ((e = readdir(d)) != NULL && n < 1024)
    if (e->d_name[0] != '.' && e->d_type == DT_DIR)
      names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof(names[0]), by_name);
  for (size_t i = 0; i < n; i++) {
    char dir[4096], path[4200];
    char *expected;
    snprintf(dir, sizeof(dir), "%s/%s", COREAPI_HOPS_DIR, names[i]);
    snprintf(path, sizeof(path), "%s/expected", dir);
    check_count++;
    if (run_dir(dir, why, sizeof(why)) != 0) {
      check_failures++;
      fprintf(stderr, "hops/%s: %s\n", names[i], why);
    } else if ((expected = read_file(path)) == NULL) {
      check_failures++;
      fprintf(stderr, "hops/%s: no expected file\n", names[i]);
    } else {
      if (strcmp(expected, out.data) != 0) {
        check_failures++;
        fprintf(stderr, "hops/%s: the requests differ.\n--- expected\n%s--- got\n%s---\n",
                names[i], expected, out.data);
      }
      free(expected);
    }
    free(names[i]);
  }
  coreapi__buf_free(&out);
  printf("hops: %zu cases\n", n);
  CHECK(n >= 60);
  return check_done("test_hops");
}
