/*
 * stream.c -- scanning text that arrives in pieces (aigate_stream_*): an
 * LLM's answer relayed token by token must be redacted or stopped before
 * the client sees a secret, yet a token that cannot be part of one
 * should reach the client at once.
 *
 * The idea: keep the text not yet released, plus a little that was (the
 * context). On each write find the hold point, the earliest offset where
 * a match could begin whose outcome depends on text that has not
 * arrived. PCRE2 says exactly that: with PCRE2_PARTIAL_HARD a match
 * attempt that reads past the end of the text (a pattern that needs
 * more, or could take more, or a \b or $ that the next byte decides) is
 * reported as partial. The hold regexes (matcher.h) join a family's
 * patterns into one alternation of (?>pattern)(?C1)(*FAIL) branches, so
 * that PCRE2 tries every pattern at every start, as far as a match would,
 * and stops at the first start where one reads past the end. Everything
 * before the hold point is decided: it goes through the ordinary
 * block-scan path (views, Hyperscan, PCRE2 confirmation, validators,
 * decoders, detectors; scan.c, ag_scan_step), where root-layer matches
 * are searched only from the part's start to the hold point but over all
 * the text there is, so that a match starting before the hold point is
 * found whole, however far it reaches (its redaction covers it all). The
 * policy decides on the findings of the whole stream so far (ag_tally,
 * shared with aigate_scan), and the part is released with redactions
 * applied. Text from the hold point on waits for the next write.
 *
 * Why it gives aigate_scan's answer: a PCRE2 match attempt is a function
 * of the bytes it reads, and one that started before the hold point
 * never read past the end, so it ends the same way whatever follows: the
 * matches found there are those of the whole text. Each pattern resumes
 * after its last match as in a whole-text scan (ag_resume), findings are
 * scored against the whole stream's, a redaction whose capture group
 * starts past the hold point waits for the text before it, and markers
 * merge across writes as aigate_redact merges them. Text is cut only
 * where its views are stable: never inside a UTF-8 character, and never
 * right after a character that a combining mark still to come could
 * compose with (the raw view's NFC would change it); those bytes wait.
 * The tests feed every rule example cut at random points and byte by
 * byte, in both directions, and compare text, verdict, score, flags and
 * findings with the whole text's.
 *
 * What is held: in ordinary prose the trailing word, and often the space
 * or character before it (phone, card and IPv6 patterns begin with the
 * character before the number, (?:^|[^0-9.,]), so CJK text is released
 * one character behind); for secrets, everything from "AKIA",
 * "-----BEGIN", "eyJ" or a key name until the match completes or fails.
 * More than max_hold bytes held at once blocks the stream: holding more
 * would cost unbounded memory, releasing it undecided could leak.
 *
 * Cost per write (bench/bench_pipeline.c, "streaming"): about 1.5-2 us
 * for a 4-byte token of output-direction prose, 3.5-4 us for 16 bytes
 * (a first version, a plain alternation of pattern(*FAIL) branches,
 * cost 3.4 us, and up to a millisecond per write while a 6 KB token after
 * "Bearer " was held). An engine's first stream compiles the hold
 * regexes. The hold
 * search starts at the last hold point, so it reads the held tail and the
 * new bytes, not the stream; it first asks whether the last hold point is
 * still one (usually so while a word or a key is being written: one
 * start tried per family). The hold regexes' callout also says whether
 * anything matched in the decided part; when nothing did, Hyperscan and
 * PCRE2 are not run on it again.
 *
 * Limits, honestly:
 * - Every pattern of the direction's families holds text, active or not
 *   (a paranoia-3 rule holds text at paranoia 1): holding too much only
 *   costs latency, holding too little would leak.
 * - A match that stays open holds text until it ends: a 10 KB token after
 *   "password=" blocks the stream at the default cap even if the whole
 *   text would not match (its validator judges the complete match). The
 *   hold search rereads an open match on every write (about 10 us per
 *   write with 6 KB held), and one that exceeds PCRE2's match limit
 *   fails the write, which the fail mode then decides.
 * - Decoded layers (base64, hex, URL, HTML, escapes, rot13, leetspeak,
 *   upside-down text, tag characters) are decoded per part, from the
 *   part, the held text and the context (64 bytes plus the longest
 *   lookbehind). A trailing base64/hex run is held (up to SOFT_MAX
 *   bytes) so that an encoded payload is decoded whole; an
 *   escape-encoded, rot13 or leet secret can still be released in pieces
 *   before its decoding matches, since nothing holds it, and rot13, leet
 *   and escape detection judge a part, not the whole text
 *   (AIGATE_FLAG_DECODED may then differ). A decoded-layer finding that
 *   began in text already released is still reported, and redacts what
 *   is left of it.
 * - The folded view (injection rules, input direction; none of the
 *   bundled output rules read it) folds look-alikes per word, collapses
 *   whitespace and joins s.p.l.i.t letters: the trailing word, separators
 *   and split letters are held (up to SOFT_MAX), but split letters that
 *   began before the release point are judged without those that follow.
 *   Input streams cost more (about 9 us per 4-byte write): injection
 *   patterns with gaps (.{0,40}) keep text held from every "you" or
 *   "the" on.
 * - The mixed-script detector holds the trailing Latin, Greek or Cyrillic
 *   word (up to SOFT_MAX); tag characters give one finding per part.
 * - AG_MAX_MATCHES (matches per pattern and view) counts per part, so a
 *   stream with hundreds of matches of one pattern is redacted in full
 *   where one whole-text scan would block. The stream keeps at most
 *   AG_MAX_FINDINGS findings, then sets AIGATE_FLAG_TOO_MANY; a
 *   redaction lost that way blocks the stream.
 * - A block decided by the anomaly score comes when its last finding is
 *   decided: text released before that stays released.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "engine.h"
#include "util.h"

#define DEFAULT_MAX_HOLD 8192
/* Bytes kept before the undecided text, with the longest lookbehind of
 * any pattern: context for word boundaries, lookbehinds and decoders. */
