"""Participants for whom: participants.yaml and inline attributes checked, merged onto records, and cached by."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cmo.core.diagnostics import Diagnostics
from cmo.corpus import fast_coding
from cmo.corpus.coding import code_corpus
from cmo.corpus.layout import discover
from cmo.corpus.models import Participant, Record
from tests.conftest import TRANSCRIPT, Result, corpus_files, write_tree

PEOPLE = """\
# Pseudonymous attributes only: never a real name.
participants:
  P01:
    role: youth worker
    group: young-black-men
    age_band: 25-34
    lived_experience: true
  P02:
    group: refugees
  P03:
"""


def _transcript(participants: str) -> str:
    """The shared example transcript with other participants in its front matter (always on line 5)."""
    return TRANSCRIPT.replace("participants: [{id: P01, role: connector}]", f"participants: {participants}")


def _corpus(tmp_path: Path, people: str | bytes | None, **transcripts: str) -> Path:
    files = corpus_files(**transcripts)
    if people is not None:
        files["alpha/participants.yaml"] = people
    return write_tree(tmp_path / "corpus", files)


def _coded(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[dict[str, Any]], list[str]]:
    """The records' participants and every diagnostic as printed, by the full coder; the fast path must agree."""
    monkeypatch.chdir(root.parent)
    result = code_corpus([Path("corpus")], jobs=1)
    found = (
        [p.model_dump(mode="json") for r in result.records for p in r.participants],
        [d.format() for d in result.diagnostics],
    )
    monkeypatch.setenv("CMO_NO_FAST_PATH", "1")
    full = code_corpus([Path("corpus")], jobs=1)
    assert (
        [p.model_dump(mode="json") for r in full.records for p in r.participants],
        [d.format() for d in full.diagnostics],
    ) == found
    monkeypatch.delenv("CMO_NO_FAST_PATH")
    return found


# --- a valid file, merged onto the records -----------------------------------------------------------------------


