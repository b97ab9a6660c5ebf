/*
 * events.c - event triggers and what they say (docs/event-codebook.md).
 *
 * A trigger is a predicate of a class the codebook defines: taking people
 * into custody (arrest), sentencing or holding them (detention), putting
 * them to death by judgement (execution) or otherwise (killing), sending
 * them back across the border (repatriation), a campaign, search,
 * lockdown, closure, public trial, bounty or purge (crackdown), an audit,
 * inspection or checkpoint (inspection), watching and detecting
 * (surveillance), political lectures (lecture), meetings (meeting), and
 * the offences the state acts against when they are themselves what is
 * reported (smuggling, bribery, defection). Works that change the border
 * (fences, guard posts), floods and dispatches of workers are "other".
 *
 * Each trigger found in a sentence gets
 *  - a modality: negated ("not arrested", "unable to find"), hedged
 *    ("may be executed", "faces punishment"), future or ordered ("will be
 *    punished", "ordered the arrest of"), purpose ("measures to stop
 *    smuggling", "in order to prevent defections"), generic or habitual
 *    ("smuggling is rampant", "such crossings are rare", "anyone caught");
 *    a modal trigger states no event;
 *  - a role: the act itself, or an offence named as its reason ("arrested
 *    for smuggling") or a target of a measure ("a crackdown on
 *    smuggling"); an offence or a target is no event of its own.
 * The sentence's event is its act of highest priority (execution before
 * killing before a public trial before an arrest ...), so that a report
 * is typed by what the state did, and by the offence only when the
 * offence itself is the news.
 */
#include "gp_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- the lexicon ---------------------------------------------------------- */

enum {
    F_PREFIX = 1u, /* the phrase ends in '*': any letters may follow */
    F_BASE = 2u,   /* a bare verb: after "to" it is an infinitive */
    F_NOUN = 4u,   /* a noun that names a place after some words
                      ("detention center") */
    F_AGENT = 8u   /* names an agent or instrument of an act
                      ("detectors", "inspectors", "checkpoints") or a
                      change of degree ("intensified", "tightened"), not
                      a discrete act: no headline's predicate */
};

typedef struct entry {
    const char *phrase; /* lower case; '*' at the end: F_PREFIX */
    const char *type;
    int priority;
    unsigned flags;
} entry;

/* The type names, one array each, so that types compare by pointer
 * inside this file (callers compare the strings). */
static const char T_ARREST[] = "arrest";
static const char T_DETENTION[] = "detention";
static const char T_EXECUTION[] = "execution";
static const char T_KILLING[] = "killing";
static const char T_REPATRIATION[] = "repatriation";
static const char T_DEFECTION[] = "defection";
static const char T_SMUGGLING[] = "smuggling";
static const char T_BRIBERY[] = "bribery";
static const char T_CRACKDOWN[] = "crackdown";
static const char T_INSPECTION[] = "inspection";
static const char T_SURVEILLANCE[] = "surveillance";
static const char T_LECTURE[] = "lecture";
static const char T_MEETING[] = "meeting";
static const char T_OTHER[] = "other";

