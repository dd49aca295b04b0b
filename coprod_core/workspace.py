"""The Workspace: wiring, the unit of work and the reads every front end uses.

It opens the configuration and the storage backend, and applies each
operation inside one transaction: validation hooks run before every write,
an audit entry records who did what to which records, and event hooks run
after the commit. An error anywhere, from the core or a plugin, rolls the
whole operation back: nothing is half-written.

The commands (adding a participant, moving a commitment...) are services,
one module per record kind in :mod:`coprod_core.services`; the workspace
offers each under its Python API name (``ws.add_participant``).
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import field, frozen

from . import serialise
from .config import CONFIG_NAME, Config, default_toml, write_atomic
from .errors import (
    ConfigError,
    InvalidValue,
    PluginError,
    ValidationFailed,
    WorkspaceNotFound,
)
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


__all__ = ["Event", "Operation", "Workspace", "resolve_actor", "utc_now"]

R = TypeVar("R")
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


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@frozen(kw_only=True)
class Event:
    """Something that happened, passed to ``coprod_on_event`` after the commit."""

    #: ``<thing>.<what happened>``, such as ``"commitment.moved"``.
    name: str
    ids: tuple[str, ...] = field(converter=_strings)
    #: The record as stored after the change (None when it was removed).
    record: Any = None
    at: dt.datetime
    actor: str


class Operation:
    """One unit of work: the writes of one user action, in one transaction."""

    def __init__(self, workspace: Workspace, name: str) -> None:
        self.workspace = workspace
        self.name = name
        self.ids: list[str] = []
        self.events: list[Event] = []
        #: Set when personal data was removed: the backend purges after the commit.
        self.needs_purge = False
        #: Called in order once the transaction committed (removing files, say).
        self.after_commit: list[Callable[[], None]] = []
        hook = workspace.plugins.hook.coprod_validate
        #: None when no plugin validates (bulk writes then skip the call).
        self._validators = hook if hook.get_hookimpls() else None
        self._check_participant: Callable[[Workspace, Any], None] | None = None

    @property
    def storage(self) -> Storage:
        return self.workspace.storage

    def new_id(self, collection: str) -> str:
        return self.workspace.collections.format_id(
            collection, self.storage.next_number(collection))

    def _touch(self, record_id: str) -> None:
        if record_id not in self.ids:
            self.ids.append(record_id)

    def touch(self, record_id: str) -> None:
        """Name ``record_id`` in the operation's audit entry (for writes made directly)."""
        self._touch(record_id)

    def validate(self, collection: str, record: Any, previous: Any = None) -> None:
        """Check consent rules, then ask the plugins' ``coprod_validate`` (through pluggy)."""
        if collection == "participants":
            if self._check_participant is None:
                from .privacy import check_participant

                self._check_participant = check_participant
            self._check_participant(self.workspace, record)
        if not self._validators:
            return
        from .plugins import PluginFailed

        try:
            message = self._validators(
                workspace=self.workspace, operation=self.name, collection=collection,
                record=record, previous=previous)
        except PluginFailed as failure:
            raise PluginError(
                f"plugin {failure.plugin!r} failed while checking {self.name} "
                f"({failure.reason}); nothing was saved"
            ) from failure.__cause__
        if message:
            raise ValidationFailed(f"{getattr(message, 'plugin', 'a plugin')}: {message}")

    def write(self, collection: str, record: R, previous: Any = None) -> R:
        """Validate and store ``record`` (an attrs model object with an ``id``)."""
        self.validate(collection, record, previous)
        self.storage.put(collection, serialise.unstructure(record))
        self._touch(record.id)  # type: ignore[attr-defined]
        return record

    def write_many(self, collection: str, records: Iterable[Any], *,
                   to_doc: Callable[[Any], dict[str, Any]] | None = None) -> int:
        """Validate and store many records in one call to the backend.

        ``to_doc`` may replace :func:`serialise.unstructure` with a faster
        function giving the same documents (bulk imports).
        """
        written: list[str] = []
        validate = self.validate

        def docs() -> Iterator[dict[str, Any]]:
            unstructure = to_doc
            kind = None
            record = None
            for record in records:
                validate(collection, record)
                if to_doc is None and record.__class__ is not kind:
                    # The record class's hook, looked up once (bench/bulk_insert.py).
                    kind = record.__class__
                    unstructure = serialise.unstructurer(kind)
                if not written:
                    written.append(record.id)
                yield unstructure(record)  # type: ignore[misc]
            if record is not None:
                written.append(record.id)

        count = self.storage.put_many(collection, docs())
        if written:
            # A range keeps the audit entry small for bulk writes: "P-1..P-100000".
            self._touch(written[0] if len(written) == 2 and written[0] == written[1]
                        else f"{written[0]}..{written[-1]}")
        return count

    def delete(self, collection: str, record_id: str) -> bool:
        self._touch(record_id)
        return self.storage.delete(collection, record_id)

    def emit(self, name: str, record: Any = None, *extra_ids: str) -> None:
        """Queue an event for the plugins, fired after the commit."""
        record_ids = ((record.id,) if record is not None and hasattr(record, "id") else ())
        for extra_id in extra_ids:
            self._touch(extra_id)
        self.events.append(Event(
            name=name, ids=(*record_ids, *extra_ids), record=record,
            at=self.workspace.now(), actor=self.workspace.actor,
        ))


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
        ws = cls(config, storage, plugins=pm, clock=clock,
                 actor=resolve_actor(actor, config), warn=warn)
        for notice in getattr(storage, "notices", ()):
            ws.warn(notice)
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
        folder = Path(root).expanduser()
        config_path = folder / CONFIG_NAME
        if config_path.exists():
            raise ConfigError(
                f"{folder} is already a coprod workspace; change it with `coprod config set`"
            )
        if folder.exists() and not folder.is_dir():
            raise WorkspaceNotFound(f"{folder} exists and is not a folder")
        created = not folder.exists()
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(config_path, default_toml(org, backend))
        try:
            return cls.open(folder, plugins=plugins, clock=clock, actor=actor)
        except BaseException:
            config_path.unlink(missing_ok=True)
            if created:
                _remove_empty(folder)
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


def _remove_empty(folder: Path) -> None:
    try:
        for child in folder.iterdir():
            child.unlink()
        folder.rmdir()
    except OSError:
        pass
