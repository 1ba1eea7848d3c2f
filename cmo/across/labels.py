"""Code labels made comparable: case, punctuation, hyphens, contractions, negator phrases and British vs American spelling."""

from __future__ import annotations

import re
from functools import lru_cache

# --- normalisation: case, punctuation, hyphens, contractions, British vs American spelling ---

_CONTRACTIONS = {
    "can't": "can not",
    "cannot": "can not",
    "cant": "can not",
    "won't": "will not",
    "shan't": "shall not",
    "ain't": "is not",
}
# Contractions typed without the apostrophe ("dont"); "wont" is left alone (it is a word).
_BARE_NT = (
    "do",
    "does",
    "did",
    "is",
    "are",
    "was",
    "were",
    "could",
    "would",
    "should",
    "have",
    "has",
    "had",
    "must",
    "need",
)
# Spelling variants that no suffix rule catches, mapped to one form (both sides are mapped alike).
_SPELLINGS = {
    "programme": "program",
    "programmes": "programs",
    "centre": "center",
    "centres": "centers",
    "theatre": "theater",
    "metre": "meter",
    "litre": "liter",
    "fibre": "fiber",
    "licence": "license",
    "defence": "defense",
    "offence": "offense",
    "practise": "practice",
    "ageing": "aging",
    "judgement": "judgment",
    "acknowledgement": "acknowledgment",
    "grey": "gray",
    "enrolment": "enrollment",
    "enrol": "enroll",
    "fulfil": "fulfill",
    "fulfilment": "fulfillment",
    "skilful": "skillful",
    "wilful": "willful",
    "travelling": "traveling",
    "travelled": "traveled",
    "traveller": "traveler",
    "travellers": "travelers",
    "counselling": "counseling",
    "counsellor": "counselor",
    "counsellors": "counselors",
    "modelling": "modeling",
    "labelled": "labeled",
    "labelling": "labeling",
    "cancelled": "canceled",
    "signalling": "signaling",
    "fuelled": "fueled",
    "catalogue": "catalog",
    "dialogue": "dialog",
    "towards": "toward",
    "whilst": "while",
    "amongst": "among",
    "learnt": "learned",
    "mum": "mom",
    "mums": "moms",
}
# Word beginnings spelled with a digraph in British English (paediatric, haemoglobin, oestrogen).
_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("paed", "ped"),
    ("haem", "hem"),
    ("anaes", "anes"),
    ("anaem", "anem"),
    ("gynaec", "gynec"),
)
_DIGRAPHS += (("oesoph", "esoph"), ("oestr", "estr"), ("foet", "fet"), ("leukaem", "leukem"), ("orthopaed", "orthoped"))
# Compounds written as one word, two words or hyphenated: joined into one token.
_COMPOUNDS = {
    ("well", "being"): "wellbeing",
    ("health", "care"): "healthcare",
    ("time", "scale"): "timescale",
    ("time", "scales"): "timescales",
    ("case", "load"): "caseload",
    ("case", "loads"): "caseloads",
    ("burn", "out"): "burnout",
    ("on", "line"): "online",
    ("off", "line"): "offline",
    ("drop", "in"): "dropin",
    ("ill", "health"): "illhealth",
    ("follow", "up"): "followup",
    ("key", "worker"): "keyworker",
    ("key", "workers"): "keyworkers",
    ("co", "production"): "coproduction",
    ("self", "harm"): "selfharm",
}
_ISE = re.compile(r"(?<=\w{2})is(e|ed|es|ing|er|ers|ation|ations|ational)$")
_YSE = re.compile(r"(?<=\w{3})ys(e|ed|es|ing|er|ers)$")
_OUR = re.compile(r"(?<=\w[bdghilmnprv])our(|s|ed|ing|al|ally|ite|ites|hood|hoods|ly|able|er|ers)$")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# Prefixes written with a hyphen that belong to the word they negate ("non-attendance" is one word).
_HYPHEN_PREFIX = re.compile(r"\b(non|un|dis|in|im|il|ir|mis|de|anti)-(?=[a-z])")


def spell(word: str) -> str:
    """One spelling of a word for British and American variants."""
    if word in _SPELLINGS:
        return _SPELLINGS[word]
    for british, american in _DIGRAPHS:
        if word.startswith(british):
            return american + word[len(british) :]
    if len(word) >= 6:
        word = _ISE.sub(r"iz\1", word)
        word = _YSE.sub(r"yz\1", word)
        word = _OUR.sub(r"or\1", word)
    return word


# Ways of saying "not" or "no" written one way for scoring ("unable to access" = "can not access").
_NEGATOR_FORMS: dict[str, tuple[str, ...]] = {
    "unable": ("can", "not"),
    "without": ("no",),
    "lack": ("no",),
    "lacks": ("no",),
    "lacking": ("no",),
    "absence": ("no",),
}
# The word dropped after a rewritten negator ("lack of trust" = "no trust").
_NEGATOR_FOLLOWERS = {"unable": "to", "lack": "of", "absence": "of", "lacking": "in"}


def _canonical_negators(words: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    skip = ""
    for word in words:
        if skip and word == skip:
            skip = ""
            continue
        skip = _NEGATOR_FOLLOWERS.get(word, "")
        out.extend(_NEGATOR_FORMS.get(word, (word,)))
    return tuple(out)


@lru_cache(maxsize=65536)
def words_of(label: str) -> tuple[str, ...]:
    """Lower-case words of a label with contractions expanded, possessives dropped and spellings unified."""
    text = label.lower().replace("’", "'").replace("‘", "'").replace("_", " ")
    text = _HYPHEN_PREFIX.sub(r"\1", text)
    for contraction, expansion in _CONTRACTIONS.items():
        text = re.sub(rf"\b{re.escape(contraction)}\b", expansion, text)
    text = re.sub(r"n't\b", " not", text)
    text = re.sub(r"(?<=\w)'s?\b", "", text)
    words = [w for w in _NON_WORD.split(text) if w]
    words = [f"{w[:-2]} not" if w.endswith("nt") and w[:-2] in _BARE_NT else w for w in words]  # "dont" -> "do not"
    words = " ".join(words).split()
    joined: list[str] = []
    for word in words:
        if joined and (joined[-1], word) in _COMPOUNDS:
            joined[-1] = _COMPOUNDS[(joined[-1], word)]
        else:
            joined.append(word)
    return _canonical_negators(tuple(spell(w) for w in joined))


def normalise(label: str) -> str:
    """The form a label (or a code id: `help-seeking`) is scored in: lower case, one spelling, single spaces."""
    return " ".join(words_of(label))
