/*
 * scan.c -- one scan: views, decoded layers, matching, findings, verdict.
 *
 * The verdict follows the OWASP CRS anomaly model. Each rule that fires
 * counts once, with its score, into the anomaly score; only categories
 * about attacks (action block or log) count, since sensitive data is not
 * evidence of an attack. A block needs both an enforced finding in a block
 * category and a score at or over the threshold of the paranoia level, so
 * a weak signal alone logs while two weak signals, or one strong one,
 * block. Redact categories redact whatever their score. Detect-only
 * findings are reported and never change more than allow -> log.
 *
 * The same code scans the parts of a stream (ag_scan_step, for stream.c):
 * the root layer's matches are then searched only from where the part
 * begins to its hold point, with the text before it as context, and the
 * hold point is found first on the same views.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "classifier.h"
#include "engine.h"
#include "exfil.h"
#include "util.h"
#include "validate.h"

static void reset(aigate_scratch *s) {
  s->n_layers = 0;
  s->n_findings = 0;
  s->flags = 0;
}

/* Map a span in a layer's view down to the original text. */
static void to_original(const aigate_scratch *s, size_t li,
                        const ag_view_buf *v, size_t vs, size_t ve, size_t *os,
                        size_t *oe) {
  ag_view_span(v, vs, ve, &vs, &ve);
  /* The folded view is made from the raw view, not from the layer's input:
   * map through the raw view too (NFC and U+FFFD change offsets). */
  if (v == &s->layers[li].folded)
    ag_view_span(&s->layers[li].raw, vs, ve, &vs, &ve);
  while (s->layers[li].parent >= 0) {
    const ag_layer *l = &s->layers[li];
    ag_map_span(&l->to_parent, vs, ve, &vs, &ve);
    li = (size_t)l->parent;
    ag_view_span(&s->layers[li].raw, vs, ve > vs ? ve : vs + 1, &vs, &ve);
  }
  *os = vs;
  *oe = ve;
}

static aigate_finding *add_finding(aigate_scratch *s, const ag_rule *r,
                                   const char *layer, size_t os, size_t oe) {
  for (size_t i = 0; i < s->n_findings; i++) {
    const aigate_finding *f = &s->findings[i];
    if (f->start == os && f->end == oe && strcmp(f->rule_id, r->id) == 0)
      return NULL;
  }
  if (s->n_findings >= AG_MAX_FINDINGS) {
    s->flags |= AIGATE_FLAG_TOO_MANY;
    return NULL;
  }
  if (s->n_findings == s->cap_findings) {
    size_t cap = s->cap_findings ? s->cap_findings * 2 : 16;
    aigate_finding *f = realloc(s->findings, cap * sizeof(*f));
    if (!f) {
      s->flags |= AIGATE_FLAG_TOO_MANY;
      return NULL;
    }
    s->findings = f;
    s->cap_findings = cap;
  }
  s->findings[s->n_findings] = (aigate_finding){
      .rule_id = r->id,
      .category = r->category,
      .message = r->message,
      .layer = layer,
      .severity = r->severity,
      .score = r->score,
      .start = os,
      .end = oe,
  };
  return &s->findings[s->n_findings++];
}

/* Bytes before its match the suffix validator reads: the request that
 * token soup follows lies before the soup the pattern found. */
#define SUFFIX_CONTEXT 400

/* The validator of rule r on the match [s, e) of text t. */
static int validate(const ag_rule *r, const char *t, size_t s, size_t e) {
  const char *p = t + s;
  size_t n = e - s;
  switch (r->validator) {
  case AG_VAL_NONE: return 1;
  case AG_VAL_LUHN: return ag_valid_luhn(p, n);
  case AG_VAL_CARD: return ag_valid_card(p, n);
  case AG_VAL_IBAN: return ag_valid_iban(p, n);
  case AG_VAL_SSN: return ag_valid_ssn(p, n);
  case AG_VAL_ENTROPY: return ag_entropy(p, n) >= r->validator_min;
  case AG_VAL_GITHUB: return ag_valid_github(p, n);
  case AG_VAL_NPM: return ag_valid_npm(p, n);
  case AG_VAL_JWT: return ag_valid_jwt(p, n);
  case AG_VAL_IPV4: return ag_valid_ipv4(p, n);
  case AG_VAL_IPV6: return ag_valid_ipv6(p, n);
  case AG_VAL_SQL_NO_WHERE: return ag_valid_sql_no_where(p, n);
  case AG_VAL_GIBBERISH_SUFFIX:
    s = e > SUFFIX_CONTEXT ? e - SUFFIX_CONTEXT : 0;
    return ag_valid_gibberish_suffix(t + s, e - s);
  }
  return 0;
}

/* The part of a streamed text to decide, in the root layer's views. */
typedef struct {
  size_t from[AG_VIEW_COUNT], to[AG_VIEW_COUNT];
  unsigned opts; /* AG_MATCH_NOTBOL */
  ag_step *st;
  /* Databases whose patterns were seen to match in the region while the
   * hold point was searched (bit d % 64: others are never skipped). */
  uint64_t matched;
} region;

typedef struct {
  const ag_profile *profile;
  unsigned dir;
  int all_rules;
  aigate_mode *cat_mode; /* per engine category */
  int folded_dbs;        /* a database to run needs the folded view */
  int mixed_script;      /* the mixed-script detector is active */
  int exfil;             /* an exfiltration detector is active */
  ag_exfil_allow allow;  /* hosts output may load from */
  region *rg;            /* NULL for a whole text */
  int classify;          /* the classifier runs on the root's folded view */
} run_ctx;

static int active(const aigate_engine *e, const run_ctx *rc, size_t ri) {
  const ag_rule *r = &e->rs.rules[ri];
  if (rc->all_rules)
    return 1;
  return !r->disabled && r->paranoia <= rc->profile->paranoia &&
         (r->directions & rc->dir) &&
         rc->cat_mode[e->rule_cat[ri]] != AIGATE_MODE_OFF;
}

