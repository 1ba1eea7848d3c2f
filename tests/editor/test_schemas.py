"""The JSON Schemas: generated from the models, shipped as generated, agreeing with `cmo validate`, and `cmo schema`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs in the test extra
import pytest
import yaml

from cmo.corpus import scaffold
from cmo.editor import schemas
from cmo.theory.model import is_overarching
from tests.conftest import REPO, Result


class _EditorLoader(yaml.SafeLoader):
    """YAML as the editor's language server reads it: a date is text (YAML 1.2 has no timestamps)."""


_EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str) -> Any:
    return yaml.load(text, Loader=_EditorLoader)  # a SafeLoader, without timestamps


def errors(name: str, data: Any) -> list[str]:
    """The schema's complaints about `data`, under draft 2020-12 and draft-07 (editors read it as draft-07)."""
    schema = json.loads(schemas.render(_schema(name)))
    found = []
    for validator in (jsonschema.Draft202012Validator, jsonschema.Draft7Validator):
        checker = validator(schema, format_checker=validator.FORMAT_CHECKER)
        found.append(sorted(error.message for error in checker.iter_errors(data)))
    assert found[0] == found[1], f"draft 2020-12 and draft-07 read {name} differently"
    return found[0]


def _schema(name: str) -> schemas.SchemaFile:
    found = schemas.by_name(name)
    assert found is not None, name
    return found


def _demo_files() -> list[tuple[str, Path]]:
    corpus = REPO / "corpus"
    found = [("programme", path) for path in sorted(corpus.rglob("programme.yaml"))]
    found += [("codebook", path) for path in sorted(corpus.rglob("codebook.yaml"))]
    found += [("participants", path) for path in sorted(corpus.rglob("participants.yaml"))]
    for path in sorted((REPO / "theories").glob("*.yaml")):
        data = load(path.read_text(encoding="utf-8"))
        found.append(("overarching-theory" if is_overarching(data) else "theory", path))
    return found


def test_every_file_kind_has_a_schema() -> None:
    assert schemas.names() == [
        "programme",
        "codebook",
        "participants",
        "theory",
        "overarching-theory",
        "front-matter",
        "annotation",
    ]


@pytest.mark.parametrize(
    ("name", "path"),
    _demo_files(),
    ids=lambda value: value.relative_to(REPO).as_posix() if isinstance(value, Path) else value,
)
def test_the_demo_files_are_valid(name: str, path: Path) -> None:
    assert errors(name, load(path.read_text(encoding="utf-8"))) == []


def test_the_demo_has_every_kind_of_file() -> None:
    kinds = {name for name, _ in _demo_files()}
    assert kinds == {"programme", "codebook", "participants", "theory", "overarching-theory"}


def test_every_schema_is_a_valid_schema_with_a_stable_id() -> None:
    for schema in schemas.schema_files():
        body = schemas.generate(schema)
        jsonschema.Draft202012Validator.check_schema(body)
        jsonschema.Draft7Validator.check_schema(body)
        assert body["$id"] == f"urn:cmo:schema:{schema.name}:1"
        assert body["$schema"] == schemas.DIALECT
        assert body["title"] and body["description"]


def test_the_shipped_schemas_are_what_the_models_generate() -> None:
    stale = [schema.file_name for schema in schemas.schema_files() if schemas.shipped(schema) != schemas.render(schema)]
    assert stale == [], f"the shipped schemas are out of date with the models: run {schemas.REGENERATE}"
    shipped = sorted(path.name for path in (REPO / "cmo" / "editor" / "schemas").glob("*.json"))
    assert shipped == sorted(schema.file_name for schema in schemas.schema_files())


def test_the_output_is_deterministic() -> None:
    text = schemas.render(_schema("theory"))
    assert text == schemas.render(_schema("theory"))
    assert (
        text.endswith("}\n")
        and json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n" == text
    )


def test_a_validator_with_no_rule_stops_the_generator() -> None:
    from pydantic import BaseModel, field_validator

    class Odd(BaseModel):
        x: str

        @field_validator("x", mode="before")
        @classmethod
        def _anything(cls, value: Any) -> Any:
            return str(value)

    with pytest.raises(schemas.UnknownValidator, match="_anything"):
        schemas.generate(schemas.SchemaFile("odd", Odd, "odd", "odd"))


