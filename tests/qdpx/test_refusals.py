"""Untrusted `.qdpx` files: unsafe entry names, zip bombs and XML entities are refused before anything is read or written."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.core.paths import display_path
from cmo.qdpx.archive import Limits, open_archive
from cmo.qdpx.errors import QdpxError
from tests.conftest import TRANSCRIPT, Result, corpus_files, write_tree
from tests.qdpx.conftest import TEXT, qdpx_bytes, selection, simple_project, span

NOTHING = "cmo: nothing imported: fix the errors above first\n"


def refused(cli: Callable[..., Result], tmp_path: Path, data: bytes) -> str:
    """Import `data` as a .qdpx; it must fail with nothing written; returns stderr with the path made `P`."""
    path = tmp_path / "p.qdpx"
    path.write_bytes(data)
    result = cli("qdpx", "import", path, "-p", "alpha", "--corpus", tmp_path / "corpus", "--source-type", "interview")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert not (tmp_path / "corpus").exists()
    assert not (tmp_path / "evil.txt").exists()
    return result.stderr.replace(str(path), "P")


def good_files() -> dict[str, str | bytes]:
    return simple_project(selection(1, *span(TEXT, "had tea"), [11]))


@pytest.mark.parametrize(
    "name", ["../evil.txt", "sources/../../evil.txt", "..\\evil.txt", "/tmp/evil.txt", "C:/evil.txt"]
)
def test_entries_that_point_outside_the_project_are_refused(
    cli: Callable[..., Result], tmp_path: Path, name: str
) -> None:
    buffer = tmp_path / "z.zip"
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry, content in good_files().items():
            archive.writestr(entry, content)
        info = zipfile.ZipInfo("placeholder")
        info.filename = name  # as a crafted file has it: ZipInfo() itself would tidy some names
        archive.writestr(info, "x")
    data = buffer.read_bytes()
    assert refused(cli, tmp_path, data) == (
        f"P:1:1: error[qdpx-unsafe-entry]: refused: zip entry {name!r} points outside the project (absolute path or '..'); "
        "the file may be crafted to overwrite other files\n" + NOTHING
    )


def test_a_zip_bomb_by_compression_ratio_is_refused(cli: Callable[..., Result], tmp_path: Path) -> None:
    data = qdpx_bytes({**good_files(), "sources/bomb.txt": b"\0" * (4 << 20)})
    message = refused(cli, tmp_path, data)
    assert message.startswith("P:1:1: error[qdpx-compression]: refused: zip entry 'sources/bomb.txt' inflates ")
    assert message.endswith(" times its stored size (the limit is 100); a zip bomb?\n" + NOTHING)


def _declare_size(data: bytes, name: bytes, size: int) -> bytes:
    """The zip with `name`'s uncompressed size, in its local and central headers, claimed to be `size`."""
    patched = bytearray(data)
    local = patched.find(b"PK\x03\x04")
    while local >= 0:
        name_length = struct.unpack_from("<H", patched, local + 26)[0]
        if patched[local + 30 : local + 30 + name_length] == name:
            struct.pack_into("<I", patched, local + 22, size)
        local = patched.find(b"PK\x03\x04", local + 4)
    central = patched.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", patched, central + 28)[0]
        if patched[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<I", patched, central + 24, size)
        central = patched.find(b"PK\x01\x02", central + 4)
    return bytes(patched)


def test_a_zip_bomb_by_declared_size_is_refused_before_reading(cli: Callable[..., Result], tmp_path: Path) -> None:
    data = qdpx_bytes({**good_files(), "sources/big.txt": "x" * 1000}, compression=zipfile.ZIP_STORED)
    data = _declare_size(data, b"sources/big.txt", 600 << 20)
    message = refused(cli, tmp_path, data)
    assert message.startswith("P:1:1: error[qdpx-too-large]: refused: the project inflates to 629,")
    assert message.endswith(" bytes (the limit is 536,870,912)\n" + NOTHING)


def test_too_many_entries_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.qdpx"
    path.write_bytes(qdpx_bytes({f"sources/{n}.txt": "x" for n in range(4)}))
    with pytest.raises(QdpxError) as refusal:
        open_archive(path, Limits(entries=3))
    assert (refusal.value.rule, refusal.value.message) == (
        "qdpx-too-many-entries",
        "refused: 4 zip entries (the limit is 3)",
    )


def test_an_entry_inflating_beyond_its_declared_size_is_refused(tmp_path: Path) -> None:
    data = qdpx_bytes({"project.qde": "x" * 5000}, compression=zipfile.ZIP_STORED)
    path = tmp_path / "p.qdpx"
    path.write_bytes(_declare_size(data, b"project.qde", 10))
    with open_archive(path) as archive, pytest.raises(QdpxError) as refusal:
        archive.read("project.qde")
    assert refusal.value.rule in ("qdpx-compression", "qdpx-archive")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol4;"/>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&secret;"/>
"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY, '<!DOCTYPE p>\n<Project name="x"/>'])
def test_dtds_and_entities_in_the_project_xml_are_refused(cli: Callable[..., Result], tmp_path: Path, xml: str) -> None:
    assert refused(cli, tmp_path, qdpx_bytes({"project.qde": xml})) == (
        "P:1:1: error[qdpx-xml-refused]: refused: project.qde declares a DTD or entities (DTDForbidden); "
        "REFI-QDA projects need neither, and they can expand without bound or read local files\n" + NOTHING
    )


def test_a_project_without_project_qde_is_refused(cli: Callable[..., Result], tmp_path: Path) -> None:
    assert refused(cli, tmp_path, qdpx_bytes({"sources/s1.txt": TEXT})) == (
        "P:1:1: error[qdpx-project-missing]: no project.qde in the file: not a REFI-QDA project\n" + NOTHING
    )


def test_a_file_that_is_not_a_zip_is_refused(cli: Callable[..., Result], tmp_path: Path) -> None:
    assert refused(cli, tmp_path, b"<Project/>") == (
        "P:1:1: error[qdpx-archive]: not a readable .qdpx (zip) file: File is not a zip file\n" + NOTHING
    )


def test_project_xml_that_is_not_well_formed_is_reported_with_its_place(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    assert refused(cli, tmp_path, qdpx_bytes({"project.qde": '<Project name="x">\n  <Users>\n</Project>'})) == (
        "P:1:1: error[qdpx-xml]: project.qde is not well-formed XML (line 3, column 3)\n" + NOTHING
    )


def test_a_missing_file_is_reported(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("qdpx", "import", tmp_path / "none.qdpx", "-p", "alpha", "--corpus", tmp_path / "corpus")
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path / 'none.qdpx'}:1:1: error[path-missing]: no such file\n" + NOTHING


# --- issue 10: names that collide, names too long, symlinks out of the corpus, failed writes ---------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("project.qde", "./project.qde"),
        ("sources/s1.txt", "Sources/s1.txt"),
        ("sources/caf\u00e9.txt", "sources/cafe\u0301.txt"),
    ],
)
def test_two_entries_that_name_the_same_file_are_refused(
    cli: Callable[..., Result], tmp_path: Path, first: str, second: str
) -> None:
    buffer = tmp_path / "z.zip"
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry, content in {**good_files(), first: "x"}.items():
            archive.writestr(entry, content)
        info = zipfile.ZipInfo("placeholder")
        info.filename = second  # ZipInfo() itself would tidy './'
        archive.writestr(info, "y")
    message = refused(cli, tmp_path, buffer.read_bytes())
    assert message.startswith("P:1:1: error[qdpx-unsafe-entry]: refused: zip entr")
    assert message.endswith(NOTHING)


