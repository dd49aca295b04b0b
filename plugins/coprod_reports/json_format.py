"""The ``json`` format: the report document itself, with a versioned schema.

The schema is ``docs/report-schema.json`` (JSON Schema 2020-12); its
``schema_version`` changes only when a field is removed or changes meaning.
A hidden cell is ``{"hidden": true}``; a cell with no value is ``null``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any

from coprod_core.reports import Chart, Hidden, Metrics, Paragraph, Report, Table
from coprod_core.reports.text import show

SCHEMA = "https://coprod.example/report-schema.json"
SCHEMA_VERSION = 1


def cell(value: Any) -> Any:
    if isinstance(value, Hidden):
        return {"hidden": True}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def _block(block: Any) -> Iterator[str]:
    if isinstance(block, Paragraph):
        yield _dump({"type": "paragraph", "style": block.style, "text": block.fill(show),
                     "figures": {k: {"value": cell(f.value), "value_type": f.type.value}
                                 for k, f in block.figures.items()}})
    elif isinstance(block, Metrics):
        yield _dump({"type": "metrics", "title": block.title, "items": [
            {"label": m.label, "value": cell(m.value), "value_type": m.type.value,
             "note": m.note} for m in block.items]})
    elif isinstance(block, Chart):
        yield _dump({"type": "chart", "chart": block.kind, "title": block.title,
                     "alt": block.alt, "axis": block.axis, "maximum": block.maximum,
                     "value_type": block.type.value, "labels": list(block.labels),
                     "series": [{"name": s.name, "values": [cell(v) for v in s.values]}
                                for s in block.series]})
    elif isinstance(block, Table):
        head = {"type": "table", "title": block.title, "description": block.description,
                "empty": block.empty,
                "columns": [{"key": c.key, "label": c.label, "type": c.type.value,
                             "total_of": list(c.total_of)} for c in block.columns],
                "totals": None if block.totals is None else [cell(v) for v in block.totals]}
        yield _dump(head)[:-1] + ', "rows": ['
        first = True
        for row in block.rows:
            yield ("" if first else ", ") + _dump([cell(v) for v in row])
            first = False
        yield "]}"


def render(report: Report, options: Mapping[str, Any]) -> Iterator[bytes]:
    disclosure = report.disclosure
    head = {
        "$schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "kind": report.kind,
        "title": report.title,
        "organisation": report.organisation,
        "period": {"from": report.period_from and report.period_from.isoformat(),
                   "to": report.period_to and report.period_to.isoformat()},
        "parameters": dict(report.parameters),
        "generated_at": report.generated_at.isoformat(),
        "summary": report.summary,
        "disclosure": None if disclosure is None else {
            "applied": disclosure.applied, "threshold": disclosure.threshold,
            "rounding": disclosure.rounding, "note": disclosure.note},
    }
    yield (_dump(head)[:-1] + ', "sections": [').encode("utf-8")
    for i, section in enumerate(report.sections):
        prefix = ", " if i else ""
        yield f'{prefix}{{"title": {_dump(section.title)}, "blocks": ['.encode()
        for j, block in enumerate(section.blocks):
            if j:
                yield b", "
            for piece in _block(block):
                yield piece.encode("utf-8")
        yield b"]}"
    yield b"]}\n"
