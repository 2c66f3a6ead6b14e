/*
 * tests/unit/test_host_settings.c - the per-host transport settings
 * (coreapi_client_add_host_settings, client.h "Transport settings per
 * host"): the suite tests/suites/host_settings/cases, run through the
 * library's own planner (src/transport/hop.c, host_settings.c) without a
 * server. For every hop of a case's redirect chain the planner's settings
 * sentence (what --debug prints) must be the expected line, byte for byte.
 * The live tests (tests/integration/test_mtls.c) hold the backend to the
 * same decisions against nginx.
 *
 * The case format (one directive a line; words separated by single spaces):
 *
 *   case NAME                 starts a case (a fresh client)
 *   client SETTING...         the client's own: timeout=MS cert=F key=F
 *                             ca=F proxy=URL insecure
 *   host DOMAIN SETTING...    coreapi_client_add_host_settings: timeout=MS|none
 *                             cert=F ("cert=": none) key=F ca=F ("ca=": libcurl's)
 *                             proxy=URL ("proxy=": none) verify=on|off
 *   refused DOMAIN SETTING... that call must fail; the next line is
 *   message TEXT              a part of its message
 *   request URL               the first hop
 *   redirect URL              a 302 from the hop before to URL (the next hop)
 *   expect LINE               the sentence for the next hop not yet checked
 *   end                       runs the case
 *
 * File names are relative to the suite's folder, which holds them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/transport/client_impl.h"
#include "check.h"

#ifndef COREAPI_HOST_SETTINGS_DIR
#error "COREAPI_HOST_SETTINGS_DIR must name tests/suites/host_settings"
#endif

#define MAX_ITEMS 16

typedef struct hs_case {
  char name[128];
  coreapi_client *client;
  char *urls[MAX_ITEMS]; /* the request, then each redirect's target */
  size_t url_count;
  char *expect[MAX_ITEMS];
  size_t expect_count;
  int line;
  int failed;
} hs_case;

#include <stdarg.h>

