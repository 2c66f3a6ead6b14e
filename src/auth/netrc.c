/*
 * auth/netrc.c - HTTP Basic authentication (RFC 7617) from a netrc file:
 * each machine's login and password, sent only to that host.
 *
 * The file is read and checked once, at creation (as curl's man page
 * advises, a file that group or others can access is refused), parsed by
 * netrc_parse.c, and turned into a list, in file order, of normalised host
 * names with their ready-made "Basic <base64>" header values. apply() looks
 * the hop's own host up in that list and sets nothing when no entry names
 * it: the decision is made afresh on every hop from the request's host
 * alone, so a password never follows a redirect to another host. Nothing
 * changes after creation, so one object can serve clients in several
 * threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netrc.h"

typedef struct netrc_machine {
  char *host;   /* normalised machine name; NULL for a default entry */
  char *header; /* "Basic <base64>", a secret; NULL: no password, nothing sent */
} netrc_machine;

typedef struct netrc_state {
  netrc_machine *items; /* the entries that can match, in file order */
  size_t count;
  size_t cap;
  size_t machines; /* machine entries in the file */
  int has_default; /* a default entry is in items */
} netrc_state;

/* The entry that decides for host: the first naming it, or a default. */
static const netrc_machine *netrc_lookup(const netrc_state *s, const char *host) {
  for (size_t i = 0; i < s->count; i++)
    if (s->items[i].host == NULL || coreapi__strcaseeq(s->items[i].host, host))
      return &s->items[i];
  return NULL;
}

static coreapi_code netrc_apply(void *state, coreapi_request *req, coreapi_error *err) {
  const char *host = coreapi_request_host(req);
  const netrc_machine *m = host != NULL ? netrc_lookup(state, host) : NULL;
  if (m == NULL || m->header == NULL)
    return COREAPI_OK;
  /* checked when it was made */
  return coreapi__request_set_header_valid(req, "Authorization", m->header, err);
}

static void netrc_describe(void *state, char *buf, size_t size) {
  const netrc_state *s = state;
  snprintf(buf, size, "netrc (%zu machine%s%s)", s->machines, s->machines == 1 ? "" : "s",
           s->has_default ? ", default" : "");
}

static void netrc_free(void *state) {
  netrc_state *s = state;
  for (size_t i = 0; i < s->count; i++) {
    free(s->items[i].host);
    coreapi__free_secret(s->items[i].header);
  }
  free(s->items);
  free(s);
}

static const coreapi_auth_ops netrc_ops = {
    "netrc", 0, netrc_apply, NULL, netrc_describe, netrc_free,
};

/* A machine name normalised as request hosts are (lowercase, one trailing
 * dot dropped, punycode; an IPv6 address in brackets), as a new string; NULL
 * for a name no request host can have ("*", "a b", "host:port"), or on
 * ENOMEM (*oom set). */
static char *normalize_machine(const char *name, int *oom) {
  coreapi__pattern p;
  coreapi_error inner;
  coreapi_code rc;
  char *bracketed = NULL;
  if (name[0] == '\0' || strchr(name, '*') != NULL)
    return NULL;
  if (name[0] != '[' && strchr(name, ':') != NULL) {
    size_t n = strlen(name) + 3;
    if ((bracketed = malloc(n)) == NULL) {
      *oom = 1;
      return NULL;
    }
    snprintf(bracketed, n, "[%s]", name);
  }
  coreapi_error_clear(&inner);
  rc = coreapi__pattern_parse(&p, bracketed != NULL ? bracketed : name, &inner);
  free(bracketed);
  if (rc == COREAPI_ERR_OUT_OF_MEMORY)
    *oom = 1;
  if (rc != COREAPI_OK)
    return NULL;
  if (p.kind != COREAPI__PATTERN_EXACT) {
    coreapi__pattern_free(&p);
    return NULL;
  }
  return p.text;
}