/* What the Hyperscan callback needs to confirm a hit on one view. */
typedef struct {
  aigate_scratch *s;
  const run_ctx *rc;
  size_t li;
  const ag_view_buf *v;
  const char *layer;
  int status;
  /* Matches may start in [from, to) (the region of a stream step, or the
   * whole view). */
  size_t from, to;
  unsigned opts;
  region *rg; /* set on the root layer of a stream step */
} hit_ctx;

static void record(hit_ctx *h, const ag_rule *r, size_t gs, size_t ge) {
  /* Patterns match bytes: widen the span to whole UTF-8 characters so a
   * redaction never leaves half a character behind. */
  const unsigned char *u = (const unsigned char *)h->v->p;
  while (gs > 0 && gs < h->v->len && (u[gs] & 0xC0) == 0x80)
    gs--;
  while (ge < h->v->len && (u[ge] & 0xC0) == 0x80)
    ge++;
  size_t os, oe;
  to_original(h->s, h->li, h->v, gs, ge > gs ? ge : gs + 1, &os, &oe);
  add_finding(h->s, r, h->layer, os, oe);
}

/* The first offset of a view stage whose bytes come from input offset o
 * or later (len when none). Stage maps are monotonic: search the last
 * segment that starts at or before o. */
static size_t map_inverse(const ag_map *m, size_t len, size_t o) {
  if (m->n == 0)
    return o < len ? o : len;
  if (m->s[0].o > o)
    return m->s[0].v;
  size_t lo = 0, hi = m->n;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->s[mid].o <= o)
      lo = mid;
    else
      hi = mid;
  }
  const ag_seg *g = &m->s[lo];
  size_t next = lo + 1 < m->n ? m->s[lo + 1].v : len;
  if (g->linear)
    return o - g->o < next - g->v ? g->v + (o - g->o) : next;
  return o == g->o ? g->v : next;
}

/* The first offset of view v whose bytes come from offset o of the
 * view's input or later: the inverse of ag_view_span. */
static size_t view_offset(const ag_view_buf *v, size_t o) {
  for (int i = 0; i < v->n_stages; i++)
    o = map_inverse(&v->maps[i], v->stage[i].len, o);
  return o < v->len ? o : v->len;
}

/* Offset in the root layer's view v of the root text's offset o. */
static size_t root_view_offset(const aigate_scratch *s, const ag_view_buf *v,
                               size_t o) {
  const ag_layer *l = &s->layers[0];
  o = view_offset(&l->raw, o);
  return v == &l->folded ? view_offset(v, o) : o;
}

/* Where pattern g starts searching in a stream step: at the region's
 * start, or after its match that the step before saw reach into it (so
 * that matches do not overlap, as in a whole text). */
static size_t resume_from(const hit_ctx *h, size_t g) {
  const ag_step *st = h->rg->st;
  for (size_t i = 0; i < st->n_resume; i++)
    if (st->resume[i].gid == g && st->resume[i].at > st->base) {
      size_t at = root_view_offset(h->s, h->v, st->resume[i].at - st->base);
      return at > h->from ? at : h->from;
    }
  return h->from;
}

/* A match of pattern g that starts before the hold point ends past it:
 * tell the next step where g's search resumes. */
static int resume_add(hit_ctx *h, size_t g, const size_t span[4]) {
  ag_step *st = h->rg->st;
  if (st->n_next == st->cap_next) {
    size_t cap = st->cap_next ? st->cap_next * 2 : 4;
    ag_resume *n = realloc(st->next, cap * sizeof(*n));
    if (!n)
      return AIGATE_ERR_NOMEM;
    st->next = n;
    st->cap_next = cap;
  }
  size_t os, oe;
  to_original(h->s, h->li, h->v, span[0], span[1], &os, &oe);
  st->next[st->n_next++] = (ag_resume){g, st->base + oe};
  return 0;
}

/* Confirm pattern `pattern` of rule `rule` with PCRE2 at the starts
 * [from, to]: record its matches there, and where its next search starts.
 * 0, or an error. */
static int confirm(hit_ctx *h, size_t rule, size_t pattern, size_t from,
                   size_t to) {
  aigate_scratch *s = h->s;
  const ag_rule *r = &s->e->rs.rules[rule];
  const ag_pattern *p = &r->pats[pattern];
  size_t g = p->gid;
  if (s->pat_count[g] >= AG_MAX_MATCHES)
    return 0;
  while (from <= to) {
    size_t span[4];
    int m = ag_match_next(p, r->group, s->ms, h->v->p, h->v->len, from, to,
                          h->opts, span);
    if (m < 0)
      return m;
    if (m == 0) {
      from = to + 1;
      break;
    }
    if (h->rg && span[1] > h->to && (m = resume_add(h, g, span)) < 0)
      return m;
    if (validate(r, h->v->p, span[2], span[3])) {
      record(h, r, span[2], span[3]);
      if (++s->pat_count[g] >= AG_MAX_MATCHES) {
        /* Later matches of this pattern are not reported (nor redacted):
         * say so rather than let the result look complete. */
        s->flags |= AIGATE_FLAG_TOO_MANY;
        break;
      }
    }
    from = span[1] > span[0] ? span[1] : span[0] + 1;
  }
  s->pat_from[g] = from;
  return 0;
}

/* Confirm the runs of starts that the database's hits left (see
 * on_hit). 0, or an error. */
static int confirm_runs(hit_ctx *h) {
  aigate_scratch *s = h->s;
  int rc = 0;
  for (size_t i = 0; i < s->n_runs; i++) {
    size_t rule = s->run_rule[i], pattern = s->run_pattern[i];
    size_t g = s->e->rs.rules[rule].pats[pattern].gid;
    if (s->run_to[g] != SIZE_MAX && !rc)
      rc = confirm(h, rule, pattern, s->run_from[g], s->run_to[g]);
    s->run_to[g] = SIZE_MAX;
  }
  s->n_runs = 0;
  return rc;
}

