"""For whom: a programme's participants.yaml checked, and each transcript's participants given their role and attributes.

Attributes are pseudonymous data (group, age band, lived experience, ...): keys that would identify a person
(`name`, `email`, ...) are refused wherever they are written, and never reach a record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cmo.core.diagnostics import Diagnostics, Severity
from cmo.core.rules import Rule
from cmo.core.suggest import did_you_mean
from cmo.corpus.models import FrontMatter, Participant, ParticipantsFile
from cmo.yamlio.reader import Mark, locate
from cmo.yamlio.schema import validate

PARTICIPANTS_FILE = "participants.yaml"
# Parts of a key that ask for identifying data, found anywhere in the key with its separators dropped
# (`firstname`, `first-name`, `email_address`, `postcode`, `phone_number`, `nhs_number`, `username`, ...).
IDENTIFYING_PARTS = (
    "name",
    "email",
    "phone",
    "mobile",
    "address",
    "postcode",
    "zipcode",
    "birth",
    "passport",
    "nationalinsurance",
    "socialsecurity",
    "ninumber",
    "nhsnumber",
    "nhsno",
    "initials",
)
# Short parts, refused only as a whole word of the key (`dob`, `nhs_id`, `zip`): inside a longer word they are
# too often something else.
IDENTIFYING_WORDS = frozenset({"dob", "zip", "ssn", "nhs", "nino", "tel"})
# Keys that hold one of those parts but describe a group, not a person.
HARMLESS = frozenset({"country_of_birth", "birth_country", "nhs_trust"})
Declared = Mapping[str, Participant]


def identifying(key: str) -> bool:
    """Whether an attribute's name asks for identifying data (a name, contact details, a date of birth, an id number).

    Any key holding a part of IDENTIFYING_PARTS (separators ignored, case too) or a word of IDENTIFYING_WORDS,
    unless it is one of the few HARMLESS keys.
    """
    words = [word for word in re.split(r"[^a-z0-9]+", key.lower()) if word]
    if "_".join(words) in HARMLESS:
        return False
    joined = "".join(words)
    return any(part in joined for part in IDENTIFYING_PARTS) or not IDENTIFYING_WORDS.isdisjoint(words)


def _refuse(key: str, mark: Mark | None, shown: str, diagnostics: Diagnostics) -> None:
    mark = mark or Mark(1, 1)
    message = (
        f"attribute {key!r} would identify the participant: participant attributes are pseudonymous "
        "(keep names and contact details out of the study); remove it"
    )
    diagnostics.add(shown, mark.line, mark.column, Rule.PARTICIPANT_IDENTIFYING, message)


def _suggest(given: str, people: Declared) -> str:
    """Did-you-mean for a participant id: the same id in other case first (ids are short, so similarity is weak)."""
    same = [known for known in people if known.casefold() == given.casefold()]
    return f"; did you mean {same[0]!r}?" if same else did_you_mean(given, people)


def declared(data: Any, shown: str, diagnostics: Diagnostics) -> dict[str, Participant] | None:
    """The participants a loaded participants.yaml declares, id -> role and attributes; None when it is invalid.

    An empty document (nothing, or comments only) declares nobody yet: None too, and no error.
    """
    if data is None:
        return None
    entries = data.get("participants") if isinstance(data, dict) else None
    if isinstance(entries, dict):
        for given, entry in entries.items():
            for key in entry if isinstance(entry, dict) else ():
                if isinstance(key, str) and identifying(key):
                    _refuse(key, locate(data, ("participants", given, key), key=True), shown, diagnostics)
    found = validate(ParticipantsFile, data, path=shown, diagnostics=diagnostics, what=PARTICIPANTS_FILE)
    if found is None:
        return None
    people = {}
    for given, attributes in found.participants.items():
        kept = {key: value for key, value in attributes.items() if key != "role" and not identifying(key)}
        people[given] = Participant(id=given, role=attributes.get("role"), attributes=kept)
    return people


def merge(
    given: str, known: Participant | None, role: str | None, attributes: dict[str, str]
) -> tuple[Participant, list[str]]:
    """Participant `given` of a transcript with what participants.yaml says of them (`known`): the transcript wins.

    Also the names of the attributes both give, with different values.
    """
    if known is None:
        return Participant(id=given, role=role, attributes=attributes), []
    conflicts = [key for key, value in attributes.items() if known.attributes.get(key, value) != value]
    role = role if role is not None else known.role
    return Participant(id=given, role=role, attributes={**known.attributes, **attributes}), conflicts


def attach(front: FrontMatter, data: Any, people: Declared | None, shown: str, diagnostics: Diagnostics) -> FrontMatter:
    """The front matter with each participant's role and attributes merged from participants.yaml (`people`).

    Warns of ids `people` does not declare and of values that differ from it; refuses identifying attributes.
    """
    if people is None and not any(given.attributes for given in front.participants):
        return front  # nothing declared, nothing inline: the participants stay as written
    merged = []
    for index, given in enumerate(front.participants):
        where = ("participants", index)
        attributes = dict(given.attributes)
        for key in [key for key in attributes if identifying(key)]:
            _refuse(key, locate(data, (*where, "attributes", key), key=True), shown, diagnostics)
            del attributes[key]
        known = people.get(given.id) if people is not None else None
        if people is not None and known is None:
            mark = locate(data, where) or Mark(1, 1)
            message = (
                f"participant {given.id!r} is not declared in the programme's {PARTICIPANTS_FILE}, "
                f"so has no attributes{_suggest(given.id, people)}"
            )
            diagnostics.add(shown, mark.line, mark.column, Rule.PARTICIPANT_UNKNOWN, message, Severity.WARNING)
        participant, conflicts = merge(given.id, known, given.role, attributes)
        for key in conflicts:
            assert known is not None
            mark = locate(data, (*where, "attributes", key)) or Mark(1, 1)
            message = (
                f"participant {given.id!r}: {key} is {attributes[key]!r} here but {known.attributes[key]!r} "
                f"in {PARTICIPANTS_FILE}; this transcript's value is used"
            )
            diagnostics.add(
                shown, mark.line, mark.column, Rule.PARTICIPANT_ATTRIBUTE_CONFLICT, message, Severity.WARNING
            )
        merged.append(participant)
    return front.model_copy(update={"participants": merged})
