"""How alike two code labels are: a fuzzy score that proposes match candidates but never scores opposites or subsets as the same."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# Score (0-100) at or above which two labels are proposed as a candidate match for the analyst to confirm.
DEFAULT_THRESHOLD = 80.0
# Points taken off token_set_ratio for the part of the longer label the shorter one leaves uncovered
# (1 - shorter / longer, in characters of the normalised labels). token_set_ratio alone scores a label 100
# against any label containing all its words ("trust" vs "building trust with the group": 100 - 33 = 67).
COVERAGE_PENALTY = 40.0
# Rows of the score matrix computed at once: bounds memory at 10,000 x 10,000 labels.
_CHUNK = 2048

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


def _spell(word: str) -> str:
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
def _tokens(label: str) -> tuple[str, ...]:
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
    return _canonical_negators(tuple(_spell(w) for w in joined))


def normalise(label: str) -> str:
    """The form a label (or a code id: `help-seeking`) is scored in: lower case, one spelling, single spaces."""
    return " ".join(_tokens(label))


# --- opposites: negators, prefix antonyms, antonym pairs ---

# Words and phrases that deny what follows. Phrases are matched on the normalised tokens.
_NEGATORS = frozenset(
    {
        "not",
        "no",
        "never",
        "none",
        "nobody",
        "nothing",
        "nowhere",
        "neither",
        "nor",
        "without",
        "lack",
        "lacks",
        "lacking",
        "lacked",
        "absence",
        "absent",
        "unable",
        "inability",
        "fail",
        "fails",
        "failed",
        "failing",
        "failure",
        "refuse",
        "refuses",
        "refused",
        "refusing",
        "refusal",
        "non",
        "anti",
    }
)
_NEGATOR_PHRASES = (("loss", "of"),)
# Prefixes that negate any word they are put before, checked against the other label ("unpaid" vs "paid").
_OPEN_PREFIXES = ("non", "anti", "un")
# Words beginning with an open prefix that are not its negation.
_NOT_PREFIXED = frozenset(
    {"under", "until", "unit", "units", "union", "unions", "unique", "unity", "universal", "university", "uniform"}
    | {"uncle", "unison", "nonsense", "nonetheless", "anticipate", "anticipated", "antique", "antics"}
)
# Words that relate what comes before them to what comes after: swapping the two sides reverses the claim.
_RELATIONS = frozenset({"before", "after", "than", "instead", "versus", "vs", "then", "until", "over"})
# How much better (sum of two 0-100 scores) the swapped reading must fit for a label pair to count as reversed.
_REVERSAL_MARGIN = 40.0
_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ness", "ied", "ies", "ed", "es", "s", "ly")


@lru_cache(maxsize=262144)
def _stem(word: str) -> str:
    """A crude stem, enough to see "engaged" and "engagement" as one word; never used for scoring."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not (suffix == "s" and word.endswith("ss")):
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _roots(words: str) -> frozenset[str]:
    return frozenset(_stem(_spell(word)) for word in words.split())


# Prefixes that negate only some words: "distrust" is the opposite of "trust", "disclosure" is not of "closure".
# Listed as plain words; compared by stem, so "engagement" also covers "engage" and "engaged".
_CLOSED_PREFIXES: dict[str, frozenset[str]] = {
    "dis": _roots(
        "trust engagement connected connection satisfied satisfaction agree agreement continued continuity"
        " empowered empowerment advantaged abled ability comfort honest honesty respect respected organised"
        " integrated integration belief believe like loyal loyalty obey order approval approve credit interest"
        " interested enfranchised embodied similar inclined unity proportionate owned qualified function"
    ),
    "mis": _roots("trust understanding understood information informed diagnosis diagnosed use communication treated"),
    "in": _roots(
        "formal accessible adequate appropriate consistent active activity flexible effective efficient secure"
        " security stable stability sufficient visible visibility dependent dependence equality equity equitable"
        " capable capacity coherent complete competent competence correct credible direct experienced sensitive"
        " tolerance tolerant valid voluntary accurate ability action attention justice humane hospitable"
        " convenient conclusive frequent"
    ),
    "im": _roots(
        "possible practical patient mobile mobility mature personal polite proper partial balance precise perfect moral"
    ),
    "il": _roots("legal literate literacy logical legitimate"),
    "ir": _roots("regular relevant responsible rational reversible"),
    "dys": _roots("function functional"),
    "de": _roots("motivated motivation stabilised centralised regulated regulation escalation skilled registered"),
}


# Pairs of words of opposite meaning, compared by stem.
def _antonym_pairs(pairs: str) -> tuple[tuple[str, str], ...]:
    return tuple((_stem(_spell(x)), _stem(_spell(y))) for x, y in (pair.split("/") for pair in pairs.split()))


_ANTONYMS = _antonym_pairs(
    "increase/decrease increase/reduce increase/reduction increase/lower increase/fall raise/lower "
    "rise/fall more/less more/fewer most/least high/low higher/lower highest/lowest short/long "
    "shorter/longer good/bad good/poor better/worse best/worst positive/negative strong/weak "
    "stronger/weaker improve/worse improve/worsen improve/deteriorate gain/loss accept/reject "
    "acceptance/rejection include/exclude inclusion/exclusion success/failure easy/difficult "
    "easier/harder open/closed start/stop early/late earlier/later early/delayed before/after full/part "
    "internal/external men/women man/woman male/female boy/girl young/old younger/older youngest/oldest "
    "rural/urban public/private online/offline online/face majority/minority enable/prevent enable/hinder "
    "facilitate/hinder facilitate/prevent encourage/discourage trust/suspicion trust/suspicious "
    "same/different safe/dangerous welcoming/hostile friendly/hostile presence/absence present/absent "
    "allow/prevent allow/forbid win/lose strength/weakness"
)