/* "Basic " and the Base64 of "login:password", as a new string (a secret). */
static char *basic_header(const char *login, const char *password) {
  size_t ll = strlen(login), pl = strlen(password), n;
  char *pair = malloc(ll + pl + 2), *b64, *header = NULL;
  if (pair == NULL)
    return NULL;
  memcpy(pair, login, ll);
  pair[ll] = ':';
  memcpy(pair + ll + 1, password, pl + 1);
  b64 = coreapi__base64((const unsigned char *)pair, ll + pl + 1);
  coreapi__free_secret(pair);
  if (b64 == NULL)
    return NULL;
  n = strlen(b64) + 7;
  if ((header = malloc(n)) != NULL)
    snprintf(header, n, "Basic %s", b64);
  coreapi__free_secret(b64);
  return header;
}

/* Add what entry e can match to s; 0, or -1 on ENOMEM. */
static int add_entry(netrc_state *s, const coreapi__netrc_entry *e, unsigned flags) {
  netrc_machine m = {NULL, NULL}, *items;
  int oom = 0;
  if (e->machine != NULL)
    s->machines++;
  if (s->has_default)
    return 0; /* a default entry before this one decides for every host */
  if (e->machine == NULL && !(flags & COREAPI_NETRC_DEFAULT))
    return 0;
  if (e->machine != NULL && (m.host = normalize_machine(e->machine, &oom)) == NULL)
    return oom ? -1 : 0; /* a name no host has: it never matches */
  if (e->password != NULL &&
      (m.header = basic_header(e->login != NULL ? e->login : "", e->password)) == NULL) {
    free(m.host);
    return -1;
  }
  items = coreapi__array_room(s->items, &s->cap, s->count, sizeof(*items));
  if (items == NULL) {
    free(m.host);
    coreapi__free_secret(m.header);
    return -1;
  }
  s->items = items;
  s->items[s->count++] = m;
  if (e->machine == NULL)
    s->has_default = 1;
  return 0;
}

/* The file to read when the caller names none: $NETRC, else ~/.netrc. A new
 * string, and in *origin how it was found; NULL with err set. */
static char *default_path(const char **origin, coreapi_error *err) {
  const char *env = getenv("NETRC"), *home = getenv("HOME");
  struct passwd pw, *found = NULL;
  char pwbuf[4096], *path;
  size_t n;
  if (env != NULL && env[0] != '\0') {
    *origin = "$NETRC";
    path = coreapi__strdup(env);
    if (path == NULL)
      COREAPI__OOM(err);
    return path;
  }
  *origin = "~/.netrc";
  if ((home == NULL || home[0] == '\0') &&
      getpwuid_r(geteuid(), &pw, pwbuf, sizeof(pwbuf), &found) == 0 && found != NULL)
    home = found->pw_dir;
  if (home == NULL || home[0] == '\0') {
    coreapi_error_set(err, COREAPI_ERR_IO,
                      "no netrc file: $NETRC and $HOME are not set and the user has no home "
                      "directory; name the file");
    return NULL;
  }
  n = strlen(home) + sizeof("/.netrc");
  if ((path = malloc(n)) == NULL) {
    COREAPI__OOM(err);
    return NULL;
  }
  snprintf(path, n, "%s/.netrc", home);
  return path;
}

/* Open path and check what it is: a regular file that only its owner can
 * access, of at most 1 MiB. The open descriptor, or -1 with err set. */
static int open_checked(const char *path, const char *origin, coreapi_error *err) {
  struct stat st;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT && origin != NULL)
      coreapi_error_set(err, COREAPI_ERR_IO, "no netrc file: %.150s (%s) does not exist",
                        path, origin);
    else if (e == ENOENT)
      coreapi_error_set(err, COREAPI_ERR_IO, "netrc file %.150s does not exist", path);
    else
      coreapi_error_set(err, COREAPI_ERR_IO, "cannot open netrc file %.150s: %s", path,
                        strerror(e));
    return -1;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    coreapi_error_set(err, COREAPI_ERR_IO, "netrc file %.150s is not a regular file", path);
  } else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    coreapi_error_set(err, COREAPI_ERR_IO,
                      "netrc file %.90s is open to group or others (mode %03o), who could "
                      "read its passwords: run chmod 600 %.90s",
                      path, (unsigned)(st.st_mode & 0777), path);
  } else if ((unsigned long long)st.st_size > COREAPI__NETRC_MAX_SIZE) {
    coreapi_error_set(err, COREAPI_ERR_IO,
                      "netrc file %.150s is larger than 1 MiB: not a netrc file", path);
  } else {
    return fd;
  }
  close(fd);
  return -1;
}

