"""Pictures the HTML report draws itself as inline SVG: a programme-theory diagram and the convergence matrix."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cmo.across.compare import Comparison
from cmo.across.matching import Concept
from cmo.core.words import numbered
from cmo.render.escape import esc
from cmo.render.view import DIAGRAM_COLUMNS, Diagram, Node

FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Liberation Sans', sans-serif"
INK, MUTED, RULE = "#1f2933", "#52606d", "#d9dee5"

# Column title, box fill, box stroke: one hue per part of a CMOC, the same in every diagram.
COLUMNS: dict[str, tuple[str, str, str]] = {
    "context": ("Context", "#eaf1fb", "#3f6aa6"),
    "resource": ("Mechanism: resource", "#e5f4f0", "#23806e"),
    "mechanism": ("Mechanism", "#efebf9", "#634aa0"),
    "reasoning": ("Mechanism: reasoning", "#f7eaf4", "#98457f"),
    "outcome": ("Outcome", "#fdf0e2", "#b4671d"),
}
CHAIN_COLOUR = "#b4671d"

# Theory diagram geometry, in px; labels wrap at a width that fits 12px text into a box.
BOX_W, COLUMN_GAP, MARGIN, TOP = 176, 76, 44, 44
LINE_H, BOX_PAD, NODE_GAP, WRAP, SWEEPS = 15, 9, 16, 26, 4


def num(value: float) -> str:
    """A coordinate written the same way on every run: at most one decimal, no trailing zero."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width, break_long_words=True) or [""]


def _open(width: float, height: float, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {num(width)} {num(height)}" '
        f'width="{num(width)}" height="{num(height)}" role="img" font-family="{esc(FONT)}" font-size="12">',
        f"<title>{esc(title)}</title>",
        f"<desc>{esc(desc)}</desc>",
    ]


def _lines(lines: Sequence[str], x: float, y: float, anchor: str = "middle", **attrs: str) -> str:
    """A multi-line <text>: first baseline at y, one tspan per line."""
    attrs = {"fill": INK, **attrs}
    extra = "".join(f' {key.replace("_", "-")}="{esc(value)}"' for key, value in attrs.items())
    spans = "".join(
        f'<tspan x="{num(x)}" dy="{0 if i == 0 else LINE_H}">{esc(line)}</tspan>' for i, line in enumerate(lines)
    )
    return f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}"{extra}>{spans}</text>'


@dataclass(frozen=True)
class _Box:
    node: Node
    x: float
    y: float
    h: float
    lines: tuple[str, ...]

    @property
    def middle(self) -> float:
        return self.y + self.h / 2


def edge_width(count: int) -> float:
    """Stroke width of an edge drawn by `count` CMOCs: wider for more, within what stays readable."""
    return min(1.2 + 1.3 * (count - 1), 10.0)


def _place(columns: Sequence[str], order: dict[str, list[Node]]) -> tuple[dict[Node, _Box], float]:
    """Each node's box, columns stacked top-down and centred on the tallest; and that column's height."""
    wrapped = {node: tuple(wrap(node.label, WRAP)) for column in columns for node in order[column]}
    heights = {
        column: sum(len(wrapped[n]) * LINE_H + 2 * BOX_PAD for n in order[column]) + NODE_GAP * (len(order[column]) - 1)
        for column in columns
    }
    body = max(heights.values(), default=0.0)
    boxes: dict[Node, _Box] = {}
    for i, column in enumerate(columns):
        x = MARGIN + i * (BOX_W + COLUMN_GAP)
        y = TOP + (body - heights[column]) / 2
        for node in order[column]:
            h = len(wrapped[node]) * LINE_H + 2 * BOX_PAD
            boxes[node] = _Box(node, x, y, h, wrapped[node])
            y += h + NODE_GAP
    return boxes, body


def _barycentre(node: Node, near: Sequence[tuple[Node, int]], boxes: dict[Node, _Box]) -> tuple[float, str, str]:
    """Where a node wants to sit: the mean height of its neighbours, weighted by CMOCs; ties by label."""
    if not near:
        return boxes[node].middle, node.label.lower(), node.code
    middle = sum(boxes[n].middle * count for n, count in near) / sum(count for _, count in near)
    return middle, node.label.lower(), node.code


