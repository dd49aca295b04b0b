"""What the command modules share: the open workspace, dates, JSON and tables."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from coprod_core.text import visible

if TYPE_CHECKING:
    from coprod_core.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """The root options, and the workspace once a command opens it.

    A plain class, not attrs: plugin command modules import this module on
    every ``coprod --help``, which must not pay for importing attrs.
    """

    def __init__(self, workspace: str | None = None, actor: str | None = None,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.workspace = workspace
        self.actor = actor
        self.opened: Workspace | None = None
        #: The clock the workspace uses; None for the real time (tests pass a fake one).
        self.clock = clock

    def open(self) -> Workspace:
        if self.opened is None:
            from coprod_core.workspace import Workspace, utc_now

            self.opened = Workspace.open(self.workspace, actor=self.actor,
                                         clock=self.clock or utc_now)
            click.get_current_context().call_on_close(self.close)
        return self.opened

    def close(self) -> None:
        if self.opened is not None:
            self.opened.close()
            self.opened = None


def pass_workspace(f: F) -> F:
    """Give the command the open workspace as its first argument."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        state = click.get_current_context().find_object(State) or State()
        return f(state.open(), *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class DateType(click.ParamType):
    """A date option: YYYY-MM-DD, within the dates coprod accepts (``model.DATES``)."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date:
        from coprod_core.model import DATES

        day = value
        if not isinstance(value, dt.date):
            try:
                day = dt.date.fromisoformat(str(value))
            except ValueError:
                self.fail(f"{visible(str(value))!r} is not a date; write it as YYYY-MM-DD, "
                          "e.g. 2026-03-31", param, ctx)
        if day not in DATES:
            self.fail(DATES.refusal(day), param, ctx)
        return day


DATE = DateType()

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print JSON instead of text."
)


def to_json(record: Any) -> Any:
    """A model object as the JSON the CLI prints: its attributes, no storage keys."""
    from coprod_core import serialise

    if isinstance(record, list | tuple):
        return [to_json(r) for r in record]
    doc = serialise.get_converter().unstructure(record)
    if isinstance(doc, dict):
        doc.pop("schema_version", None)
    return doc


def echo_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def echo_records(records: Iterable[Any]) -> None:
    """Stream a JSON array of records, one at a time (memory stays flat)."""
    echo_json_stream(to_json(record) for record in records)


def echo_json_stream(items: Iterable[Any]) -> None:
    """Stream a JSON array of JSON-ready items, one a line (memory stays flat)."""
    import json

    first = True
    click.echo("[", nl=False)
    for item in items:
        text = json.dumps(item, ensure_ascii=False)
        click.echo(("\n  " if first else ",\n  ") + text, nl=False)
        first = False
    click.echo("\n]" if not first else "]")


def echo_created(record: Any, as_json: bool) -> None:
    """What every create command prints: the id, or the whole record as JSON."""
    if as_json:
        echo_json(to_json(record))
    else:
        click.echo(record.id)


def echo_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
               empty: str = "nothing to show") -> None:
    """A plain, aligned table; long cells are cut with an ellipsis."""
    rows = [[_cell(c) for c in row] for row in rows]
    if not rows:
        click.echo(empty)
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: Any, limit: int = 60) -> str:
    text = "" if value is None else visible(" ".join(str(value).split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def echo_fields(pairs: Iterable[tuple[str, Any]]) -> None:
    """``label: value`` lines, skipping empty values; stored text made visible."""
    pairs = [(k, v) for k, v in pairs if v not in (None, "", (), [])]
    width = max((len(k) for k, _ in pairs), default=0)
    for key, value in pairs:
        # A multi-line value continues under its first line.
        lines = [visible(line) for line in str(value).split("\n")]
        click.echo(f"{key + ':':<{width + 1}} " + ("\n" + " " * (width + 2)).join(lines))


def echo_line(text: str) -> None:
    """One line of output holding stored text, with hidden characters made visible."""
    click.echo(visible(text))


def echo_history(history: Iterable[Any]) -> None:
    click.echo("history:")
    for step in history:
        note = f" — {step.note}" if step.note else ""
        click.echo(visible(f"  {step.at:%Y-%m-%d %H:%M}  {step.status:<16} by {step.actor}{note}"))
