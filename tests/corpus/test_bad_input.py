"""Every kind of bad input gets `path:line:col: error[rule]: message`, exit 1, and never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TRANSCRIPT, Result, corpus_files, write_tree

HEAD = "---\nid: a-int-01\nsource: interview\n---\n\nSome words from P01 about trust.\n\n"


def _transcript(block: str, head: str = HEAD) -> str:
    return head + block


def _diagnostics(result: Result) -> list[str]:
    return [line for line in result.stdout.splitlines() if ": error[" in line or ": warning[" in line]


@pytest.fixture
def validate(
    tree: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    def check(files: dict[str, str | bytes]) -> Result:
        root = tree(files)
        monkeypatch.chdir(root)
        result = cli("validate", ".")
        assert "Traceback" not in result.stderr + result.stdout
        return result

    return check


CASES = {
    "no front matter": (
        "# Interview with P01\n\ntext\n",
        ["alpha/t.md:1:1: error[front-matter-missing]: transcript has no YAML front matter"],
    ),
    "front matter not a mapping": (
        "---\n- interview\n- P01\n---\ntext\n",
        ["alpha/t.md:2:1: error[not-a-mapping]: front matter must be a YAML mapping, not a MarkedSeq"],
    ),
    "misspelt annotation key": (
        _transcript("```cmo\nmechansim: building-trust\noutcome: help-seeking\n```\n"),
        ["alpha/t.md:9:1: error[unknown-key]: unknown key 'mechansim'; did you mean 'mechanism'?"],
    ),
    "misspelt front matter key": (
        "---\nsorce: interview\n---\n",
        [
            "alpha/t.md:2:1: error[missing-key]: required key 'source' is missing",
            "alpha/t.md:2:1: error[unknown-key]: unknown key 'sorce'; did you mean 'source'?",
        ],
    ),
    "unknown code": (
        _transcript("```cmo\nmechanism: bulding-trust\n```\n"),
        [
            "alpha/t.md:9:12: error[unknown-code]: unknown code 'bulding-trust': not in any codebook of "
            "programme 'alpha'; did you mean 'building-trust'?"
        ],
    ),
    "code of the wrong kind": (
        _transcript("```cmo\ncontext: [stigma, help-seeking]\n```\n"),
        [
            "alpha/t.md:9:19: error[code-kind]: code 'help-seeking' is an outcome code, but `context` takes context codes"
        ],
    ),
    "wrong kind inside a resource/reasoning mechanism": (
        _transcript("```cmo\nmechanism:\n  resource: connectors\n  reasoning: building-trust\n```\n"),
        [
            "alpha/t.md:10:13: error[code-kind]: code 'connectors' is an intervention code, but `mechanism` "
            "takes mechanism codes"
        ],
    ),
    "source type not in the list": (
        "---\nsource: intervew\n---\n",
        [
            "alpha/t.md:2:9: error[invalid-value]: source: 'intervew' is not one of 'interview', 'observation', "
            "'document' or 'workshop'; did you mean 'interview'?"
        ],
    ),
    "fence never closed": (
        _transcript("```cmo\noutcome: help-seeking\n"),
        ["alpha/t.md:8:1: error[fence-unclosed]: `cmo` block opened here is never closed (add a closing ``` line)"],
    ),
    "invalid YAML in a block": (
        _transcript("```cmo\ncontext: stigma\noutcome: [help-seeking\n```\n"),
        ["alpha/t.md:10:10: error[yaml-syntax]: the list opened with '[' here is not closed: end it with ']'"],
    ),
    "empty block": (
        _transcript("```cmo\n```\n"),
        ["alpha/t.md:8:1: error[block-empty]: `cmo` block is empty"],
    ),
    "annotation without context, mechanism or outcome": (
        _transcript("```cmo\nintervention: connectors\n```\n"),
        [
            "alpha/t.md:9:1: error[annotation-incomplete]: an annotation must name at least one of context, mechanism, outcome"
        ],
    ),
    "quote not found": (
        _transcript("```cmo\noutcome: help-seeking\nquote: words from P02 about trust\n```\n"),
        [
            "alpha/t.md:10:8: error[quote-not-found]: quote does not occur in the transcript; closest passage is at "
            "line 6 (96% similar): 'words from P01 about trust.'"
        ],
    ),
    "python object tag": (
        _transcript("```cmo\noutcome: !!python/object/apply:os.system [echo pwned]\n```\n"),
        ["alpha/t.md:9:10: error[yaml-tag]: YAML tag '!!python/object/apply:os.system' is not allowed"],
    ),
    "alias bomb": (
        _transcript(
            "```cmo\n"
            + 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
            + "".join(f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True))
            + "```\n"
        ),
        ["error[yaml-expansion]: aliases expand this YAML far beyond its size"],
    ),
    "programme disagrees with its folder": (
        "---\nprogramme: alpah\nsource: workshop\n---\n",
        [
            "alpha/t.md:2:12: error[programme-mismatch]: front matter says programme 'alpah', but the file is in "
            "programme 'alpha'; did you mean 'alpha'?"
        ],
    ),
    "bad date": (
        "---\nsource: workshop\ndate: 2024-13-45\n---\n",
        ["alpha/t.md:3:7: error[invalid-value]: date: "],
    ),
    "stance not in the list": (
        _transcript("```cmo\noutcome: help-seeking\nstance: refute\n```\n"),
        [
            "alpha/t.md:10:9: error[invalid-value]: stance: 'refute' is not one of 'supports', 'refutes' or 'refines'; did you mean 'refutes'?"
        ],
    ),
    "block with nothing above it": (
        "---\nsource: workshop\n---\n```cmo\noutcome: help-seeking\n```\n",
        ["alpha/t.md:4:1: error[evidence-missing]: no passage above this block"],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_transcript(name: str, validate: Callable[..., Result]) -> None:
    text, expected = CASES[name]
    result = validate(corpus_files(t=text))
    assert result.exit_code == 1
    found = _diagnostics(result)
    assert len(found) == len(expected), found
    for line, wanted in zip(found, expected, strict=True):
        assert wanted in line, (wanted, line)


def test_not_utf8(validate: Callable[..., Result]) -> None:
    raw = b"---\nsource: interview\n---\n\nThe caf" + b"\xe9 was busy.\n"
    result = validate(corpus_files(t=raw))
    assert result.exit_code == 1
    assert _diagnostics(result) == [
        "alpha/t.md:5:8: error[encoding]: not UTF-8 at byte 35 (line 5, column 8): save the file as UTF-8"
    ]


def test_duplicate_transcript_ids(validate: Callable[..., Result]) -> None:
    result = validate(corpus_files(first=TRANSCRIPT, second=TRANSCRIPT))
    assert result.exit_code == 1
    assert _diagnostics(result) == [
        "alpha/second.md:2:5: error[duplicate-transcript]: transcript id 'a-int-01' is already used by "
        "alpha/first.md in programme 'alpha'"
    ]


def test_programme_folder_without_programme_yaml(validate: Callable[..., Result]) -> None:
    files = corpus_files(t=TRANSCRIPT)
    files["beta/interviews/b-int-01.md"] = TRANSCRIPT
    result = validate(files)
    assert result.exit_code == 1
    assert _diagnostics(result) == [
        "beta/programme.yaml:1:1: error[programme-missing]: folder 'beta' holds transcripts but no programme.yaml "
        "describing its programme"
    ]


def test_programme_yaml_problems(validate: Callable[..., Result]) -> None:
    files = corpus_files(t=TRANSCRIPT)
    files["alpha/programme.yaml"] = "id: alpha-project\nname: Alpha\nframwork: none\n"
    result = validate(files)
    assert result.exit_code == 1
    assert _diagnostics(result) == [
        "alpha/programme.yaml:3:1: error[unknown-key]: unknown key 'framwork'; did you mean 'framework'?",
    ]
    files["alpha/programme.yaml"] = "id: alpha-project\nname: Alpha\n"
    assert _diagnostics(validate(files)) == [
        "alpha/programme.yaml:1:5: error[programme-id]: programme id 'alpha-project' must equal its folder name 'alpha'",
    ]


def test_codebook_problems(validate: Callable[..., Result]) -> None:
    files = corpus_files(t=TRANSCRIPT)
    files["alpha/codebook.yaml"] = (
        "codes:\n"
        "  stigma: {kind: context, label: Stigma again}\n"
        "  Bad_Id: {kind: context, label: x}\n"
        "  odd: {kind: mechansm, label: y}\n"
    )
    result = validate(files)
    assert result.exit_code == 1
    found = _diagnostics(result)
    assert any(
        "error[invalid-value]: codes.odd.kind: 'mechansm' is not one of" in f and "did you mean 'mechanism'" in f
        for f in found
    )
    assert any(
        "alpha/codebook.yaml:3:3: error[invalid-value]" in f and "'Bad_Id' is not a valid id" in f for f in found
    )
    files["alpha/codebook.yaml"] = "codes:\n  stigma: {kind: context, label: Stigma again}\n"
    assert _diagnostics(validate(files)) == [
        "alpha/codebook.yaml:2:3: error[code-redefined]: code 'stigma' is already defined in the shared codebook "
        "(codebook.yaml:5); remove it here or rename it"
    ]


def test_every_problem_in_the_corpus_is_reported_in_one_run(validate: Callable[..., Result]) -> None:
    broken = _transcript("```cmo\nmechansim: x\ncontext: stigmaa\n```\n\n```cmo\noutcome: nope\n```\n")
    result = validate(corpus_files(one=broken, two="no front matter\n"))
    rules = [line.split("[")[1].split("]")[0] for line in _diagnostics(result)]
    assert rules == ["unknown-key", "unknown-code", "unknown-code", "front-matter-missing"]


def test_bom_and_crlf_are_accepted_and_line_numbers_stay_right(
    tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cmo.corpus.coding import code_corpus

    text = "\ufeff" + _transcript("```cmo\noutcome: help-seeking\ncontext: stigmaa\n```\n").replace("\n", "\r\n")
    root = tree(corpus_files(t=text.encode()))
    monkeypatch.chdir(root)
    result = code_corpus([Path()])
    assert [(d.line, d.column, d.rule) for d in result.diagnostics] == [(10, 10, "unknown-code")]
    good = "\ufeff" + _transcript("```cmo\noutcome: help-seeking\n```\n").replace("\n", "\r\n")
    (root / "alpha/t.md").write_bytes(good.encode())
    [record] = code_corpus([Path()]).records
    assert (record.line_start, record.line_end, record.annotation_line) == (6, 6, 9)


def test_fifty_megabyte_transcript_is_handled(tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from cmo.corpus.coding import code_corpus

    paragraph = "P01: we met at the community centre and talked about the week, again and again.\n\n"
    filler = paragraph * (50 * 1024 * 1024 // len(paragraph))
    text = (
        HEAD
        + filler
        + "The imam introduced me and after that people trusted me.\n\n```cmo\nmechanism: key-persons\n"
        + "quote: the imam introduced me\n```\n"
    )
    text = text.replace("The imam", "the imam")
    root = tree(corpus_files(big=text))
    monkeypatch.chdir(root)
    result = code_corpus([Path()])
    assert result.diagnostics == []
    [record] = result.records
    assert record.quote == "the imam introduced me"
    assert record.line_start == text[: text.index("the imam")].count("\n") + 1


def test_a_code_of_the_wrong_kind_is_never_suggested_as_its_own_fix(tmp_path: Path, cli: Callable[..., Result]) -> None:
    codebook = "codes:\n  stigma: {kind: context, label: Stigma}\n  stigma-less: {kind: outcome, label: Less stigma}\n"
    files = {
        **corpus_files(t=_transcript("```cmo\noutcome: stigma\n```\nand\n\n```cmo\nmechanism: stigma\n```\n")),
        "codebook.yaml": codebook,
    }
    write_tree(tmp_path, files)
    lines = cli("validate", tmp_path).stdout.splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "error[code-kind]: code 'stigma' is a context code, but `outcome` takes outcome codes; did you mean 'stigma-less'?",
        # 'stigma-less' is an outcome code: no fix for a field of mechanism codes
        "error[code-kind]: code 'stigma' is a context code, but `mechanism` takes mechanism codes",
    ]
