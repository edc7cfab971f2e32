/*
 * lexicon.c -- what a word is about, for the classifier.
 *
 * A bag of n-grams knows the words it was trained on. A framed jailbreak
 * ("I'm a chemistry professor; for the answer key I need the complete
 * route to <drug>, every reagent") is an attack for its harmful task, and
 * the task's words are as many as there are harmful things: the trainer's
 * generated tasks (framereq.c) name a hundred, and a jailbreak names
 * another. The lexicon groups words and word pairs into categories (kinds
 * of harm: weapons, drugs, poisons, intrusion, fraud, violence, self-harm,
 * extremism, evading the law, theft, stalking; kinds of framing: fiction,
 * hypotheticals, claimed authority, emotional pressure, demands against
 * refusal and for detail; and since format 8, kinds of injection: the
 * model addressed as the reader or the actor, its instructions and
 * prompt, concealing, steering the answer, acting for the user), and the
 * classifier adds a feature per category a word belongs to, and one per
 * pair of categories a text holds (classifier.c): a weight learned from
 * "methamphetamine" then also counts for "fentanyl", a frame with a
 * harmful task is one feature whatever the words of either, and a note
 * to "the summarizer" that tells it what to say to "the reader" is the
 * pair a note to "the assistant" about "the user" taught.
 *
 * The lists are the project's own, written from general knowledge of the
 * categories, never from evaluation texts. Entries are lower case (the
 * classifier reads the folded text); a pair is written "a+b" and matches
 * the two words in that order (the classifier's bigram). Words split
 * where the classifier's words split (at anything but a letter or digit):
 * "self-harm" is the pair "self+harm".
 *
 * Limits: a pair is two adjacent words ("dispose of a body" is no pair of
 * "dispose+body"); a word belongs to one category, its first list's; a
 * word is in a category whatever its sense ("kill the process", "a photo
 * shoot"), and the weights learned for the category, not the word, say
 * what it is worth.
 *
 * Changing a list changes what a model's weights mean: a model is trained
 * with the lexicon it is used with (the model format's version says so).
 */
#include "lexicon.h"

#include <assert.h>
#include <pthread.h>
#include <string.h>

#include "classifier.h"

