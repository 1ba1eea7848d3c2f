"""Whether two code labels deny each other: a negator on one side, a negating prefix, an antonym pair, a reversed relation."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

from cmo.across.labels import spell, words_of

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
        # Words that deny by degree or by will: "rarely seek help" is not "seek help".
        "rarely",
        "seldom",
        "hardly",
        "barely",
        "scarcely",
        "reluctant",
        "reluctance",
        "avoid",
        "avoids",
        "avoiding",
        "avoidance",
        "stop",
        "stops",
        "stopped",
        "stopping",
    }
)
_NEGATOR_PHRASES = (("loss", "of"),)
# Words that turn a thing down: "low trust" is not "trust", but "reduced isolation" is "less isolation",
# so a label denies the other when only one of the two has any of them.
_DOWNWARD = frozenset(
    {"less", "low", "lower", "little", "few", "fewer", "reduced", "reduce", "reduces", "reducing", "reduction"}
    | {"decreased", "decrease", "decreases", "decreasing", "diminished"}
)
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
    return frozenset(_stem(spell(word)) for word in words.split())


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
    return tuple((_stem(spell(x)), _stem(spell(y))) for x, y in (pair.split("/") for pair in pairs.split()))


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
    "allow/prevent allow/forbid win/lose strength/weakness cooperate/compete cooperation/competition "
    "collaborate/compete collaboration/competition similar/varied similar/diverse similar/different"
)


@dataclass(frozen=True)
class _Words:
    """What the opposite check needs to know of one label."""

    tokens: tuple[str, ...]
    stems: frozenset[str]
    negators: int
    downward: bool


@lru_cache(maxsize=65536)
def _words(label: str) -> _Words:
    tokens = words_of(label)
    negators = sum(t in _NEGATORS for t in tokens)
    negators += sum(pair in _NEGATOR_PHRASES for pair in itertools.pairwise(tokens))
    return _Words(tokens, frozenset(_stem(t) for t in tokens), negators, any(t in _DOWNWARD for t in tokens))


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
    if (polarity_one > 0) != (polarity_other > 0) or one.downward != other.downward or _antonym_pair(one, other):
        return True
    return _reversed(one, other)
