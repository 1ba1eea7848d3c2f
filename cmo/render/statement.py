"""Draft statements composed from code labels, for the CMOCs and overarching CMOCs nobody has written one for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from cmo.theory.model import CONDITION_ROLES, Cmoc, CodeRef, CodeRole, OverarchingCmoc

# Every composed statement starts with this, so no reader takes it for a curated finding.
DRAFT = "Draft:"
_INNER = frozenset("-'’")  # may sit between the lower-case letters of an ordinary word: "Self-esteem", "Children's"
_TRAILING = " .,;:"  # a label's closing punctuation would clash with the sentence's own
_KEY_ROLES = frozenset({"resource", "reasoning", "mechanism", "outcome"})  # a generated CMOC's key


def _ordinary(word: str) -> bool:
    """One capital followed only by lower-case letters ("Stigma", "Group", "A", "Drop-in"); never "I"."""
    core = word.rstrip(",;:.!?")
    if not core or core == "I" or core[:2] in ("I'", "I’"):
        return False
    return core[0].isupper() and all(c.islower() or c in _INNER for c in core[1:])


def in_sentence(label: str) -> str:
    """A codebook label as it reads inside a sentence: as written, but for an ordinary capital at its start.

    The first letter is lower-cased only when the first word is plainly an ordinary capitalised word (one
    capital followed only by lower-case letters: "Stigma around mental health" -> "stigma around mental
    health") and the second word is not one too. Anything else is kept as written: acronyms and words with
    other capitals, digits or "&" ("NHS talking therapies", "A&E attendances", "GP", "Covid-19 lockdowns"),
    and labels whose first two words are both capitalised, which are most likely a proper noun ("Pennine
    Vale"). A label that starts with a one-word proper noun ("Bradford schools") is lower-cased: a known
    limitation of reading case alone. Runs of whitespace become one space; closing punctuation is dropped.
    """
    text = " ".join(label.split()).rstrip(_TRAILING)
    words = text.split(" ", 2)
    if not _ordinary(words[0]) or (len(words) > 1 and _ordinary(words[1])):
        return text
    return text[0].lower() + text[1:]


def join(words: Iterable[str], conjunction: str = "and") -> str:
    """Words as a list in a sentence: "a", "a and b", "a, b and c"; blanks and repeats left out."""
    items = list(dict.fromkeys(word for word in words if word))
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def phrase(labels: Iterable[str], conjunction: str = "and") -> str:
    """Labels joined as one phrase of a sentence, each as it reads inside one."""
    return join((in_sentence(label) for label in labels), conjunction)


@dataclass(frozen=True)
class Draft:
    """What a draft statement says, by the part of the sentence each phrase fills; an empty phrase is left out.

    Conditions and outcomes follow "we find" / "we see", which read whether a label is a noun phrase
    ("Reduced social isolation") or a clause ("Group members seek help for their mental health"). Resources
    and mechanisms follow "rely on", which reads for noun and gerund phrases alike ("Trust in staff",
    "Working through existing key persons", "Residents recognising their own strengths"); reasoning follows
    "trigger", read as a noun or gerund phrase ("Building trust with the group"), as realist codebooks name it.
    """

    lead: str = ""  # "across a and b"
    context: str = ""
    intervention: str = ""
    agent: str = "the programme"  # who acts when no intervention is coded
    actors: str = ""
    resource: str = ""
    reasoning: str = ""
    mechanism: str = ""  # a mechanism not split into resource and reasoning
    outcome: str = ""
    enablers: str = ""
    barriers: str = ""
    note: str = ""  # a closing sentence: what is not coded yet, or not shared


def _doing(draft: Draft) -> str:
    """What the programme is expected to do: rely on a resource to trigger reasoning, and/or on a mechanism."""
    if draft.resource:
        doing = f"rely on {draft.resource}" + (f" to trigger {draft.reasoning}" if draft.reasoning else "")
        if draft.mechanism:
            doing += f"{',' if draft.reasoning else ''} and on {draft.mechanism}"
        return doing
    if draft.reasoning:
        return f"trigger {draft.reasoning}" + (f" and rely on {draft.mechanism}" if draft.mechanism else "")
    return f"rely on {draft.mechanism}" if draft.mechanism else ""


def _main(draft: Draft) -> str:
    doing = _doing(draft)
    if doing:
        subject = draft.intervention or draft.agent
        if draft.actors:
            subject += f", with {draft.actors},"
        return f"we expect {subject} to {doing}" + (f", so that we see {draft.outcome}" if draft.outcome else "")
    means = [
        f"through {draft.intervention}" if draft.intervention else "",
        f"with {draft.actors}" if draft.actors else "",
    ]
    if draft.outcome:
        return ", ".join([*(m for m in means if m), f"we expect to see {draft.outcome}"])
    return ""  # nothing to expect: no mechanism and no outcome, and no stand-in for them


def _so_far(draft: Draft) -> str:
    """With neither mechanism nor outcome, the coded parts each under its role; no expectation is stated."""
    parts = [
        f"{words} as {role}"
        for words, role in (
            (draft.context, "context"),
            (draft.intervention, "the intervention"),
            (draft.actors, "actors"),
            (draft.enablers, "an enabler"),
            (draft.barriers, "a barrier"),
        )
        if words
    ]
    return f"so far we find {join(parts)}" if parts else ""


def _expectation(draft: Draft, main: str) -> str:
    lead = [draft.lead, f"where we find {draft.context}" if draft.context else ""]
    sentence = ", ".join([*(part for part in lead if part), main])
    if draft.enablers:
        sentence += f", especially where we{' also' if draft.context else ''} find {draft.enablers}"
    if draft.barriers:
        sentence += f", unless we find {draft.barriers}"
    return sentence


def compose(draft: Draft) -> str:
    """'Draft: where we find <context>, we expect <intervention>, with <actors>, to rely on <resource> to
    trigger <reasoning>, so that we see <outcome>, especially where we also find <enablers>, unless we find
    <barriers>.' With no mechanism: 'through <intervention>, we expect to see <outcome>'.

    Barriers only ever follow the main clause, after "unless"; enablers after "especially where". With
    neither mechanism nor outcome nothing is expected, so no main clause is made up: 'so far we find
    <context> as context, <intervention> as the intervention, <actors> as actors, <enablers> as an enabler
    and <barriers> as a barrier'. With nothing coded at all, only the note follows "Draft:".
    """
    main = _main(draft)
    if main:
        sentence = _expectation(draft, main)
    else:
        so_far = _so_far(draft)
        sentence = ", ".join(part for part in (draft.lead, so_far) if part) if so_far else ""
    return " ".join([DRAFT, *([f"{sentence}."] if sentence else []), *([draft.note] if draft.note else [])])


def composed_statement(cmoc: Cmoc) -> str:
    """The draft statement of a CMOC from its code labels; a missing context, mechanism or outcome is named.

    'Draft: where we find stigma around mental health within the group, we expect the programme to rely on
    working through existing key persons in the community to trigger building trust with the group, so that
    we see group members seek help for their mental health, unless we find limited time scale of the
    project.' With no outcome coded, the sentence stops at the mechanism and ends 'Not yet coded: outcome.'
    Contexts, interventions, actors, enablers and barriers accumulate across the CMOC's passages, so they
    are joined with "or" ("where we find short-term funding or stigma around mental health"): "and" would
    state a conjunction no passage may show. The parts of the mechanism and the outcomes are joined with "and".
    """

    def refs(role: CodeRole) -> list[CodeRef]:
        return list(cmoc.codes.get(role, []))

    def say(role: CodeRole, leave_out: frozenset[str] = frozenset()) -> str:
        # Mechanism and outcome codes are the configuration's key: every passage has all of them ("and").
        # The rest accumulate across its passages, so no passage need show two of them together ("or").
        conjunction = "and" if role in _KEY_ROLES else "or"
        return phrase((ref.label or ref.id for ref in refs(role) if ref.id not in leave_out), conjunction)

    split = frozenset(ref.id for ref in refs("resource") + refs("reasoning"))  # as the diagram splits them
    draft = Draft(
        context=say("context"),
        intervention=say("intervention"),
        actors=say("actor"),
        resource=say("resource"),
        reasoning=say("reasoning"),
        mechanism=say("mechanism", leave_out=split),
        outcome=say("outcome"),
        enablers=say("enablers"),
        barriers=say("barriers"),
    )
    mechanism = draft.resource or draft.reasoning or draft.mechanism
    # Enablers and barriers are contexts too, as `completeness` and `cmo validate` count them.
    said = {
        "context": draft.context or draft.enablers or draft.barriers,
        "mechanism": mechanism,
        "outcome": draft.outcome,
    }
    missing = [part for part, words in said.items() if not words]
    return compose(replace(draft, note=f"Not yet coded: {join(missing)}." if missing else ""))


def _shared(cmoc: OverarchingCmoc, role: str) -> list[str]:
    """The conditions of one role every programme's side holds (none in `differs`), as the first side labels them."""
    if not cmoc.programmes:
        return []
    programme, side = next(iter(cmoc.programmes.items()))
    only = set(cmoc.differs.get(role, {}).get(programme, []))  # type: ignore[call-overload]
    return [condition.label for condition in getattr(side, role) if condition.label not in only]


def composed_overarching_statement(cmoc: OverarchingCmoc) -> str:
    """The draft statement of an overarching CMOC from its shared mechanism, outcome and shared conditions.

    'Draft: across a and b, where we find stigma around mental health within the group, we expect the
    programmes to rely on building trust with the group, so that we see group members seek help for
    their mental health.' A side's conditions come from several CMOCs, so shared ones are joined with "or".
    """
    shared = {role: phrase(_shared(cmoc, role), "or") for role in CONDITION_ROLES}
    notes = [
        f"No {part} is shared across the programmes."
        for part, labels in (("mechanism", cmoc.mechanism), ("outcome", cmoc.outcome))
        if not labels
    ]
    draft = Draft(
        lead=f"across {join(cmoc.programmes)}" if cmoc.programmes else "",
        agent="the programmes",
        context=shared["context"],
        mechanism=phrase(cmoc.mechanism),
        outcome=phrase(cmoc.outcome),
        enablers=shared["enablers"],
        barriers=shared["barriers"],
        note=" ".join(notes),
    )
    return compose(draft)