#define CONTEXT 64
#define SOFT_MAX 1024 /* longest tail held for decoders and detectors */
#define OUT_KEEP 1024 /* output buffer kept between calls */

struct aigate_stream {
  const aigate_engine *e;
  const ag_profile *p;
  aigate_scan_options opt;
  size_t max_hold;
  /* buf[0, len) is the stream's bytes [base, base + len). */
  char *buf;
  size_t len, cap, base;
  size_t scanned;    /* text before this offset is decided */
  size_t released;   /* ... and before this one released (>= scanned) */
  size_t marker_end; /* where the last redaction marker ended */
  ag_buf out;
  aigate_finding *findings;
  size_t n_findings, cap_findings;
  ag_tally tally;
  unsigned flags;
  aigate_action verdict;
  ag_resume *resume, *next; /* where patterns resume (ag_step) */
  size_t n_resume, cap_resume, cap_next;
  const char *const *allow_hosts; /* aigate_stream_allow_hosts */
  size_t n_allow_hosts;
  size_t *open; /* indexes of the redactions not released yet */
  size_t n_open, cap_open;
  int finished;
};

int aigate_stream_new(const aigate_engine *e, const aigate_scan_options *opt,
                      size_t max_hold, aigate_stream **out) {
  if (!out)
    return AIGATE_ERR_INVALID;
  *out = NULL;
  if (!e)
    return AIGATE_ERR_INVALID;
  aigate_scan_options o = {AIGATE_OUTPUT, NULL, 0};
  if (opt)
    o = *opt;
  const ag_profile *p = ag_config_profile(e->cfg, o.profile);
  if (!p)
    return AIGATE_ERR_NOT_FOUND;
  int rc = ag_matcher_holds(&e->m, &e->rs, NULL);
  if (rc)
    return rc;
  aigate_stream *s = calloc(1, sizeof(*s));
  if (!s)
    return AIGATE_ERR_NOMEM;
  s->e = e;
  s->p = p;
  s->opt = o;
  /* The caller's string need not outlive the call; the profile's does. */
  s->opt.profile = p == &e->cfg->policy ? NULL : p->name;
  s->max_hold = max_hold ? max_hold : DEFAULT_MAX_HOLD;
  s->marker_end = SIZE_MAX;
  s->verdict = AIGATE_ALLOW;
  *out = s;
  return AIGATE_OK;
}

