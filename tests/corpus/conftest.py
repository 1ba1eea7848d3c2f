"""Fixtures of the corpus stage's tests: which transcripts a run really coded."""

from __future__ import annotations

import pytest

import cmo.corpus.transcript_coding


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The transcripts actually coded (not answered from the cache) in this process."""
    coded: list[str] = []
    real = cmo.corpus.transcript_coding.TranscriptCoder.run

    def run(self: cmo.corpus.transcript_coding.TranscriptCoder) -> cmo.corpus.transcript_coding.TranscriptResult:
        coded.append(self.file.name)
        return real(self)

    monkeypatch.setattr(cmo.corpus.transcript_coding.TranscriptCoder, "run", run)
    return coded
