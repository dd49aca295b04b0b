"""coprod: the record honest co-production needs.

Importing this package is cheap on purpose: the command line imports the
pieces it needs inside each command, so ``coprod --help`` stays fast.

A plugin marks its hook implementations with :data:`hookimpl`::

    from coprod_core import hookimpl

    @hookimpl
    def coprod_on_event(workspace, event): ...
"""

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["PUBLIC_MODULES", "__version__", "hookimpl", "hookspec"]

#: The modules a plugin may import from, each declaring its names in ``__all__``
#: (docs/api/ documents them). Anything else, and any ``_name``, may change.
PUBLIC_MODULES = (
    "coprod_core", "coprod_core.access", "coprod_core.accounts", "coprod_core.commandline",
    "coprod_core.config", "coprod_core.errors", "coprod_core.files",
    "coprod_core.forms", "coprod_core.hookspecs", "coprod_core.ids", "coprod_core.importing",
    "coprod_core.importing.readers", "coprod_core.lifecycle", "coprod_core.model",
    "coprod_core.people", "coprod_core.plugins", "coprod_core.privacy", "coprod_core.records",
    "coprod_core.registry", "coprod_core.reports", "coprod_core.reports.disclosure",
    "coprod_core.reports.text",
    "coprod_core.serialise", "coprod_core.services", "coprod_core.storage",
    "coprod_core.subject_access", "coprod_core.testing", "coprod_core.testing.conformance",
    "coprod_core.testing.fixtures", "coprod_core.testing.form_strategies",
    "coprod_core.testing.privacy", "coprod_core.testing.reports",
    "coprod_core.testing.strategies", "coprod_core.workspace",
)

if TYPE_CHECKING:
    from .hookspecs import hookimpl, hookspec


def __getattr__(name: str) -> Any:
    # The markers need pluggy: imported when a plugin asks for them, not by ``coprod --help``.
    if name in ("hookimpl", "hookspec"):
        from . import hookspecs

        return getattr(hookspecs, name)
    raise AttributeError(f"module 'coprod_core' has no attribute {name!r}")