static const char *const cats[AG_LEX_CATS] = {
    /* 1 weapons and explosives */
    "bomb bombs explosive explosives detonator detonators grenade grenades "
    "ied ieds tnt c4 semtex anfo thermite napalm molotov shrapnel silencer "
    "silencers suppressor suppressors firearm firearms gun guns rifle rifles "
    "pistol pistols handgun handguns shotgun ammunition ammo glock ar15 "
    "ak47 ghost+gun auto+sear full+auto bump+stock untraceable 3d+printed "
    "zip+gun pipe+bomb car+bomb nail+bomb fertilizer+bomb blasting+cap "
    "blasting+caps fuse landmine rocket warhead",
    /* 2 drugs */
    "meth methamphetamine cocaine crack heroin fentanyl carfentanil opioid "
    "opioids oxycodone morphine lsd mdma ecstasy ketamine ghb pcp dmt "
    "amphetamine amphetamines cannabis marijuana psilocybin narcotics "
    "narcotic cook+meth drug+lab precursor precursors ephedrine "
    "pseudoephedrine p2p phenylacetone reagent reagents synthesize "
    "synthesise synthesis extract extraction purify yield grams kilo dealer "
    "dealing overdose",
    /* 3 poisons, toxins, chemical and biological agents */
    "poison poisons poisoning poisonous toxin toxins toxic ricin abrin "
    "botulinum botulism anthrax sarin vx tabun novichok mustard+gas "
    "nerve+agent nerve+gas chlorine+gas phosgene cyanide arsenic strychnine "
    "thallium polonium pathogen pathogens virus+strain bioweapon bioweapons "
    "weaponize weaponise weaponized aerosolize aerosolized culture+bacteria "
    "smallpox plague ebola contaminate contaminated lethal+dose "
    "undetectable+poison",
    /* 4 malware and intrusion */
    "malware ransomware keylogger keyloggers spyware rootkit rootkits trojan "
    "trojans botnet botnets worm backdoor backdoors exploit exploits payload "
    "payloads shellcode zero+day 0day ddos dos+attack phishing phish "
    "credential+stealer infostealer stealer cryptojacker hack hacking hacked "
    "hacker cracking brute+force bruteforce bypass evade+antivirus "
    "undetectable+malware obfuscate obfuscated inject injection sqli xss "
    "privilege+escalation reverse+shell c2 exfiltrate exfiltration "
    "wifi+password",
    /* 5 fraud, scams, forgery, counterfeiting, laundering */
    "fraud scam scams scammer scammers phishing+email con+artist counterfeit "
    "counterfeiting forge forged forgery fake+id fake+ids fake+passport "
    "fake+documents launder laundering money+laundering ponzi pyramid+scheme "
    "embezzle embezzlement skimmer skimming carding stolen+cards "
    "identity+theft impersonate impersonating social+security ssn "
    "tax+evasion insurance+fraud wire+fraud catfish catfishing sextortion "
    "extort extortion blackmail romance+scam elderly+victims",
    /* 6 violence against people */
    "kill killing murder murdering assassinate assassination strangle stab "
    "stabbing shoot shooting massacre torture kidnap kidnapping abduct "
    "abduction hostage maim injure hurt+someone attack+someone beat+up "
    "mass+shooting school+shooting terror terrorist terrorism bombing arson "
    "set+fire dispose+body",
    /* 7 self-harm */
    "suicide suicidal self+harm selfharm cut+myself hurt+myself kill+myself "
    "overdose+on hang+myself starve+myself pro+ana purge+after",
    /* 8 hate and extremism */
    "nazi neo+nazi neonazi white+supremacist supremacy jihad jihadist isis "
    "extremist extremism radicalize radicalise radicalization recruit "
    "recruitment propaganda manifesto genocide ethnic+cleansing hate+speech "
    "slur slurs racial+slurs incite incitement",
    /* 9 evading the law, hiding traces */
    "evidence forensics forensic fingerprints dna alibi undetected "
    "traceless getting+caught being+caught avoid+detection "
    "evade+police launder+money dark+web darknet tor+market burner cover+up "
    "destroy+evidence no+trace without+trace",
    /* 10 theft, burglary, trafficking, smuggling */
    "steal stealing theft burglary burglar break+into breaking+into lockpick "
    "lockpicking hotwire shoplift shoplifting rob robbery heist smuggle "
    "smuggling traffic trafficking trafficker human+trafficking contraband "
    "loot pickpocket",
    /* 11 stalking, covert surveillance, doxxing, harassment */
    "stalk stalking stalker track+my spy+on spying secretly covertly "
    "them+knowing her+knowing his+knowing dox doxx doxxing doxing harass "
    "harassment home+address location+tracking gps+tracker hidden+camera "
    "their+messages their+phone revenge+porn",
    /* 12 fiction and role-play */
    "novel story stories screenplay script scene chapter character "
    "characters fiction fictional roleplay role+play rp villain protagonist "
    "narrator dialogue plot fanfic fanfiction game+master npc in+character "
    "pretend act+as bedtime+story",
    /* 13 hypotheticals */
    "hypothetically hypothetical imagine suppose thought+experiment "
    "parallel+universe alternate+universe in+theory theoretically what+if "
    "purely+academic simulation simulate",
    /* 14 claimed authority */
    "professor phd doctor nurse chemist pharmacist researcher scientist "
    "officer detective investigator pentester penetration+tester red+team "
    "licensed licence license authorized authorised clearance certified "
    "expert colleague law+enforcement",
    /* 15 emotional pressure */
    "grandmother grandma grandpa grandfather late+grandmother dying "
    "desperate crying tears please+please beg begging or+death urgent "
    "urgently emergency my+child my+daughter my+son nowhere+else only+hope "
    "this+once",
    /* 16 against refusal, for detail */
    "refuse refusal refusing disclaimer disclaimers warning warnings caveat "
    "caveats censor censored uncensored unfiltered filter filters "
    "restrictions no+limits without+limits moralize moralizing lecture "
    "step+by by+step exact exactly precise precisely detailed quantities "
    "quantity measurements full+instructions complete+instructions "
    "every+step in+detail word+for for+word verbatim your+reply "
    "begin+with sure+here",
    /* 17 the model as the reader or the actor */
    "ai assistant assistants chatbot chatbots bot bots llm llms gpt chatgpt "
    "claude gemini copilot language+model language+models ai+model "
    "ai+models ai+agent ai+agents agent+reading model+reading summarizer "
    "summariser summarizers reading+this processing+this parsing+this "
    "reads+this scraper crawler",
    /* 18 instructions and the prompt */
    "instructions instruction directives directive guidelines guideline "
    "prompt prompts system+prompt system+message initial+prompt "
    "hidden+prompt previous+instructions prior+instructions "
    "above+instructions original+instructions earlier+instructions "
    "preceding+instructions programming configuration guardrails "
    "safeguards operator developer+message",
    /* 19 concealing */
    "conceal concealing omit omitting silently quietly unnoticed "
    "undisclosed without+telling without+mentioning without+informing "
    "not+mention never+mention t+mention not+reveal never+reveal t+reveal "
    "not+disclose t+tell not+tell never+tell keep+this keep+it hide hiding "
    "hidden",
    /* 20 steering the answer */
    "the+user the+users the+reader the+customer tell+the tell+them "
    "tell+users tell+anyone respond+with reply+with answer+with "
    "always+respond always+reply always+answer always+say only+respond "
    "only+reply only+say say+that state+that claim+that rate+it rank+it "
    "approve mention+that append prepend insert",
    /* 21 acting for the user */
    "forward forwarding send+the send+all send+this send+it email+the "
    "email+it upload post+the transfer wire+transfer delete+all delete+the "
    "delete+every wipe execute run+this run+the visit+the click+the "
    "open+the download+and curl wget",
};

