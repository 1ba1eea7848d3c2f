"""Which records a query asks for: the filters, checked against what the corpus holds, and the selection itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from cmo.analysis.evidence import ANY_ROLE_FIELDS, ROLE_FIELDS, ROLE_KINDS, Coded, Evidence, speakers_of
from cmo.core.suggest import did_you_mean, with_article

SOURCES = ("interview", "observation", "document", "workshop")
STANCES = ("supports", "refutes", "refines")
# How a role is named on the command line (`--enabler`) where that differs from the record's field.
ROLE_OPTIONS = {"enablers": "enabler", "barriers": "barrier"}


class FilterError(ValueError):
    """An option value that cannot be a filter (a bad date, a `--where` without `=`): a usage error."""


@dataclass(frozen=True)
class Filters:
    """What a query asks for. Repeats of one filter OR together; different filters AND.

    Codes by role name the record's fields (`mechanism` holds resource and reasoning codes too); `where`
    holds (attribute, value) pairs, `role` included, that one speaker of the record (`speakers_of`) must all
    have (a repeated attribute: any of its values); dates are the transcript's, inclusive, and a record without a
    date never matches one; `text` is matched in the quote, case and runs of white space ignored.
    """

    codes: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    intervention: tuple[str, ...] = ()
    actor: tuple[str, ...] = ()
    mechanism: tuple[str, ...] = ()
    resource: tuple[str, ...] = ()
    reasoning: tuple[str, ...] = ()
    outcome: tuple[str, ...] = ()
    enablers: tuple[str, ...] = ()
    barriers: tuple[str, ...] = ()
    cmocs: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    stances: tuple[str, ...] = ()
    elicited: bool | None = None
    coders: tuple[str, ...] = ()
    where: tuple[tuple[str, str], ...] = ()
    transcripts: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    texts: tuple[str, ...] = ()

    def roles(self) -> list[tuple[str, tuple[str, ...]]]:
        """(record field, codes) of every role filter given."""
        return [(name, getattr(self, name)) for name in ROLE_FIELDS if getattr(self, name)]


def parse_date(text: str, option: str) -> dt.date:
    """A `--since`/`--until` value: a date as YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise FilterError(f"{option} {text!r} is not a date: give it as YYYY-MM-DD (e.g. 2024-03-12)") from None


def parse_where(text: str) -> tuple[str, str]:
    """A `--where` value: `attribute=value` (`role=peer worker`, `group=young-black-men`)."""
    name, equals, value = text.partition("=")
    name, value = name.strip(), value.strip()
    if not equals or not name or not value:
        raise FilterError(f"--where {text!r} is not ATTRIBUTE=VALUE (e.g. --where role=peer-worker)")
    return name, value


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def participant_value(participant: dict[str, Any], name: str) -> str | None:
    """A participant's value of an attribute: `role` is its own key, the others are in `attributes`."""
    if name == "role":
        role = participant.get("role")
        return role if isinstance(role, str) else None
    value = (participant.get("attributes") or {}).get(name)
    return value if isinstance(value, str) else None


def _any_code(wanted: frozenset[str]) -> Callable[[Coded], bool]:
    return lambda row: any(not wanted.isdisjoint(row.record[name]) for name in ANY_ROLE_FIELDS)


def _in_field(name: str, wanted: frozenset[str]) -> Callable[[Coded], bool]:
    return lambda row: not wanted.isdisjoint(row.record[name])


def _field_is(name: str, wanted: frozenset[Any]) -> Callable[[Coded], bool]:
    return lambda row: row.record[name] in wanted


def _where(conditions: Sequence[tuple[str, str]]) -> Callable[[Coded], bool]:
    wanted: dict[str, set[str]] = {}
    for name, value in conditions:
        wanted.setdefault(name, set()).add(value.casefold())

    def one(participant: dict[str, Any]) -> bool:
        for name, values in wanted.items():
            value = participant_value(participant, name)
            if value is None or value.casefold() not in values:
                return False
        return True

    return lambda row: any(one(participant) for participant in speakers_of(row.record))


def _dates(since: dt.date | None, until: dt.date | None) -> Callable[[Coded], bool]:
    low, high = since.isoformat() if since else "", until.isoformat() if until else "9999-12-31"
    return lambda row: row.record["date"] is not None and low <= row.record["date"] <= high


def _texts(texts: Iterable[str]) -> Callable[[Coded], bool]:
    phrases = [_words(text) for text in texts]
    return lambda row: any(phrase in _words(row.record["quote"]) for phrase in phrases)


def _transcripts(ids: Iterable[str]) -> Callable[[Coded], bool]:
    wanted = frozenset(ids)
    return lambda row: row.record["transcript"] in wanted or f"{row.programme}/{row.record['transcript']}" in wanted


