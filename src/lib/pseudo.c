/*
 * pseudo.c -- pseudonymization: sensitive values in a prompt replaced by
 * typed placeholders (<EMAIL_1>, <CARD_1>), and the placeholders in the
 * model's answer turned back into the values for the client.
 *
 * The model still sees that "an e-mail address" or "a card number" was
 * there, and which mentions are the same value (the same value gets the
 * same placeholder everywhere in a request), so its answer can refer to
 * them; the provider never sees the values. Placeholders look like
 * nothing a person writes: '<', an upper-case type, '_', a number, '>'.
 *
 * Restoring in a stream holds back a '<' and what follows it while it can
 * still become a placeholder (at most AIGATE_PSEUDO_MAX_TAG bytes), so a
 * placeholder split across chunks is restored whole.
 *
 * Limits: at most 4096 distinct values per map, each at most 64 KiB; a
 * value beyond them makes aigate_pseudonymize fail (the caller blocks,
 * never sends the value).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

#define MAX_ENTRIES 4096
#define MAX_VALUE 65536
#define MAX_TYPE 24

typedef struct {
  char *value;
  size_t len;
  char tag[AIGATE_PSEUDO_MAX_TAG + 1]; /* "<EMAIL_1>" */
  size_t tag_len;
  int restore;
} entry;

struct aigate_pseudo {
  entry *v;
  size_t n, cap;
  char **restore_cats, **mask_cats;
  size_t n_restore, n_mask;
};

static char **copy_names(const char *const *names, size_t *n) {
  size_t cnt = 0;
  while (names && names[cnt])
    cnt++;
  *n = cnt;
  char **c = calloc(cnt + 1, sizeof(*c));
  for (size_t i = 0; c && i < cnt; i++)
    if (!(c[i] = strdup(names[i]))) {
      while (i--)
        free(c[i]);
      free(c);
      return NULL;
    }
  return c;
}

int aigate_pseudo_new(const char *const *restore_categories,
                      const char *const *mask_categories, aigate_pseudo **out) {
  *out = NULL;
  aigate_pseudo *p = calloc(1, sizeof(*p));
  if (!p)
    return AIGATE_ERR_NOMEM;
  p->restore_cats = copy_names(restore_categories, &p->n_restore);
  p->mask_cats = copy_names(mask_categories, &p->n_mask);
  if (!p->restore_cats || !p->mask_cats) {
    aigate_pseudo_free(p);
    return AIGATE_ERR_NOMEM;
  }
  *out = p;
  return AIGATE_OK;
}

void aigate_pseudo_free(aigate_pseudo *p) {
  if (!p)
    return;
  for (size_t i = 0; i < p->n; i++)
    free(p->v[i].value);
  free(p->v);
  for (size_t i = 0; p->restore_cats && i < p->n_restore; i++)
    free(p->restore_cats[i]);
  for (size_t i = 0; p->mask_cats && i < p->n_mask; i++)
    free(p->mask_cats[i]);
  free(p->restore_cats);
  free(p->mask_cats);
  free(p);
}

size_t aigate_pseudo_count(const aigate_pseudo *p) {
  return p ? p->n : 0;
}

static int listed(char *const *v, size_t n, const char *s) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(v[i], s))
      return 1;
  return 0;
}

/* 1 restore, 0 mask, -1 not pseudonymized (plain redaction). */
static int mode_of(const aigate_pseudo *p, const char *category) {
  if (listed(p->restore_cats, p->n_restore, category))
    return 1;
  if (listed(p->mask_cats, p->n_mask, category))
    return 0;
  return -1;
}

/* The placeholder type of a finding: what kind of value it stood for. */
static void type_of(const aigate_finding *f, char *out, size_t len) {
  static const struct {
    const char *prefix, *type;
  } known[] = {
      {"pii-email", "EMAIL"},      {"pii-phone", "PHONE"},
      {"pii-credit-card", "CARD"}, {"pii-iban", "IBAN"},
      {"pii-us-ssn", "SSN"},       {"pii-ip", "IP_ADDRESS"},
  };
  for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
    if (!strncmp(f->rule_id, known[i].prefix, strlen(known[i].prefix))) {
      snprintf(out, len, "%s", known[i].type);
      return;
    }
  /* secrets -> SECRET; any other category by its name. */
  const char *c = !strcmp(f->category, "secrets") ? "secret" : f->category;
  size_t j = 0;
  for (; c[j] && j + 1 < len && j < MAX_TYPE; j++) {
    char ch = c[j];
    out[j] = ch >= 'a' && ch <= 'z'     ? (char)(ch - 32)
             : (ch >= 'A' && ch <= 'Z') ? ch
                                        : '_';
  }
  out[j] = '\0';
}