int aigate_stream_allow_hosts(aigate_stream *s, const char *const *hosts,
                              size_t n) {
  if (!s || (!hosts && n))
    return AIGATE_ERR_INVALID;
  s->allow_hosts = n ? hosts : NULL;
  s->n_allow_hosts = n;
  return AIGATE_OK;
}

void aigate_stream_free(aigate_stream *s) {
  if (!s)
    return;
  free(s->buf);
  ag_buf_free(&s->out);
  free(s->findings);
  free(s->resume);
  free(s->next);
  free(s->open);
  free(s);
}

/* Drop everything: the stream is blocked or finished. */
static void drop_text(aigate_stream *s) {
  s->base += s->len;
  s->len = 0;
  s->scanned = s->released = s->base;
  free(s->buf);
  s->buf = NULL;
  s->cap = 0;
}

static void fill(const aigate_stream *s, const char *text, size_t len,
                 aigate_stream_out *out) {
  out->text = text ? text : "";
  out->len = s->verdict == AIGATE_BLOCK ? 0 : len;
  out->verdict = s->verdict;
  out->flags = s->flags;
  out->score = s->tally.score;
  out->held = s->verdict == AIGATE_BLOCK ? 0 : s->base + s->len - s->released;
  out->n_findings = s->n_findings;
  out->findings = s->findings;
}

static void block(aigate_stream *s, unsigned flags) {
  s->verdict = AIGATE_BLOCK;
  s->flags |= flags;
  drop_text(s);
}

/* Keep CONTEXT bytes (and the longest lookbehind) before the undecided
 * text, starting on a character; drop the rest, and room for n more. */
static int make_room(aigate_stream *s, size_t n) {
  size_t ctx = CONTEXT + s->e->m.max_lookbehind;
  size_t keep = s->scanned - s->base > ctx ? s->scanned - ctx : s->base;
  while (keep > s->base &&
         ((unsigned char)s->buf[keep - s->base] & 0xC0) == 0x80)
    keep--;
  if (keep > s->base) {
    memmove(s->buf, s->buf + (keep - s->base), s->base + s->len - keep);
    s->len -= keep - s->base;
    s->base = keep;
  }
  if (s->len + n > s->cap || (s->cap > 4096 && s->len + n < s->cap / 4)) {
    size_t cap = s->len + n < 64 ? 64 : (s->len + n) + (s->len + n) / 2;
    char *b = realloc(s->buf, cap);
    if (!b)
      return s->len + n > s->cap ? AIGATE_ERR_NOMEM : 0;
    s->buf = b;
    s->cap = cap;
  }
  return 0;
}

/*
 * Where the text can be cut without a later byte changing what comes
 * before (an offset into buf): not inside a UTF-8 character, and not
 * after a starter that a combining mark still to come could compose
 * with, or after combining marks (more may follow and reorder).
 */
static size_t stable_end(const char *b, size_t n) {
  const unsigned char *u = (const unsigned char *)b;
  size_t i = n;
  /* An incomplete sequence at the end: its lead byte and what follows. */
  for (size_t k = 1; k <= 3 && k <= n; k++) {
    unsigned c = u[n - k];
    if ((c & 0xC0) == 0x80)
      continue;
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (need > k)
      i = n - k;
    break;
  }
  /* The last character, and the marks after it (the normalizer takes at
   * most 32 code points as one cluster: past that, cut anyway). */
  size_t whole = i;
  int marks = 0;
  while (i > 0 && marks < 32) {
    size_t st = i - 1;
    while (st > 0 && i - st < 4 && (u[st] & 0xC0) == 0x80)
      st--;
    int cp;
    if (ag_utf8_decode(u + st, i - st, &cp) != i - st)
      return i; /* invalid bytes: U+FFFD whatever follows */
    const utf8proc_property_t *pr = utf8proc_get_property(cp);
    if (pr->combining_class != 0) {
      marks++;
      i = st;
      continue;
    }
    return marks || pr->comb_index != UINT16_MAX ? st : i;
  }
  return marks == 32 ? whole : i;
}

