"""mkdocs hooks: show the docstrings' Sphinx roles as plain code.

The docstrings are written for Python's ``help()`` and Sphinx
(``:class:`~coprod_core.storage.Storage```); mkdocstrings shows the role's
text literally. This turns ``:class:`~a.b.C``` into ``C`` and
``:func:`a.b``` into ``a.b``, each as code.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:attr|class|data|exc|func|meth|mod|obj):<code>(~?)([^<]*)</code>")


def _plain(match: re.Match[str]) -> str:
    short, target = match.groups()
    return f"<code>{target.rsplit('.', 1)[-1] if short else target}</code>"


def on_page_content(html: str, **kwargs: Any) -> str:
    return _ROLE.sub(_plain, html)
