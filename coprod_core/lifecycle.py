"""Lifecycles as data: a table of allowed moves for tensions and commitments.

A move not in the table raises :class:`~coprod_core.errors.IllegalMove`
naming the moves that are allowed. Adding a status or a move is a change to
a table here, never to an ``if`` chain elsewhere.

*Final*, *settled*, *needs a reason* and *overdue* are defined here once:

- a status is **final** when no move leaves it;
- a status is **settled** when the record has an outcome: a final status, or
  one named in ``outcomes`` (a partly delivered promise has its outcome, even
  though work on it may resume);
- a commitment is **overdue** on a day when it is past its due date on that
  day and not settled then (:func:`is_overdue`). A delivered, partly
  delivered, not delivered or withdrawn promise is never overdue: each is
  reported as what it is, with the reason given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from attrs import field, frozen

from .errors import IllegalMove, ValidationFailed

__all__ = ["COMMITMENT", "TENSION", "Lifecycle", "is_overdue"]


def _freeze(moves: Mapping[str, object]) -> Mapping[str, tuple[str, ...]]:
    return {str(k): tuple(str(s) for s in v) for k, v in moves.items()}  # type: ignore[attr-defined]


def _names(values: object) -> frozenset[str]:
    return frozenset(str(v) for v in values)  # type: ignore[attr-defined]


@frozen(kw_only=True)
class Lifecycle:
    """The statuses a record passes through and the moves allowed between them."""

    name: str
    initial: str
    moves: Mapping[str, tuple[str, ...]] = field(converter=_freeze)
    #: Statuses that may only be entered with a note saying why.
    needs_note: frozenset[str] = field(default=frozenset(), converter=_names)
    #: Statuses, beyond the final ones, in which the record has its outcome.
    outcomes: frozenset[str] = field(default=frozenset(), converter=_names)

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(self.moves)

    def allowed(self, current: str) -> tuple[str, ...]:
        return self.moves[str(current)]

    def is_final(self, status: str) -> bool:
        return not self.moves[str(status)]

    def is_settled(self, status: str) -> bool:
        """Whether a record in ``status`` has its outcome (final, or an outcome)."""
        return self.is_final(status) or str(status) in self.outcomes

    def check(self, current: str, target: str, note: str | None = None) -> None:
        """Raise if ``current -> target`` is not an allowed move."""
        current, target = str(current), str(target)
        if target not in self.moves:
            from .errors import InvalidValue

            raise InvalidValue(f"{self.name} status", target, self.statuses)
        if target not in self.moves[current]:
            raise IllegalMove(f"a {self.name}", current, target, self.moves[current])
        if target in self.needs_note and not (note and note.strip()):
            raise ValidationFailed(
                f"moving a {self.name} to {target} needs a reason: give one with --note"
            )


TENSION = Lifecycle(
    name="tension",
    initial="raised",
    moves={
        "raised": ("acknowledged", "explored", "escalated", "held", "resolved"),
        "acknowledged": ("explored", "escalated", "held", "resolved"),
        "explored": ("escalated", "held", "resolved"),
        "escalated": ("acknowledged", "explored", "held", "resolved"),
        # Held is an honest end state: a deep-rooted tension that is named and
        # lived with. It, like resolved, leaves only by being reopened.
        "held": ("reopened",),
        "resolved": ("reopened",),
        "reopened": ("acknowledged", "explored", "escalated", "held", "resolved"),
    },
)

COMMITMENT = Lifecycle(
    name="commitment",
    initial="proposed",
    moves={
        "proposed": ("agreed", "withdrawn"),
        "agreed": ("in_progress", "delivered", "partly_delivered", "not_delivered", "withdrawn"),
        "in_progress": ("delivered", "partly_delivered", "not_delivered", "withdrawn"),
        # Work on a partly delivered promise can resume; the rest are final.
        "partly_delivered": ("in_progress",),
        "delivered": (),
        "not_delivered": (),
        "withdrawn": (),
    },
    # The reason for an outcome that is not what was promised is part of the
    # record, in the words of the person who gave it.
    needs_note={"withdrawn", "not_delivered", "partly_delivered"},
    outcomes={"partly_delivered"},
)


def is_overdue(status: str, due: dt.date | None, as_of: dt.date) -> bool:
    """The one definition: a commitment in ``status``, due ``due``, is overdue at
    the end of ``as_of`` when it is past its due date and not settled."""
    return due is not None and due < as_of and not COMMITMENT.is_settled(status)
