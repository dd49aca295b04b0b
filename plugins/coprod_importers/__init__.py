"""The built-in importers: Decidim results and registrations, Loomio, spreadsheets.

Registered through the ``coprod`` entry-point group like any plugin, with
``coprod_register_importers``. Each source's module is imported only when
``coprod import-from`` uses it.
"""

from __future__ import annotations

import importlib
from typing import Any

from coprod_core import hookimpl

__version__ = "0.1.0"

#: Importer name -> (module, class).
SOURCES = {
    "decidim-results": ("decidim", "DecidimResults"),
    "decidim-registrations": ("decidim", "DecidimRegistrations"),
    "loomio": ("loomio", "LoomioGroup"),
    "csv": ("spreadsheet", "Spreadsheet"),
}


@hookimpl
def coprod_register_importers(register: Any) -> None:
    for name, (module, cls) in SOURCES.items():
        importer = getattr(importlib.import_module(f"{__name__}.{module}"), cls)()
        register(name, importer)