def _tests(filters: Filters) -> list[Callable[[Coded], bool]]:
    """One test per filter given, each true of the rows it lets through."""
    tests = [_any_code(frozenset(filters.codes))] if filters.codes else []
    tests += [_in_field(name, frozenset(codes)) for name, codes in filters.roles()]
    if filters.cmocs:
        wanted = frozenset(filters.cmocs)
        tests.append(lambda row: not wanted.isdisjoint(row.cmocs))
    for name, values in (("source", filters.sources), ("stance", filters.stances), ("coder", filters.coders)):
        if values:
            tests.append(_field_is(name, frozenset(values)))
    if filters.elicited is not None:
        tests.append(_field_is("elicited", frozenset([filters.elicited])))
    if filters.where:
        tests.append(_where(filters.where))
    if filters.transcripts:
        tests.append(_transcripts(filters.transcripts))
    if filters.programmes:
        programmes = frozenset(filters.programmes)
        tests.append(lambda row: row.programme in programmes)
    if filters.since or filters.until:
        tests.append(_dates(filters.since, filters.until))
    if filters.texts:
        tests.append(_texts(filters.texts))
    return tests


def selected(rows: Iterable[Coded], filters: Filters) -> Iterator[Coded]:
    """The rows every filter given lets through, in the order given, one at a time."""
    tests = _tests(filters)
    if not tests:
        yield from rows
        return
    for row in rows:
        if all(test(row) for test in tests):
            yield row


def select(rows: Iterable[Coded], filters: Filters) -> list[Coded]:
    """The rows every filter given lets through, in the order given."""
    return list(selected(rows, filters))


def _unknown(option: str, values: Iterable[str], known: Iterable[str], what: str) -> list[str]:
    """`--option 'value': <what>; did you mean ...?` for each value not among the known ones."""
    choices = sorted(set(known))
    return [f"{option} {value!r}: {what}{did_you_mean(value, choices)}" for value in values if value not in choices]


_NO_CODE = "no codebook declares this code"


def _code_problems(filters: Filters, evidence: Evidence) -> list[str]:
    found = _unknown("--code", filters.codes, evidence.codes, _NO_CODE)
    for name, codes in filters.roles():
        option = f"--{ROLE_OPTIONS.get(name, name)}"
        for code in codes:
            info = evidence.codes.get(code)
            if info is None:
                found += _unknown(option, [code], evidence.codes, _NO_CODE)
            elif ROLE_KINDS[name] not in info.kinds:
                kinds = " or ".join(sorted(info.kinds))
                same = [c for c, i in evidence.codes.items() if ROLE_KINDS[name] in i.kinds]
                found.append(
                    f"{option} {code!r}: {code!r} is {with_article(kinds)} code, so no record has it as "
                    f"{with_article(ROLE_KINDS[name])}{did_you_mean(code, same)}"
                )
    return found


def _where_problems(filters: Filters, evidence: Evidence) -> list[str]:
    values = evidence.seen.attributes
    found = []
    for name, value in filters.where:
        if name not in values:
            known = ", ".join(sorted(values)) or "none"
            hint = did_you_mean(name, values)
            found.append(f"--where {name}={value}: no participant has the attribute {name!r}{hint} (known: {known})")
        elif value.casefold() not in {v.casefold() for v in values[name]}:
            hint = did_you_mean(value, values[name])
            found.append(f"--where {name}={value}: no participant has {name} {value!r}{hint}")
    return found


def problems(filters: Filters, evidence: Evidence) -> list[str]:
    """Why the filters cannot be what was meant: values the corpus, its codebooks and theories do not know.

    What the records name is known once every row has been read (a query's pass reads them; else read here).
    """
    if not evidence.seen.complete:
        for _ in evidence.iter_rows():
            pass
    seen = evidence.seen
    found = _code_problems(filters, evidence)
    found += _unknown("--source", filters.sources, SOURCES, f"not a source type ({', '.join(SOURCES)})")
    found += _unknown("--stance", filters.stances, STANCES, f"not a stance ({', '.join(STANCES)})")
    found += _unknown("--programme", filters.programmes, evidence.programmes, "no such programme in the corpus")
    found += _unknown(
        "--cmoc", filters.cmocs, evidence.theory_cmocs | seen.cmocs, "no theory or record names this CMOC"
    )
    found += _unknown("--coder", filters.coders, seen.coders, "no record names this coder")
    transcripts = {t for _, t in evidence.transcripts} | {f"{p}/{t}" for p, t in evidence.transcripts}
    found += _unknown("--transcript", filters.transcripts, transcripts, "no transcript of the corpus has this id")
    found += _where_problems(filters, evidence)
    if filters.since and filters.until and filters.since > filters.until:
        found.append(f"--since {filters.since} is after --until {filters.until}: no date is in between")
    return found