/* The placeholder of value (created on first sight). NULL when the map
 * is full or out of memory. */
static const entry *placeholder(aigate_pseudo *p, const char *value, size_t len,
                                const char *type, int restore) {
  size_t same_type = 0;
  for (size_t i = 0; i < p->n; i++) {
    entry *e = &p->v[i];
    if (e->len == len && !memcmp(e->value, value, len))
      return e;
    size_t tl = strlen(type);
    if (!strncmp(e->tag + 1, type, tl) && e->tag[tl + 1] == '_')
      same_type++;
  }
  if (p->n == MAX_ENTRIES || len > MAX_VALUE)
    return NULL;
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 8;
    entry *v = realloc(p->v, cap * sizeof(*v));
    if (!v)
      return NULL;
    p->v = v;
    p->cap = cap;
  }
  entry *e = &p->v[p->n];
  if (!(e->value = malloc(len ? len : 1)))
    return NULL;
  memcpy(e->value, value, len);
  e->len = len;
  e->restore = restore;
  int n = snprintf(e->tag, sizeof(e->tag), "<%s_%zu>", type, same_type + 1);
  e->tag_len = (size_t)n;
  p->n++;
  return e;
}

/* aigate_redact (p NULL) and aigate_pseudonymize: one walk over the
 * findings. */
int ag_rewrite(aigate_pseudo *p, const char *text, size_t len,
               const aigate_result *res, char **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  if ((!text && len) || !res)
    return AIGATE_ERR_INVALID;
  ag_buf b = {0};
  size_t pos = 0, marker_end = (size_t)-1;
  int rc = AIGATE_OK;
  /* As aigate_redact: findings sorted by start, overlapping spans merged
   * into one; the first finding of a merged span names its type. */
  for (size_t i = 0; i < res->n_findings && rc == AIGATE_OK; i++) {
    const aigate_finding *f = &res->findings[i];
    if (f->action != AIGATE_REDACT || f->mode != AIGATE_MODE_ENFORCE ||
        f->end > len || f->end <= pos)
      continue;
    size_t start = f->start > pos ? f->start : pos;
    size_t end = f->end;
    for (size_t j = i + 1; j < res->n_findings; j++) {
      const aigate_finding *g = &res->findings[j];
      if (g->start >= end)
        break;
      if (g->action == AIGATE_REDACT && g->mode == AIGATE_MODE_ENFORCE &&
          g->end > end && g->end <= len)
        end = g->end;
    }
    ag_buf_append(&b, text + pos, start - pos);
    int mode = p ? mode_of(p, f->category) : -1;
    /* A finding that keeps part of its text (an exfiltrating image keeps
     * its alt text) does so when it stands alone or with compatible
     * ones. */
    int keep = mode < 0 && f->replace && start == f->start && end == f->end;
    for (size_t j = i + 1; keep && j < res->n_findings; j++) {
      const aigate_finding *g = &res->findings[j];
      if (g->start >= end)
        break;
      if (g->action == AIGATE_REDACT && g->mode == AIGATE_MODE_ENFORCE)
        keep = ag_keep_compatible(f, g);
    }
    if (keep) {
      ag_buf_append(&b, text + f->keep_start, f->keep_end - f->keep_start);
      pos = end;
      marker_end = (size_t)-1;
      continue;
    }
    if (mode < 0) {
      if (start != marker_end) {
        ag_buf_append(&b, "[REDACTED:", 10);
        ag_buf_append(&b, f->rule_id, strlen(f->rule_id));
        ag_buf_putc(&b, ']');
      }
    } else {
      char type[MAX_TYPE + 1];
      type_of(f, type, sizeof(type));
      const entry *e = placeholder(p, text + start, end - start, type, mode);
      if (!e)
        rc = AIGATE_ERR_TOO_LARGE;
      else
        ag_buf_append(&b, e->tag, e->tag_len);
    }
    pos = marker_end = end;
  }
  ag_buf_append(&b, text + pos, len - pos);
  if (!b.data && !b.failed && !(b.data = calloc(1, 1)))
    b.failed = 1;
  if (rc == AIGATE_OK && b.failed)
    rc = AIGATE_ERR_NOMEM;
  if (rc) {
    ag_buf_free(&b);
    return rc;
  }
  *out = b.data;
  *out_len = b.len;
  return AIGATE_OK;
}

