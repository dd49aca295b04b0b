"""The built-in field types' plugin; it lives in :mod:`coprod_core.builtin_forms`.

The entry point names that module, so that loading the built-in plugins does
not import this package. This name is kept for code that imported it here.
"""

from coprod_core.builtin_forms import __version__, coprod_register_field_types, hookimpl

__all__ = ["__version__", "coprod_register_field_types", "hookimpl"]