static const entry lexicon[] = {
    /* execution: death by judgement */
    {"executed", T_EXECUTION, 100, 0},
    {"execute", T_EXECUTION, 100, F_BASE},
    {"executes", T_EXECUTION, 100, 0},
    {"executing", T_EXECUTION, 100, 0},
    {"execution*", T_EXECUTION, 100, 0},
    {"firing squad", T_EXECUTION, 100, 0},
    {"put to death", T_EXECUTION, 100, 0},
    {"hanged", T_EXECUTION, 100, 0},
    {"sentenced to death", T_EXECUTION, 98, 0},
    {"death sentence*", T_EXECUTION, 98, 0},
    /* killing: other deadly force */
    {"shot dead", T_KILLING, 95, 0},
    {"shot and killed", T_KILLING, 95, 0},
    {"shot to death", T_KILLING, 95, 0},
    {"beaten to death", T_KILLING, 95, 0},
    {"tortured to death", T_KILLING, 95, 0},
    {"killed", T_KILLING, 95, 0},
    {"kill", T_KILLING, 95, F_BASE},
    {"kills", T_KILLING, 95, 0},
    {"shoots", T_KILLING, 92, 0},
    {"shoot", T_KILLING, 92, F_BASE},
    {"shot", T_KILLING, 92, 0},
    {"opened fire", T_KILLING, 92, 0},
    {"open fire", T_KILLING, 92, F_BASE},
    {"died in custody", T_KILLING, 90, 0},
    {"murdered", T_KILLING, 90, 0},
    {"murder", T_KILLING, 90, F_BASE | F_NOUN},
    {"murders", T_KILLING, 90, 0},
    {"stabbed to death", T_KILLING, 95, 0},
    {"strangled", T_KILLING, 92, 0},
    {"dies in custody", T_KILLING, 90, 0},
    {"died in detention", T_KILLING, 90, 0},
    /* crackdown: a public trial is the state's act against many */
    {"public trial*", T_CRACKDOWN, 91, 0},
    {"mass trial*", T_CRACKDOWN, 91, 0},
    {"open trial*", T_CRACKDOWN, 91, 0},
    {"show trial*", T_CRACKDOWN, 91, 0},
    {"publicly tried", T_CRACKDOWN, 91, 0},
    {"tried publicly", T_CRACKDOWN, 91, 0},
    {"stood trial", T_CRACKDOWN, 88, 0},
    {"put on trial", T_CRACKDOWN, 88, 0},
    {"tried for", T_CRACKDOWN, 88, 0},
    /* arrest: taking people into custody */
    {"emergency arrest*", T_ARREST, 90, 0},
    {"arrest", T_ARREST, 90, F_BASE | F_NOUN},
    {"arrests", T_ARREST, 90, 0},
    {"arrested", T_ARREST, 90, 0},
    {"arresting", T_ARREST, 90, 0},
    {"apprehend", T_ARREST, 90, F_BASE},
    {"apprehends", T_ARREST, 90, 0},
    {"apprehended", T_ARREST, 90, 0},
    {"apprehending", T_ARREST, 90, 0},
    {"apprehension", T_ARREST, 90, 0},
    {"detain", T_ARREST, 90, F_BASE},
    {"detains", T_ARREST, 90, 0},
    {"detained", T_ARREST, 90, 0},
    {"detaining", T_ARREST, 90, 0},
    {"detention", T_ARREST, 88, F_NOUN},
    {"detentions", T_ARREST, 88, 0},
    {"nabbed", T_ARREST, 90, 0},
    {"captured", T_ARREST, 88, 0},
    {"rounded up", T_ARREST, 90, 0},
    {"round up", T_ARREST, 90, F_BASE},
    {"taken into custody", T_ARREST, 90, 0},
    {"took into custody", T_ARREST, 90, 0},
    {"take into custody", T_ARREST, 90, F_BASE},
    {"handcuffed", T_ARREST, 88, 0},
    {"dragged away", T_ARREST, 85, 0},
    {"dragged out", T_ARREST, 85, 0},
    {"dragged off", T_ARREST, 85, 0},
    {"taken away", T_ARREST, 80, 0},
    {"caught", T_ARREST, 80, 0},
    {"busted", T_ARREST, 80, 0},
    {"locked up", T_ARREST, 80, 0},
    {"interrogated", T_ARREST, 70, 0},
    {"interrogation*", T_ARREST, 70, 0},
    /* repatriation: sent back across the border */
    {"repatriat*", T_REPATRIATION, 85, 0},
    {"repatriate", T_REPATRIATION, 85, F_BASE},
    {"forcibly returned", T_REPATRIATION, 85, 0},
    {"forcibly sent back", T_REPATRIATION, 85, 0},
    {"forced return*", T_REPATRIATION, 85, 0},
    {"sent back", T_REPATRIATION, 80, 0},
    {"sent home", T_REPATRIATION, 80, 0},
    {"sends home", T_REPATRIATION, 80, 0},
    {"taken back across", T_REPATRIATION, 80, 0},
    {"deported", T_REPATRIATION, 85, 0},
    {"deports", T_REPATRIATION, 85, 0},
    {"sends back", T_REPATRIATION, 80, 0},
    {"send back", T_REPATRIATION, 80, F_BASE},
    {"hands over", T_REPATRIATION, 80, 0},
    {"expels", T_REPATRIATION, 80, 0},
    {"deport", T_REPATRIATION, 85, F_BASE},
    {"deportation*", T_REPATRIATION, 85, 0},
    {"handed over to", T_REPATRIATION, 80, 0},
    {"extradit*", T_REPATRIATION, 82, 0},
    {"expelled", T_REPATRIATION, 80, 0},
    /* detention: sentenced, held, punished */
    {"sentenced", T_DETENTION, 75, 0},
    {"jailed", T_DETENTION, 75, 0},
    {"jails", T_DETENTION, 75, 0},
    {"imprisons", T_DETENTION, 75, 0},
    {"punishes", T_DETENTION, 70, 0},
    {"imprisoned", T_DETENTION, 75, 0},
    {"imprisonment", T_DETENTION, 72, 0},
    {"labor camp*", T_DETENTION, 72, 0},
    {"labour camp*", T_DETENTION, 72, 0},
    {"labor training camp*", T_DETENTION, 72, 0},
    {"prison camp*", T_DETENTION, 72, 0},
    {"re-education", T_DETENTION, 72, 0},
    {"reeducation", T_DETENTION, 72, 0},
    {"solitary confinement", T_DETENTION, 72, 0},
    {"punished", T_DETENTION, 70, 0},
    {"punishment*", T_DETENTION, 68, 0},
    {"disciplined", T_DETENTION, 68, 0},
    /* surveillance: watching and detecting */
    {"surveillance", T_SURVEILLANCE, 65, 0},
    {"monitor", T_SURVEILLANCE, 65, F_BASE},
    {"monitors", T_SURVEILLANCE, 65, 0},
    {"monitored", T_SURVEILLANCE, 65, 0},
    {"monitoring", T_SURVEILLANCE, 65, 0},
    {"signal detection", T_SURVEILLANCE, 65, 0},
    {"detection", T_SURVEILLANCE, 62, 0},
    {"detector*", T_SURVEILLANCE, 65, F_AGENT},
    {"radio wave*", T_SURVEILLANCE, 65, 0},
    {"radio signal*", T_SURVEILLANCE, 65, 0},
    {"wiretap*", T_SURVEILLANCE, 65, 0},
    {"eavesdrop*", T_SURVEILLANCE, 65, 0},
    {"intercept*", T_SURVEILLANCE, 65, 0},
    {"tracking", T_SURVEILLANCE, 60, 0},
    {"spying", T_SURVEILLANCE, 60, 0},
    {"spies on", T_SURVEILLANCE, 60, 0},
    {"spied on", T_SURVEILLANCE, 60, 0},
    {"cctv", T_SURVEILLANCE, 62, F_AGENT},
    {"informant*", T_SURVEILLANCE, 50, F_AGENT},
    {"listening device*", T_SURVEILLANCE, 62, 0},
    {"patrol*", T_SURVEILLANCE, 40, F_AGENT},
    /* inspection: audits, inspections, checkpoints, investigations */
    {"inspection*", T_INSPECTION, 60, 0},
    {"inspected", T_INSPECTION, 60, 0},
    {"inspect", T_INSPECTION, 60, F_BASE},
    {"inspecting", T_INSPECTION, 60, 0},
    {"inspects", T_INSPECTION, 60, 0},
    {"investigates", T_INSPECTION, 50, 0},
    {"inspector*", T_INSPECTION, 55, F_AGENT},
    {"audit*", T_INSPECTION, 60, 0},
    {"checkpoint*", T_INSPECTION, 45, F_AGENT},
    {"checks", T_INSPECTION, 50, 0},
    {"checked", T_INSPECTION, 50, 0},
    {"checking", T_INSPECTION, 50, 0},
    {"investigation*", T_INSPECTION, 50, 0},
    {"investigated", T_INSPECTION, 50, 0},
    {"investigating", T_INSPECTION, 50, 0},
    {"investigate", T_INSPECTION, 50, F_BASE},
    {"searched", T_INSPECTION, 50, 0},
    {"searches", T_INSPECTION, 50, 0},
    {"probe", T_INSPECTION, 50, F_NOUN},
    /* crackdown: campaigns and measures against a class of people */
    {"crackdown*", T_CRACKDOWN, 58, F_BASE},
    {"crack down", T_CRACKDOWN, 58, F_BASE},
    {"cracked down", T_CRACKDOWN, 58, 0},
    {"cracking down", T_CRACKDOWN, 58, 0},
    {"cracks down", T_CRACKDOWN, 58, 0},
    {"clampdown*", T_CRACKDOWN, 58, 0},
    {"clamp down", T_CRACKDOWN, 58, F_BASE},
    {"clamped down", T_CRACKDOWN, 58, 0},
    {"clamping down", T_CRACKDOWN, 58, 0},
    {"campaign", T_CRACKDOWN, 56, 0},
    {"campaigns", T_CRACKDOWN, 56, 0},
    {"sweep", T_CRACKDOWN, 58, F_NOUN},
    {"sweeps", T_CRACKDOWN, 58, 0},
    {"raid", T_CRACKDOWN, 58, F_BASE | F_NOUN},
    {"raids", T_CRACKDOWN, 58, 0},
    {"raided", T_CRACKDOWN, 58, 0},
    {"raiding", T_CRACKDOWN, 58, 0},
    {"house search*", T_CRACKDOWN, 58, 0},
    {"house-to-house", T_CRACKDOWN, 58, 0},
    {"home search*", T_CRACKDOWN, 58, 0},
    {"lockdown*", T_CRACKDOWN, 58, 0},
    {"locked down", T_CRACKDOWN, 58, 0},
    {"lock down", T_CRACKDOWN, 58, F_BASE},
    {"locks down", T_CRACKDOWN, 58, 0},
    {"sealed off", T_CRACKDOWN, 55, 0},
    {"seals off", T_CRACKDOWN, 55, 0},
    {"seal off", T_CRACKDOWN, 55, F_BASE},
    {"closed markets", T_CRACKDOWN, 58, 0},
    {"closes markets", T_CRACKDOWN, 58, 0},
    {"shut down markets", T_CRACKDOWN, 58, 0},
    {"curfew*", T_CRACKDOWN, 58, 0},
    {"market closure*", T_CRACKDOWN, 58, 0},
    {"closed the market*", T_CRACKDOWN, 58, 0},
    {"shut down the market*", T_CRACKDOWN, 58, 0},
    {"bounty", T_CRACKDOWN, 58, 0},
    {"bounties", T_CRACKDOWN, 58, 0},
    {"reward for", T_CRACKDOWN, 55, 0},
    {"rewards for", T_CRACKDOWN, 55, 0},
    {"demolish", T_CRACKDOWN, 58, F_BASE},
    {"demolished", T_CRACKDOWN, 58, 0},
    {"demolishes", T_CRACKDOWN, 58, 0},
    {"demolition*", T_CRACKDOWN, 58, 0},
    {"tear down", T_CRACKDOWN, 58, F_BASE},
    {"torn down", T_CRACKDOWN, 58, 0},
    {"tore down", T_CRACKDOWN, 58, 0},
    {"pulled down", T_CRACKDOWN, 58, 0},
    {"razed", T_CRACKDOWN, 58, 0},
    {"evict*", T_CRACKDOWN, 58, 0},
    {"forcibly relocated", T_CRACKDOWN, 58, 0},
    {"forced relocation*", T_CRACKDOWN, 58, 0},
    {"banish*", T_CRACKDOWN, 58, 0},
    {"exiled", T_CRACKDOWN, 55, 0},
    {"purge*", T_CRACKDOWN, 58, 0},
    {"purging", T_CRACKDOWN, 58, 0},
    {"dismissed", T_CRACKDOWN, 55, 0},
    {"dismissal*", T_CRACKDOWN, 55, 0},
    {"demoted", T_CRACKDOWN, 55, 0},
    {"demotion*", T_CRACKDOWN, 55, 0},
    {"stripped of", T_CRACKDOWN, 50, 0},
    {"confiscat*", T_CRACKDOWN, 50, 0},
    {"kept away", T_CRACKDOWN, 50, 0},
    {"keep away", T_CRACKDOWN, 50, F_BASE},
    {"barred", T_CRACKDOWN, 50, 0},
    {"cordoned off", T_CRACKDOWN, 50, 0},
    {"restricted", T_CRACKDOWN, 45, 0},
    {"restricts", T_CRACKDOWN, 45, 0},
    {"restriction*", T_CRACKDOWN, 45, 0},
    {"military law", T_CRACKDOWN, 58, 0},
    {"martial law", T_CRACKDOWN, 58, 0},
    {"strike team*", T_CRACKDOWN, 58, 0},
    {"task force*", T_CRACKDOWN, 50, 0},
    {"manhunt", T_CRACKDOWN, 50, 0},
    {"ban", T_CRACKDOWN, 45, F_BASE | F_NOUN},
    {"banned", T_CRACKDOWN, 45, 0},
    {"bans", T_CRACKDOWN, 45, 0},
    {"prohibited", T_CRACKDOWN, 40, 0},
    {"outlawed", T_CRACKDOWN, 45, 0},
    {"tightened", T_CRACKDOWN, 44, F_AGENT},
    {"tightening", T_CRACKDOWN, 44, F_AGENT},
    {"tighten", T_CRACKDOWN, 44, F_BASE | F_AGENT},
    {"tightens", T_CRACKDOWN, 44, F_AGENT},
    {"tighter", T_CRACKDOWN, 40, F_AGENT},
    {"intensified", T_CRACKDOWN, 44, F_AGENT},
    {"intensifies", T_CRACKDOWN, 44, F_AGENT},
    {"intensify", T_CRACKDOWN, 44, F_BASE | F_AGENT},
    {"intensifying", T_CRACKDOWN, 44, F_AGENT},
    {"stepped up", T_CRACKDOWN, 44, F_AGENT},
    {"step up", T_CRACKDOWN, 44, F_BASE | F_AGENT},
    {"steps up", T_CRACKDOWN, 44, F_AGENT},
    {"beefed up", T_CRACKDOWN, 44, F_AGENT},
    {"strengthened", T_CRACKDOWN, 42, F_AGENT},
    {"replaced", T_CRACKDOWN, 40, 0},
    /* defection: leaving the country without leave */
    {"defected", T_DEFECTION, 52, 0},
    {"defect", T_DEFECTION, 52, F_BASE},
    {"defects", T_DEFECTION, 52, 0},
    {"defecting", T_DEFECTION, 52, 0},
    {"defection*", T_DEFECTION, 52, 0},
    {"fled", T_DEFECTION, 52, 0},
    {"flee", T_DEFECTION, 52, F_BASE},
    {"flees", T_DEFECTION, 52, 0},
    {"fleeing", T_DEFECTION, 52, 0},
    {"escaped", T_DEFECTION, 52, 0},
    {"escape", T_DEFECTION, 52, F_BASE | F_NOUN},
    {"escapes", T_DEFECTION, 52, 0},
    {"crossed the border", T_DEFECTION, 52, 0},
    {"crossed the river", T_DEFECTION, 52, 0},
    {"crossing the border", T_DEFECTION, 52, 0},
    {"crossing the river", T_DEFECTION, 52, 0},
    {"cross the border", T_DEFECTION, 52, F_BASE},
    {"cross the river", T_DEFECTION, 52, F_BASE},
    {"illegal border crossing*", T_DEFECTION, 52, 0},
    {"illegally crossed", T_DEFECTION, 52, 0},
    {"deserted", T_DEFECTION, 52, 0},
    {"desertion*", T_DEFECTION, 52, 0},
    {"sneak across", T_DEFECTION, 50, F_BASE},
    {"snuck across", T_DEFECTION, 50, 0},
    {"sneaked across", T_DEFECTION, 50, 0},
    {"slipped across", T_DEFECTION, 50, 0},
    {"swam across", T_DEFECTION, 50, 0},
    {"ran away", T_DEFECTION, 48, 0},
    /* smuggling */
    {"smuggle", T_SMUGGLING, 48, F_BASE},
    {"smuggles", T_SMUGGLING, 48, 0},
    {"smuggled", T_SMUGGLING, 48, 0},
    {"smuggling", T_SMUGGLING, 48, 0},
    {"contraband", T_SMUGGLING, 45, 0},
    {"illicit trade", T_SMUGGLING, 45, 0},
    {"illegal trade", T_SMUGGLING, 45, 0},
    /* bribery */
    {"bribe", T_BRIBERY, 47, F_BASE | F_NOUN},
    {"bribes", T_BRIBERY, 47, 0},
    {"bribed", T_BRIBERY, 47, 0},
    {"bribing", T_BRIBERY, 47, 0},
    {"bribery", T_BRIBERY, 47, 0},
    {"kickback*", T_BRIBERY, 47, 0},
    {"paid off", T_BRIBERY, 47, 0},
    {"extort*", T_BRIBERY, 47, 0},
    {"taking money", T_BRIBERY, 47, 0},
    {"took money", T_BRIBERY, 47, 0},
    {"accepted money", T_BRIBERY, 47, 0},
    /* meetings and lectures */
    {"meeting", T_MEETING, 40, F_NOUN},
    {"meetings", T_MEETING, 40, 0},
    {"convened", T_MEETING, 40, 0},
    {"meets", T_MEETING, 40, 0},
    {"met with", T_MEETING, 38, 0},
    {"convene", T_MEETING, 40, F_BASE},
    {"conference", T_MEETING, 35, 0},
    {"delegation", T_MEETING, 38, 0},
    {"held talks", T_MEETING, 40, 0},
    {"lecture", T_LECTURE, 38, F_NOUN},
    {"lectures", T_LECTURE, 38, 0},
    {"lectured", T_LECTURE, 38, 0},
    {"study session*", T_LECTURE, 38, 0},
    {"education session*", T_LECTURE, 38, 0},
    {"ideological education", T_LECTURE, 38, 0},
    {"political education", T_LECTURE, 38, 0},
    {"indoctrination", T_LECTURE, 36, 0},
    /* other: works on the border, disasters, dispatches */
    {"guard post*", T_OTHER, 20, F_AGENT},
    {"fence", T_OTHER, 20, F_NOUN},
    {"fences", T_OTHER, 20, 0},
    {"fencing", T_OTHER, 20, 0},
    {"barbed wire", T_OTHER, 20, 0},
    {"border wall", T_OTHER, 20, 0},
    {"construction", T_OTHER, 18, 0},
    {"constructed", T_OTHER, 18, 0},
    {"built", T_OTHER, 15, 0},
    {"dispatched", T_OTHER, 18, 0},
    {"departed for", T_OTHER, 18, 0},
    {"flood*", T_OTHER, 20, 0},
    {"landslide*", T_OTHER, 20, 0},
    {"torrential", T_OTHER, 20, 0},
    {NULL, NULL, 0, 0}};