int aigate_pseudonymize(aigate_pseudo *p, const char *text, size_t len,
                        const aigate_result *res, char **out, size_t *out_len) {
  if (!p) {
    *out = NULL;
    *out_len = 0;
    return AIGATE_ERR_INVALID;
  }
  return ag_rewrite(p, text, len, res, out, out_len);
}

/* Could text[0..n) (starting with '<') still become a placeholder? */
static int could_be_tag(const char *t, size_t n) {
  if (n > AIGATE_PSEUDO_MAX_TAG)
    return 0;
  size_t i = 1;
  while (i < n && ((t[i] >= 'A' && t[i] <= 'Z') || t[i] == '_' ||
                   (t[i] >= '0' && t[i] <= '9')))
    i++;
  return i == n;
}

/* The restorable entry whose placeholder starts text, or NULL. */
static const entry *tag_at(const aigate_pseudo *p, const char *t, size_t n) {
  for (size_t i = 0; i < p->n; i++) {
    const entry *e = &p->v[i];
    if (e->restore && e->tag_len <= n && !memcmp(e->tag, t, e->tag_len))
      return e;
  }
  return NULL;
}

/* Restore text[0..len) into b; returns how many bytes at the end are held
 * (a possible placeholder not yet complete) when `hold`. */
static size_t restore_into(const aigate_pseudo *p, const char *text, size_t len,
                           ag_buf *b, int hold) {
  size_t pos = 0, i = 0;
  while (i < len) {
    const char *lt = memchr(text + i, '<', len - i);
    if (!lt)
      break;
    i = (size_t)(lt - text);
    const entry *e = p->n ? tag_at(p, text + i, len - i) : NULL;
    if (e) {
      ag_buf_append(b, text + pos, i - pos);
      ag_buf_append(b, e->value, e->len);
      i += e->tag_len;
      pos = i;
      continue;
    }
    if (hold && p->n && could_be_tag(text + i, len - i)) {
      ag_buf_append(b, text + pos, i - pos);
      return len - i;
    }
    i++;
  }
  ag_buf_append(b, text + pos, len - pos);
  return 0;
}

int aigate_pseudo_restore(const aigate_pseudo *p, const char *text, size_t len,
                          char **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  if (!p || (!text && len))
    return AIGATE_ERR_INVALID;
  ag_buf b = {0};
  restore_into(p, text, len, &b, 0);
  if (!b.data && !b.failed && !(b.data = calloc(1, 1)))
    b.failed = 1;
  if (b.failed) {
    ag_buf_free(&b);
    return AIGATE_ERR_NOMEM;
  }
  *out = b.data;
  *out_len = b.len;
  return AIGATE_OK;
}

void aigate_unpseudo_init(aigate_unpseudo *u, const aigate_pseudo *p) {
  memset(u, 0, sizeof(*u));
  u->map = p;
}

int aigate_unpseudo_write(aigate_unpseudo *u, const char *text, size_t len,
                          int final, char **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  if (!u || !u->map || (!text && len))
    return AIGATE_ERR_INVALID;
  /* The held tail and the new text, restored together. */
  ag_buf in = {0}, b = {0};
  ag_buf_append(&in, u->held, u->n_held);
  ag_buf_append(&in, text, len);
  size_t held = in.failed ? 0
                          : restore_into(u->map, in.data ? in.data : "", in.len,
                                         &b, !final);
  if (held) {
    memcpy(u->held, in.data + in.len - held, held);
  }
  u->n_held = held;
  if (!b.data && !b.failed && !(b.data = calloc(1, 1)))
    b.failed = 1;
  int failed = in.failed || b.failed;
  ag_buf_free(&in);
  if (failed) {
    ag_buf_free(&b);
    return AIGATE_ERR_NOMEM;
  }
  *out = b.data;
  *out_len = b.len;
  return AIGATE_OK;
}
