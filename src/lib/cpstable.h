/*
 * cpstable.h -- which code points the normalizer's views leave unchanged.
 *
 * Shared by src/lib/normalize.c (for code points beyond the BMP) and by
 * tools/gen_cpflags.c, which tabulates it for the BMP at build time, so
 * the two can never disagree.
 */
#ifndef AIGATE_CPSTABLE_H
#define AIGATE_CPSTABLE_H

#include <stdint.h>
#include <utf8proc.h>

/*
 * Letters in styles that NFKC leaves as they are -- small capitals,
 * letters in negative circles and squares, regional indicators (the
 * letters of flags), parenthesized letters (which NFKC would make "(a)")
 * -- and the combining overlays that strike through, underline or
 * overline letters. Text generators offer these styles; a word written in
 * them reads as the word to a model but not to a pattern. Returns what the
 * folded view reads cp as: a lower-case ASCII letter, U+00AD (an
 * ignorable, which the view removes) for an overlay, 0 for any other code
 * point.
 */
static inline int ag_styled_cp(int cp) {
  if (cp >= 0x1F150 && cp <= 0x1F169) /* negative circled A-Z */
    return 'a' + (cp - 0x1F150);
  if (cp >= 0x1F170 && cp <= 0x1F189) /* negative squared A-Z */
    return 'a' + (cp - 0x1F170);
  if (cp >= 0x1F1E6 && cp <= 0x1F1FF) /* regional indicators A-Z */
    return 'a' + (cp - 0x1F1E6);
  if (cp >= 0x249C && cp <= 0x24B5) /* parenthesized a-z */
    return 'a' + (cp - 0x249C);
  switch (cp) {
  case 0x0305: /* overline */
  case 0x0332: /* low line */
  case 0x0333: /* double low line */
  case 0x0334: /* tilde overlay */
  case 0x0335: /* short stroke overlay */
  case 0x0336: /* long stroke overlay */
  case 0x0337: /* short solidus overlay */
  case 0x0338: /* long solidus overlay */
  case 0x033F: /* double overline */
  case 0x20D2: /* long vertical line overlay */
  case 0x20E5: /* reverse solidus overlay */ return 0xAD;
  /* Small capitals, and the modifier letters of small capitals whose
   * compatibility form is one (NFKC would stop at the small capital). */
  case 0x1D00: return 'a';
  case 0x0299: return 'b';
  case 0x1D04: return 'c';
  case 0x1D05: return 'd';
  case 0x1D07: return 'e';
  case 0xA730: return 'f';
  case 0x0262: return 'g';
  case 0x029C: return 'h';
  case 0x026A:
  case 0x1DA6: return 'i';
  case 0x1D0A: return 'j';
  case 0x1D0B: return 'k';
  case 0x029F:
  case 0x1DAB: return 'l';
  case 0x1D0D: return 'm';
  case 0x0274:
  case 0x1DB0: return 'n';
  case 0x1D0F: return 'o';
  case 0x1D18: return 'p';
  case 0xA7AF: return 'q';
  case 0x0280: return 'r';
  case 0xA731: return 's';
  case 0x1D1B: return 't';
  case 0x1D1C:
  case 0x1DB8: return 'u';
  case 0x1D20: return 'v';
  case 0x1D21: return 'w';
  case 0x028F: return 'y';
  case 0x1D22: return 'z';
  default: return 0;
  }
}

/*
 * A code point standing alone (no combining mark follows) that the view's
 * normalization leaves unchanged, so its bytes can be copied without
 * running utf8proc over it -- most letters of most scripts.
 * Raw view (NFC): no decomposition, a compatibility one (NFC ignores it),
 * or a canonical one that composes back (not excluded from composition).
 * Folded view (NFKC + case fold + ignorables + lump): a lower-case or
 * caseless letter or a digit with no decomposition and no case folding,
 * and not a styled one (ag_styled_cp).
 */
static inline int ag_stable_cp(int cp, const utf8proc_property_t *p,
                               int folded) {
  if (!folded)
    return p->decomp_seqindex == UINT16_MAX || p->decomp_type != 0 ||
           !p->comp_exclusion;
  return (p->category == UTF8PROC_CATEGORY_LL ||
          p->category == UTF8PROC_CATEGORY_LO ||
          p->category == UTF8PROC_CATEGORY_MN ||
          p->category == UTF8PROC_CATEGORY_MC ||
          p->category == UTF8PROC_CATEGORY_ND) &&
         p->decomp_seqindex == UINT16_MAX &&
         p->casefold_seqindex == UINT16_MAX && !p->ignorable &&
         !ag_styled_cp(cp);
}

#endif