def _layout(diagram: Diagram) -> tuple[list[str], dict[Node, _Box], float]:
    """Columns that have nodes, each node's box, and the body height.

    Nodes are ordered within their column by the weighted mean height of their neighbours (a few
    left-right and right-left sweeps, ties by label), which keeps edges short and crossings few.
    """
    columns = [c for c in DIAGRAM_COLUMNS if diagram.columns.get(c)]
    order = {c: list(diagram.columns[c]) for c in columns}
    incoming: dict[Node, list[tuple[Node, int]]] = {}
    outgoing: dict[Node, list[tuple[Node, int]]] = {}
    for (a, b), count in diagram.edges.items():
        outgoing.setdefault(a, []).append((b, count))
        incoming.setdefault(b, []).append((a, count))
    for sweep in range(SWEEPS):
        neighbours, sequence = (incoming, columns[1:]) if sweep % 2 == 0 else (outgoing, columns[-2::-1])
        for column in sequence:
            boxes, _ = _place(columns, order)
            order[column].sort(key=lambda node: _barycentre(node, neighbours.get(node, []), boxes))
    boxes, body = _place(columns, order)
    return columns, boxes, body


def _gaps(boxes: dict[Node, _Box], body: float) -> dict[float, list[tuple[float, float]]]:
    """Per column (by its x), the free vertical stretches an edge crossing that column can pass through."""
    by_x: dict[float, list[_Box]] = {}
    for box in boxes.values():
        by_x.setdefault(box.x, []).append(box)
    gaps: dict[float, list[tuple[float, float]]] = {}
    for x, column in by_x.items():
        column.sort(key=lambda b: b.y)
        edges = [TOP - 10.0] + [v for b in column for v in (b.y, b.y + b.h)] + [TOP + body + 10.0]
        gaps[x] = [(edges[k], edges[k + 1]) for k in range(0, len(edges), 2)]
    return gaps


def _through(gaps: list[tuple[float, float]], wanted: float) -> float:
    """The height nearest `wanted` at which an edge passes a column without crossing a box."""
    heights = [min(max(wanted, low + 4), high - 4) if high - low > 8 else (low + high) / 2 for low, high in gaps]
    return min(heights, key=lambda h: (abs(h - wanted), h))


def _route(points: Sequence[tuple[float, float]]) -> str:
    """A path through points: curves between columns, straight runs through a column's gap."""
    path = f"M{num(points[0][0])} {num(points[0][1])}"
    for k in range(1, len(points)):
        (xa, ya), (xb, yb) = points[k - 1], points[k]
        if k % 2 == 0 and len(points) > 2 and k < len(points) - 1:
            path += f" L{num(xb)} {num(yb)}"
            continue
        bend = (xb - xa) / 2
        path += f" C{num(xa + bend)} {num(ya)} {num(xb - bend)} {num(yb)} {num(xb)} {num(yb)}"
    return path


def _ports(boxes: dict[Node, _Box], edges: Iterable[tuple[Node, Node]]) -> dict[tuple[Node, Node], tuple[float, float]]:
    """Where each edge leaves its source and enters its target: spread along the box sides to untangle them."""
    outgoing: dict[Node, list[tuple[Node, Node]]] = {}
    incoming: dict[Node, list[tuple[Node, Node]]] = {}
    for a, b in edges:
        outgoing.setdefault(a, []).append((a, b))
        incoming.setdefault(b, []).append((a, b))

    def spread(box: _Box, ends: list[tuple[Node, Node]], other: int) -> dict[tuple[Node, Node], float]:
        ends = sorted(ends, key=lambda e: (boxes[e[other]].middle, boxes[e[other]].x, e[other].code))
        step = (box.h - 12) / len(ends)
        return {edge: box.y + 6 + step * (k + 0.5) for k, edge in enumerate(ends)}

    starts = {e: y for node, ends in outgoing.items() for e, y in spread(boxes[node], ends, 1).items()}
    stops = {e: y for node, ends in incoming.items() for e, y in spread(boxes[node], ends, 0).items()}
    return {edge: (starts[edge], stops[edge]) for edge in starts}


