"""Lifecycles as data: a table of allowed moves for tensions and commitments.

A move not in the table raises :class:`~coprod_core.errors.IllegalMove`
naming the moves that are allowed. Adding a status or a move is a change to
a table here, never to an ``if`` chain elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import field, frozen

from .errors import IllegalMove, ValidationFailed


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

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(self.moves)

    def allowed(self, current: str) -> tuple[str, ...]:
        return self.moves[str(current)]

    def is_final(self, status: str) -> bool:
        return not self.moves[str(status)]

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
    needs_note={"withdrawn", "not_delivered"},
)