#define NLEX (sizeof lexicon / sizeof lexicon[0] - 1)

/* Acts named by a verb and its object (or a noun of persons and its
 * verb) a few words apart: "closed the city's largest market", "searched
 * their homes", "paid a border guard commander", "smugglers moved ten
 * tons", "recruited informants", "died after a beating". */
typedef struct pair_rule {
    const char *const *heads, *const *tails;
    int window; /* words after the head the tail may be */
    const char *type;
    int priority;
} pair_rule;

static const char *const close_verbs[] = {
    "closed", "closes", "close", "shut", "shuts", "shuttered", "closing",
    "shutting", NULL};
static const char *const markets[] = {"market", "markets", "jangmadang",
                                      "jangmadangs", NULL};
static const char *const search_verbs[] = {"searched", "searches",
                                           "search", "searching",
                                           "ransacked", NULL};
static const char *const homes[] = {"home", "homes", "house", "houses",
                                    "residence", "residences", "apartment",
                                    "apartments", "dormitory", NULL};
static const char *const pay_verbs[] = {"paid", "pays", "pay", "paying",
                                        "gave", "gives", "handed", NULL};
static const char *const officials[] = {
    "guard", "guards", "commander", "commanders", "official", "officials",
    "officer", "officers", "agent", "agents", "police", "policeman",
    "policemen", "cadre", "cadres", "inspector", "inspectors", "soldier",
    "soldiers", "chief", NULL};
