"""Evidence identity: record ids made from the evidence text, so blocks added or moved elsewhere renumber nothing."""

from __future__ import annotations

import hashlib

_DIGEST_BYTES = 4  # 8 hex digits: a collision inside one transcript only adds a '.2', never merges two ids


def passage_digest(text: str) -> str:
    """The digest of a passage's words (runs of white space count as one space)."""
    words = " ".join(text.split())
    return hashlib.blake2b(words.encode("utf-8", "surrogatepass"), digest_size=_DIGEST_BYTES).hexdigest()


class EvidenceIds:
    """Record ids of one transcript: `<programme>/<transcript>#<digest>`, then `.2`, `.3` for the same passage again.

    The n-th annotation of one passage (double coding, or one passage in two CMOCs) gets `.n` in file order,
    so only annotations of that same passage can ever change each other's ids.
    """

    def __init__(self, programme: str, transcript: str) -> None:
        self.prefix = f"{programme}/{transcript}#"
        self.seen: dict[str, int] = {}

    def next(self, text: str) -> str:
        digest = passage_digest(text)
        count = self.seen.get(digest, 0) + 1
        self.seen[digest] = count
        return self.prefix + digest + ("" if count == 1 else f".{count}")


def passage_of(record_id: str) -> str:
    """The passage a record id names: the id less its `.n` tie-break (annotations of one passage share it)."""
    head, hash_mark, tail = record_id.rpartition("#")
    if not hash_mark:
        return record_id
    return head + hash_mark + tail.split(".", 1)[0]


def passage_key(record_id: str, lines: str) -> str:
    """What makes two codings one passage: the same words at the same place (`prog/t#1a2b3c4d@12-14`).

    Two coders' annotations of one paragraph share it; the same words said again elsewhere in the
    transcript ("Yes, that's right.") are another passage, and count again.
    """
    return f"{passage_of(record_id)}@{lines}"
