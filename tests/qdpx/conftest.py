""".qdpx files built inline, as REFI-QDA exporters write them."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

NS = "urn:QDA-XML:project:1.0"

TEXT = (
    "**P01:** It took months before anyone at the mosque would talk to me.\n"
    "Then the imam vouched for me.\n"
    "\n"
    "**P01:** After that, three women came to me the same week.\n"
    "\n"
    "**P01:** We sat and had tea, nothing more.\n"
)

# A realist code tree as NVivo users build it: categories by role, with enablers and mechanism parts nested.
CODES = """
<CodeBook><Codes>
  <Code guid="{g1}" name="Context" isCodable="false">
    <Code guid="{g11}" name="Stigma around mental health" isCodable="true"><Description>Shame, gossip.</Description></Code>
    <Code guid="{g12}" name="Enablers" isCodable="false">
      <Code guid="{g13}" name="Staff from the community" isCodable="true"/>
    </Code>
  </Code>
  <Code guid="{g2}" name="Mechanisms" isCodable="false">
    <Code guid="{g21}" name="Resource" isCodable="false"><Code guid="{g22}" name="Key persons" isCodable="true"/></Code>
    <Code guid="{g23}" name="Reasoning" isCodable="false"><Code guid="{g24}" name="Trust" isCodable="true"/></Code>
  </Code>
  <Code guid="{g3}" name="outcomes" isCodable="false"><Code guid="{g31}" name="Help seeking" isCodable="true"/></Code>
  <Code guid="{g4}" name="O: Reduced isolation" isCodable="true"/>
  <Code guid="{g5}" name="Themes" isCodable="false"><Code guid="{g51}" name="Family" isCodable="true"/></Code>
</Codes></CodeBook>
"""


def guid(number: int) -> str:
    return f"00000000-0000-4000-8000-{number:012d}"


def codebook() -> str:
    numbers = [1, 11, 12, 13, 2, 21, 22, 23, 24, 3, 31, 4, 5, 51]
    return CODES.format(**{f"g{n}": guid(n) for n in numbers})


def users(*names: str) -> str:
    return "<Users>" + "".join(f'<User guid="{guid(900 + i)}" name="{n}"/>' for i, n in enumerate(names)) + "</Users>"


def selection(
    number: int,
    start: int,
    end: int,
    codes: Sequence[int],
    user: int | None = 900,
    coders: Sequence[int | None] | None = None,
    description: str | None = None,
) -> str:
    """A PlainTextSelection with one Coding per code (by `coders[i]`, else `user`), users numbered from 900."""
    codings = ""
    for index, code in enumerate(codes):
        by = coders[index] if coders else user
        who = f' creatingUser="{guid(by)}"' if by is not None else ""
        codings += (
            f'<Coding guid="{guid(5000 + number * 10 + index)}"{who}><CodeRef targetGUID="{guid(code)}"/></Coding>'
        )
    body = (f"<Description>{escape(description)}</Description>" if description else "") + codings
    return (
        f'<PlainTextSelection guid="{guid(1000 + number)}" name="sel {number}" '
        f'startPosition="{start}" endPosition="{end}">{body}</PlainTextSelection>'
    )


def span(text: str, passage: str) -> tuple[int, int]:
    start = text.index(passage)
    return start, start + len(passage)


def text_source(
    number: int,
    name: str,
    selections: str,
    *,
    path: str | None = None,
    content: str | None = None,
    values: str = "",
) -> str:
    attributes = f'guid="{guid(100 + number)}" name={quoteattr(name)}'
    if path is not None:
        attributes += f" plainTextPath={quoteattr(path)}"
    inline = f"<PlainTextContent>{escape(content)}</PlainTextContent>" if content is not None else ""
    return f"<TextSource {attributes}>{inline}{selections}{values}</TextSource>"


def project_xml(body: str, *, origin: str = "test", name: str = "Test project") -> str:
    return f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name="{name}" origin="{origin}">{body}</Project>'


def qdpx_bytes(files: dict[str, str | bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of {entry name: text or bytes}, as a tool would write a .qdpx."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return buffer.getvalue()


def write_qdpx(path: Path, files: dict[str, str | bytes]) -> Path:
    path.write_bytes(qdpx_bytes(files))
    return path


def simple_project(
    selections: str, *, text: str = TEXT, people: Sequence[str] = ("AB",), extra: str = ""
) -> dict[str, str | bytes]:
    """One interview source (text in sources/) coded with the realist tree above."""
    source = text_source(1, "Interview 1", selections, path="internal://s1.txt")
    xml = project_xml(users(*people) + codebook() + extra + f"<Sources>{source}</Sources>")
    return {"project.qde": xml, "sources/s1.txt": text}
