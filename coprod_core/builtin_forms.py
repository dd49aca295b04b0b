"""The plugin registering the built-in field types of intake forms.

It lives outside the :mod:`coprod_core.forms` package on purpose: loading an
entry point imports its package first, and every ``coprod`` command loads
the built-in plugins, so the forms package (attrs classes, json, hashlib) is
imported only when forms are used.
"""

from __future__ import annotations

from typing import Any

from coprod_core import hookimpl

__version__ = "0.1.0"


@hookimpl
def coprod_register_field_types(register: Any) -> None:
    from coprod_core.forms.types import BUILTIN_TYPES

    for name, field_type in BUILTIN_TYPES.items():
        register(name, field_type)
