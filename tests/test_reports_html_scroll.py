"""The HTML report's scrolling tables can be reached with the keyboard (WCAG 2.1.1)."""

from __future__ import annotations

import re

from coprod_core.reports import Params, build, format_named, render_bytes


def test_every_scrolling_region_is_a_labelled_focusable_region(memory_workspace):
    ws = memory_workspace
    person = ws.add_participant("Dev", role="commissioner")
    ws.make_commitment("Publish minutes", made_by=person.id, authority="can_decide")
    ws.move_commitment("C-1", "agreed")
    html = render_bytes(build(ws, "commitments", Params()), format_named(ws.plugins, "html"),
                        {"workspace": ws}).decode("utf-8")
    wraps = re.findall(r'<div class="table-wrap"[^>]*>', html)
    assert len(wraps) >= 2
    for tag in wraps:
        assert 'tabindex="0"' in tag and 'role="region"' in tag
        assert re.search(r'aria-label="[^"]+"', tag)