static const char *const smugglers[] = {"smuggler", "smugglers", NULL};
static const char *const carry_verbs[] = {
    "moved", "moves", "carried", "carries", "brought", "brings", "shipped",
    "ships", "transported", "ferried", "took", "sneaked", "snuck",
    "slipped", "crossed", "moving", "carrying", "bringing", "shipping",
    "transporting", NULL};
static const char *const recruit_verbs[] = {
    "recruited", "recruits", "recruit", "recruiting", "planted", "deployed",
    "deploys", "installed", "installs", "placed", NULL};
static const char *const watchers[] = {
    "informant", "informants", "informers", "spies", "detector", "detectors",
    "cameras", "devices", "bugs", NULL};
static const char *const die_verbs[] = {"died", "dies", "dying", NULL};
static const char *const violence[] = {
    "beating", "beaten", "beatings", "torture", "tortured", "custody",
    "detention", "interrogation", "gunfire", "shooting", "shot", NULL};

static const pair_rule pairs[] = {
    {close_verbs, markets, 5, T_CRACKDOWN, 58},
    {search_verbs, homes, 4, T_CRACKDOWN, 58},
    {pay_verbs, officials, 5, T_BRIBERY, 47},
    {smugglers, carry_verbs, 3, T_SMUGGLING, 48},
    {recruit_verbs, watchers, 4, T_SURVEILLANCE, 62},
    {die_verbs, violence, 5, T_KILLING, 92},
};
#define NPAIRS (sizeof pairs / sizeof pairs[0])

/* What a pair rule stands for as a lexicon entry (filled from pairs[]). */
static const entry pair_entries[NPAIRS] = {
    {"(closed ... market)", T_CRACKDOWN, 58, 0},
    {"(searched ... homes)", T_CRACKDOWN, 58, 0},
    {"(paid ... official)", T_BRIBERY, 47, 0},
    {"(smugglers ... moved)", T_SMUGGLING, 48, 0},
    {"(recruited ... informants)", T_SURVEILLANCE, 62, 0},
    {"(died ... beating)", T_KILLING, 92, 0},
};
#define LX_NONE 0xFFFFu

/* Phrases are found by their first two bytes (every phrase has at least
 * three), hashed into HEAD2 chains. */
#define HEAD2 1024u
static inline unsigned head2_of(unsigned char c0, unsigned char c1)
{
    return ((unsigned)c0 * 31u ^ (unsigned)c1 * 7u) & (HEAD2 - 1u);
}

/* Classes of the words around a trigger (modality and roles). */
enum {
    WC_NEG = 1u << 0, WC_HEDGE = 1u << 1, WC_FUTURE = 1u << 2,
    WC_ORDER = 1u << 3, WC_PURPOSE = 1u << 4, WC_BACKGROUND = 1u << 5,
    WC_GENERIC = 1u << 6, WC_OFFENCE = 1u << 7, WC_THING = 1u << 8,
    WC_PERSON = 1u << 9, WC_DET = 1u << 10,
    WC_CHECK = 1u << 11 /* a word clause_generic() looks at more closely */
};
#define WC_MAX 512
#define WC_BUCKETS 512u
#define WC_NONE 0xFFFFu

static unsigned wc_hash(const char *w, size_t n)
{
    return ((unsigned)n * 131u + (unsigned char)w[0] * 31u +
            (unsigned char)w[n - 1] * 7u + (n > 1 ? (unsigned char)w[1] : 0u)) &
           (WC_BUCKETS - 1u);
}

/* Marker words (a gp_phrases set): heads of pair rules (class: the rule's
 * index) and subordinators (class MK_SUB). */
#define MK_SUB 0xFEu
_Static_assert(MK_SUB < GP_PHRASES_NONE, "a class byte");

struct gp_lexicon {
    /* the first two bytes of every phrase and marker word, one bit each:
     * most words start with none and are passed at once */
    uint64_t bigram[65536 / 64];
    unsigned short head[HEAD2];
    unsigned short next[NLEX];
    unsigned char len[NLEX]; /* without '*' */
    unsigned char prefix[NLEX];
    gp_phrases markers;
    /* the word lists of modality and roles, one table: a word's classes
     * (WC_*) in one lookup */
    unsigned short whead[WC_BUCKETS], wnext[WC_MAX], wcls[WC_MAX];
    const char *wword[WC_MAX];
    unsigned char wlen[WC_MAX];
    size_t nw;
};

/* Words that open a clause subordinate to the sentence's own act: a
 * cause or an earlier step ("since a soldier deserted", "after the
 * raid") or a consequence ("prompting agents to launch searches"). Acts
 * there are real but not the sentence's own event. */
static const char *const subordinators[] = {
    "since", "after", "following", "because", "prompting", "prompted",
    "leading", "causing", "resulting", "sparking", "triggering",
    "forcing", NULL};

static void bigram_set(gp_lexicon *lx, const char *w)
{
    unsigned b = (unsigned)(unsigned char)w[0] << 8 | (unsigned char)w[1];
    lx->bigram[b >> 6] |= (uint64_t)1 << (b & 63);
}

static int bigram_has(const gp_lexicon *lx, const char *w)
{
    unsigned b = (unsigned)(unsigned char)w[0] << 8 | (unsigned char)w[1];
    return (lx->bigram[b >> 6] >> (b & 63)) & 1;
}

static void marker_add(gp_lexicon *lx, const char *const *words,
                       unsigned kind)
{
    size_t added = gp_phrases_add(&lx->markers, words, (unsigned char)kind);
    for (size_t i = 0; i < added; i++)
        bigram_set(lx, words[i]);
}

/* The classes of the word lc[b..e); 0 for none. */
static unsigned wc_of(const gp_lexicon *lx, const char *lc, size_t b,
                      size_t e)
{
    if (e <= b)
        return 0;
    for (unsigned k = lx->whead[wc_hash(lc + b, e - b)]; k != WC_NONE;
         k = lx->wnext[k])
        if (lx->wlen[k] == e - b && memcmp(lc + b, lx->wword[k], e - b) == 0)
            return lx->wcls[k];
    return 0;
}

static void wc_add(gp_lexicon *lx, const char *const *words, unsigned cls)
{
    for (size_t i = 0; words[i]; i++) {
        size_t n = strlen(words[i]);
        unsigned h = wc_hash(words[i], n);
        unsigned k;
        for (k = lx->whead[h]; k != WC_NONE; k = lx->wnext[k])
            if (lx->wlen[k] == n && memcmp(lx->wword[k], words[i], n) == 0)
                break;
        if (k == WC_NONE) {
            if (lx->nw >= WC_MAX)
                continue;
            k = (unsigned)lx->nw++;
            lx->wword[k] = words[i];
            lx->wlen[k] = (unsigned char)n;
            lx->wcls[k] = 0;
            lx->wnext[k] = lx->whead[h];
            lx->whead[h] = (unsigned short)k;
        }
        lx->wcls[k] |= (unsigned short)cls;
    }
}