static int redacts(const aigate_finding *f) {
  return f->action == AIGATE_REDACT && f->mode == AIGATE_MODE_ENFORCE;
}

/* Add a step's new findings (offsets in the stream) to the stream's,
 * skipping those already there, and note the new redactions. */
static int add_findings(aigate_stream *s, const aigate_result *r, size_t base) {
  size_t first = s->n_findings;
  for (size_t i = 0; i < r->n_findings; i++) {
    aigate_finding f = r->findings[i];
    f.start += base;
    f.end += base;
    f.keep_start += base;
    f.keep_end += base;
    size_t j;
    for (j = 0; j < s->n_findings; j++)
      if (s->findings[j].start == f.start && s->findings[j].end == f.end &&
          strcmp(s->findings[j].rule_id, f.rule_id) == 0)
        break;
    if (j < s->n_findings)
      continue;
    if (s->n_findings == s->cap_findings && s->cap_findings < AG_MAX_FINDINGS) {
      size_t cap = s->cap_findings ? s->cap_findings * 2 : 4;
      cap = cap < AG_MAX_FINDINGS ? cap : AG_MAX_FINDINGS;
      aigate_finding *n = realloc(s->findings, cap * sizeof(*n));
      if (n) {
        s->findings = n;
        s->cap_findings = cap;
      }
    }
    if (s->n_findings == s->cap_findings) {
      /* Unreported, so not redacted either: a redaction lost this way
       * blocks (aigate_scan would let it pass unredacted when nothing
       * else redacts). */
      s->flags |= AIGATE_FLAG_TOO_MANY;
      if (redacts(&f))
        s->verdict = AIGATE_BLOCK;
      continue;
    }
    s->findings[s->n_findings++] = f;
  }
  ag_tally_add(s->p, s->opt.all_rules, s->findings, s->n_findings, first,
               &s->tally);
  aigate_action v = ag_tally_verdict(s->p, &s->tally, s->flags);
  if (v > s->verdict)
    s->verdict = v;
  for (size_t i = first; i < s->n_findings; i++) {
    if (!redacts(&s->findings[i]) || s->findings[i].end <= s->released)
      continue;
    if (s->n_open == s->cap_open) {
      size_t cap = s->cap_open ? s->cap_open * 2 : 4;
      size_t *n = realloc(s->open, cap * sizeof(*n));
      if (!n)
        return AIGATE_ERR_NOMEM;
      s->open = n;
      s->cap_open = cap;
    }
    s->open[s->n_open++] = i;
  }
  return 0;
}

/* Sort order of aigate_scan's findings: start, end, rule id. */
static int before(const aigate_finding *a, const aigate_finding *b) {
  if (a->start != b->start)
    return a->start < b->start;
  if (a->end != b->end)
    return a->end < b->end;
  return strcmp(a->rule_id, b->rule_id) < 0;
}

/*
 * Release stream bytes [released, to) with the open redactions applied,
 * merging markers as aigate_redact does (overlapping or touching
 * redactions give one marker, also across calls). A redaction that
 * starts before `to` is applied whole, though it may reach past it; one
 * that starts later waits (a capture group can start past the hold
 * point, and text before it is not decided yet). Sets *text and *len to
 * the released bytes: straight from buf when nothing is redacted, else
 * from s->out.
 */
