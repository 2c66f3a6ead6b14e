/*
 * tests/integration/test_batch_same.h - "Every request follows exactly the
 * rules of coreapi_client_send" (coreapi/batch.h), checked as a difference:
 * the same requests sent one by one with coreapi_client_send by one client,
 * and all at once through a batch by another configured the same (Session
 * for api.test with a CSRF cookie in the jar, Token for other.test, a
 * client-level extra header, caller headers on every request), must reach
 * the server as the same hops (its log lines) and end with the same headers
 * (the final /echo). Part of test_batch.c's translation unit.
 */

#define SAME_N 12

static coreapi_client *same_client(void) {
  coreapi_client *c = new_client();
  coreapi_error err;
  coreapi_auth *s = coreapi_auth_session_new("csrftoken", "X-CSRFToken", "api.test", &err);
  coreapi_auth *t = coreapi_auth_token_new("other-token", "Token", "other.test", &err);
  MUST(s != NULL && t != NULL);
  MUST(coreapi_client_add_auth(c, s, &err) == COREAPI_OK);
  MUST(coreapi_client_add_auth(c, t, &err) == COREAPI_OK);
  coreapi_auth_free(s);
  coreapi_auth_free(t);
  MUST(coreapi_client_add_header(c, "X-Extra", "extra-1", &err) == COREAPI_OK);
  coreapi_response *r = NULL;
  MUST(coreapi_client_request(c, "GET",
                              http_url("api.test", "/set-cookie?name=csrftoken&value=tok1"), NULL,
                              NULL, 0, &r, &err) == COREAPI_OK);
  coreapi_response_free(r);
  return c;
}

/* Request k: its method, first URL and body; every one ends at an /echo
 * whose path holds the tag "q<k>q". */
static coreapi_request *same_req(int k) {
  const char *tag = fmt("/echo/q%dq", k);
  const char *api = http_url("api.test", tag), *other = http_url("other.test", tag);
  const char *apis = fmt("https://api.test:%d%s", port_https, tag);
  const char *others = fmt("https://other.test:%d%s", port_https, tag);
  const char *api2 = fmt("http://api.test:%d%s", port_http2, tag);
  const char *via_api = http_url("api.test", "/redirect?code=");
  const char *via_other = http_url("other.test", "/redirect?code=");
  const char *via_apis = fmt("https://api.test:%d/redirect?code=", port_https);
  static const char *const methods[SAME_N] = {"GET", "POST", "POST", "GET", "GET", "POST",
                                              "GET", "POST", "GET", "PUT", "POST", "GET"};
  const char *u;
  switch (k) {
  case 0: u = api; break;
  case 1: u = api; break;
  case 2: u = fmt("%s307&to=%s", via_api, pct(other)); break;
  case 3: u = other; break;
  case 4: u = fmt("%s302&to=%s", via_other, pct(api)); break;
  case 5: u = apis; break;
  case 6: u = fmt("%s302&to=%s", via_api, pct(api2)); break;
  case 7: u = fmt("%s303&to=%s", via_api, pct(tag)); break;
  case 8: u = fmt("%s302&to=%s", via_apis, pct(api)); break;
  case 9: u = fmt("%s302&to=%s", via_api, pct(tag)); break;
  case 10: u = fmt("%s308&to=%s", via_apis, pct(others)); break;
  default: u = fmt("%s302&to=%s", via_other, pct(tag)); break;
  }
  int body = strcmp(methods[k], "GET") != 0;
  coreapi_request *r = new_req(methods[k], u, body ? "{\"k\": 1}" : NULL);
  coreapi_error err;
  MUST(coreapi_request_set_header(r, "X-Custom", "custom-1", &err) == COREAPI_OK);
  MUST(coreapi_request_set_header(r, "Accept", "application/json", &err) == COREAPI_OK);
  return r;
}

/* The log lines of request k (those naming its tag), in order. */
static const char *lines_of(const char *log, int k) {
  const char *tag = fmt("q%dq", k);
  size_t cap = strlen(log) + 1, n = 0;
  char *out = malloc(cap);
  MUST(out != NULL);
  for (const char *p = log; *p;) {
    const char *nl = strchr(p, '\n');
    MUST(nl != NULL);
    const char *hit = strstr(p, tag);
    if (hit && hit < nl) {
      memcpy(out + n, p, (size_t)(nl - p + 1));
      n += (size_t)(nl - p + 1);
    }
    p = nl + 1;
  }
  out[n] = '\0';
  const char *kept = fmt("%s", out);
  free(out);
  return kept;
}

/* The headers of the final /echo that the rules decide, as one string. */
static const char *echo_headers(const coreapi_response *r) {
  static const char *const names[] = {"authorization", "x-csrftoken", "cookie", "x-extra",
                                      "x-custom", "accept", "content-type", "origin",
                                      "referer", "user-agent"};
  const char *body = coreapi_response_body(r, NULL), *s = fmt("%ld;", coreapi_response_status(r));
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    const char *p = strstr(body, fmt("\"%s\": \"", names[i]));
    if (!p) {
      s = fmt("%s%s=-;", s, names[i]);
      continue;
    }
    p += strlen(names[i]) + 5;
    s = fmt("%s%s=%.*s;", s, names[i], (int)(strchr(p, '"') - p), p);
  }
  return s;
}

static void test_same_rules(void) {
  coreapi_client *a = same_client(), *b_client = same_client();
  coreapi_request *reqs[SAME_N];
  const char *sync_lines[SAME_N], *sync_headers[SAME_N];
  coreapi_error err;
  for (int k = 0; k < SAME_N; k++) {
    reqs[k] = same_req(k);
    free(plain_get(http_url("127.0.0.1", "/__clear")));
    coreapi_response *r = NULL;
    MUST(coreapi_client_send(a, reqs[k], &r, &err) == COREAPI_OK);
    sync_headers[k] = echo_headers(r);
    coreapi_response_free(r);
    char *log = plain_get(http_url("127.0.0.1", "/__log"));
    sync_lines[k] = lines_of(log, k);
    CHECK(sync_lines[k][0] != '\0');
    free(log);
  }
  free(plain_get(http_url("127.0.0.1", "/__clear")));
  coreapi_batch *b = new_batch(b_client, NULL, 0);
  for (int k = 0; k < SAME_N; k++)
    MUST(coreapi_batch_add(b, reqs[k], NULL, NULL, NULL, &err) == COREAPI_OK);
  CHECK_INT(coreapi_batch_run(b, &err), COREAPI_OK);
  char *log = plain_get(http_url("127.0.0.1", "/__log"));
  for (int k = 0; k < SAME_N; k++) {
    coreapi_response *r = coreapi_batch_take(b, (size_t)k, &err);
    CHECK(r != NULL);
    const char *got = lines_of(log, k), *heads = r ? echo_headers(r) : "-";
    CHECK_STR(got, sync_lines[k]);
    CHECK_STR(heads, sync_headers[k]);
    if (strcmp(got, sync_lines[k]) != 0 || strcmp(heads, sync_headers[k]) != 0)
      fprintf(stderr, "  ^ same rules: request %d, %s %s\n", k, coreapi_request_method(reqs[k]),
              coreapi_request_url(reqs[k]));
    coreapi_response_free(r);
  }
  free(log);
  coreapi_batch_free(b);
  for (int k = 0; k < SAME_N; k++) coreapi_request_free(reqs[k]);
  coreapi_client_free(a);
  coreapi_client_free(b_client);
}