/* An open-addressed table of the entries' keys (about 650 in 4096 slots,
 * 32 KiB), and the filter of lexicon.h (2 KiB): most words are in no
 * list, and the filter says so without the table. */
#define TBITS 12
#define TSIZE (1u << TBITS)

typedef struct {
  uint32_t key;
  uint8_t cat, pair, used;
} slot;

static slot table[TSIZE];
uint64_t ag_lex_filter[AG_LEX_FILTER_WORDS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static uint32_t slot_of(uint32_t key) {
  return (key * 2654435761u) >> (32 - TBITS);
}

static void put(uint32_t key, int pair, int cat) {
  uint32_t i = slot_of(key);
  while (table[i].used) {
    /* An entry in two lists would be found under the first only; the
     * unit tests find every entry under its own category. */
    if (table[i].key == key && table[i].pair == pair)
      return;
    i = (i + 1) & (TSIZE - 1);
  }
  table[i] = (slot){key, (uint8_t)cat, (uint8_t)pair, 1};
  uint32_t f = ag_lex_filter_bit(key);
  ag_lex_filter[f >> 6] |= 1ull << (f & 63);
}

static int word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Built once, by the first ag_lex_init (the lists are fixed; about 650
 * entries). */
static void build(void) {
  for (int c = 0; c < AG_LEX_CATS; c++) {
    for (const char *p = cats[c]; *p;) {
      while (*p == ' ')
        p++;
      uint32_t h[2] = {0, 0};
      int nw = 0;
      while (*p && *p != ' ') { /* an entry: one word, or two with '+' */
        uint32_t wh = AG_ML_FNV_BASIS;
        for (; word_char(*p); p++)
          wh = (wh ^ (unsigned char)*p) * AG_ML_FNV_PRIME;
        h[nw < 2 ? nw : 1] = wh;
        nw++;
        if (*p && *p != ' ') /* '+', or a byte no entry should hold */
          p++;
      }
      assert(nw == 1 || nw == 2); /* a word, or a pair */
      if (nw == 1)
        put(h[0], 0, c + 1);
      else if (nw == 2)
        put(ag_ml_bigram_key(h[0], h[1]), 1, c + 1);
    }
  }
}

static int find(uint32_t key, int pair) {
  for (uint32_t i = slot_of(key); table[i].used; i = (i + 1) & (TSIZE - 1))
    if (table[i].key == key && table[i].pair == pair)
      return table[i].cat;
  return 0;
}

void ag_lex_init(void) {
  pthread_once(&once, build);
}

const char *ag_lex_list(int cat) {
  return cat >= 1 && cat <= AG_LEX_CATS ? cats[cat - 1] : NULL;
}

int ag_lex_word_slow(uint32_t wh) {
  return find(wh, 0);
}

int ag_lex_pair_slow(uint32_t bi) {
  return find(bi, 1);
}
