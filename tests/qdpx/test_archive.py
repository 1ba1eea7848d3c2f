"""The limits and lookups of `cmo.qdpx.archive` at their edges, each message as the user reads it."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from cmo.qdpx.archive import Limits, open_archive, project_entry, source_entry
from cmo.qdpx.errors import QdpxError
from tests.qdpx.conftest import qdpx_bytes
from tests.qdpx.test_refusals import _declare_size


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "p.qdpx"
    path.write_bytes(data)
    return path


def _refusal(path: Path, limits: Limits | None = None) -> tuple[str, str]:
    with pytest.raises(QdpxError) as refusal:
        open_archive(path, limits)
    return refusal.value.rule, refusal.value.message


def _crafted(tmp_path: Path, names: list[str]) -> Path:
    """A zip whose entries have exactly these names (ZipInfo() would tidy some of them)."""
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        for number, name in enumerate(names):
            info = zipfile.ZipInfo("placeholder")
            info.filename = name
            archive.writestr(info, f"content {number}")
    return path


def test_a_missing_file_and_a_folder_are_no_such_file(tmp_path: Path) -> None:
    assert _refusal(tmp_path / "absent.qdpx") == ("path-missing", "no such file")
    assert _refusal(tmp_path) == ("path-missing", "no such file")


def test_a_file_that_is_not_a_zip_says_so(tmp_path: Path) -> None:
    assert _refusal(_write(tmp_path, b"not a zip at all")) == (
        "qdpx-archive",
        "not a readable .qdpx (zip) file: File is not a zip file",
    )


def test_exactly_as_many_entries_as_the_limit_are_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, qdpx_bytes({f"sources/{n}.txt": "x" for n in range(3)}))
    with open_archive(path, Limits(entries=3)) as archive:
        assert archive.names == ["sources/0.txt", "sources/1.txt", "sources/2.txt"]


def test_the_default_entry_limit_is_twenty_thousand(tmp_path: Path) -> None:
    buffer = tmp_path / "z.zip"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for n in range(20_001):
            archive.writestr(f"{n}", b"")
    assert _refusal(buffer) == ("qdpx-too-many-entries", "refused: 20001 zip entries (the limit is 20000)")


def test_a_total_exactly_at_the_limit_is_accepted_and_one_byte_more_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, qdpx_bytes({"a.txt": "x" * 600, "b.txt": "y" * 400}, compression=zipfile.ZIP_STORED))
    with open_archive(path, Limits(total_bytes=1000)) as archive:
        assert archive.read("a.txt") == b"x" * 600
    assert _refusal(path, Limits(total_bytes=999)) == (
        "qdpx-too-large",
        "refused: the project inflates to 1,000 bytes (the limit is 999)",
    )


def test_the_default_total_limit_is_512_mib(tmp_path: Path) -> None:
    data = qdpx_bytes({"a.txt": "x" * 1000, "b.txt": "y" * 1000}, compression=zipfile.ZIP_STORED)
    data = _declare_size(data, b"a.txt", 256 << 20)
    at_limit = _write(tmp_path, _declare_size(data, b"b.txt", 256 << 20))
    # Accepted by the size check; the ratio check (1000 bytes stored) then refuses it, which says so.
    assert _refusal(at_limit)[0] == "qdpx-compression"
    over = _write(tmp_path, _declare_size(data, b"b.txt", (256 << 20) + 1))
    assert _refusal(over) == (
        "qdpx-too-large",
        "refused: the project inflates to 536,870,913 bytes (the limit is 536,870,912)",
    )


def _stored_claiming(tmp_path: Path, size: int, content: bytes = b"x" * 1000) -> Path:
    """One stored entry `big.txt` of `content` whose headers claim `size` bytes uncompressed."""
    return _write(
        tmp_path, _declare_size(qdpx_bytes({"big.txt": content}, compression=zipfile.ZIP_STORED), b"big.txt", size)
    )


def test_a_ratio_exactly_at_the_limit_is_accepted_and_above_it_refused(tmp_path: Path) -> None:
    path = _stored_claiming(tmp_path, 1100 * 1000)
    with open_archive(path, Limits(ratio=1100)) as archive:
        assert archive.names == ["big.txt"]
    assert _refusal(path, Limits(ratio=1099)) == (
        "qdpx-compression",
        "refused: zip entry 'big.txt' inflates 1100 times its stored size (the limit is 1099); a zip bomb?",
    )


def test_an_empty_stored_entry_claiming_megabytes_counts_as_stored_in_one_byte(tmp_path: Path) -> None:
    path = _stored_claiming(tmp_path, 2 << 20, content=b"")
    assert _refusal(path) == (
        "qdpx-compression",
        "refused: zip entry 'big.txt' inflates 2097152 times its stored size (the limit is 100); a zip bomb?",
    )


def test_an_empty_entry_is_taken_as_stored_in_one_byte_against_any_ratio(tmp_path: Path) -> None:
    path = _stored_claiming(tmp_path, 2 << 20, content=b"")
    assert _refusal(path, Limits(ratio=1 << 20)) == (
        "qdpx-compression",
        "refused: zip entry 'big.txt' inflates 2097152 times its stored size (the limit is 1048576); a zip bomb?",
    )
    with open_archive(path, Limits(ratio=2 << 20)) as archive:
        assert archive.names == ["big.txt"]


def test_entries_up_to_one_mib_may_compress_as_well_as_they_like(tmp_path: Path) -> None:
    spaces = b" " * (1 << 20)
    with open_archive(_write(tmp_path, qdpx_bytes({"spaces.txt": spaces}))) as archive:
        assert archive.read("spaces.txt") == spaces
    rule, message = _refusal(_write(tmp_path, qdpx_bytes({"spaces.txt": spaces + b" "})))
    assert rule == "qdpx-compression"
    assert message.startswith("refused: zip entry 'spaces.txt' inflates ")


def test_folders_and_dot_entries_are_not_files(tmp_path: Path) -> None:
    path = _crafted(tmp_path, ["sources/", "./", "./sources//a.txt", "project.qde"])
    with open_archive(path) as archive:
        assert archive.names == ["sources/a.txt", "project.qde"]
        assert archive.read("sources/a.txt") == b"content 2"


def test_a_backslash_separated_name_is_read_with_slashes(tmp_path: Path) -> None:
    with open_archive(_crafted(tmp_path, ["Sources\\a.txt"])) as archive:
        assert archive.names == ["Sources/a.txt"]
        assert source_entry(archive, "a.txt") == "Sources/a.txt"


@pytest.mark.parametrize("name", ["..", "/evil.txt", "\\evil.txt", "d:evil.txt"])
def test_names_that_could_leave_the_project_are_refused(tmp_path: Path, name: str) -> None:
    assert _refusal(_crafted(tmp_path, [name])) == (
        "qdpx-unsafe-entry",
        f"refused: zip entry {name!r} points outside the project (absolute path or '..'); "
        "the file may be crafted to overwrite other files",
    )


@pytest.mark.parametrize("name", ["..a.txt", "a..b.txt", "sources/x:y.txt", "sources/C:a.txt"])
def test_names_that_only_look_odd_are_accepted(tmp_path: Path, name: str) -> None:
    with open_archive(_crafted(tmp_path, [name])) as archive:
        assert archive.names == [name]


def test_one_name_written_twice_is_refused(tmp_path: Path) -> None:
    assert _refusal(_crafted(tmp_path, ["sources/a.txt", "sources/./a.txt"])) == (
        "qdpx-unsafe-entry",
        "refused: zip entry 'sources/a.txt' appears twice",
    )


def test_names_equal_but_for_case_or_unicode_form_are_refused_naming_both(tmp_path: Path) -> None:
    assert _refusal(_crafted(tmp_path, ["Sources/A.txt", "sources/a.txt"])) == (
        "qdpx-unsafe-entry",
        "refused: zip entries 'Sources/A.txt' and 'sources/a.txt' name the same file; which one is meant?",
    )
    assert _refusal(_crafted(tmp_path, ["caf\u00e9.txt", "cafe\u0301.txt"]))[1] == (
        "refused: zip entries 'caf\u00e9.txt' and 'cafe\u0301.txt' name the same file; which one is meant?"
    )


def test_find_matches_exactly_then_ignoring_case_and_unicode_form(tmp_path: Path) -> None:
    with open_archive(_crafted(tmp_path, ["Sources/Caf\u00e9.txt"])) as archive:
        assert archive.find("Sources/Caf\u00e9.txt") == "Sources/Caf\u00e9.txt"
        assert archive.find("sources/CAFE\u0301.TXT") == "Sources/Caf\u00e9.txt"
        assert archive.find("sources/cafe.txt") is None


def test_a_refused_archive_is_closed(tmp_path: Path) -> None:
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to count open files")
    path = _crafted(tmp_path, ["a.txt", "A.txt"])
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        with pytest.raises(QdpxError):
            open_archive(path)
    assert len(os.listdir("/proc/self/fd")) == before


def test_leaving_the_with_block_closes_the_archive(tmp_path: Path) -> None:
    with open_archive(_crafted(tmp_path, ["a.txt"])) as archive:
        assert archive.read("a.txt") == b"content 0"
    with pytest.raises(ValueError, match="closed"):
        archive.read("a.txt")


def test_an_entry_longer_than_it_claims_fails_its_checksum_when_read(tmp_path: Path) -> None:
    data = qdpx_bytes({"project.qde": "x" * 5000})
    path = _write(tmp_path, _declare_size(data, b"project.qde", 10))
    with open_archive(path) as archive, pytest.raises(QdpxError) as refusal:
        archive.read("project.qde")
    assert (refusal.value.rule, refusal.value.message) == (
        "qdpx-archive",
        "cannot read zip entry 'project.qde': Bad CRC-32 for file 'project.qde'",
    )


def test_a_damaged_entry_cannot_be_read_and_says_which(tmp_path: Path) -> None:
    data = bytearray(qdpx_bytes({"project.qde": "<Project/>" * 10}, compression=zipfile.ZIP_STORED))
    at = data.find(b"<Project/>")
    data[at] ^= 0xFF
    with open_archive(_write(tmp_path, bytes(data))) as archive, pytest.raises(QdpxError) as refusal:
        archive.read("project.qde")
    assert (refusal.value.rule, refusal.value.message) == (
        "qdpx-archive",
        "cannot read zip entry 'project.qde': Bad CRC-32 for file 'project.qde'",
    )


def test_the_project_is_project_qde_in_any_case_else_the_one_qde_at_the_top(tmp_path: Path) -> None:
    with open_archive(_crafted(tmp_path, ["Project.QDE", "other.qde"])) as archive:
        assert project_entry(archive) == "Project.QDE"
    with open_archive(_crafted(tmp_path, ["sources/x.qde", "My Study.QDE"])) as archive:
        assert project_entry(archive) == "My Study.QDE"


@pytest.mark.parametrize("names", [["a.qde", "b.qde"], ["sources/a.qde"], ["a.qdpx", "qde"]])
def test_no_project_qde_and_not_exactly_one_qde_at_the_top_is_refused(tmp_path: Path, names: list[str]) -> None:
    with open_archive(_crafted(tmp_path, names)) as archive, pytest.raises(QdpxError) as refusal:
        project_entry(archive)
    assert (refusal.value.rule, refusal.value.message) == (
        "qdpx-project-missing",
        "no project.qde in the file: not a REFI-QDA project",
    )


def test_a_source_is_found_in_sources_then_capital_sources_then_at_the_top(tmp_path: Path) -> None:
    names = ["sources/a.txt", "Sources/b.txt", "c.txt", "Sources/sub/d.txt", "sources/Xavier.txt"]
    with open_archive(_crafted(tmp_path, names)) as archive:
        assert source_entry(archive, "a.txt") == "sources/a.txt"
        assert source_entry(archive, "/b.txt") == "Sources/b.txt"
        assert source_entry(archive, "//c.txt") == "c.txt"
        assert source_entry(archive, "\\sub\\d.txt") == "Sources/sub/d.txt"
        assert source_entry(archive, "Xavier.txt") == "sources/Xavier.txt"
        assert source_entry(archive, "e.txt") is None
    with open_archive(_crafted(tmp_path, ["sources/a.txt", "a.txt"])) as archive:
        assert source_entry(archive, "a.txt") == "sources/a.txt"
