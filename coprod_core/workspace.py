"""The Workspace: wiring, the unit of work and the reads every front end uses.

It opens the configuration and the storage backend, and applies each
operation inside one transaction: validation hooks run before every write,
an audit entry records who did what to which records, and event hooks run
after the commit. An error anywhere, from the core or a plugin, rolls the
whole operation back: nothing is half-written.

The unit of work itself, :class:`~coprod_core.operation.Operation`, is in
:mod:`coprod_core.operation` (importable from here too). The commands
(adding a participant, moving a commitment...) are services, one module per
record kind in :mod:`coprod_core.services`; the workspace offers each under
its Python API name (``ws.add_participant``).

One piece: opening, the reads and the Python API's names for the services
are the one object a front end holds; the names are one line each.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import serialise
from .config import CONFIG_NAME, Config, default_toml
from .errors import (
    ConfigError,
    CoprodError,
    InvalidValue,
    WorkspaceNotFound,
)
from .files import atomic_write, private_folder, sweep_leftovers
from .model import (
    Authority,
    Commitment,
    CommitmentStatus,
    Participant,
    Session,
    Tension,
    TensionKind,
    TensionStatus,
    parse_choice,
)
from .operation import Event, Operation

# Aliased: the class's reads (``participants()``...) would hide these names.
from .services import commitments as _commitments
from .services import consent as _consent
from .services import erasure as _erasure
from .services import participants as _participants
from .services import sessions as _sessions
from .services import tensions as _tensions
from .storage import Storage

if TYPE_CHECKING:
    from .plugins import CoprodPluginManager
    from .records import Collections

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def resolve_actor(option: str | None, config: Config | None = None) -> str:
    """``--as``, then ``COPROD_USER``, then the config, then the OS user."""
    for candidate in (option, os.environ.get("COPROD_USER"), config and config.actor):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers; an actor is still needed
        return "unknown"


class Workspace:
    """An open workspace: configuration, storage, plugins, clock and actor."""

    def __init__(
        self,
        config: Config,
        storage: Storage,
        *,
        plugins: CoprodPluginManager,
        clock: Clock = utc_now,
        actor: str | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self.storage = storage
        self.plugins = plugins
        #: Every collection this workspace has, the core's and its plugins'.
        self.collections: Collections = plugins.registry.collections
        self.clock = clock
        self.actor = actor or resolve_actor(None, config)
        self.warn = warn or (lambda message: print(f"warning: {message}", file=sys.stderr))
        self._operation: Operation | None = None

    # ------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        root: str | os.PathLike[str] | None = None,
        *,
        plugins: CoprodPluginManager | None = None,
        clock: Clock = utc_now,
        actor: str | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> Workspace:
        """Open the workspace at ``root`` (found as the CLI finds it when None)."""
        from .config import resolve_workspace

        folder = resolve_workspace(root)
        config = Config.from_toml(folder / CONFIG_NAME)
        return cls.from_config(config, plugins=plugins, clock=clock, actor=actor, warn=warn)

    @classmethod
    def from_config(
        cls,
        config: Config,
        *,
        plugins: CoprodPluginManager | None = None,
        clock: Clock = utc_now,
        actor: str | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> Workspace:
        from .plugins import get_plugin_manager

        pm = plugins or get_plugin_manager()
        backend = pm.registry.storage_backend(config)
        # Read before opening, so a plugin's malformed collection fails with nothing open.
        pm.registry.collections  # noqa: B018
        storage = backend.open(config.root, config.storage_options)
        if config.root is not None:
            # Copies a coprod stopped part-way left behind (doctor names what stays).
            sweep_leftovers(config.root)
        ws = cls(config, storage, plugins=pm, clock=clock,
                 actor=resolve_actor(actor, config), warn=warn)
        for notice in getattr(storage, "notices", ()):
            ws.warn(notice)
        # A full disk or a read-only place: reading works, and people are told plainly.
        if getattr(storage, "cannot_save", None):
            ws.warn(storage.cannot_save)
        return ws

    @classmethod
    def create(
        cls,
        root: str | os.PathLike[str],
        *,
        org: str = "",
        backend: str = "sqlite",
        plugins: CoprodPluginManager | None = None,
        clock: Clock = utc_now,
        actor: str | None = None,
    ) -> Workspace:
        """Create a workspace folder with a commented ``coprod.toml`` and open it."""
        # Resolved, as the OS would: ``a/../b`` is ``b`` even when ``a`` does not exist.
        try:
            folder = Path(root).expanduser().resolve()
            config_path = folder / CONFIG_NAME
            exists, is_dir, is_workspace = folder.exists(), folder.is_dir(), config_path.exists()
        except (OSError, ValueError) as exc:
            raise CoprodError(f"cannot create a workspace in {root} ({_reason(exc)})") from None
        if is_workspace:
            raise ConfigError(
                f"{folder} is already a coprod workspace; change it with `coprod config set`"
            )
        if exists and not is_dir:
            raise WorkspaceNotFound(f"{folder} exists and is not a folder")
        created = make_folders(folder)
        try:
            atomic_write(config_path, default_toml(org, backend))
            return cls.open(folder, plugins=plugins, clock=clock, actor=actor)
        except BaseException:
            config_path.unlink(missing_ok=True)
            if created:
                _remove_empty(created[-1])
            remove_folders(created[:-1])
            raise

    @classmethod
    def in_memory(
        cls,
        *,
        org: str = "",
        plugins: CoprodPluginManager | None = None,
        clock: Clock = utc_now,
        actor: str = "test",
        data: Mapping[str, Any] | None = None,
    ) -> Workspace:
        """A workspace with no folder, kept in memory (tests, notebooks)."""
        config_data = {"workspace": {"org": org}, "storage": {"backend": "memory"}}
        config_data.update(data or {})
        config = Config.from_dict(config_data)
        return cls.from_config(config, plugins=plugins, clock=clock, actor=actor)

    def close(self) -> None:
        self.storage.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def root(self) -> Path | None:
        return self.config.root

    # ------------------------------------------------------------ time

    def now(self) -> dt.datetime:
        return self.clock().astimezone(dt.UTC)

    def today(self) -> dt.date:
        return self.now().date()

    def redactor(self, *, names: bool = False) -> Any:
        """What takes out of a report's free text the names of everyone who may not
        be named in it (everyone, unless ``names``): a
        :class:`coprod_core.protection.redaction.Redactor`."""
        from .protection.redaction import Redactor

        return Redactor.for_workspace(self, names=names)

    # ------------------------------------------------------------ operations

    @contextmanager
    def operation(self, name: str) -> Iterator[Operation]:
        """One transaction: all its writes are kept, or none are.

        An operation started inside another joins it (its events fire when
        the outer one commits).
        """
        if self._operation is not None:
            yield self._operation
            return
        op = Operation(self, name)
        self._operation = op
        try:
            with self.storage.transaction():
                yield op
                if op.ids:
                    self.storage.append_audit({
                        "at": self.now().isoformat(), "actor": self.actor,
                        "operation": name, "ids": op.ids,
                    })
        finally:
            self._operation = None
        if op.needs_purge:
            self.storage.purge()
        for step in op.after_commit:
            step()
        self._fire(op.events)

    def _fire(self, events: list[Event]) -> None:
        hook = self.plugins.hook.coprod_on_event
        if not events or not hook.get_hookimpls():
            return
        from .plugins import isolating

        for event in events:
            def report(failure: Any, name: str = event.name) -> None:
                self.warn(f"plugin {failure.plugin!r} failed handling {name} "
                          f"({failure.reason}); the change itself was saved")

            # Every plugin hears of every event, whichever of them fails.
            with isolating("coprod_on_event", report):
                hook(workspace=self, event=event)

    # ------------------------------------------------------------ reading

    def _get(self, collection: str, record_id: str) -> Any:
        canonical = self.collections.parse_id(collection, record_id)
        doc = self.storage.get(collection, canonical)
        if doc is None:
            raise self.collections.not_found(collection, canonical)
        return serialise.structure(collection, doc, self.collections[collection].record_type)

    def _iter(self, collection: str, where: Mapping[str, Any] | None = None) -> Iterator[Any]:
        record_type = self.collections[collection].record_type
        for doc in self.storage.iterate(collection, where):
            yield serialise.structure(collection, doc, record_type)

    def record(self, collection: str, record_id: str) -> Any:
        """One record of any collection, a plugin's included (:mod:`coprod_core.records`)."""
        return self._get(collection, record_id)

    def records(self, collection: str, **where: Any) -> Iterator[Any]:
        """Stream a collection's records whose top-level fields match ``where``
        (equal to the value, or to any item of a list)."""
        return self._iter(collection, where or None)

    def participant(self, record_id: str) -> Participant:
        return self._get("participants", record_id)

    def session(self, record_id: str) -> Session:
        return self._get("sessions", record_id)

    def tension(self, record_id: str) -> Tension:
        return self._get("tensions", record_id)

    def commitment(self, record_id: str) -> Commitment:
        return self._get("commitments", record_id)

    def participants(self, *, role: str | None = None) -> Iterator[Participant]:
        where = None
        if role is not None:
            where = {"role": self.check_role(role)}
        return self._iter("participants", where)

    def sessions(self) -> Iterator[Session]:
        return self._iter("sessions")

    def tensions(self, *, kind: str | None = None, status: str | None = None) -> Iterator[Tension]:
        where: dict[str, Any] = {}
        if kind is not None:
            where["kind"] = parse_choice(TensionKind, kind, "tension kind").value
        if status is not None:
            where["status"] = parse_choice(TensionStatus, status, "tension status").value
        return self._iter("tensions", where)

    def commitments(
        self, *, status: str | None = None, overdue: bool = False,
        authority: str | None = None,
    ) -> Iterator[Commitment]:
        where: dict[str, Any] = {}
        if status is not None:
            where["status"] = parse_choice(CommitmentStatus, status, "commitment status").value
        if authority is not None:
            where["authority"] = parse_choice(Authority, authority, "authority").value
        today = self.today()
        for commitment in self._iter("commitments", where):
            if not overdue or commitment.is_overdue(today):
                yield commitment

    def count(self, collection: str, **where: Any) -> int:
        return self.storage.count(collection, where or None)

    # ------------------------------------------------------------ checks

    def check_role(self, role: str) -> str:
        if role not in self.config.roles:
            raise InvalidValue("role", role, self.config.roles)
        return role

    def existing_id(self, collection: str, record_id: str | None) -> str | None:
        """The canonical id of an existing record, or None when ``record_id`` is None.

        Raises :class:`~coprod_core.errors.NotFound` when there is no such record.
        """
        if record_id is None:
            return None
        canonical = self.collections.parse_id(collection, record_id)
        if self.storage.get(collection, canonical) is None:
            raise self.collections.not_found(collection, canonical)
        return canonical

    # ------------------------------------------------------------ commands
    #
    # The services (coprod_core.services) under the Python API's names: each
    # is a function taking the workspace first, so it is a method here as it
    # stands, with its own signature and docstring. The rules live there only.

    add_participant = _participants.add
    add_participants = _participants.add_many
    update_participant = _participants.update
    record_consent = _consent.record
    erase_participant = _erasure.erase
    new_session = _sessions.new
    update_session = _sessions.update
    attend = _sessions.attend
    rate = _sessions.rate
    raise_tension = _tensions.raise_
    move_tension = _tensions.move
    make_commitment = _commitments.make
    move_commitment = _commitments.move
    update_commitment = _commitments.update

    # ------------------------------------------------------------ audit

    def audit(self) -> Iterator[dict[str, Any]]:
        return self.storage.iterate_audit()


def make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and any missing parents; the folders created, outermost first.

    The path is resolved first, so ``a/../b`` creates ``b`` alone, not an
    ``a`` left behind; what was created can be removed again on failure
    with :func:`remove_folders`.
    """
    try:
        target = Path(folder).resolve()
        missing = [p for p in (target, *target.parents) if not p.exists()]
    except (OSError, ValueError) as exc:
        raise CoprodError(f"cannot create the folder {folder} ({_reason(exc)})") from None
    missing.reverse()
    try:
        for path in missing:
            private_folder(path)  # 0700 whatever the umask: a workspace holds personal data
    except OSError as exc:
        remove_folders(missing)
        raise CoprodError(f"cannot create the folder {folder} ({_reason(exc)})") from None
    except BaseException:
        remove_folders(missing)
        raise
    return missing


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def remove_folders(folders: list[Path]) -> None:
    """Remove the folders :func:`make_folders` created, innermost first, if still empty."""
    for path in reversed(folders):
        with suppress(OSError):
            path.rmdir()


def _remove_empty(folder: Path) -> None:
    try:
        for child in folder.iterdir():
            child.unlink()
        folder.rmdir()
    except OSError:
        pass