@dataclass(frozen=True)
class _Words:
    """What the opposite check needs to know of one label."""

    tokens: tuple[str, ...]
    stems: frozenset[str]
    negators: int


@lru_cache(maxsize=65536)
def _words(label: str) -> _Words:
    tokens = _tokens(label)
    negators = sum(t in _NEGATORS for t in tokens)
    negators += sum(pair in _NEGATOR_PHRASES for pair in itertools.pairwise(tokens))
    return _Words(tokens, frozenset(_stem(t) for t in tokens), negators)


def _negated_words(one: _Words, other: _Words) -> int:
    """Words of `one` that are a negating prefix plus a word of `other` ("distrust" when `other` says "trust")."""
    count = 0
    for token in one.tokens:
        if _stem(token) in other.stems or token in _NOT_PREFIXED:
            continue
        for prefix in _OPEN_PREFIXES:
            rest = token[len(prefix) :]
            if token.startswith(prefix) and len(rest) >= 3 and _stem(rest) in other.stems:
                count += 1
                break
        else:
            for prefix, stems in _CLOSED_PREFIXES.items():
                rest = _stem(token[len(prefix) :]) if token.startswith(prefix) else ""
                if rest in stems and rest in other.stems:
                    count += 1
                    break
    return count


def _antonym_pair(one: _Words, other: _Words) -> bool:
    for x, y in _ANTONYMS:
        for left, right in ((one, other), (other, one)):
            if x in left.stems and y in right.stems and x not in right.stems and y not in left.stems:
                return True
    return False


def _reversed(one: _Words, other: _Words) -> bool:
    """Whether both labels relate the same two things the other way round ("A before B" vs "B before A")."""
    from rapidfuzz import fuzz

    for relation in _RELATIONS.intersection(one.tokens, other.tokens):
        i, j = one.tokens.index(relation), other.tokens.index(relation)
        a1, a2 = " ".join(one.tokens[:i]), " ".join(one.tokens[i + 1 :])
        b1, b2 = " ".join(other.tokens[:j]), " ".join(other.tokens[j + 1 :])
        straight = fuzz.token_set_ratio(a1, b1) + fuzz.token_set_ratio(a2, b2)
        crossed = fuzz.token_set_ratio(a1, b2) + fuzz.token_set_ratio(a2, b1)
        if crossed > straight + _REVERSAL_MARGIN:
            return True
    return False


def opposite(a: str, b: str) -> bool:
    """Whether one label denies the other: a negator on one side only, a negating prefix, an antonym pair,
    or the same relation the other way round."""
    one, other = _words(a), _words(b)
    polarity_one = one.negators + _negated_words(one, other)
    polarity_other = other.negators + _negated_words(other, one)
    if (polarity_one > 0) != (polarity_other > 0) or _antonym_pair(one, other):
        return True
    return _reversed(one, other)


# --- scores ---


def _score(token_set: float, shorter: int, longer: int) -> float:
    """token_set_ratio charged for the uncovered part; never above token_set_ratio, so that can pre-filter."""
    return max(0.0, token_set - COVERAGE_PENALTY * (1 - shorter / longer)) if longer else token_set


def similarity(a: str, b: str) -> float:
    """Score 0-100 of two labels: 100 for the same words in any order or spelling, 0 for opposites."""
    from rapidfuzz import fuzz

    left, right = normalise(a), normalise(b)
    if left == right:
        return 100.0
    if opposite(a, b):
        return 0.0
    lengths = sorted((len(left), len(right)))
    return _score(fuzz.token_set_ratio(left, right), *lengths)


def similarity_matrix(
    left: Sequence[str], right: Sequence[str], threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[int, int, float]]:
    """(i, j, score) for every pair of labels scoring at or above threshold and not opposite, best first.

    Vectorised: token_set_ratio for all pairs on all cores, the coverage penalty in numpy, and the opposite
    check in Python only for the pairs left at or above threshold (the score never exceeds token_set_ratio).
    """
    import numpy as np
    from rapidfuzz import fuzz, process

    left_norm = [normalise(label) for label in left]
    right_norm = [normalise(label) for label in right]
    left_len = np.array([len(label) for label in left_norm], dtype=np.float32)
    right_len = np.array([len(label) for label in right_norm], dtype=np.float32)
    pairs: list[tuple[int, int, float]] = []
    for start in range(0, len(left_norm), _CHUNK):
        block = process.cdist(
            left_norm[start : start + _CHUNK],
            right_norm,
            scorer=fuzz.token_set_ratio,
            processor=None,
            score_cutoff=threshold,
            dtype=np.float32,
            workers=-1,
        )
        rows, columns = np.nonzero(block)
        if not len(rows):
            continue
        first, second = left_len[rows + start], right_len[columns]
        shorter, longer = np.minimum(first, second), np.maximum(np.maximum(first, second), 1)
        scores = block[rows, columns] - COVERAGE_PENALTY * (1 - shorter / longer)
        for k in np.nonzero(scores >= threshold)[0].tolist():
            i, j = int(rows[k]) + start, int(columns[k])
            same = left_norm[i] == right_norm[j]
            if same or not opposite(left[i], right[j]):
                pairs.append((i, j, 100.0 if same else float(scores[k])))
    pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    return pairs