def test_records_carry_the_role_and_attributes_participants_yaml_declares(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _corpus(tmp_path, PEOPLE, **{"a-int-01": _transcript("[P01, {id: P02, role: interpreter}, P03]")})
    participants, problems = _coded(root, monkeypatch)
    assert problems == []
    assert participants == [
        {
            "id": "P01",
            "role": "youth worker",  # from participants.yaml: the transcript gives none
            "attributes": {"group": "young-black-men", "age_band": "25-34", "lived_experience": "true"},
        },
        {"id": "P02", "role": "interpreter", "attributes": {"group": "refugees"}},  # the transcript's role wins
        {"id": "P03", "role": None},  # declared with nothing about them: no attributes key at all
    ]


def test_the_fast_path_answers_clean_transcripts_with_attributes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers: list[bool] = []
    real = fast_coding.code_fast

    def spy(*args: Any) -> Any:
        found = real(*args)
        answers.append(found is not None)
        return found

    monkeypatch.setattr(fast_coding, "code_fast", spy)
    inline = "[{id: P01, attributes: {site: north}}, P02]"
    root = _corpus(tmp_path, PEOPLE, **{"a-int-01": _transcript(inline), "a-int-02": _transcript("[P09]")})
    _coded(root, monkeypatch)
    assert answers == [True, False]  # the unknown id is a warning: the full coder says it


def test_a_participant_without_attributes_is_serialised_as_before_attributes_existed() -> None:
    assert Participant(id="P01", role="connector").model_dump(mode="json") == {"id": "P01", "role": "connector"}
    assert Participant(id="P01", attributes={"group": "a"}).model_dump() == {
        "id": "P01",
        "role": None,
        "attributes": {"group": "a"},
    }
    record = {
        "id": "alpha/a#00000000",
        "programme": "alpha",
        "transcript": "a",
        "source": "interview",
        "path": "alpha/a.md",
        "line_start": 1,
        "line_end": 1,
        "quote": "q",
        "participants": [{"id": "P01", "role": None}],
        "annotation_line": 3,
    }
    dumped = Record.model_validate(record).model_dump(mode="json")
    assert dumped["participants"] == [{"id": "P01", "role": None}]
    assert Record.model_validate(dumped) == Record.model_validate(record)


def test_records_of_a_corpus_without_attributes_are_unchanged(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _corpus(tmp_path, None, **{"a-int-01": TRANSCRIPT})
    out = tmp_path / "records.jsonl"
    assert cli("code", "--no-cache", "--out", out, root).exit_code == 0
    assert '"participants": [{"id": "P01", "role": "connector"}], "coder"' in out.read_text(encoding="utf-8")
    monkeypatch.setenv("CMO_NO_FAST_PATH", "1")
    assert cli("code", "--no-cache", "--out", tmp_path / "full.jsonl", root).exit_code == 0
    assert (tmp_path / "full.jsonl").read_bytes() == out.read_bytes()


# --- malformed participants.yaml: path:line:col and a rule, as codebooks ----------------------------------------------

MALFORMED = [
    (
        "not a mapping",
        "- P01\n- P02\n",
        "1:1: error[not-a-mapping]: participants.yaml must be a YAML mapping, not a MarkedSeq",
    ),
    (
        "misspelt key",
        "participant:\n  P01: {group: a}\n",
        "1:1: error[unknown-key]: unknown key 'participant'; did you mean 'participants'?",
    ),
    (
        "participants not a mapping",
        "participants: [P01, P02]\n",
        "1:15: error[invalid-value]: participants: input should be a valid dictionary",
    ),
    (
        "an entry not a mapping",
        "participants:\n  P01: youth worker\n",
        "2:8: error[invalid-value]: participants.P01: input should be a valid dictionary",
    ),
    (
        "a list as a value",
        "participants:\n  P01:\n    group: [a, b]\n",
        "3:12: error[invalid-value]: participants.P01.group: an attribute is one value (text, a number, true or false), "
        "not a list or mapping",
    ),
    (
        "a mapping as a value",
        "participants:\n  P01:\n    group: {a: b}\n",
        "3:12: error[invalid-value]: participants.P01.group: an attribute is one value (text, a number, true or false), "
        "not a list or mapping",
    ),
    (
        "an empty value",
        "participants:\n  P01:\n    group:\n",
        "3:11: error[invalid-value]: participants.P01.group: an attribute is one value (text, a number, true or false), "
        "not empty",
    ),
    (
        "a bad attribute name",
        "participants:\n  P01:\n    Age Band: 25-34\n",
        "3:5: error[invalid-value]: participants.P01.Age Band: 'Age Band' is not an attribute name "
        "(lower-case letters, digits, '_' and '-'); did you mean 'age_band'?",
    ),
    (
        "a duplicate key",
        "participants:\n  P01:\n    group: a\n    group: b\n",
        "4:5: error[yaml-duplicate-key]: key 'group' appears twice in one mapping (first at line 3)",
    ),
    (
        "a duplicate participant",
        "participants:\n  P01: {group: a}\n  P01: {group: b}\n",
        "3:3: error[yaml-duplicate-key]: key 'P01' appears twice in one mapping (first at line 2)",
    ),
    (
        "a YAML error",
        "participants:\n  P01: {group: [a\n",
        "2:16: error[yaml-syntax]: the list opened with '[' here is not closed",
    ),
    (
        "an object tag",
        "participants:\n  P01: !!python/object/apply:os.system [ls]\n",
        "2:8: error[yaml-tag]: YAML tag '!!python/object/apply:os.system' is not allowed: cmo files hold plain data, "
        "never objects",
    ),
    (
        "an alias bomb",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefg", "bcdefgh", strict=True))
        + "participants: {}\n",
        "error[yaml-expansion]: aliases expand this YAML far beyond its size (an alias bomb?); refused",
    ),
    (
        "not UTF-8",
        b"participants:\n  P01: {group: caf\xe9}\n",
        "2:19: error[encoding]: not UTF-8 at byte 33 (line 2, column 19): save the file as UTF-8",
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), MALFORMED, ids=[case[0] for case in MALFORMED])
def test_a_malformed_participants_file_is_reported_at_its_line(
    name: str, text: str | bytes, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _corpus(tmp_path, text, **{"a-int-01": _transcript("[P01, P07]")})
    participants, problems = _coded(root, monkeypatch)
    assert len(problems) == 1 and problems[0].startswith("corpus/alpha/participants.yaml:")
    assert expected in problems[0]
    # A file that cannot be used declares nobody: no attributes, and no id is reported as undeclared.
    assert participants == [{"id": "P01", "role": None}, {"id": "P07", "role": None}]


@pytest.mark.parametrize("people", ["", "# Participants to come: pseudonymous attributes only.\n", "---\n"])
def test_an_empty_participants_file_declares_nobody_without_a_problem(
    people: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _corpus(tmp_path, people, **{"a-int-01": _transcript("[P01, {id: P07, attributes: {group: a}}]")})
    participants, problems = _coded(root, monkeypatch)
    assert problems == []  # not `not-a-mapping`, and no id is reported as undeclared
    assert participants == [{"id": "P01", "role": None}, {"id": "P07", "role": None, "attributes": {"group": "a"}}]


def test_an_alias_that_only_repeats_a_value_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    people = "participants:\n  P01: &worker {role: outreach worker, group: refugees}\n  P02: *worker\n"
    root = _corpus(tmp_path, people, **{"a-int-01": _transcript("[P01, P02]")})
    participants, problems = _coded(root, monkeypatch)
    assert problems == []
    assert [p["attributes"] for p in participants] == [{"group": "refugees"}] * 2


def test_a_large_participants_file_is_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    people = "participants:\n" + "".join(f"  P{n:05}: {{group: g{n % 7}, site: s{n % 3}}}\n" for n in range(20_000))
    root = _corpus(tmp_path, people, **{"a-int-01": _transcript("[P19999]")})
    participants, problems = _coded(root, monkeypatch)
    assert problems == []
    assert participants == [{"id": "P19999", "role": None, "attributes": {"group": "g0", "site": "s1"}}]


def test_cmo_validate_reports_participants_file_problems_like_codebook_problems(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    people = "participants:\n  P01:\n    name: Sam Jones\n    group: [a]\n"
    root = _corpus(tmp_path, people, **{"a-int-01": TRANSCRIPT})
    monkeypatch.chdir(root.parent)
    result = cli("validate", "corpus")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        "corpus/alpha/participants.yaml:3:5: error[participant-identifying]: attribute 'name' would identify the "
        "participant: participant attributes are pseudonymous (keep names and contact details out of the study); "
        "remove it",
        "corpus/alpha/participants.yaml:4:12: error[invalid-value]: participants.P01.group: an attribute is one value "
        "(text, a number, true or false), not a list or mapping",
    ]


# --- identifying keys are refused, wherever they are written ------------------------------------------------------


IDENTIFYING_KEYS = [
    "name",
    "full_name",
    "first-name",
    "surname",
    "last_name",
    "email",
    "phone",
    "dob",
    # Parts of the key, however joined: not only the exact words above.
    "firstname",
    "lastname",
    "fullname",
    "username",
    "surname_",
    "email-address",
    "postcode",
    "post_code",
    "zip",
    "phone_number",
    "mobile-no",
    "home_address",
    "nhs_number",
    "nhs-id",
    "year_of_birth",
    "passport_no",
    "national_insurance",
    "ssn",
]


@pytest.mark.parametrize("key", IDENTIFYING_KEYS)
def test_an_identifying_key_in_participants_yaml_is_refused_and_never_reaches_a_record(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = f"participants:\n  P01:\n    group: refugees\n    {key}: Sam Jones\n"
    root = _corpus(tmp_path, people, **{"a-int-01": _transcript("[P01]")})
    participants, problems = _coded(root, monkeypatch)
    assert problems == [
        f"corpus/alpha/participants.yaml:4:5: error[participant-identifying]: attribute {key!r} would identify the "
        "participant: participant attributes are pseudonymous (keep names and contact details out of the study); "
        "remove it"
    ]
    assert participants == [{"id": "P01", "role": None, "attributes": {"group": "refugees"}}]
    assert "Sam Jones" not in json.dumps(participants)


@pytest.mark.parametrize("key", ["email", "firstname", "email-address", "postcode", "phone_number", "nhs_number"])
def test_an_identifying_key_inline_is_refused_at_its_line(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = f"\n  - id: P01\n    attributes:\n      group: refugees\n      {key}: sam@example.org"
    root = _corpus(tmp_path, None, **{"a-int-01": _transcript(inline)})
    participants, problems = _coded(root, monkeypatch)
    assert problems == [
        f"corpus/alpha/a-int-01.md:9:7: error[participant-identifying]: attribute {key!r} would identify the "
        "participant: participant attributes are pseudonymous (keep names and contact details out of the study); "
        "remove it"
    ]
    assert participants == [{"id": "P01", "role": None, "attributes": {"group": "refugees"}}]


def test_keys_that_describe_a_group_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    people = "participants:\n  P01:\n    country_of_birth: somalia\n    nhs_trust: north\n    mobility: full\n"
    root = _corpus(tmp_path, people, **{"a-int-01": _transcript("[P01]")})
    participants, problems = _coded(root, monkeypatch)
    assert problems == []
    assert participants[0]["attributes"] == {"country_of_birth": "somalia", "nhs_trust": "north", "mobility": "full"}


# --- inline attributes, merged with participants.yaml -------------------------------------------------------------


def test_inline_attributes_need_no_participants_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inline = "[{id: P01, role: peer worker, attributes: {group: young-black-men, age_band: 18-24, years: 3}}]"
    root = _corpus(tmp_path, None, **{"a-int-01": _transcript(inline)})
    participants, problems = _coded(root, monkeypatch)
    assert problems == []
    assert participants == [
        {
            "id": "P01",
            "role": "peer worker",
            "attributes": {"group": "young-black-men", "age_band": "18-24", "years": "3"},
        }
    ]


def test_inline_attributes_override_the_file_with_a_warning_where_they_differ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = "\n  - id: P01\n    attributes: {age_band: 35-44, group: young-black-men, site: docks}"
    root = _corpus(tmp_path, PEOPLE, **{"a-int-01": _transcript(inline)})
    participants, problems = _coded(root, monkeypatch)
    assert problems == [
        "corpus/alpha/a-int-01.md:7:28: warning[participant-attribute-conflict]: participant 'P01': age_band is "
        "'35-44' here but '25-34' in participants.yaml; this transcript's value is used"
    ]
    assert participants == [
        {
            "id": "P01",
            "role": "youth worker",
            "attributes": {
                "group": "young-black-men",
                "age_band": "35-44",
                "lived_experience": "true",
                "site": "docks",
            },
        }
    ]


def test_inline_values_are_kept_as_text_alike_by_both_coding_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = "[{id: P01, attributes: {a: yes, b: false, c: 3, d: 1.5, e: 2024-01-31, f: 'yes', g: \"x: y\"}}]"
    root = _corpus(tmp_path, None, **{"a-int-01": _transcript(inline)})
    participants, problems = _coded(root, monkeypatch)
    assert problems == []
    assert participants[0]["attributes"] == {
        "a": "true",
        "b": "false",
        "c": "3",
        "d": "1.5",
        "e": "2024-01-31",
        "f": "yes",
        "g": "x: y",
    }


@pytest.mark.parametrize(
    ("inline", "expected"),
    [
        (
            "[{id: P01, atributes: {group: a}}]",
            "5:26: error[unknown-key]: participants[0]: unknown key 'atributes'; did you mean 'attributes'?",
        ),
        (
            "[{id: P01, attributes: {role: lead}}]",
            "5:38: error[invalid-value]: participants[0].attributes: `role` is the participant's own key, beside "
            "`attributes`",
        ),
        (
            "[{id: P01, attributes: {group: [a]}}]",
            "5:46: error[invalid-value]: participants[0].attributes.group: an attribute is one value "
            "(text, a number, true or false), not a list or mapping",
        ),
        (
            "[{id: P01, attributes: [group]}]",
            "5:38: error[invalid-value]: participants[0].attributes: input should be a valid dictionary",
        ),
    ],
)
def test_inline_attributes_are_checked_by_the_front_matter_model(
    inline: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _corpus(tmp_path, None, **{"a-int-01": _transcript(inline)})
    participants, problems = _coded(root, monkeypatch)
    assert problems == [f"corpus/alpha/a-int-01.md:{expected}"]
    assert participants == []  # bad front matter: the transcript gives no records


# --- ids the file does not declare --------------------------------------------------------------------------------


def test_an_id_participants_yaml_does_not_declare_is_warned_with_did_you_mean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = "\n  - {id: P01}\n  - {id: p02, role: volunteer}\n  - P003\n  - Q77"
    root = _corpus(tmp_path, PEOPLE, **{"a-int-01": _transcript(inline)})
    participants, problems = _coded(root, monkeypatch)
    unknown = "warning[participant-unknown]: participant {!r} is not declared in the programme's participants.yaml, "
    assert problems == [
        "corpus/alpha/a-int-01.md:7:5: " + unknown.format("p02") + "so has no attributes; did you mean 'P02'?",
        "corpus/alpha/a-int-01.md:8:5: " + unknown.format("P003") + "so has no attributes; did you mean 'P03'?",
        "corpus/alpha/a-int-01.md:9:5: " + unknown.format("Q77") + "so has no attributes",
    ]
    # Never stops coding: the record is there, the unknown participants as the transcript gives them.
    assert [p["id"] for p in participants] == ["P01", "p02", "P003", "Q77"]
    assert participants[1] == {"id": "p02", "role": "volunteer"}


def test_without_participants_yaml_no_id_is_unknown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _corpus(tmp_path, None, **{"a-int-01": _transcript("[p02, Q77]")})
    assert _coded(root, monkeypatch) == ([{"id": "p02", "role": None}, {"id": "Q77", "role": None}], [])


# --- the coding cache depends on participants.yaml -------------------------------------------------------------------


def test_a_changed_participants_file_codes_the_programme_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counting: list[str]
) -> None:
    root = _corpus(tmp_path, PEOPLE, **{"a-int-01": _transcript("[P01]")})

    def groups() -> list[str]:
        result = code_corpus([root], jobs=1, cache=True)
        return [p.attributes.get("group", "") for r in result.records for p in r.participants]

    assert groups() == ["young-black-men"] and counting == ["a-int-01.md"]
    assert groups() == ["young-black-men"] and counting == ["a-int-01.md"]  # answered from the cache
    (root / "alpha" / "participants.yaml").write_text(PEOPLE.replace("young-black-men", "refugees"), encoding="utf-8")
    assert groups() == ["refugees"] and counting == ["a-int-01.md"] * 2
    (root / "alpha" / "participants.yaml").unlink()
    assert groups() == [""] and counting == ["a-int-01.md"] * 3


def test_the_programme_holds_what_its_participants_file_declares(tmp_path: Path) -> None:
    root = _corpus(tmp_path, PEOPLE)
    corpus = discover([root], Diagnostics())
    assert corpus is not None
    declared = corpus.programmes["alpha"].participants
    assert declared is not None and list(declared) == ["P01", "P02", "P03"]
    assert declared["P01"] == Participant(
        id="P01",
        role="youth worker",
        attributes={"group": "young-black-men", "age_band": "25-34", "lived_experience": "true"},
    )