def _arrow(x: float, y: float, size: float, colour: str, opacity: str = "1") -> str:
    points = f"{num(x)},{num(y)} {num(x - size)},{num(y - size / 2)} {num(x - size)},{num(y + size / 2)}"
    return f'<polygon points="{points}" fill="{colour}" fill-opacity="{opacity}"/>'


def _edges(diagram: Diagram, boxes: dict[Node, _Box], body: float) -> list[str]:
    ports = _ports(boxes, diagram.edges)
    gaps = _gaps(boxes, body)
    out = []
    # Thin edges first so the strong ones are drawn on top.
    order = sorted(diagram.edges.items(), key=lambda e: (e[1], boxes[e[0][0]].x, e[0][0].code, e[0][1].code))
    for (a, b), count in order:
        y1, y2 = ports[a, b]
        x1, x2 = boxes[a].x + BOX_W, boxes[b].x
        width = edge_width(count)
        head = 6 + width
        points = [(x1, y1)]
        for x in sorted(x for x in gaps if x1 < x < x2):  # columns the edge skips: pass them between boxes
            wanted = y1 + (y2 - y1) * (x + BOX_W / 2 - x1) / (x2 - x1)
            y = _through(gaps[x], wanted)
            points += [(x, y), (x + BOX_W, y)]
        points.append((x2 - head, y2))
        colour = COLUMNS[a.column][2]
        cmocs = numbered(count, "CMOC")
        out.append(
            f'<g class="edge" data-cmocs="{count}"><title>{esc(a.label)} → {esc(b.label)}: {cmocs}</title>'
            f'<path d="{_route(points)}" fill="none" stroke="{colour}" stroke-opacity="0.5" '
            f'stroke-width="{num(width)}"/>{_arrow(x2, y2, head, colour, "0.7")}</g>'
        )
    return out


def _chains(diagram: Diagram, boxes: dict[Node, _Box], bottom: float) -> list[str]:
    """CMOC links, outcome -> context of the linked CMOC, as dashed loops under the diagram."""
    out = []
    order = sorted(diagram.chains.items(), key=lambda e: (boxes[e[0][0]].middle, e[0][0].code, e[0][1].code))
    for lane, ((a, b), count) in enumerate(order):
        source, target = boxes[a], boxes[b]
        x1, y1, x2, y2 = source.x + BOX_W, source.middle, target.x, target.middle
        low, reach = bottom + 18 + lane * 12, 22 + lane * 4
        path = (
            f"M{num(x1)} {num(y1)} C{num(x1 + reach)} {num(y1)} {num(x1 + reach)} {num(low)} {num(x1)} {num(low)} "
            f"L{num(x2)} {num(low)} C{num(x2 - reach)} {num(low)} {num(x2 - reach)} {num(y2)} {num(x2 - 8)} {num(y2)}"
        )
        links = numbered(count, "link")
        out.append(
            f'<g class="chain" data-links="{count}"><title>{esc(a.label)} ⇢ {esc(b.label)}: {links} between CMOCs</title>'
            f'<path d="{path}" fill="none" stroke="{CHAIN_COLOUR}" stroke-width="1.6" stroke-dasharray="6 4"/>'
            f"{_arrow(x2, y2, 8, CHAIN_COLOUR)}</g>"
        )
    return out


def _node(box: _Box) -> str:
    _, fill, stroke = COLUMNS[box.node.column]
    first = box.y + BOX_PAD + 11
    return (
        f'<g class="node" data-column="{esc(box.node.column)}" data-code="{esc(box.node.code)}">'
        f"<title>{esc(box.node.label)} ({esc(box.node.code)})</title>"
        f'<rect x="{num(box.x)}" y="{num(box.y)}" width="{BOX_W}" height="{num(box.h)}" rx="8" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="1.2"/>'
        f"{_lines(box.lines, box.x + BOX_W / 2, first)}</g>"
    )


