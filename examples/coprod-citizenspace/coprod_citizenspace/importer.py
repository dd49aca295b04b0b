"""The importer itself, imported only when `coprod import-from` needs it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from coprod_core.errors import CoprodError
from coprod_core.importing import (
    ImportOptions,
    Incoming,
    IncomingCommitment,
    IncomingSession,
    IncomingTension,
    Problem,
)
from coprod_core.importing.readers import CsvImporter, parse_date

__all__ = ["COLUMNS", "WeAskedYouSaidWeDid"]

COLUMNS = ("ref", "We asked", "You said", "We did", "Closed", "Published")


class WeAskedYouSaidWeDid(CsvImporter):
    """One consultation a row: a session, the tension raised in it, the promise kept."""

    name: ClassVar[str] = "citizenspace"
    summary: ClassVar[str] = ('A Citizen Space "We asked, you said, we did" spreadsheet '
                              "(CSV): consultations, what people said, what was done.")

    def check_header(self, path: Path, header: list[str]) -> None:
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise CoprodError(f"{path.name}: missing column{'s' if len(missing) > 1 else ''} "
                              f"{', '.join(missing)}; the columns are {', '.join(COLUMNS)}")

    def templates(self) -> dict[str, str]:
        return {"we-asked": ",".join(COLUMNS) + "\r\n"}

    def read(self, path: Path, options: ImportOptions) -> Iterator[Incoming | Problem]:
        for row, cells in self.rows(path):
            try:
                closed = parse_date(cells.get("Closed"))
                published = parse_date(cells.get("Published"))
            except ValueError:
                yield Problem(row=row, column="Closed",
                              message="write the dates as YYYY-MM-DD")
                continue
            ref = cells.get("ref", "")
            asked, said, did = (cells.get("We asked", ""), cells.get("You said", ""),
                                cells.get("We did", ""))
            if not (ref and asked and said and closed):
                yield Problem(row=row, column=None, message="ref, We asked, You said and "
                                                            "Closed must be filled in")
                continue
            session = f"citizenspace:consultations/{ref}"
            tension = f"citizenspace:you-said/{ref}"
            yield IncomingSession(ref=session, row=row, title=asked, date=closed)
            yield IncomingTension(ref=tension, row=row, description=said,
                                  raised_on=_midday(closed), session_ref=session)
            if did:
                yield IncomingCommitment(
                    ref=f"citizenspace:we-did/{ref}", row=row, description=did,
                    made_on=closed, agreed_on=closed,
                    status="delivered" if published else "agreed",
                    status_on=None if published is None else _midday(published),
                    session_ref=session, answers_refs=(tension,),
                )


def _midday(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