def _named(name: str) -> bytes:
    """The simple project, its one source called `name`."""
    files = good_files()
    files["project.qde"] = str(files["project.qde"]).replace('name="Interview 1"', f'name="{name}"')
    return qdpx_bytes(files)


def test_a_source_name_too_long_for_a_file_name_is_imported_under_a_short_unique_one(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    long_name = "Interview-" + "x" * 5_000
    (tmp_path / "p.qdpx").write_bytes(_named(long_name))
    corpus = tmp_path / "corpus"
    result = cli("qdpx", "import", tmp_path / "p.qdpx", "-p", "alpha", "--corpus", corpus, "--source-type", "interview")
    assert result.exit_code == 0, result.stderr
    (written,) = (corpus / "alpha" / "interviews").iterdir()
    assert len(written.name.encode()) <= 200
    assert f"id: {long_name}\n" in written.read_text(encoding="utf-8")
    assert result.stdout.endswith("alpha: 1 transcripts with 1 annotations imported; 1 records\n")
    again = cli("qdpx", "import", tmp_path / "p.qdpx", "-p", "alpha", "--corpus", corpus, "--source-type", "interview")
    assert again.exit_code == 1 and "error[qdpx-exists]" in again.stdout + again.stderr  # the same name again


def test_a_transcript_with_a_5000_character_id_exports_and_imports_back(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    long_id = "a" + "b" * 4_999
    source = tmp_path / "source"
    transcript = TRANSCRIPT.replace("id: a-int-01", f"id: {long_id}")
    write_tree(source, corpus_files(**{"interviews/short": transcript}))
    out = tmp_path / "long.qdpx"
    assert cli("qdpx", "export", "--corpus", source, "--out", out).exit_code == 0
    imported = cli("qdpx", "import", out, "-p", "alpha", "--corpus", tmp_path / "corpus")
    assert imported.exit_code == 0, imported.stderr
    assert imported.stdout.endswith("alpha: 1 transcripts with 1 annotations imported; 1 records\n")
    (written,) = (tmp_path / "corpus" / "alpha" / "interviews").iterdir()
    assert f"id: {long_id}\n" in written.read_text(encoding="utf-8")


def test_a_symlinked_programme_folder_that_leaves_the_corpus_is_refused(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "alpha").symlink_to(elsewhere)
    (tmp_path / "p.qdpx").write_bytes(qdpx_bytes(good_files()))
    result = cli("qdpx", "import", tmp_path / "p.qdpx", "-p", "alpha", "--corpus", corpus, "--source-type", "interview")
    assert result.exit_code == 1
    assert "error[qdpx-outside]: refused: a symlink makes this file land outside the corpus" in result.stderr
    assert result.stderr.endswith(NOTHING)
    assert list(elsewhere.iterdir()) == []


def test_a_write_that_fails_part_way_leaves_nothing_behind(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from cmo.core import files

    real = files.write_atomic

    def fail_on_transcripts(path: Path, text: str) -> None:
        if path.suffix == ".md":
            raise OSError(errno.ENAMETOOLONG, "File name too long")
        real(path, text)

    monkeypatch.setattr(files, "write_atomic", fail_on_transcripts)
    corpus = tmp_path / "corpus"
    (corpus / "alpha").mkdir(parents=True)
    (corpus / "alpha" / "keep.txt").write_text("kept", encoding="utf-8")
    (tmp_path / "p.qdpx").write_bytes(qdpx_bytes(good_files()))
    result = cli("qdpx", "import", tmp_path / "p.qdpx", "-p", "alpha", "--corpus", corpus, "--source-type", "interview")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == [
        "cmo: error: cannot write " + display_path(corpus / "alpha/interviews/interview-1.md") + ": File name too long",
        "cmo: nothing imported",
    ]
    assert sorted(p.name for p in (corpus / "alpha").iterdir()) == ["keep.txt"]
