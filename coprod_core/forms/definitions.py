"""A workspace's answer definitions, from its forms (:mod:`coprod_core.protection.definitions`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..protection.definitions import Definitions, from_forms

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["definitions"]


def definitions(ws: Workspace) -> Definitions:
    """The definitions of ``ws``'s forms, worked out once per open workspace.

    A broken form is an error here too: protection must not lapse quietly.
    """
    cached: Definitions | None = getattr(ws, "_answer_definitions", None)
    if cached is None:
        from .submit import catalogue

        cached = from_forms(catalogue(ws).forms.values())
        # Kept on the workspace it describes: its forms change only with its config.
        ws._answer_definitions = cached  # type: ignore[attr-defined]
    return cached