static void wc_init(gp_lexicon *lx);

gp_lexicon *gp_lexicon_new(void)
{
    gp_lexicon *lx = malloc(sizeof *lx);
    if (!lx)
        return NULL;
    memset(lx->bigram, 0, sizeof lx->bigram);
    gp_phrases_init(&lx->markers);
    wc_init(lx);
    for (size_t r = 0; r < NPAIRS; r++)
        marker_add(lx, pairs[r].heads, (unsigned)r);
    marker_add(lx, subordinators, MK_SUB);
    for (size_t i = 0; i < HEAD2; i++)
        lx->head[i] = LX_NONE;
    for (size_t t = NLEX; t-- > 0;) {
        const char *p = lexicon[t].phrase;
        size_t n = strlen(p);
        lx->prefix[t] = n && p[n - 1] == '*';
        lx->len[t] = (unsigned char)(n - lx->prefix[t]);
        unsigned h = head2_of((unsigned char)p[0], (unsigned char)p[1]);
        lx->next[t] = lx->head[h];
        lx->head[h] = (unsigned short)t;
        bigram_set(lx, p);
    }
    return lx;
}

void gp_lexicon_free(gp_lexicon *lx)
{
    free(lx);
}

/* ---- words ---------------------------------------------------------------- */

static inline int wch(unsigned char c)
{
    return c >= 0x80 || (unsigned)(c - 'a') < 26u ||
           (unsigned)(c - '0') < 10u || (unsigned)(c - 'A') < 26u;
}

static inline int alpha(unsigned char c)
{
    return (unsigned)(c - 'a') < 26u;
}

/* The word that ends before pos (skipping spaces), as [*b, *e); stops at
 * clause punctuation (returns 0 there or at the start). */
static int word_before(const char *lc, size_t pos, size_t *b, size_t *e)
{
    size_t i = pos;
    while (i > 0 && lc[i - 1] == ' ')
        i--;
    if (i == 0)
        return 0;
    unsigned char c = (unsigned char)lc[i - 1];
    if (!wch(c) && c != '\'')
        return 0;
    *e = i;
    while (i > 0 && (wch((unsigned char)lc[i - 1]) || lc[i - 1] == '\'' ||
                     lc[i - 1] == '-'))
        i--;
    /* "n't" and other UTF-8 apostrophes stay in the word */
    *b = i;
    return 1;
}

/* The word that starts at or after pos, as [*b, *e). */
static int word_after(const char *lc, size_t n, size_t pos, size_t *b,
                      size_t *e)
{
    size_t i = pos;
    while (i < n && lc[i] == ' ')
        i++;
    if (i >= n || !wch((unsigned char)lc[i]))
        return 0;
    *b = i;
    while (i < n && (wch((unsigned char)lc[i]) || lc[i] == '-'))
        i++;
    *e = i;
    return 1;
}

static int is_word(const char *lc, size_t b, size_t e, const char *w)
{
    if (e <= b || lc[b] != w[0])
        return 0;
    size_t n = strlen(w);
    return e - b == n && memcmp(lc + b, w, n) == 0;
}

static int in_words(const char *lc, size_t b, size_t e,
                    const char *const *list)
{
    if (e <= b)
        return 0;
    char c = lc[b];
    for (size_t i = 0; list[i]; i++)
        if (list[i][0] == c && is_word(lc, b, e, list[i]))
            return 1;
    return 0;
}

/* ---- modality ------------------------------------------------------------- */

static const char *const neg_words[] = {
    "not", "never", "no", "without", "nor", "neither", "none", "nothing",
    "avoid", "avoided", "avoiding", "evaded", "evading", "escaped",
    "escaping", "unable", "failed", "fail", "refused", "instead", "rather",
    "spared", "lack", "lacked", NULL};

static const char *const hedge_words[] = {
    "may", "might", "could", "would", "should", "must", "can", "cannot",
    "likely", "unlikely", "possibly", "perhaps", "probably", "if",
    "unless", "whether", "risk", "risks", "risking", "face", "faces",
    "facing", "fear", "fears", "feared", "fearing", "afraid", "lest",
    "subject", "liable", "likelihood", "chance", "chances", "possibility",
    "odds", NULL};

static const char *const future_words[] = {
    "will", "shall", "plan", "plans", "planned", "planning", "intend",
    "intends", "intended", "aim", "aims", "aimed", "seek", "seeks",
    "sought", "vow", "vowed", "vows", "pledge", "pledged", "promise",
    "promised", "scheduled", "expected", "going", "urged", "urging",
    "considering", "prepare", "prepares", "preparing", NULL};

/* Verbs of ordering: an ordered arrest is not (yet) an arrest. */
static const char *const order_words[] = {
    "order", "orders", "ordered", "ordering", "instructed", "directed",
    "told", "commanded", "authorized", "authorised", "mandated", NULL};

static const char *const purpose_words[] = {
    "prevent", "preventing", "prevention", "stop", "stopping", "curb",
    "curbing", "stem", "stemming", "block", "blocking", "deter",
    "deterring", "eradicate", "eradicating", "combat", "combating",
    "combatting", "tackle", "tackling", "fight", "fighting", "root",
    "against", "attempt", "attempts", "attempted", "attempting", "try",
    "trying", "tried", "bid", "effort", "efforts", "measures", "measure",
    "order", "designed", "meant", "intent", "aimed", "counter", "ward",
    "discourage", "discouraging", "thwart", "reduce", "reducing",
    "eliminate", "eliminating", "crack", "clamp", "dealing", "deal",
    "handle", "handling", "punish", "punishing", NULL};


/* A trigger that only sets the scene of another act: "amid a crackdown",
 * "despite the lockdown", "to bypass a border lockdown", "due to the
 * closure". */
static const char *const background_words[] = {
    "amid", "amidst", "despite", "bypass", "bypassed", "bypassing",
    "circumvent", "circumvented", "circumventing", "due", "owing",
    "because", "thanks", "given", NULL};

static const char *const generic_words[] = {
    "often", "usually", "typically", "generally", "frequently",
    "commonly", "normally", "always", "routinely", "regularly",
    "sometimes", "occasionally", "rarely", "seldom", "rare", "rampant",
    "widespread", "common", "hotbed", "notorious", "traditionally",
    "historically", "anyone", "anybody", "whoever", "violators",
    "offenders", "whenever", "tend", "tends", "tended", "customary",
    NULL};

/* "how many were caught": a count over cases, no one case */

/* Scans back from pos over at most 6 words of the trigger's clause (to a
 * comma, semicolon, colon, quote or the sentence's start) for words that
 * make it not an event. */
static int is_measure(const char *type)
{
    return type == T_CRACKDOWN ||
           type == T_INSPECTION ||
           type == T_SURVEILLANCE ||
           type == T_LECTURE || type == T_MEETING;
}