/* Hyperscan found pattern `pattern` of rule `rule` ending at `to`: a match
 * can start in the window of the pattern's width before `to`, less what
 * an earlier search of the pattern already covered. Windows that touch
 * the pattern's pending run join it, and the run is searched by PCRE2
 * once, when a hit's window lies past it or the database is done: a run
 * of digits gives a card pattern a hit at every byte, and a search each
 * cost more than the scan. */
static int on_hit(void *ud, size_t rule, size_t pattern, size_t to) {
  hit_ctx *h = ud;
  aigate_scratch *s = h->s;
  if (!active(s->e, h->rc, rule))
    return 0;
  const ag_pattern *p = &s->e->rs.rules[rule].pats[pattern];
  size_t g = p->gid;
  if (s->pat_epoch[g] != s->epoch) {
    s->pat_epoch[g] = s->epoch;
    s->pat_from[g] = h->rg ? resume_from(h, g) : 0;
    s->pat_count[g] = 0;
    s->run_to[g] = SIZE_MAX;
    s->run_rule[s->n_runs] = rule; /* once per pattern and database */
    s->run_pattern[s->n_runs++] = pattern;
  }
  /* In a stream step, matches starting at or after the hold point are
   * the next step's. */
  if (to >= h->to) {
    if (h->to == 0)
      return 0;
    to = h->to - 1;
  }
  /* Patterns without a bounded width are searched from AG_MAX_SPAN back:
   * without the bound, the first hit near the end of a long text would
   * make PCRE2 walk all of it. */
  size_t width = p->max_width < AG_MAX_SPAN ? p->max_width : AG_MAX_SPAN;
  size_t from = to > width ? to - width : 0;
  if (s->run_to[g] != SIZE_MAX) {
    if (from <= s->run_to[g] + 1) {
      if (to > s->run_to[g])
        s->run_to[g] = to;
      return 0;
    }
    int rc = confirm(h, rule, pattern, s->run_from[g], s->run_to[g]);
    s->run_to[g] = SIZE_MAX;
    if (rc < 0) {
      h->status = rc;
      return 1;
    }
  }
  if (from < s->pat_from[g])
    from = s->pat_from[g];
  if (to < from || s->pat_count[g] >= AG_MAX_MATCHES)
    return 0;
  s->run_from[g] = from;
  s->run_to[g] = to;
  return 0;
}

static int match_layer(aigate_scratch *s, size_t li, const run_ctx *rc) {
  const aigate_engine *e = s->e;
  ag_layer *l = &s->layers[li];
  for (size_t d = 0; d < e->m.n_dbs; d++) {
    const ag_family_db *db = &e->m.dbs[d];
    if (!rc->all_rules && !(db->directions & rc->dir))
      continue;
    const ag_view_buf *v = db->view == AG_VIEW_RAW ? &l->raw : &l->folded;
    if (++s->epoch == 0) { /* wrapped: forget every pattern's state */
      memset(s->pat_epoch, 0,
             (ag_matcher_patterns(&e->rs) + 1) * sizeof(unsigned));
      s->epoch = 1;
    }
    hit_ctx h = {s,
                 rc,
                 li,
                 v,
                 l->parent < 0 ? (db->view == AG_VIEW_RAW ? "raw" : "folded")
                               : l->path,
                 0,
                 0,
                 SIZE_MAX,
                 0,
                 NULL};
    if (li == 0 && rc->rg) {
      h.from = rc->rg->from[db->view];
      h.to = rc->rg->to[db->view];
      h.opts = rc->rg->opts;
      h.rg = rc->rg;
      /* The hold search tried every start of the region in full: when no
       * pattern matched there, neither would this scan. */
      if (h.from >= h.to || (d < 64 && !((rc->rg->matched >> d) & 1)))
        continue;
    }
    s->n_runs = 0;
    int st = ag_match_block(db, s->ms, v->p, v->len, on_hit, &h);
    if (!st && !h.status)
      h.status = confirm_runs(&h);
    if (st || h.status)
      return st ? st : h.status;
  }
  return 0;
}

static int exfil_detector(ag_detector d) {
  return d >= AG_DET_EXFIL_IMAGE && d <= AG_DET_HTML_STYLE;
}

typedef struct {
  aigate_scratch *s;
  const run_ctx *rc;
} exfil_ctx;

/*
 * A fenced code block, with the policy's code_blocks on: an agent or a
 * user may run it, so its code is matched against the rules that check
 * tool calls (`directions: [tool]`), those of its language's kind
 * (```bash: shell, file and http; ```sql: sql; no language: all; any
 * other: file and http). A rule reports its first match in the block.
 */
static void code_findings(exfil_ctx *x, const ag_exfil_item *it) {
  aigate_scratch *s = x->s;
  const aigate_engine *e = s->e;
  const run_ctx *rc = x->rc;
  const char *t = s->layers[0].text;
  if (it->body_end <= it->body_start)
    return;
  aigate_tool_kind kind =
      ag_code_kind(t + it->info_start, it->info_end - it->info_start);
  for (size_t ri = 0; ri < e->rs.n_rules; ri++) {
    const ag_rule *r = &e->rs.rules[ri];
    if (!(r->directions & AG_DIR_TOOL) || !r->n_pats ||
        !ag_tool_family_applies(kind, r->family))
      continue;
    if (!rc->all_rules && (r->disabled || r->paranoia > rc->profile->paranoia ||
                           rc->cat_mode[e->rule_cat[ri]] == AIGATE_MODE_OFF))
      continue;
    for (size_t k = 0; k < r->n_pats; k++) {
      size_t span[4];
      int m = ag_match_next(&r->pats[k], r->group, s->ms, t, it->body_end,
                            it->body_start, it->body_end - 1, 0, span);
      if (m > 0 && validate(r, t, span[2], span[3]) && span[3] > span[2]) {
        add_finding(s, r, "code", span[2], span[3]);
        break;
      }
      if (m < 0)
        s->flags |= AIGATE_FLAG_TRUNCATED; /* over the match limit */
    }
  }
}