/* The whole file at path, checked (open_checked), as a new buffer of *len
 * bytes (a secret: wipe it); NULL with err set. */
static char *read_netrc(const char *path, const char *origin, size_t *len, coreapi_error *err) {
  size_t cap = COREAPI__NETRC_MAX_SIZE + 1, n = 0;
  char *buf;
  int failed = 0, fd = open_checked(path, origin, err);
  if (fd < 0)
    return NULL;
  if ((buf = malloc(cap)) == NULL) {
    close(fd);
    COREAPI__OOM(err);
    return NULL;
  }
  while (n < cap) { /* the file may have grown since fstat */
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      failed = coreapi_error_set(err, COREAPI_ERR_IO, "cannot read netrc file %.150s: %s",
                                 path, strerror(errno)) != COREAPI_OK;
      break;
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  close(fd);
  if (!failed && n > COREAPI__NETRC_MAX_SIZE)
    failed = coreapi_error_set(err, COREAPI_ERR_IO,
                               "netrc file %.150s is larger than 1 MiB: not a netrc file",
                               path) != COREAPI_OK;
  if (failed) {
    coreapi__wipe(buf, n);
    free(buf);
    return NULL;
  }
  *len = n;
  return buf;
}

/* Parse text (len bytes) into a new state for flags; NULL with err set, its
 * message naming path. */
static netrc_state *state_from_text(const char *path, const char *text, size_t len,
                                    unsigned flags, coreapi_error *err) {
  coreapi__netrc parsed;
  coreapi_error inner;
  netrc_state *s;
  coreapi_error_clear(&inner);
  if (coreapi__netrc_parse(text, len, &parsed, NULL, &inner) != COREAPI_OK) {
    if (inner.code == COREAPI_ERR_OUT_OF_MEMORY)
      COREAPI__OOM(err);
    else
      coreapi_error_set(err, inner.code, "netrc file %.100s: %s", path, inner.text);
    return NULL;
  }
  if ((s = calloc(1, sizeof(*s))) == NULL) {
    coreapi__netrc_free(&parsed);
    COREAPI__OOM(err);
    return NULL;
  }
  for (size_t i = 0; i < parsed.count; i++)
    if (add_entry(s, &parsed.entries[i], flags) != 0) {
      netrc_free(s);
      s = NULL;
      COREAPI__OOM(err);
      break;
    }
  coreapi__netrc_free(&parsed);
  return s;
}

coreapi_auth *coreapi_auth_netrc_new(const char *path, unsigned flags, coreapi_error *err) {
  const char *origin = NULL;
  char *owned = NULL, *text;
  size_t len = 0;
  netrc_state *s;

  coreapi_error_clear(err);
  if (flags & ~COREAPI_NETRC_DEFAULT) {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      "netrc: unknown flags 0x%x (only COREAPI_NETRC_DEFAULT)",
                      flags & ~COREAPI_NETRC_DEFAULT);
    return NULL;
  }
  if (path != NULL && path[0] == '\0') {
    coreapi_error_set(err, COREAPI_ERR_INVALID_ARGUMENT,
                      "netrc: the file name is empty (NULL means $NETRC or ~/.netrc)");
    return NULL;
  }
  if (path == NULL && (path = owned = default_path(&origin, err)) == NULL)
    return NULL;
  text = read_netrc(path, origin, &len, err);
  s = text != NULL ? state_from_text(path, text, len, flags, err) : NULL;
  if (text != NULL) {
    coreapi__wipe(text, len);
    free(text);
  }
  free(owned);
  if (s == NULL)
    return NULL;
  return coreapi_auth_new(&netrc_ops, s, "*", err);
}
