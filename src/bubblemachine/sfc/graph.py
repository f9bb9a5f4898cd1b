"""The dependency graph of a compiled model as a self-contained HTML page (inline SVG, no scripts).

Each variable is a node; an arrow u -> v means v's equation uses u in the same period. Blocks
are laid out left to right in evaluation order (column = longest chain of blocks before it);
a simultaneous block is drawn as a shaded box around its variables, its tear variables in bold.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from bubblemachine._io import atomic_write_text
from bubblemachine.sfc.compiler import CompiledModel

_COLW, _ROWH, _NODEW, _NODEH, _PAD = 170, 34, 130, 24, 30


def graph_html(cm: CompiledModel) -> str:
    """Render the dependency graph and block list of ``cm`` as one HTML string."""
    m = cm.model
    block_of = {v: b.index for b in cm.blocks for v in b.variables}
    level: dict[int, int] = {}
    for b in cm.blocks:  # blocks are in topological order
        preds = {block_of[u] for v in b.variables for u in cm.deps[v] if block_of[u] != b.index}
        level[b.index] = 1 + max((level[p] for p in preds), default=-1)
    columns: dict[int, list[str]] = {}
    for b in cm.blocks:
        columns.setdefault(level[b.index], []).extend(b.variables)
    pos: dict[str, tuple[float, float]] = {}
    for lv, names in columns.items():
        for i, v in enumerate(names):
            pos[v] = (_PAD + lv * _COLW, _PAD + i * _ROWH)
    width = _PAD * 2 + (max(columns) + 1) * _COLW
    height = _PAD * 2 + max(len(v) for v in columns.values()) * _ROWH
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           '<defs><marker id="a" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#888"/></marker></defs>']
    for b in cm.blocks:
        if not b.cyclic:
            continue
        xs = [pos[v][0] for v in b.variables]
        ys = [pos[v][1] for v in b.variables]
        svg.append(f'<rect x="{min(xs) - 8}" y="{min(ys) - 6}" width="{_NODEW + 16}" height="{max(ys) - min(ys) + _NODEH + 12}" rx="8" fill="#fde8c8" stroke="#e0a040"><title>block {b.index}: simultaneous, tears {escape(", ".join(b.tears))}</title></rect>')
    for v in m.equations:
        x2, y2 = pos[v]
        for u in sorted(cm.deps[v]):
            x1, y1 = pos[u]
            if x1 == x2:  # same column (inside a block): a curve to the left
                svg.append(f'<path d="M{x1},{y1 + _NODEH / 2} C{x1 - 30},{y1 + _NODEH / 2} {x2 - 30},{y2 + _NODEH / 2} {x2},{y2 + _NODEH / 2}" fill="none" stroke="#bbb" marker-end="url(#a)"/>')
            else:
                svg.append(f'<line x1="{x1 + _NODEW}" y1="{y1 + _NODEH / 2}" x2="{x2}" y2="{y2 + _NODEH / 2}" stroke="#bbb" marker-end="url(#a)"/>')
    tears = {t for b in cm.blocks for t in b.tears}
    for v, (x, y) in pos.items():
        eq = m.equations[v]
        weight = "bold" if v in tears else "normal"
        svg.append(f'<g><title>{escape(v)} = {escape(eq.text)}{" (" + escape(eq.doc) + ")" if eq.doc else ""}</title>'
                   f'<rect x="{x}" y="{y}" width="{_NODEW}" height="{_NODEH}" rx="4" fill="#fff" stroke="#446"/>'
                   f'<text x="{x + 6}" y="{y + 16}" font-weight="{weight}">{escape(v)}</text></g>')
    svg.append("</svg>")
    rows = "".join(
        f"<tr><td>{b.index}</td><td>{'simultaneous' if b.cyclic else 'direct'}</td><td>{escape(', '.join(b.variables))}</td>"
        f"<td>{escape(', '.join(b.tears))}</td></tr>" for b in cm.blocks
    )
    title = escape(f"{m.name}: dependency graph")
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
        "<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}"
        ".wrap{overflow:auto;border:1px solid #eee}</style></head><body>"
        f"<h1>{title}</h1><p>{escape(m.description)}</p>"
        f"<p>{len(m.equations)} equations in {len(cm.blocks)} blocks, {len(cm.cycles())} simultaneous (shaded; tear variables in bold). "
        "An arrow u &rarr; v: v's equation uses u in the same period. Hover a node for its equation.</p>"
        f"<div class='wrap'>{''.join(svg)}</div>"
        f"<h2>Blocks in evaluation order</h2><table><tr><th>block</th><th>kind</th><th>variables</th><th>tears</th></tr>{rows}</table>"
        "</body></html>"
    )


def write_graph_html(cm: CompiledModel, path: str | Path) -> Path:
    """Write :func:`graph_html` to ``path`` atomically."""
    atomic_write_text(path, graph_html(cm))
    return Path(path)