/* One construct of exfil.c: a finding for each active rule of its kinds,
 * which neutralizes it by keeping its text. */
static void on_exfil(void *ud, const ag_exfil_item *it) {
  exfil_ctx *x = ud;
  const aigate_engine *e = x->s->e;
  if (it->kinds & AG_EXFIL_CODE) {
    code_findings(x, it);
    return;
  }
  for (size_t di = 0; di < e->n_detectors; di++) {
    size_t ri = e->detectors[di];
    const ag_rule *r = &e->rs.rules[ri];
    if (!exfil_detector(r->detector) || !active(e, x->rc, ri) ||
        !(it->kinds & (1u << (r->detector - AG_DET_EXFIL_IMAGE))))
      continue;
    aigate_finding *f = add_finding(x->s, r, "raw", it->start, it->end);
    if (f && it->keep) {
      f->replace = 1;
      f->keep_start = it->keep_start;
      f->keep_end = it->keep_end;
    }
  }
}

/* Findings the normalizer and decoders produce (rules with a detector). */
static void detector_findings(aigate_scratch *s, const run_ctx *rc) {
  const aigate_engine *e = s->e;
  if (rc->exfil) {
    /* Output as a renderer reads it: the original text of the root layer
     * (a URL hidden in an encoded layer is not rendered). */
    exfil_ctx x = {s, rc};
    size_t from = rc->rg ? rc->rg->st->from : 0;
    ag_exfil_scan(s->layers[0].text, s->layers[0].len, from, &rc->allow, 1,
                  on_exfil, &x);
  }
  for (size_t di = 0; di < e->n_detectors; di++) {
    size_t ri = e->detectors[di];
    const ag_rule *r = &e->rs.rules[ri];
    if (!active(e, rc, ri) || exfil_detector(r->detector))
      continue;
    for (size_t li = 0; li < s->n_layers; li++) {
      ag_layer *l = &s->layers[li];
      const char *name = l->parent < 0 ? "raw" : l->path;
      size_t n, (*spans)[2];
      const ag_view_buf *v = &l->raw; /* notes are in raw view coordinates */
      if (r->detector == AG_DET_TAG_CHARS) {
        if (l->kind == AG_DEC_TAGS && l->parent >= 0 && l->len) {
          size_t os, oe;
          ag_view_buf none = {0};
          to_original(s, li, &none, 0, l->len, &os, &oe);
          add_finding(s, r, "tags", os, oe);
        }
        continue;
      }
      n = l->notes.n_mixed;
      spans = l->notes.mixed;
      for (size_t k = 0; k < n && k < AG_MAX_NOTES; k++) {
        size_t os, oe;
        to_original(s, li, v, spans[k][0], spans[k][1], &os, &oe);
        add_finding(s, r, name, os, oe);
      }
    }
  }
}

/* The folded view costs a pass over the text: it is built only when a
 * database will read it. Mixed scripts are found on the raw view, and
 * only in text that is not ASCII. */
static int build_views(ag_layer *l, const run_ctx *rc) {
  int st = ag_view_raw(l->text, l->len, &l->raw, &l->notes);
  ag_view_reset(&l->folded);
  l->folded.p = "";
  if (!st && rc->folded_dbs)
    st = ag_view_folded(l->raw.p, l->raw.len, &l->folded, NULL);
  if (!st && rc->mixed_script && !ag_is_ascii(l->raw.p, l->raw.len))
    ag_note_mixed_scripts(l->raw.p, l->raw.len, &l->notes);
  return st;
}

/* Decode the payloads of layer li into new layers. Leetspeak and
 * upside-down text hide words from the families that read words (the
 * folded view's: instructions to the model), not data: they are read only
 * when those run. */
static void decode_layer(aigate_scratch *s, size_t li, size_t *budget,
                         int max_depth, int words) {
  ag_layer *l = &s->layers[li];
  if (l->depth >= max_depth)
    return;
  for (int d = 0; d < AG_DEC_COUNT; d++) {
    if ((ag_decoder)d == l->kind && l->parent >= 0 &&
        (d == AG_DEC_ROT13 || d == AG_DEC_TAGS || d == AG_DEC_FLIP))
      continue; /* rot13 twice is the parent again */
    if ((d == AG_DEC_LEET || d == AG_DEC_FLIP) && !words)
      continue;
    if (s->n_layers == AG_MAX_LAYERS || *budget == 0) {
      s->flags |= AIGATE_FLAG_TRUNCATED;
      return;
    }
    ag_layer *n = &s->layers[s->n_layers];
    n->input.len = 0;
    n->input.failed = 0;
    n->to_parent.n = 0;
    n->to_parent.failed = 0;
    int trunc = 0;
    size_t got = ag_decode((ag_decoder)d, l->raw.p, l->raw.len, &n->input,
                           &n->to_parent, *budget, &trunc);
    if (trunc)
      s->flags |= AIGATE_FLAG_TRUNCATED;
    if (!got || !n->input.len || n->input.failed || n->to_parent.failed)
      continue;
    *budget -= n->input.len < *budget ? n->input.len : *budget;
    n->text = n->input.data;
    n->len = n->input.len;
    n->parent = (int)li;
    n->depth = l->depth + 1;
    n->kind = (ag_decoder)d;
    memset(&n->notes, 0, sizeof(n->notes));
    if (l->parent < 0)
      snprintf(n->path, sizeof(n->path), "%s", ag_decoder_name(n->kind));
    else
      snprintf(n->path, sizeof(n->path), "%s>%s", l->path,
               ag_decoder_name(n->kind));
    s->flags |= d == AG_DEC_TAGS ? AIGATE_FLAG_TAG_CHARS : AIGATE_FLAG_DECODED;
    s->n_layers++;
    l = &s->layers[li];
  }
}