static void fail(hs_case *c, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void fail(hs_case *c, const char *fmt, ...) {
  va_list ap;
  check_failures++;
  c->failed = 1;
  fprintf(stderr, "%s (line %d): ", c->name, c->line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

/* Apply "NAME=VALUE" (or "insecure") to s; strings borrowed from word. */
static int setting(coreapi_host_settings *s, char *word) {
  char *eq = strchr(word, '=');
  const char *v = eq ? eq + 1 : "";
  if (eq)
    *eq = '\0';
  if (strcmp(word, "timeout") == 0)
    s->timeout_ms = strcmp(v, "none") == 0 ? COREAPI_TIMEOUT_NONE : strtol(v, NULL, 10);
  else if (strcmp(word, "cert") == 0)
    s->cert_file = v;
  else if (strcmp(word, "key") == 0)
    s->key_file = v;
  else if (strcmp(word, "ca") == 0)
    s->ca_file = v;
  else if (strcmp(word, "proxy") == 0)
    s->proxy = v;
  else if (strcmp(word, "verify") == 0)
    s->verify_tls = strcmp(v, "on") == 0 ? COREAPI_TLS_VERIFY : COREAPI_TLS_NO_VERIFY;
  else if (strcmp(word, "insecure") == 0)
    s->verify_tls = COREAPI_TLS_NO_VERIFY;
  else
    return -1;
  return 0;
}

/* The settings words of rest (space separated, modified). */
static int settings(coreapi_host_settings *s, char *rest) {
  memset(s, 0, sizeof(*s));
  for (char *w = strtok(rest, " "); w != NULL; w = strtok(NULL, " "))
    if (setting(s, w) != 0)
      return -1;
  return 0;
}

/* "client ...": the client-wide setters. */
static coreapi_code client_line(coreapi_client *client, char *rest, coreapi_error *err) {
  coreapi_host_settings s;
  coreapi_code rc = COREAPI_OK;
  if (settings(&s, rest) != 0)
    return COREAPI_ERR_INVALID_ARGUMENT;
  if (s.timeout_ms != 0)
    rc = coreapi_client_set_timeout_ms(client, s.timeout_ms < 0 ? 0 : s.timeout_ms, err);
  if (rc == COREAPI_OK && s.cert_file != NULL)
    rc = coreapi_client_set_client_cert(client, s.cert_file, s.key_file, err);
  if (rc == COREAPI_OK && s.ca_file != NULL)
    rc = coreapi_client_set_ca_bundle(client, s.ca_file, err);
  if (rc == COREAPI_OK && s.proxy != NULL)
    rc = coreapi_client_set_proxy(client, s.proxy, err);
  if (rc == COREAPI_OK && s.verify_tls != 0)
    rc = coreapi_client_set_verify_tls(client, s.verify_tls == COREAPI_TLS_VERIFY, err);
  return rc;
}

/* "host DOMAIN ..." or "refused DOMAIN ...". */
static coreapi_code host_line(coreapi_client *client, char *rest, coreapi_error *err) {
  coreapi_host_settings s;
  char *sp = strchr(rest, ' ');
  if (sp != NULL)
    *sp = '\0';
  if (settings(&s, sp ? sp + 1 : rest + strlen(rest)) != 0)
    return coreapi_error_set(err, COREAPI_ERR_INTERNAL, "unknown setting in the case");
  return coreapi_client_add_host_settings(client, rest, &s, err);
}

/* Run the chain of c through the planner and compare every hop's sentence. */
static void run_chain(hs_case *c) {
  coreapi__hop_policy pol = {NULL, 0, NULL, "coreapi", 1};
  coreapi__host_policy hp;
  coreapi__chain ch;
  coreapi_error err;
  coreapi_request *base;
  unsigned redirects = 0;
  if (c->url_count == 0)
    return;
  if ((base = coreapi_request_new("GET", c->urls[0], &err)) == NULL) {
    fail(c, "bad request URL %s: %s", c->urls[0], err.text);
    return;
  }
  coreapi__host_policy_fill(c->client, &hp);
  REQUIRE(coreapi__chain_start_hosts(&ch, &pol, &hp, base, &err) == COREAPI_OK);
  for (size_t hop = 0; hop < c->url_count; hop++) {
    coreapi__hop_plan plan;
    int follow = 0;
    REQUIRE(coreapi__hop_plan_make(&ch, &pol, base, &plan, &err) == COREAPI_OK);
    coreapi_request_free(plan.req);
    check_count++;
    if (hop >= c->expect_count)
      fail(c, "hop without an expected line: %s", plan.settings_why);
    else if (strcmp(plan.settings_why, c->expect[hop]) != 0)
      fail(c, "got      %s\n  expected %s", plan.settings_why, c->expect[hop]);
    if (hop + 1 < c->url_count &&
        (coreapi__chain_next(&ch, &pol, base, 302, c->urls[hop + 1], 20, &redirects, &follow,
                             &err) != COREAPI_OK ||
         !follow)) {
      fail(c, "redirect to %s refused: %s", c->urls[hop + 1], err.text);
      break;
    }
  }
  if (c->expect_count > c->url_count)
    fail(c, "more expected lines than hops");
  coreapi__chain_free(&ch);
  coreapi_request_free(base);
}

static void reset(hs_case *c) {
  coreapi_client_free(c->client);
  for (size_t i = 0; i < c->url_count; i++)
    free(c->urls[i]);
  for (size_t i = 0; i < c->expect_count; i++)
    free(c->expect[i]);
  c->client = NULL;
  c->url_count = c->expect_count = 0;
  c->failed = 0;
}

/* One directive of the suite. */
static void directive(hs_case *c, char *line, coreapi_code *refused, coreapi_error *rerr) {
  coreapi_error err;
  char *rest = strchr(line, ' ');
  rest = rest ? rest + 1 : line + strlen(line);
  if (strncmp(line, "case ", 5) == 0) {
    reset(c);
    snprintf(c->name, sizeof(c->name), "%s", rest);
    c->client = coreapi_client_new(&err);
    REQUIRE(c->client != NULL);
  } else if (strncmp(line, "client ", 7) == 0) {
    if (client_line(c->client, rest, &err) != COREAPI_OK)
      fail(c, "client settings refused: %s", err.text);
  } else if (strncmp(line, "host ", 5) == 0) {
    if (host_line(c->client, rest, &err) != COREAPI_OK)
      fail(c, "host settings refused: %s", err.text);
  } else if (strncmp(line, "refused ", 8) == 0) {
    *refused = host_line(c->client, rest, rerr);
  } else if (strncmp(line, "message ", 8) == 0) {
    check_count++;
    if (*refused == COREAPI_OK || strstr(rerr->text, rest) == NULL)
      fail(c, "expected a refusal saying \"%s\", got \"%s\"", rest,
           *refused == COREAPI_OK ? "OK" : rerr->text);
  } else if ((strncmp(line, "request ", 8) == 0 || strncmp(line, "redirect ", 9) == 0) &&
             c->url_count < MAX_ITEMS) {
    c->urls[c->url_count++] = strdup(rest);
  } else if (strncmp(line, "expect ", 7) == 0 && c->expect_count < MAX_ITEMS) {
    c->expect[c->expect_count++] = strdup(rest);
  } else if (strcmp(line, "end") == 0) {
    run_chain(c);
    printf("%s %s\n", c->failed ? "FAIL" : "ok  ", c->name);
  } else {
    fail(c, "unknown directive: %s", line);
  }
}

int main(void) {
  char line[1024];
  hs_case c;
  coreapi_code refused = COREAPI_OK;
  coreapi_error rerr;
  FILE *f;
  memset(&c, 0, sizeof(c));
  snprintf(c.name, sizeof(c.name), "(before the first case)");
  REQUIRE(chdir(COREAPI_HOST_SETTINGS_DIR) == 0);
  f = fopen("cases", "r");
  REQUIRE(f != NULL);
  while (fgets(line, sizeof(line), f) != NULL) {
    size_t n = strlen(line);
    c.line++;
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
      line[--n] = '\0';
    if (n == 0 || line[0] == '#')
      continue;
    directive(&c, line, &refused, &rerr);
  }
  fclose(f);
  reset(&c);
  return check_done("test_host_settings");
}