static unsigned modality_before(const gp_lexicon *lx, const char *lc,
                                size_t pos, const entry *en, int *purpose_gov)
{
    unsigned mod = 0;
    int ordered = 0;
    size_t i = pos;
    *purpose_gov = 0;
    for (int w = 0; w < 6; w++) {
        size_t b, e;
        if (!word_before(lc, i, &b, &e))
            break;
        /* "n't" */
        if (e - b > 3 && memcmp(lc + e - 3, "n't", 3) == 0)
            mod |= GP_MOD_NEGATED;
        if (e - b > 5 && (unsigned char)lc[e - 4] == 0x99 &&
            lc[e - 1] == 't' && lc[e - 2] == 'n' && lc[e - 6] == 'n')
            mod |= GP_MOD_NEGATED; /* "didn’t" */
        unsigned wc = wc_of(lx, lc, b, e);
        if (wc & WC_NEG)
            mod |= GP_MOD_NEGATED;
        if (wc & WC_HEDGE)
            mod |= GP_MOD_HEDGED;
        if (wc & WC_FUTURE)
            mod |= GP_MOD_FUTURE;
        if ((wc & WC_ORDER) || is_word(lc, b, e, "directing"))
            ordered = 1;
        if ((wc & WC_ORDER) &&
            (en->type == T_ARREST ||
             en->type == T_EXECUTION ||
             en->type == T_KILLING ||
             en->type == T_REPATRIATION ||
             en->type == T_DETENTION))
            mod |= GP_MOD_FUTURE;
        if (wc & WC_PURPOSE)
            *purpose_gov = 1;
        if (wc & WC_BACKGROUND)
            mod |= GP_MOD_GENERIC;
        /* "to arrest", "to be arrested": an infinitive */
        if (w == 0 && is_word(lc, b, e, "to") && (en->flags & F_BASE))
            mod |= GP_MOD_PURPOSE;
        /* "to be arrested", "to strengthen monitoring", "to stop
         * smuggling": the act is the object of an infinitive; not "led to
         * the arrest", "to their arrest" */
        if (w == 1 && is_word(lc, b, e, "to")) {
            size_t b2, e2;
            if (word_before(lc, pos, &b2, &e2) &&
                !(wc_of(lx, lc, b2, e2) & WC_DET) &&
                !(lc[b2] >= '0' && lc[b2] <= '9'))
                mod |= GP_MOD_PURPOSE;
        }
        i = b;
    }
    if (*purpose_gov)
        mod |= GP_MOD_PURPOSE;
    /* an order to crack down, inspect or hold lectures is the measure
     * itself taking effect */
    if (ordered && is_measure(en->type)) {
        mod &= ~(unsigned)(GP_MOD_PURPOSE | GP_MOD_FUTURE);
        *purpose_gov = 0;
    }
    return mod;
}

/* Generic words anywhere in the trigger's clause (between commas,
 * semicolons or the sentence's ends), and "in the past" not followed by
 * a span ("in the past week" dates an event). */