static int cmp_finding(const void *a, const void *b) {
  const aigate_finding *x = a, *y = b;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return strcmp(x->rule_id, y->rule_id);
}

void ag_tally_add(const ag_profile *p, int all_rules, aigate_finding *f,
                  size_t n, size_t first, ag_tally *t) {
  for (size_t i = first; i < n; i++) {
    aigate_finding *x = &f[i];
    ag_profile_category(p, x->category, &x->action, &x->mode);
    if (all_rules && x->mode == AIGATE_MODE_OFF)
      x->mode = AIGATE_MODE_DETECT_ONLY;
    if (x->mode != AIGATE_MODE_ENFORCE || x->action == AIGATE_ALLOW) {
      if (t->verdict < AIGATE_LOG)
        t->verdict = AIGATE_LOG;
      continue;
    }
    if (x->action == AIGATE_REDACT) {
      t->verdict = AIGATE_REDACT > t->verdict ? AIGATE_REDACT : t->verdict;
      continue;
    }
    if (t->verdict < AIGATE_LOG)
      t->verdict = AIGATE_LOG;
    t->block_cat |= x->action == AIGATE_BLOCK;
    /* A rule counts once, with its highest score: add what this finding
     * raises the rule's best so far by. */
    int best = -1;
    for (size_t j = 0; j < i; j++)
      if (f[j].score > best && strcmp(f[j].rule_id, x->rule_id) == 0)
        best = f[j].score;
    if (best < 0)
      t->score += x->score;
    else if (x->score > best)
      t->score += x->score - best;
  }
}

aigate_action ag_tally_verdict(const ag_profile *p, const ag_tally *t,
                               unsigned flags) {
  aigate_action verdict = t->verdict;
  if (t->block_cat && t->score >= p->thresholds[p->paranoia])
    verdict = AIGATE_BLOCK;
  /* Data that should be redacted but was not all found cannot pass. */
  if (verdict == AIGATE_REDACT && (flags & AIGATE_FLAG_TOO_MANY))
    verdict = AIGATE_BLOCK;
  return verdict;
}

/* Turn findings into a verdict (see the top comment). */
static void decide(aigate_scratch *s, const run_ctx *rc, aigate_result *res) {
  const ag_profile *p = rc->profile;
  ag_tally t = {AIGATE_ALLOW, 0, 0};
  ag_tally_add(p, rc->all_rules, s->findings, s->n_findings, 0, &t);
  res->score = t.score;
  res->paranoia = p->paranoia;
  res->threshold = p->thresholds[p->paranoia];
  res->verdict = ag_tally_verdict(p, &t, s->flags);
}

/*
 * The classifier's finding: its probability over the folded view the
 * rules read (no second normalization) against the model's thresholds for
 * the profile's paranoia level. Over the block threshold it scores the
 * level's whole anomaly threshold, so it blocks alone as a critical rule
 * does. In the weak band below it, it scores 3 short of that (2 at the
 * default threshold 5), and only when rules already found attack
 * evidence (rule_score > 0): supporting evidence that can tip a weak rule
 * over the threshold, never a verdict of its own. The span is the best
 * window's.
 *
 * Data the policy redacts (secrets, personal data) is left out of what
 * the classifier reads: keys and tokens look like the token soup of
 * adversarial suffixes to its language model, and they are data, not
 * instructions. That costs a copy of the view, only when there is such
 * data; the span is then the whole text.
 */
static double classify(aigate_scratch *s, const run_ctx *rc, int rule_score) {
  const aigate_engine *e = s->e;
  const aigate_model *m = e->model;
  ag_layer *root = &s->layers[0];
  const char *t = root->folded.p;
  size_t n = root->folded.len;
  ag_buf masked = {0};
  for (size_t i = 0; i < s->n_findings; i++) {
    const aigate_finding *f = &s->findings[i];
    if (f->action != AIGATE_REDACT)
      continue;
    if (!masked.data) {
      ag_buf_append(&masked, t, n);
      if (masked.failed)
        break;
    }
    size_t a = root_view_offset(s, &root->folded, f->start);
    size_t b = root_view_offset(s, &root->folded, f->end);
    if (b > n)
      b = n;
    if (a < b)
      memset(masked.data + a, 1, b - a);
  }
  if (masked.data && !masked.failed) {
    size_t k = 0; /* each masked run becomes one space */
    for (size_t i = 0; i < n; i++)
      if (masked.data[i] != 1)
        masked.data[k++] = masked.data[i];
      else if (!k || masked.data[k - 1] != ' ')
        masked.data[k++] = ' ';
    t = masked.data;
    n = k;
  }
  double p = 0;
  size_t ws = 0, we = 0;
  if (n)
    p = ag_ml_score(m, t, n, &ws, &we);
  int level = rc->profile->paranoia, thr = rc->profile->thresholds[level];
  int weak = thr > 3 ? thr - 3 : 1;
  int pts = p >= m->block[level]                    ? thr
            : p >= m->weak[level] && rule_score > 0 ? weak
                                                    : 0;
  /* Payloads decoded from the text are read too, for the weak band only:
   * beside a rule's finding, an instruction sent in base64 or hex counts
   * as it would written plainly, whatever the words around it ("decode
   * this for me"). Alone they never block: a decoded payload is often a
   * few words and random characters (an id, a token), on which the model
   * is noisy. Decoders make layers only of mostly printable text, so
   * random blobs cost nothing. */
  size_t best = 0;
  for (size_t li = 1; !pts && rule_score > 0 && li < s->n_layers; li++) {
    const ag_view_buf *v = &s->layers[li].folded;
    size_t lws = 0, lwe = 0;
    if (v->len && ag_ml_score(m, v->p, v->len, &lws, &lwe) >= m->weak[level]) {
      pts = weak;
      best = li;
      ws = lws;
      we = lwe;
    }
  }
  if (pts) {
    size_t os = 0, oe = root->len, k = s->n_findings;
    const ag_layer *l = &s->layers[best];
    if (best || !masked.data)
      to_original(s, best, &l->folded, ws, we > ws ? we : ws + 1, &os, &oe);
    add_finding(s, &e->ml_rule, best ? l->path : "folded", os, oe);
    if (s->n_findings > k) {
      s->findings[k].score = pts;
      s->findings[k].severity = pts >= thr ? 4 : 2;
    }
  }
  ag_buf_free(&masked);
  return p;
}