# --- the schema and `cmo validate` agree --------------------------------------------------------

PROGRAMME = "id: a\nname: A\n"
CODEBOOK = "codes:\n  stigma: {kind: context, label: Stigma}\n"
PARTICIPANTS = "participants:\n  P01: {role: volunteer, group: young-carers}\n"
THEORY = "programme: {id: a, name: A}\ncmocs:\n  - id: trust\n    status: supported\n"

# (file in the study, schema, text, valid for both): each invalid one breaks the file in one way.
CASES = [
    ("corpus/a/programme.yaml", "programme", PROGRAMME + "framework: 2020\nattributes: {length: 24}\n", True),
    ("corpus/a/programme.yaml", "programme", PROGRAMME + "interviewers: []\n", True),
    ("corpus/a/programme.yaml", "programme", "id: a\nname: [A, B]\n", False),  # wrong type
    ("corpus/a/programme.yaml", "programme", PROGRAMME + "nmae: A\n", False),  # unknown key
    ("corpus/a/programme.yaml", "programme", "id: a\nname: '  '\n", False),  # blank
    ("corpus/a/programme.yaml", "programme", PROGRAMME + "interviewers: [Q, ' ']\n", False),
    ("corpus/a/programme.yaml", "programme", PROGRAMME + "attributes: {funding: [a, b]}\n", False),
    ("corpus/codebook.yaml", "codebook", "codes:\n  stigma:\n    kind: context\n    label: |\n      Stigma\n", True),
    ("corpus/codebook.yaml", "codebook", CODEBOOK + "  walks: {kind: mechanism, label: W, description: 2020}\n", True),
    ("corpus/codebook.yaml", "codebook", CODEBOOK + "  walks: {kind: mechansim, label: W}\n", False),  # bad enum
    ("corpus/codebook.yaml", "codebook", CODEBOOK + "  Bad Code: {kind: context, label: W}\n", False),  # bad slug
    ("corpus/codebook.yaml", "codebook", CODEBOOK + "  walks: {kind: context, label: W, colour: red}\n", False),
    ("corpus/codebook.yaml", "codebook", CODEBOOK.replace("Stigma", '"Two\\n lines"'), False),
    ("corpus/codebook.yaml", "codebook", "codes: [stigma]\n", False),  # wrong type
    ("corpus/codebook.yaml", "codebook", CODEBOOK + "  walks: {label: W}\n", False),  # missing key
    ("corpus/a/participants.yaml", "participants", PARTICIPANTS + "  P02:\n  P03: {age: 24, carer: true}\n", True),
    ("corpus/a/participants.yaml", "participants", "# nobody yet\n", True),
    ("corpus/a/participants.yaml", "participants", PARTICIPANTS + "  P02: {Age Band: 18-24}\n", False),
    ("corpus/a/participants.yaml", "participants", PARTICIPANTS + "  P02: {group: [a, b]}\n", False),
    ("corpus/a/participants.yaml", "participants", PARTICIPANTS + "  P02: {group: ''}\n", False),
    ("corpus/a/participants.yaml", "participants", "people: {}\n", False),
    ("theories/a.yaml", "theory", THEORY, True),
    ("theories/a.yaml", "theory", THEORY.replace("supported", "aproved"), False),  # bad enum
    ("theories/a.yaml", "theory", THEORY.replace("trust", "Trust Here"), False),  # bad slug
    ("theories/a.yaml", "theory", THEORY + "    statment: x\n", False),  # unknown key
    ("theories/a.yaml", "theory", THEORY + "    counts: {excerpts: many}\n", False),  # wrong type
]


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new study with programme `a`, its example transcript removed (its cmoc belongs to no theory here)."""
    root = tmp_path / "study"
    scaffold.write_study(root, scaffold.study_files(["a"], schemas.study_schemas()))
    (root / scaffold.example_transcript("a")).unlink()
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize(("relative", "name", "text", "valid"), CASES)
def test_the_schema_and_cmo_validate_agree(
    cli: Callable[..., Result], study: Path, relative: str, name: str, text: str, valid: bool
) -> None:
    assert (errors(name, load(text)) == []) is valid
    (study / relative).write_text(text, encoding="utf-8")
    result = cli("validate", "corpus", "theories")
    found = [line for line in result.stdout.splitlines() if line.startswith(f"{relative}:") and "error[" in line]
    assert (found == [] and result.exit_code == 0) is valid, result.stdout + result.stderr


def test_a_front_matter_and_an_annotation_check_as_cmo_reads_them() -> None:
    front = "id: t1\nsource: interview\ndate: 2024-01-15\nparticipants: P01\ncoder: AB\n"
    assert errors("front-matter", load(front)) == []
    assert errors("front-matter", load(front + "participants: [P01, {id: P02, role: x}, 3]\n")) == []
    assert errors("front-matter", load(front.replace("interview", "intervew"))) != []
    assert errors("annotation", load("context: stigma\nmechanism: {resource: a, reasoning: [b]}\n")) == []
    assert errors("annotation", load("mechanism: [a, b]\noutcome: null\nstance: refines\n")) == []
    assert errors("annotation", load("mechanism: {resource: a, reason: b}\n")) != []
    assert errors("annotation", load("contxt: stigma\n")) != []


# --- cmo schema -----------------------------------------------------------------------------------


def test_cmo_schema_prints_one(cli: Callable[..., Result]) -> None:
    result = cli("schema", "codebook")
    assert result == Result(0, schemas.render(_schema("codebook")), "")


def test_an_unknown_schema_is_a_usage_error_with_a_suggestion(cli: Callable[..., Result]) -> None:
    result = cli("schema", "codebok")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("cmo: error: no schema 'codebok'; did you mean 'codebook'? (the schemas: programme")


def test_no_name_and_no_folder_is_a_usage_error(cli: Callable[..., Result]) -> None:
    result = cli("schema")
    assert result.exit_code == 2 and "--out DIR" in result.stderr


def test_cmo_schema_out_writes_every_schema(cli: Callable[..., Result], tmp_path: Path) -> None:
    folder = tmp_path / "made" / "schemas"
    result = cli("schema", "--out", folder)
    names = [schema.file_name for schema in schemas.schema_files()]
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.splitlines() == [f"wrote {folder / name}" for name in names]
    assert sorted(path.name for path in folder.iterdir()) == sorted(names)  # no temporary file left behind
    assert all(
        (folder / schema.file_name).read_text(encoding="utf-8") == schemas.render(schema)
        for schema in schemas.schema_files()
    )
    assert cli("schema", "theory", "--out", folder).stdout == f"wrote {folder / 'theory.schema.json'}\n"


def test_a_failed_write_is_one_line_and_keeps_the_old_file(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "schemas").mkdir()
    old = tmp_path / "schemas" / "programme.schema.json"
    old.write_text("old\n", encoding="utf-8")

    def broken(path: Path, text: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("cmo.core.files.write_atomic", broken)
    result = cli("schema", "--out", tmp_path / "schemas")
    assert result.exit_code == 1
    assert result.stderr == f"cmo: error: cannot write {old}: No space left on device\n"
    assert old.read_text(encoding="utf-8") == "old\n"


def test_a_file_where_the_folder_goes_is_one_line(cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x\n", encoding="utf-8")
    result = cli("schema", "--out", tmp_path / "taken")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "is a file, not a folder" in result.stderr


# --- cmo init -------------------------------------------------------------------------------------


def test_a_new_study_points_its_yaml_files_at_its_schemas(study: Path, cli: Callable[..., Result]) -> None:
    lines = {
        "corpus/codebook.yaml": "# yaml-language-server: $schema=../.cmo/schemas/codebook.schema.json",
        "corpus/a/codebook.yaml": "# yaml-language-server: $schema=../../.cmo/schemas/codebook.schema.json",
        "corpus/a/programme.yaml": "# yaml-language-server: $schema=../../.cmo/schemas/programme.schema.json",
    }
    for relative, line in lines.items():
        text = (study / relative).read_text(encoding="utf-8")
        assert text.splitlines()[0] == line
        target = (study / relative).parent / line.partition("$schema=")[2]
        assert target.resolve().read_text(encoding="utf-8") == schemas.render(_schema(target.name.split(".")[0]))
        assert errors(target.name.split(".")[0], load(text)) == []
    assert cli("validate").exit_code == 0