static int clause_generic(const gp_lexicon *lx, const char *lc, size_t n,
                          size_t b0, size_t b1)
{
    size_t lo = b0, hi = b1;
    while (lo > 0 && lc[lo - 1] != ',' && lc[lo - 1] != ';' &&
           lc[lo - 1] != ':')
        lo--;
    while (hi < n && lc[hi] != ',' && lc[hi] != ';' && lc[hi] != ':')
        hi++;
    for (size_t i = lo; i < hi;) {
        if (!alpha((unsigned char)lc[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < hi && alpha((unsigned char)lc[j]))
            j++;
        unsigned wc = wc_of(lx, lc, i, j);
        if (wc & WC_GENERIC)
            return 1;
        if (!(wc & WC_CHECK)) {
            i = j;
            continue;
        }
        if (is_word(lc, i, j, "how") && j + 5 <= hi &&
            memcmp(lc + j, " many", 5) == 0)
            return 1;
        /* "such crossings", not "such as" */
        if (is_word(lc, i, j, "such") &&
            !(j + 3 <= hi && memcmp(lc + j, " as", 3) == 0))
            return 1;
        if (is_word(lc, i, j, "used") && j + 3 <= hi &&
            memcmp(lc + j, " to", 3) == 0)
            return 1;
        if (is_word(lc, i, j, "past") && i >= 7 &&
            memcmp(lc + i - 7, "in the ", 7) == 0) {
            size_t b, e;
            if (!word_after(lc, n, j, &b, &e) ||
                !(is_word(lc, b, e, "week") || is_word(lc, b, e, "month") ||
                  is_word(lc, b, e, "year") || is_word(lc, b, e, "few") ||
                  is_word(lc, b, e, "two") || is_word(lc, b, e, "several") ||
                  is_word(lc, b, e, "days") || is_word(lc, b, e, "weeks") ||
                  is_word(lc, b, e, "months")))
                return 1;
        }
        if ((is_word(lc, i, j, "those") || is_word(lc, i, j, "people") ||
             is_word(lc, i, j, "anyone")) &&
            j + 4 <= hi && memcmp(lc + j, " who", 4) == 0)
            return 1;
        /* "those caught", "those arrested", "anyone found": whoever it is */
        if (is_word(lc, i, j, "those") || is_word(lc, i, j, "anyone")) {
            size_t b, e;
            if (word_after(lc, n, j, &b, &e) &&
                ((e - b > 3 && lc[e - 1] == 'd' && lc[e - 2] == 'e') ||
                 is_word(lc, b, e, "caught") || is_word(lc, b, e, "found") ||
                 is_word(lc, b, e, "held") || is_word(lc, b, e, "sent")))
                return 1;
        }
        /* "numerous cases where", "many cases of": cases, not a case */
        if (is_word(lc, i, j, "cases")) {
            size_t b, e;
            if (word_before(lc, i, &b, &e) &&
                (is_word(lc, b, e, "numerous") || is_word(lc, b, e, "many") ||
                 is_word(lc, b, e, "several") || is_word(lc, b, e, "some") ||
                 is_word(lc, b, e, "multiple") ||
                 is_word(lc, b, e, "countless") || is_word(lc, b, e, "such")))
                return 1;
        }
        /* a trend over years: "in recent years", "over the past six
         * years", "for years", "for decades" */
        if (is_word(lc, i, j, "years") || is_word(lc, i, j, "decades")) {
            size_t b, e;
            if (word_before(lc, i, &b, &e) &&
                (is_word(lc, b, e, "recent") || is_word(lc, b, e, "for") ||
                 is_word(lc, b, e, "past") || is_word(lc, b, e, "many") ||
                 is_word(lc, b, e, "several") || is_word(lc, b, e, "the") ||
                 (e - b <= 6 && b >= 9 &&
                  (memcmp(lc + b - 9, "the past ", 9) == 0 ||
                   memcmp(lc + b - 9, "the last ", 9) == 0))))
                return 1;
        }
        i = j;
    }
    return 0;
}

/* Does the clause of a trigger ending at e end with a question mark
 * (clauses end at . ! ? ; : and dashes)? "X is monitoring Y: what is
 * going on?" asks only its last clause. */
static int clause_asks(const char *lc, size_t n, size_t e)
{
    for (size_t i = e; i < n; i++) {
        char c = lc[i];
        if (c == '?')
            return 1;
        if (c == '.' || c == '!' || c == ';' || c == ':')
            return 0;
        if ((unsigned char)c == 0xE2 && i + 2 < n &&
            (unsigned char)lc[i + 1] == 0x80 &&
            ((unsigned char)lc[i + 2] == 0x94 ||
             (unsigned char)lc[i + 2] == 0x93))
            return 0;
    }
    return 0;
}

/* ---- roles ---------------------------------------------------------------- */

static int is_offence_type(const char *type)
{
    return type == T_SMUGGLING || type == T_BRIBERY || type == T_DEFECTION;
}

/* Words before an offence that make it the reason or charge of an act. */
static const char *const offence_markers[] = {
    "for", "over", "after", "because", "while", "when", "suspicion",
    "charges", "charge", "accused", "suspected", "convicted", "guilty",
    "involved", "involvement", "engaged", "engaging", "caught",
    "allegedly", NULL};

/* Acts of the state whose object ("on X", "against X", "of X") is a
 * target, not an event. */
static int aims_at_target(const char *type)
{
    return type == T_CRACKDOWN ||
           type == T_INSPECTION ||
           type == T_SURVEILLANCE;
}

/* Nouns after which a trigger names a thing or place, not an event:
 * "detention center", "arrest warrant", "smuggling route", "repatriation
 * policy", "surveillance cameras". */
static const char *const thing_after[] = {
    "center", "centre", "centers", "centres", "facility", "facilities",
    "house", "houses", "ward", "cell", "cells", "warrant", "warrants",
    "route", "routes", "hub", "hubs", "hotbed", "business", "businesses",
    "industry", "boat", "boats", "vessel", "vessels", "goods", "items",
    "point", "points", "car", "cars", "vehicle", "vehicles", "schedule",
    "system", "systems", "hall", "halls", "room", "rooms", "camera",
    "cameras", "equipment", "device", "devices", "policy", "policies",
    "law", "laws", "rule", "rules", "regulation", "regulations",
    "program", "programs", "programme", "issue", "issues", "problem",
    "problems", "risk", "risks", "network", "networks", "ring", "rings",
    NULL};

/* People and units named by a trigger word before them: "patrol
 * soldiers", "checkpoint guards", "smuggling suspects", "inspection
 * officials" (an inspection team is still an inspection). Only for the
 * kinds whose words often name units. */
static const char *const person_after[] = {
    "soldier", "soldiers", "unit", "units", "troops", "station",
    "stations", "officer", "officers", "official", "officials", "guard",
    "guards", "member", "members", "post", "posts", "suspect", "suspects",
    "personnel", "staff", "agent", "agents", "squad", "squads", NULL};

/* ---- scanning ------------------------------------------------------------- */

/* Does the word after the trigger (ending at e) make it a thing or a
 * unit rather than an act? Finite forms ("arrested", "raided") are acts
 * whatever follows. */
static int names_no_act(const gp_lexicon *lx, const char *lc, size_t n,
                        size_t i, size_t e, const entry *en)
{
    if (e - i > 2 && lc[e - 1] == 'd' && lc[e - 2] == 'e')
        return 0;
    size_t b2, e2;
    if (!word_after(lc, n, e, &b2, &e2))
        return 0;
    unsigned wc = wc_of(lx, lc, b2, e2);
    if (wc & WC_THING)
        return 1;
    int unit_words = (en->flags & F_AGENT) ||
                     en->type == T_SURVEILLANCE ||
                     en->type == T_INSPECTION ||
                     en->type == T_SMUGGLING ||
                     en->type == T_OTHER;
    return unit_words && (wc & WC_PERSON);
}

/* Does the sentence say someone was not caught ("still at large", "on
 * the run", "remains missing", "evaded capture")? One pass over its word
 * starts. */
/* Does the trigger at lc[b..) start with a past form (arrested, detained,
 * caught)? */
static int past_form(const char *lc, size_t n, size_t b)
{
    size_t e = b;
    while (e < n && alpha((unsigned char)lc[e]))
        e++;
    return (e - b > 3 && lc[e - 2] == 'e' && lc[e - 1] == 'd') ||
           is_word(lc, b, e, "caught");
}

static int is_at_large(const char *lc, size_t n)
{
    static const char *const phr[] = {"at large", "on the run",
                                      "remains missing", "remain missing",
                                      "evaded capture", "escaped capture",
                                      NULL};
    for (size_t i = 0; i < n; i++) {
        char c = lc[i];
        if ((c != 'a' && c != 'o' && c != 'r' && c != 'e') ||
            (i > 0 && alpha((unsigned char)lc[i - 1])))
            continue;
        for (size_t k = 0; phr[k]; k++) {
            size_t L = strlen(phr[k]);
            if (phr[k][0] == c && i + L <= n && memcmp(lc + i, phr[k], L) == 0)
                return 1;
        }
    }
    return 0;
}

/* The tail of pair rule r within its window after he (the head's end):
 * the end of the tail word in *end, 0 when none. */
static int pair_tail(const char *lc, size_t n, size_t he, size_t r,
                     size_t *end)
{
    size_t p = he;
    for (int w = 0; w < pairs[r].window; w++) {
        size_t b, e;
        if (!word_after(lc, n, p, &b, &e))
            return 0;
        /* within the clause: no comma or stop between */
        if (memchr(lc + p, ',', b - p) || memchr(lc + p, '.', b - p) ||
            memchr(lc + p, ';', b - p))
            return 0;
        if (in_words(lc, b, e, pairs[r].tails)) {
            *end = e;
            return 1;
        }
        p = e;
    }
    return 0;
}

/* The marker word at lc[i..we) (a pair rule's head or a subordinator):
 * its kind, or -1. */
static int marker_at(const gp_lexicon *lx, const char *lc, size_t i,
                     size_t we)
{
    if (we - i < 2)
        return -1;
    const gp_phrases *mk = &lx->markers;
    for (unsigned k = gp_phrases_first(mk, (unsigned char)lc[i],
                                       (unsigned char)lc[i + 1]);
         k != GP_PHRASES_NONE; k = mk->next[k])
        if (mk->len[k] == we - i && memcmp(lc + i, mk->ph[k], we - i) == 0)
            return mk->cls[k];
    return -1;
}

size_t gp_find_triggers(const gp_lexicon *lx, const char *lc, size_t n,
                        gp_trigger_hit *out, size_t max)
{
    size_t k = 0;
    /* end of the last target-taking act ("crackdown on"), for roles */
    size_t target_until = 0, act_end = 0;
    int have_act = 0;
    size_t gen_lo = (size_t)-1; /* the clause clause_generic() last read */
    int gen = 0;
    size_t sub_until = 0; /* the subordinate clause read, if any */
    /* "still at large", "on the run": whoever it is was not caught, so an
     * arrest the sentence names ("the arrest of the soldier is pending")
     * did not happen; one it tells in the past ("police detained his
     * wife, but he is still at large") did. Read only for an arrest's
     * trigger. */
    int at_large = -1;
    /* A fronted adverbial that makes the sentence a trend or a habit
     * ("Over the past six years, the regime has ramped up surveillance",
     * "In many cases, ...") governs the clause after it too. */
    size_t first_comma = 0;
    int lead_generic = 0;
    {
        size_t b, e;
        const char *c = memchr(lc, ',', n);
        if (c && word_after(lc, n, 0, &b, &e) &&
            (is_word(lc, b, e, "over") || is_word(lc, b, e, "in") ||
             is_word(lc, b, e, "for") || is_word(lc, b, e, "during") ||
             is_word(lc, b, e, "throughout") || is_word(lc, b, e, "across") ||
             is_word(lc, b, e, "like") || is_word(lc, b, e, "as"))) {
            first_comma = (size_t)(c - lc);
            lead_generic = clause_generic(lx, lc, n, b, e);
        }
    }
    for (size_t i = 0; i < n && k < max; i++) {
        /* from word start to word start: skip the rest of a word */
        if (i > 0 && wch((unsigned char)lc[i - 1])) {
            while (i < n && wch((unsigned char)lc[i]))
                i++;
            if (i >= n)
                break;
        }
        if (i + 2 >= n || !wch((unsigned char)lc[i]) ||
            !bigram_has(lx, lc + i))
            continue;
        /* marker words: a subordinate clause runs to the clause's end; a
         * pair rule's head looks for its tail */
        size_t pair_end = 0;
        const entry *pair = NULL;
        {
            size_t we = i;
            while (we < n && alpha((unsigned char)lc[we]))
                we++;
            int mk = marker_at(lx, lc, i, we);
            if (mk == (int)MK_SUB) {
                sub_until = we;
                while (sub_until < n && lc[sub_until] != ',' &&
                       lc[sub_until] != ';' && lc[sub_until] != ':' &&
                       lc[sub_until] != '.')
                    sub_until++;
            } else if (mk >= 0 && pair_tail(lc, n, we, (size_t)mk, &pair_end)) {
                pair = &pair_entries[mk];
            }
        }
        unsigned t = lx->head[head2_of((unsigned char)lc[i],
                                       (unsigned char)lc[i + 1])];
        if (t == LX_NONE && !pair)
            continue;
        /* longest phrase wins at a position; a pair is more specific */
        const entry *best = pair;
        size_t best_end = pair ? pair_end : 0;
        for (; !pair && t != LX_NONE; t = lx->next[t]) {
            size_t L = lx->len[t];
            const char *ph = lexicon[t].phrase;
            if (i + L > n || lc[i] != ph[0] || lc[i + 1] != ph[1] ||
                lc[i + 2] != ph[2] || memcmp(lc + i, ph, L) != 0)
                continue;
            size_t e = i + L;
            if (lx->prefix[t]) {
                while (e < n && (alpha((unsigned char)lc[e]) || lc[e] == '-'))
                    e++;
            } else if (e < n && wch((unsigned char)lc[e])) {
                continue;
            }
            if (!best || e - i > best_end - i) {
                best = &lexicon[t];
                best_end = e;
            }
        }
        if (!best)
            continue;
        const entry *en = best;
        size_t e = best_end;
        /* person nouns made from a trigger's stem are not events:
         * "executioners", "repatriates" stay, "inspectors" and "detectors"
         * are the instruments of their acts */
        if (!pair && lx->prefix[en - lexicon] && e - i >= 3 &&
            en->type != T_INSPECTION &&
            en->type != T_SURVEILLANCE) {
            const char *w = lc + e;
            if ((w[-1] == 'r' && (w[-2] == 'e' || w[-2] == 'o')) ||
                (w[-1] == 's' && w[-2] == 'r' &&
                 (w[-3] == 'e' || w[-3] == 'o')) ||
                (w[-1] == 'e' && w[-2] == 'e') ||
                (w[-1] == 's' && w[-2] == 'e' && w[-3] == 'e'))
                continue;
        }
        /* "escaped arrest", "escape punishment": the act avoided */
        if (en->type == T_DEFECTION &&
            (is_word(lc, i, e, "escaped") || is_word(lc, i, e, "escape"))) {
            size_t b2, e2;
            if (word_after(lc, n, e, &b2, &e2) &&
                (is_word(lc, b2, e2, "arrest") ||
                 is_word(lc, b2, e2, "capture") ||
                 is_word(lc, b2, e2, "punishment") ||
                 is_word(lc, b2, e2, "detection") ||
                 is_word(lc, b2, e2, "death") ||
                 is_word(lc, b2, e2, "injury") ||
                 is_word(lc, b2, e2, "the")))
                continue;
        }
        /* "caught on camera", "captured on film" */
        if (is_word(lc, i, e, "caught") || is_word(lc, i, e, "captured")) {
            size_t b2, e2;
            if (word_after(lc, n, e, &b2, &e2) &&
                (is_word(lc, b2, e2, "on") || is_word(lc, b2, e2, "up") ||
                 is_word(lc, b2, e2, "fire")))
                continue;
        }
        if (!pair && names_no_act(lx, lc, n, i, e, en))
            continue;
        gp_trigger_hit *h = &out[k];
        memset(h, 0, sizeof *h);
        h->b0 = i;
        h->b1 = e;
        h->type = en->type;
        h->priority = en->priority;
        h->state_act = !is_offence_type(en->type) &&
                       en->type != T_OTHER;
        h->agent = (en->flags & F_AGENT) != 0;
        h->weak = is_word(lc, i, e, "caught") || is_word(lc, i, e, "busted");
        h->sub = i < sub_until;
        int purpose_gov = 0;
        h->modality = modality_before(lx, lc, i, en, &purpose_gov);
        if ((en->type == T_ARREST || en->type == T_DETENTION) &&
            !past_form(lc, n, i)) {
            if (at_large < 0)
                at_large = is_at_large(lc, n);
            if (at_large)
                h->modality |= GP_MOD_NEGATED;
        }
        if (clause_asks(lc, n, e))
            h->modality |= GP_MOD_QUESTION;
        /* hits of one clause share its answer */
        {
            size_t lo = i;
            while (lo > 0 && lc[lo - 1] != ',' && lc[lo - 1] != ';' &&
                   lc[lo - 1] != ':')
                lo--;
            if (lo != gen_lo) {
                gen_lo = lo;
                gen = clause_generic(lx, lc, n, i, e);
            }
            if (gen)
                h->modality |= GP_MOD_GENERIC;
            /* the clause right after a fronted trend or habit */
            if (lead_generic && i > first_comma) {
                const char *c2 = memchr(lc + first_comma + 1, ',',
                                        n - first_comma - 1);
                if (!c2 || i < (size_t)(c2 - lc))
                    h->modality |= GP_MOD_GENERIC;
            }
        }
        /* roles */
        if (i < target_until) {
            h->role = GP_ROLE_TARGET;
        } else if (!h->state_act && en->type != T_OTHER) {
            size_t b, we;
            size_t p = i;
            for (int w = 0; w < 4; w++) {
                if (!word_before(lc, p, &b, &we))
                    break;
                if (wc_of(lx, lc, b, we) & WC_OFFENCE) {
                    h->role = GP_ROLE_OFFENCE;
                    break;
                }
                p = b;
            }
            if (purpose_gov)
                h->role = GP_ROLE_TARGET;
            /* "smuggling-related", "defection-linked" */
            if (e + 7 < n && lc[e] == '-' &&
                (memcmp(lc + e + 1, "related", 7) == 0 ||
                 memcmp(lc + e + 1, "linked", 6) == 0))
                h->role = GP_ROLE_OFFENCE;
            /* an offence right after an act ("arrested smugglers" is a
             * person noun, skipped above; "caught smuggling") */
            if (have_act && i <= act_end + 24)
                h->role = GP_ROLE_OFFENCE;
        }
        /* "a crackdown on smuggling": what follows is its target */
        if (aims_at_target(en->type)) {
            size_t b2, e2;
            if (word_after(lc, n, e, &b2, &e2) &&
                (is_word(lc, b2, e2, "on") || is_word(lc, b2, e2, "against") ||
                 is_word(lc, b2, e2, "of") || is_word(lc, b2, e2, "targeting") ||
                 is_word(lc, b2, e2, "over"))) {
                target_until = e2 + 64 < n ? e2 + 64 : n;
            }
        }
        if (h->state_act && !h->modality) {
            have_act = 1;
            act_end = e;
        }
        k++;
        i = e - 1;
    }
    return k;
}

const gp_trigger_hit *gp_sentence_event(const gp_trigger_hit *hits, size_t n)
{
    const gp_trigger_hit *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const gp_trigger_hit *h = &hits[i];
        if (h->modality || h->role != GP_ROLE_ACT)
            continue;
        /* the main clause's act before a subordinate clause's */
        if (!best || (best->sub && !h->sub) ||
            (best->sub == h->sub && h->priority > best->priority))
            best = h;
    }
    return best;
}

static const char *const determiners[] = {
    "the", "a", "an", "his", "her", "their", "its", "our", "this", "that",
    "these", "those", "mass", "further", "more", "such", "any", "some",
    "many", "several", NULL};

/* Words whose context clause_generic() reads. */
static const char *const generic_context[] = {
    "how", "such", "used", "past", "those", "people", "anyone", "years",
    "decades", "cases", NULL};

static void wc_init(gp_lexicon *lx)
{
    for (size_t i = 0; i < WC_BUCKETS; i++)
        lx->whead[i] = WC_NONE;
    lx->nw = 0;
    wc_add(lx, neg_words, WC_NEG);
    wc_add(lx, hedge_words, WC_HEDGE);
    wc_add(lx, future_words, WC_FUTURE);
    wc_add(lx, order_words, WC_ORDER);
    wc_add(lx, purpose_words, WC_PURPOSE);
    wc_add(lx, background_words, WC_BACKGROUND);
    wc_add(lx, generic_words, WC_GENERIC);
    wc_add(lx, offence_markers, WC_OFFENCE);
    wc_add(lx, thing_after, WC_THING);
    wc_add(lx, person_after, WC_PERSON);
    wc_add(lx, determiners, WC_DET);
    wc_add(lx, generic_context, WC_CHECK);
}
