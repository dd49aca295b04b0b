"""Import a Citizen Space "We asked, you said, we did" spreadsheet.

Each row is one consultation: what was asked becomes a session, what people
said a tension raised in it, and what was done a delivered promise answering
that tension. See README.md for the columns.
"""

from __future__ import annotations

from typing import Any

from coprod_core import hookimpl

__version__ = "0.1.0"


@hookimpl
def coprod_register_importers(register: Any) -> None:
    # Imported here, not at the top: every `coprod` command loads this plugin,
    # and only `coprod import-from` needs the importer.
    from .importer import WeAskedYouSaidWeDid

    register("citizenspace", WeAskedYouSaidWeDid())
