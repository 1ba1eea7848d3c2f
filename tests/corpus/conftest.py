"""Fixtures of the corpus stage's tests: which transcripts a run really coded."""

from __future__ import annotations

from typing import Any

import pytest

import cmo.corpus.coding


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The transcripts actually coded (not answered from the cache) in this process, by either coding path."""
    coded: list[str] = []
    real = cmo.corpus.coding._code_file

    def code_file(file: Any, *args: Any) -> Any:
        coded.append(file.name)
        return real(file, *args)

    monkeypatch.setattr(cmo.corpus.coding, "_code_file", code_file)
    return coded