static int failed(const aigate_engine *e, const ag_profile *p, int status,
                  aigate_result *res) {
  (void)e;
  memset(res, 0, sizeof(*res));
  res->classifier = -1;
  res->status = status;
  res->flags = AIGATE_FLAG_FAILED;
  res->paranoia = p->paranoia;
  res->threshold = p->thresholds[p->paranoia];
  res->verdict = p->fail_open ? AIGATE_LOG : AIGATE_BLOCK;
  return status;
}

/* ------------------------------------------------------------ hold point */

static int ascii_alnum(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

/* Characters of a word whose reading may still change with the next
 * character: ASCII letters and digits (split letters, look-alikes),
 * Latin, Greek and Cyrillic letters (mixed scripts), marks and format
 * characters. Other scripts (CJK, say) are left out: their words run on
 * without spaces, and holding them would hold whole sentences. */
static int word_cp(int cp) {
  if (cp < 0x80)
    return ascii_alnum(cp);
  if ((cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
      (cp >= 0x370 && cp <= 0x52F) || (cp >= 0x1E00 && cp <= 0x1EFF) ||
      (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A))
    return 1;
  utf8proc_category_t c = utf8proc_category(cp);
  return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC ||
         c == UTF8PROC_CATEGORY_ME || c == UTF8PROC_CATEGORY_CF;
}

/* Start of the character that ends at t[e] (e > 0). */
static size_t char_start(const char *t, size_t e) {
  const unsigned char *u = (const unsigned char *)t;
  size_t b = e - 1;
  while (b > 0 && e - b < 4 && (u[b] & 0xC0) == 0x80)
    b--;
  return b;
}

/* Start of the word (see word_cp) that ends text[0, len), or len when
 * the text does not end in one. */
static size_t word_start(const char *t, size_t len, size_t stop) {
  size_t i = len;
  while (i > stop) {
    size_t b = char_start(t, i);
    int cp;
    if (ag_utf8_decode((const unsigned char *)t + b, i - b, &cp) != i - b ||
        !word_cp(cp))
      break;
    i = b;
  }
  return i;
}

static int space_or_sep(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f' ||
         (c >= '!' && c <= '/' && c != '#' && c != '%' && c != '&') ||
         c == ':' || c == '_' || c == '|' || c == '~';
}

/*
 * Holds that no pattern asks for, for what reads the text as a whole:
 * the decoders (a trailing base64 or hex run may grow into a payload),
 * the mixed-script detector (a trailing word may still gain a letter of
 * another script) and the folded view (its look-alike folding works per
 * word, whitespace runs collapse and s.p.l.i.t letters join). Each gives
 * up past soft_max bytes, since these only improve what decoders and
 * folded views see and must not block a stream.
 */
static size_t soft_hold(const char *t, size_t len, size_t from,
                        const run_ctx *rc, size_t soft_max) {
  const unsigned char *u = (const unsigned char *)t;
  size_t stop = len - from > soft_max ? len - soft_max : from;
  size_t hold = len, i = len;
  while (i > stop &&
         (u[i - 1] == '=' || u[i - 1] == '+' || u[i - 1] == '/' ||
          u[i - 1] == '-' || u[i - 1] == '_' || ascii_alnum(u[i - 1])))
    i--;
  if (i > stop || stop == from)
    hold = i;
  /* A trailing run of tag characters, with the spaces between them, may
   * grow: the tags decoder reads such a run as one payload. */
  size_t j = len;
  int tags = 0;
  while (j > stop) {
    if (j - stop >= 4 && u[j - 4] == 0xF3 && u[j - 3] == 0xA0 &&
        (u[j - 2] & 0xFE) == 0x80) {
      j -= 4;
      tags = 1;
    } else if (u[j - 1] == ' ' || u[j - 1] == '\n' || u[j - 1] == '\t') {
      j--;
    } else {
      break;
    }
  }
  while (j < len && tags && (u[j] == ' ' || u[j] == '\n' || u[j] == '\t'))
    j++;
  if (tags && (j > stop || stop == from) && j < hold)
    hold = j;
  if (rc->mixed_script || rc->folded_dbs) {
    i = word_start(t, len, stop);
    if (rc->folded_dbs) {
      /* Back over separators, then over lone letters they separate. */
      while (i > stop && space_or_sep(u[i - 1]))
        i--;
      while (i > stop && ascii_alnum(u[i - 1]) &&
             (i - 1 == 0 || !ascii_alnum(u[i - 2]))) {
        size_t k = i - 1;
        while (k > stop && space_or_sep(u[k - 1]))
          k--;
        if (k == i - 1)
          break;
        i = k;
      }
      i = word_start(t, i, stop);
    }
    if ((i > stop || stop == from) && i < hold)
      hold = i;
  }
  return hold;
}

/*
 * The hold point of a stream step (see ag_step), in text offsets. Two
 * passes: is the previous hold point (from) still the start of a partial
 * match? Usually it is, while a secret or a word is being written, and
 * then one start was tried per database. If not, search each database
 * for its earliest partial match, each only before the best so far (a
 * database with a partial match near the end must not make another read
 * all the text before it).
 */
static int find_hold(aigate_scratch *s, const run_ctx *rc, const ag_step *st,
                     size_t *hold) {
  const aigate_engine *e = s->e;
  ag_layer *l = &s->layers[0];
  size_t h = soft_hold(l->text, l->len, st->from, rc, st->soft_max);
  /* An image or link not finished yet ("![x](https://ev") is held whole,
   * from its start: released in part, it could not be neutralized. */
  if (rc->exfil) {
    size_t x =
        ag_exfil_scan(l->text, l->len, st->from, &rc->allow, 0, NULL, NULL);
    h = x < h ? x : h;
  }
  for (int pass = 0; pass < 2 && h > st->from; pass++) {
    for (size_t d = 0; d < e->m.n_dbs && h > st->from; d++) {
      const ag_family_db *db = &e->m.dbs[d];
      if (!rc->all_rules && !(db->directions & rc->dir))
        continue;
      const ag_view_buf *v = db->view == AG_VIEW_RAW ? &l->raw : &l->folded;
      size_t from = rc->rg->from[db->view];
      size_t limit = pass == 0 ? from + 1 : root_view_offset(s, v, h);
      size_t at;
      int matched;
      int rc2 = ag_match_partial(db, s->ms, v->p, v->len, from, limit,
                                 rc->rg->opts, &at, &matched);
      if (rc2)
        return rc2;
      if (pass == 1 && matched)
        rc->rg->matched |= (uint64_t)1 << (d % 64);
      if (at < limit && at < v->len) {
        size_t os, oe;
        to_original(s, 0, v, at, at + 1, &os, &oe);
        h = os < h ? os : h;
      }
    }
  }
  if (rc->exfil)
    h = ag_exfil_unsplit(l->text, l->len, st->from, &rc->allow, h);
  /* Patterns match bytes: a match may start inside a character, the
   * release may not. */
  while (h > st->from && ((unsigned char)l->text[h] & 0xC0) == 0x80)
    h--;
  *hold = h > st->from ? h : st->from;
  return 0;
}

/* ------------------------------------------------------------ the scan */

/* Of the findings from the first on (decoded layers and detectors, which
 * see the context and the held text too), keep those that touch
 * text[from, to). Root-layer matches need no filter: they start in it by
 * construction, though a capture group's span may start later. */
static void keep_region(aigate_scratch *s, size_t first, size_t from,
                        size_t to) {
  size_t n = first;
  for (size_t i = first; i < s->n_findings; i++)
    if (s->findings[i].start < to && s->findings[i].end > from)
      s->findings[n++] = s->findings[i];
  s->n_findings = n;
}

/* A whole text (st NULL) or one stream step. */
static int scan_text(const aigate_engine *e, aigate_scratch *s,
                     const char *text, size_t len,
                     const aigate_scan_options *opt, ag_step *st,
                     aigate_result *res) {
  if (!e || !s || !res || (!text && len) || s->e != e)
    return AIGATE_ERR_INVALID;
  aigate_scan_options none = {0};
  if (!opt)
    opt = &none;
  const ag_profile *p = ag_config_profile(e->cfg, opt->profile);
  if (!p) {
    memset(res, 0, sizeof(*res));
    res->status = AIGATE_ERR_NOT_FOUND;
    res->flags = AIGATE_FLAG_FAILED;
    res->verdict = e->cfg->policy.fail_open ? AIGATE_LOG : AIGATE_BLOCK;
    res->classifier = -1;
    return AIGATE_ERR_NOT_FOUND;
  }
  if (len > e->cfg->max_input)
    return failed(e, p, AIGATE_ERR_TOO_LARGE, res);
  /* A whole text found clean before with the same settings: the same
   * result again (cleancache.c). */
  unsigned char hash[16];
  if (!st && ag_clean_lookup(s, p, opt, text, len, hash, res))
    return AIGATE_OK;
  reset(s);
  /* Each category's mode under the profile: the same for every scan with
   * it (the engine's configuration does not change), so worked out when
   * the scratch's profile changes. */
  aigate_mode *modes = s->cat_modes;
  if (s->cat_modes_of != p) {
    for (size_t k = 0; k < e->n_cats; k++) {
      aigate_action a;
      ag_profile_category(p, e->cats[k], &a, &modes[k]);
    }
    s->cat_modes_of = p;
  }
  region rg;
  run_ctx rc = {.profile = p,
                .dir = opt->direction == AIGATE_OUTPUT ? AG_DIR_OUTPUT
                       : opt->direction == AIGATE_TOOL ? AG_DIR_TOOL
                                                       : AG_DIR_INPUT,
                .all_rules = opt->all_rules,
                .cat_mode = modes,
                .allow = {(const char *const *)p->exfil_hosts, p->n_exfil_hosts,
                          s->allow_hosts, s->n_allow_hosts, 0,
                          p->code_blocks && opt->direction == AIGATE_OUTPUT},
                .rg = NULL};
  if (st)
    rc.rg = &rg; /* filled in below, before its first use */
  if (e->model && !st && rc.dir == AG_DIR_INPUT) {
    aigate_action a;
    aigate_mode mode;
    ag_profile_category(p, e->ml_rule.category, &a, &mode);
    rc.classify = rc.all_rules || mode != AIGATE_MODE_OFF;
  }
  for (size_t d = 0; d < e->m.n_dbs; d++)
    if (e->m.dbs[d].view == AG_VIEW_FOLDED &&
        (rc.all_rules || (e->m.dbs[d].directions & rc.dir)))
      rc.folded_dbs = 1;
  rc.folded_dbs |= rc.classify;
  for (size_t di = 0; di < e->n_detectors; di++)
    if (e->rs.rules[e->detectors[di]].detector == AG_DET_MIXED_SCRIPT &&
        active(e, &rc, e->detectors[di]))
      rc.mixed_script = 1;
  for (size_t di = 0; di < e->n_detectors; di++) {
    const ag_rule *r = &e->rs.rules[e->detectors[di]];
    if (!exfil_detector(r->detector) || !active(e, &rc, e->detectors[di]))
      continue;
    rc.exfil = 1;
    /* Elements read only for sanitizing are held in streams when the
     * policy redacts them (else a log costs no latency). */
    aigate_action a;
    aigate_mode m;
    ag_profile_category(p, r->category, &a, &m);
    if (r->detector >= AG_DET_HTML_SCRIPT &&
        (opt->all_rules || (a == AIGATE_REDACT && m == AIGATE_MODE_ENFORCE)))
      rc.allow.sanitize = 1;
  }
  if (rc.allow.code_blocks)
    rc.exfil = 1;
  ag_layer *root = &s->layers[0];
  root->text = text ? text : "";
  root->len = len;
  root->parent = -1;
  root->depth = 0;
  root->kind = AG_DEC_COUNT;
  root->path[0] = '\0';
  memset(&root->notes, 0, sizeof(root->notes));
  s->n_layers = 1;
  size_t budget = e->cfg->decode_budget;
  int st_rc = build_views(root, &rc);
  size_t from = 0, hold = len, n_root = 0;
  if (st && !st_rc) {
    from = st->from < len ? st->from : len;
    rg.st = st;
    rg.opts = st->notbol ? AG_MATCH_NOTBOL : 0;
    rg.from[AG_VIEW_RAW] = view_offset(&root->raw, from);
    rg.from[AG_VIEW_FOLDED] =
        rc.folded_dbs ? root_view_offset(s, &root->folded, from) : 0;
    st->n_next = 0;
    rg.matched = st->final ? ~(uint64_t)0 : 0;
    if (!st->final)
      st_rc = find_hold(s, &rc, st, &hold);
    st->hold = hold;
    rg.to[AG_VIEW_RAW] = view_offset(&root->raw, hold);
    rg.to[AG_VIEW_FOLDED] =
        rc.folded_dbs ? root_view_offset(s, &root->folded, hold) : 0;
    if (hold <= from)
      s->n_layers = 0; /* nothing to decide */
  }
  for (size_t li = 0; li < s->n_layers && !st_rc; li++) {
    if (li > 0 && (st_rc = build_views(&s->layers[li], &rc)))
      break;
    if (li == 0 && root->notes.n_invalid)
      s->flags |= AIGATE_FLAG_INVALID_UTF8;
    st_rc = match_layer(s, li, &rc);
    if (li == 0)
      n_root = s->n_findings;
    if (!st_rc)
      decode_layer(s, li, &budget, e->cfg->decode_depth, rc.folded_dbs);
  }
  if (st_rc)
    return failed(e, p, st_rc, res);
  if (s->n_layers)
    detector_findings(s, &rc);
  /* The classifier only matters while the rules have not decided to
   * block: it runs then, and is skipped (its cost too) otherwise. */
  double ml = -1;
  if (rc.classify && s->n_layers) {
    ag_tally t = {AIGATE_ALLOW, 0, 0};
    ag_tally_add(p, rc.all_rules, s->findings, s->n_findings, 0, &t);
    if (ag_tally_verdict(p, &t, s->flags) != AIGATE_BLOCK)
      ml = classify(s, &rc, t.score);
  }
  if (st)
    keep_region(s, n_root, from, hold);
  if (s->n_findings > 1) /* findings is NULL until the first one */
    qsort(s->findings, s->n_findings, sizeof(*s->findings), cmp_finding);
  memset(res, 0, sizeof(*res));
  decide(s, &rc, res);
  res->classifier = ml;
  res->flags = s->flags;
  res->n_findings = s->n_findings;
  res->findings = s->findings;
  if (!st)
    ag_clean_store(s, p, opt, hash, len, res);
  return AIGATE_OK;
}

int aigate_scratch_allow_hosts(aigate_scratch *s, const char *const *hosts,
                               size_t n) {
  if (!s || (!hosts && n))
    return AIGATE_ERR_INVALID;
  /* Most scans have no list, and no list hashes alike every time. */
  int none_before = !s->n_allow_hosts;
  s->allow_hosts = n ? hosts : NULL;
  s->n_allow_hosts = n;
  if (s->clean && !(none_before && !n))
    ag_clean_hosts(s);
  return AIGATE_OK;
}

int aigate_scan_ex(const aigate_engine *e, aigate_scratch *s, const char *text,
                   size_t len, const aigate_scan_options *opt,
                   aigate_result *res) {
  return scan_text(e, s, text, len, opt, NULL, res);
}

int ag_scan_step(const aigate_engine *e, aigate_scratch *s, const char *text,
                 size_t len, const aigate_scan_options *opt, ag_step *st,
                 aigate_result *res) {
  return scan_text(e, s, text, len, opt, st, res);
}

int aigate_scan(const aigate_engine *e, aigate_scratch *s, const char *text,
                size_t len, aigate_direction dir, aigate_result *res) {
  aigate_scan_options opt = {.direction = dir};
  return aigate_scan_ex(e, s, text, len, &opt, res);
}

int ag_keep_compatible(const aigate_finding *f, const aigate_finding *g) {
  if (g->start == f->start && g->end == f->end)
    return !g->replace
               ? f->keep_end == f->keep_start
               : g->keep_start == f->keep_start && g->keep_end == f->keep_end;
  return g->start >= f->start && g->end <= f->end &&
         (g->end <= f->keep_start || g->start >= f->keep_end);
}

int aigate_redact(const char *text, size_t len, const aigate_result *res,
                  char **out, size_t *out_len) {
  return ag_rewrite(NULL, text, len, res, out, out_len);
}