def _diagram_legend(y: float, with_chains: bool) -> list[str]:
    out = [f'<g class="legend" fill="{MUTED}" font-size="11">']
    x = MARGIN
    for count, label in ((1, "1 CMOC"), (3, "3 CMOCs"), (5, "5 CMOCs")):
        out.append(
            f'<line x1="{x}" y1="{num(y - 4)}" x2="{x + 28}" y2="{num(y - 4)}" stroke="#8a94a6" '
            f'stroke-width="{num(edge_width(count))}"/><text x="{x + 34}" y="{num(y)}">{label}</text>'
        )
        x += 100
    if with_chains:
        out.append(
            f'<line x1="{x}" y1="{num(y - 4)}" x2="{x + 28}" y2="{num(y - 4)}" stroke="{CHAIN_COLOUR}" '
            f'stroke-width="1.6" stroke-dasharray="6 4"/><text x="{x + 34}" y="{num(y)}">CMOC chain (links)</text>'
        )
    out.append("</g>")
    return out


def theory_diagram(diagram: Diagram, title: str) -> str:
    """Contexts -> mechanisms (resource -> reasoning) -> outcomes; edge width = CMOCs drawing it, chains dashed."""
    columns, boxes, body = _layout(diagram)
    counts = {column: len(diagram.columns[column]) for column in columns}
    desc = "; ".join(f"{n} {COLUMNS[c][0].lower()}" for c, n in counts.items()) or "no codes"
    desc += f"; {numbered(len(diagram.edges), 'edge')} between them; {numbered(len(diagram.chains), 'chain')} between CMOCs."
    if not columns:
        return "\n".join([*_open(360, 60, title, desc), _lines(["No codes to draw."], 180, 34), "</svg>"])
    bottom = TOP + body
    chains_h = 18 + 12 * len(diagram.chains) if diagram.chains else 0
    legend_y = bottom + chains_h + 30
    width = 2 * MARGIN + len(columns) * BOX_W + (len(columns) - 1) * COLUMN_GAP
    out = _open(width, legend_y + 14, title, desc)
    for i, column in enumerate(columns):
        name, _, stroke = COLUMNS[column]
        x = MARGIN + i * (BOX_W + COLUMN_GAP) + BOX_W / 2
        out.append(
            _lines([name.upper()], x, 22, fill=stroke, font_weight="700", font_size="11", letter_spacing="0.06em")
        )
    out += _edges(diagram, boxes, body)
    out += _chains(diagram, boxes, bottom)
    out += [_node(box) for box in boxes.values()]
    out += _diagram_legend(legend_y, bool(diagram.chains))
    out.append("</svg>")
    return "\n".join(out)


# Convergence matrix: the order roles are read in a realist comparison, and how each match is drawn.
MATRIX_ROLES = ("mechanism", "context", "outcome", "enabler", "barrier", "intervention", "actor")
ROLE_PLURALS = {
    "mechanism": "Mechanisms",
    "context": "Contexts",
    "outcome": "Outcomes",
    "enabler": "Enablers",
    "barrier": "Barriers",
    "intervention": "Interventions",
    "actor": "Actors",
}
MATCH_STYLES: dict[str, tuple[str, str]] = {  # kind -> (colour, legend text)
    "same-id": ("#23806e", "same code id"),
    "same-as": ("#3f6aa6", "declared same_as in a codebook"),
    "fuzzy": ("#c27c0e", "fuzzy label match (similarity score): a suggestion"),
    "one": ("#8a94a6", "in one programme only"),
}
LABEL_W, CELL_W, MATCH_W, ROW_PAD, GROUP_H, LABEL_WRAP = 400, 150, 120, 6, 28, 60


def _kind(concept: Concept) -> str:
    return concept.match.value if concept.match else "one"


def _marker(kind: str, x: float, y: float) -> str:
    colour = MATCH_STYLES[kind][0]
    if kind == "same-id":
        return f'<circle cx="{num(x)}" cy="{num(y)}" r="7" fill="{colour}"/>'
    if kind == "same-as":
        points = f"{num(x)},{num(y - 8)} {num(x + 8)},{num(y)} {num(x)},{num(y + 8)} {num(x - 8)},{num(y)}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if kind == "fuzzy":
        return f'<circle cx="{num(x)}" cy="{num(y)}" r="6" fill="#fff" stroke="{colour}" stroke-width="2.5"/>'
    return f'<rect x="{num(x - 6)}" y="{num(y - 6)}" width="12" height="12" rx="2" fill="{colour}"/>'


def _concept_label(concept: Concept) -> str:
    return " = ".join(dict.fromkeys(concept.labels.values()))


