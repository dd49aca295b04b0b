"""The built-in field types, registered like any plugin's."""

from __future__ import annotations

from typing import Any

import pluggy

hookimpl = pluggy.HookimplMarker("coprod")

__version__ = "0.1.0"


@hookimpl
def coprod_register_field_types(register: Any) -> None:
    from .types import BUILTIN_TYPES

    for name, field_type in BUILTIN_TYPES.items():
        register(name, field_type)