static int release(aigate_stream *s, size_t to, const char **text,
                   size_t *len) {
  const aigate_finding *f = s->findings;
  size_t *o = s->open, n = 0;
  /* Drop what is released already; sort the rest (a handful). */
  for (size_t i = 0; i < s->n_open; i++)
    if (f[o[i]].end > s->released)
      o[n++] = o[i];
  s->n_open = n;
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && before(&f[o[j]], &f[o[j - 1]]); j--) {
      size_t t = o[j];
      o[j] = o[j - 1];
      o[j - 1] = t;
    }
  size_t pos = s->released;
  int copied = 0;
  s->out.len = 0;
  for (size_t i = 0; i < n && f[o[i]].start < to; i++) {
    if (f[o[i]].end <= pos)
      continue;
    size_t start = f[o[i]].start > pos ? f[o[i]].start : pos;
    size_t end = f[o[i]].end;
    for (size_t j = i + 1; j < n && f[o[j]].start < end; j++)
      if (f[o[j]].end > end)
        end = f[o[j]].end;
    ag_buf_append(&s->out, s->buf + (pos - s->base), start - pos);
    const aigate_finding *lead = &f[o[i]];
    int keep = lead->replace && start == lead->start && end == lead->end &&
               lead->keep_start >= s->base;
    for (size_t j = i + 1; keep && j < n && f[o[j]].start < end; j++)
      keep = ag_keep_compatible(lead, &f[o[j]]);
    if (keep) {
      /* An exfiltrating image becomes its alt text, a link its text. */
      ag_buf_append(&s->out, s->buf + (lead->keep_start - s->base),
                    lead->keep_end - lead->keep_start);
      pos = end;
      s->marker_end = SIZE_MAX;
      copied = 1;
      continue;
    }
    if (start != s->marker_end) {
      ag_buf_append(&s->out, "[REDACTED:", 10);
      ag_buf_append(&s->out, f[o[i]].rule_id, strlen(f[o[i]].rule_id));
      ag_buf_putc(&s->out, ']');
    }
    pos = s->marker_end = end;
    copied = 1;
  }
  if (!copied) {
    *text = s->buf ? s->buf + (pos - s->base) : "";
    *len = to > pos ? to - pos : 0;
    s->released = to > pos ? to : pos;
    return 0;
  }
  if (to > pos) {
    ag_buf_append(&s->out, s->buf + (pos - s->base), to - pos);
    pos = to;
  }
  if (s->out.failed) {
    ag_buf_free(&s->out);
    return AIGATE_ERR_NOMEM;
  }
  s->released = pos;
  *text = s->out.data ? s->out.data : "";
  *len = s->out.len;
  return 0;
}

/*
 * Where patterns resume in the next step: after the matches this step
 * found to reach past its hold point, and after those of earlier steps
 * that still do (the step searched nothing of theirs).
 */
static int next_resume(aigate_stream *s, ag_step *st) {
  size_t hold = s->base + st->hold, n = st->n_next;
  for (size_t i = 0; i < s->n_resume; i++) {
    if (s->resume[i].at <= hold)
      continue;
    if (n == s->cap_next) {
      size_t cap = s->cap_next ? s->cap_next * 2 : 4;
      ag_resume *r = realloc(s->next, cap * sizeof(*r));
      if (!r)
        return AIGATE_ERR_NOMEM;
      s->next = r;
      s->cap_next = cap;
    }
    s->next[n++] = s->resume[i];
  }
  ag_resume *t = s->resume;
  size_t cap = s->cap_resume;
  s->resume = s->next;
  s->n_resume = n;
  s->cap_resume = s->cap_next;
  s->next = t;
  s->cap_next = cap;
  return 0;
}

/* Decide and release what the text so far allows (everything when
 * final). */
