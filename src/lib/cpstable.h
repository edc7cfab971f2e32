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
 * A code point standing alone (no combining mark follows) that the view's
 * normalization leaves unchanged, so its bytes can be copied without
 * running utf8proc over it -- most letters of most scripts.
 * Raw view (NFC): no decomposition, a compatibility one (NFC ignores it),
 * or a canonical one that composes back (not excluded from composition).
 * Folded view (NFKC + case fold + ignorables + lump): a lower-case or
 * caseless letter or a digit with no decomposition and no case folding.
 */
static inline int ag_stable_cp(const utf8proc_property_t *p, int folded) {
  if (!folded)
    return p->decomp_seqindex == UINT16_MAX || p->decomp_type != 0 ||
           !p->comp_exclusion;
  return (p->category == UTF8PROC_CATEGORY_LL ||
          p->category == UTF8PROC_CATEGORY_LO ||
          p->category == UTF8PROC_CATEGORY_MN ||
          p->category == UTF8PROC_CATEGORY_MC ||
          p->category == UTF8PROC_CATEGORY_ND) &&
         p->decomp_seqindex == UINT16_MAX &&
         p->casefold_seqindex == UINT16_MAX && !p->ignorable;
}

#endif