def _matrix_row(concept: Concept, programmes: Sequence[str], y: float, stripe: bool) -> tuple[list[str], float]:
    lines = wrap(_concept_label(concept), LABEL_WRAP)
    h = len(lines) * LINE_H + 2 * ROW_PAD
    kind = _kind(concept)
    right = LABEL_W + CELL_W * len(programmes)
    out = [f'<g class="row" data-match="{esc(kind)}">']
    codes = ", ".join(f"{p}: {c}" for p, c in concept.codes.items())
    out.append(f"<title>{esc(_concept_label(concept))} ({esc(codes)}; {esc(concept.explain())})</title>")
    if stripe:
        out.append(f'<rect x="0" y="{num(y)}" width="{num(right + MATCH_W)}" height="{num(h)}" fill="#f6f8fa"/>')
    out.append(_lines(lines, LABEL_W - 12, y + ROW_PAD + 11, anchor="end"))
    middle = y + h / 2
    for i, programme in enumerate(programmes):
        if programme in concept.codes:
            x = LABEL_W + CELL_W * (i + 0.5)
            out.append(_marker(kind, x, middle))
            if kind == "fuzzy":  # the score at the mark itself, so a fuzzy match is never read as a certain one
                out.append(
                    f'<text x="{num(x + 11)}" y="{num(middle + 4)}" font-size="10" fill="{MATCH_STYLES[kind][0]}">'
                    f"{concept.score or 0:.0f}</text>"
                )
    colour = MATCH_STYLES[kind][0]
    match = concept.explain() if concept.match else "one programme"
    weight = ' font-weight="700"' if kind == "fuzzy" else ""
    out.append(f'<text x="{num(right + 12)}" y="{num(middle + 4)}" fill="{colour}"{weight}>{esc(match)}</text></g>')
    return out, h


def convergence_matrix(comparison: Comparison) -> str:
    """Concepts (rows, grouped by role) x programmes (columns): which programme has which, and how they matched."""
    programmes = comparison.programmes
    heads = [wrap(p, 20) for p in programmes]
    header_h = 14 + LINE_H * max((len(h) for h in heads), default=1)
    width: float = LABEL_W + CELL_W * len(programmes) + MATCH_W
    body: list[str] = []
    y: float = header_h + 8
    total = 0
    for role in MATRIX_ROLES:
        concepts = comparison.codes.get(role, [])
        if not concepts:
            continue
        body.append(
            f'<text x="{LABEL_W - 12}" y="{num(y + 19)}" text-anchor="end" fill="{MUTED}" font-weight="700" '
            f'font-size="11" letter-spacing="0.06em">{esc(ROLE_PLURALS[role].upper())}</text>'
            f'<line x1="0" y1="{num(y + GROUP_H - 2)}" x2="{num(width)}" y2="{num(y + GROUP_H - 2)}" stroke="{RULE}"/>'
        )
        y += GROUP_H
        for k, concept in enumerate(concepts):
            row, h = _matrix_row(concept, programmes, y, k % 2 == 1)
            body += row
            y += h
            total += 1
    legend_y = y + 30
    legend = [f'<g class="legend" font-size="11" fill="{MUTED}">']
    x = 12.0
    for kind, (_, text) in MATCH_STYLES.items():
        legend.append(
            _marker(kind, x + 6, legend_y - 4) + f'<text x="{num(x + 20)}" y="{num(legend_y)}">{esc(text)}</text>'
        )
        x += 34 + 5.6 * len(text)
    legend.append("</g>")
    width = max(width, x)
    title = "Convergence matrix: " + " and ".join(programmes)
    desc = f"{total} concepts across {len(programmes)} programmes, grouped by role; markers show how codes matched."
    out = _open(width, legend_y + 14, title, desc)
    for i, lines in enumerate(heads):
        out.append(_lines(lines, LABEL_W + CELL_W * (i + 0.5), 18, font_weight="700"))
    out.append(
        _lines(["match"], LABEL_W + CELL_W * len(programmes) + 12, 18, anchor="start", font_weight="700", fill=MUTED)
    )
    out += body
    out += legend
    out.append("</svg>")
    return "\n".join(out)