static int step(aigate_stream *s, aigate_scratch *scratch, int final,
                aigate_stream_out *out) {
  size_t end = final ? s->len : stable_end(s->buf, s->len);
  size_t from = s->scanned - s->base;
  const char *text = NULL;
  size_t len = 0;
  if (end > from) {
    ag_step st = {.from = from,
                  .notbol = s->base > 0,
                  .final = final,
                  .soft_max =
                      SOFT_MAX < s->max_hold / 2 ? SOFT_MAX : s->max_hold / 2,
                  .resume = s->resume,
                  .n_resume = s->n_resume,
                  .base = s->base,
                  .next = s->next,
                  .cap_next = s->cap_next};
    aigate_result r;
    const char *const *allow = scratch->allow_hosts;
    size_t n_allow = scratch->n_allow_hosts;
    scratch->allow_hosts = s->allow_hosts;
    scratch->n_allow_hosts = s->n_allow_hosts;
    int rc = ag_scan_step(s->e, scratch, s->buf, end, &s->opt, &st, &r);
    scratch->allow_hosts = allow;
    scratch->n_allow_hosts = n_allow;
    s->next = st.next;
    s->cap_next = st.cap_next;
    if (rc) {
      s->flags |= AIGATE_FLAG_FAILED;
      if (r.verdict == AIGATE_BLOCK) {
        block(s, 0);
      } else {
        /* Fail-open: the undecided text goes out unscanned, logged. */
        if (s->verdict < r.verdict)
          s->verdict = r.verdict;
        s->scanned = s->base + end;
        s->n_resume = 0;
        release(s, s->base + end, &text, &len);
      }
      fill(s, text, len, out);
      return rc;
    }
    s->flags |= r.flags;
    int nomem = add_findings(s, &r, s->base);
    nomem = nomem ? nomem : next_resume(s, &st);
    s->scanned = s->base + st.hold;
    if (s->verdict == AIGATE_BLOCK) {
      block(s, 0);
    } else if ((rc = nomem) || (rc = release(s, s->scanned, &text, &len))) {
      s->flags |= AIGATE_FLAG_FAILED;
      block(s, 0);
      fill(s, NULL, 0, out);
      return rc;
    }
  }
  if (s->verdict != AIGATE_BLOCK &&
      s->base + s->len - s->released > s->max_hold)
    block(s, AIGATE_FLAG_HOLD_OVERFLOW);
  fill(s, text, len, out);
  return AIGATE_OK;
}

/* Free the output buffer of the last call if it grew large. */
static void trim_out(aigate_stream *s) {
  if (s->out.cap > OUT_KEEP)
    ag_buf_free(&s->out);
}

/* What write and finish check first. Returns 1 to go on, else the status
 * to return (out then says block, or what the stream already decided). */
static int call_start(aigate_stream *s, aigate_scratch *scratch, int bad_args,
                      aigate_stream_out *out) {
  if (!out)
    return AIGATE_ERR_INVALID;
  memset(out, 0, sizeof(*out));
  out->text = "";
  out->verdict = AIGATE_BLOCK;
  out->flags = AIGATE_FLAG_FAILED;
  if (!s)
    return AIGATE_ERR_INVALID;
  if (!scratch || scratch->e != s->e || bad_args || s->finished) {
    fill(s, NULL, 0, out);
    out->flags |= AIGATE_FLAG_FAILED;
    return AIGATE_ERR_INVALID;
  }
  trim_out(s);
  if (s->verdict == AIGATE_BLOCK) {
    fill(s, NULL, 0, out);
    return AIGATE_OK;
  }
  return 1;
}

int aigate_stream_write(aigate_stream *s, aigate_scratch *scratch,
                        const char *data, size_t len, aigate_stream_out *out) {
  int rc = call_start(s, scratch, !data && len, out);
  if (rc != 1)
    return rc;
  if (make_room(s, len)) {
    block(s, AIGATE_FLAG_FAILED);
    fill(s, NULL, 0, out);
    return AIGATE_ERR_NOMEM;
  }
  if (len)
    memcpy(s->buf + s->len, data, len);
  s->len += len;
  return step(s, scratch, 0, out);
}

int aigate_stream_finish(aigate_stream *s, aigate_scratch *scratch,
                         aigate_stream_out *out) {
  int rc = call_start(s, scratch, 0, out);
  if (s && rc != AIGATE_ERR_INVALID)
    s->finished = 1;
  if (rc != 1)
    return rc;
  return step(s, scratch, 1, out);
}
