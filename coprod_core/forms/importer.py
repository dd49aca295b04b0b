"""Bulk entry from a spreadsheet: one CSV row is one submission of a form.

The file is read once, streamed in chunks, inside one operation. Every row
is checked; when any row is invalid nothing is kept (the operation rolls
back) and every problem is reported as ``row N, field: problem``, unless
invalid rows are to be skipped, in which case the valid rows are kept and
the rejected ones are written with their reasons to ``<name>.rejected.csv``
beside the input. Row numbers are those a spreadsheet shows: the header is
row 1.

The rejected-rows file can be fixed and imported again as it is: its
reasons column (:data:`REASONS`) is ignored on import, a ``'`` written
before a cell a spreadsheet would run is taken off again, and it is UTF-8
with a byte-order mark so that spreadsheet programs read accented names.
It holds personal data, so it is readable by its owner only, and it holds
no answer the row's own consent does not cover: such cells are left empty,
and the reasons say so.

One piece: reading, checking and writing the rows are one streaming pass
inside one operation; split, the pass would be harder to follow.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import io
from collections.abc import Callable, Iterator
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import attrs
from attrs import define, field

from .. import ids, serialise
from ..errors import CoprodError, InvalidValue, ValidationFailed
from ..files import atomic_open, ledger_of
from ..model import ConsentMethod, ConsentRecord, Participant, Submission
from . import RESERVED_NAMES, AnswersInvalid, FormDefinition
from .catalogue import Catalogue
from .submit import build_participant, consent_method, store

CHUNK = 2000

#: Cells a spreadsheet would run as a formula (OWASP: prefix them with a quote).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")

#: The column of a rejected-rows file saying why each row was rejected. No
#: field can take this name (field names are lower case), so importing the
#: file again knows to leave it out; ``problems``, its old name, is left out
#: too when the form has no such field.
REASONS = "Problems"
_OLD_REASONS = "problems"


# ---------------------------------------------------------------- documents, fast
# A bulk import writes two documents per row. These give exactly what
# serialise.unstructure gives for new participants and submissions, sharing
# the parts every row has in common (consent records, timestamps); when the
# model gains a field they are not used, so a stale copy can never store less.

_PARTICIPANT_KEYS = {"id", "name", "role", "pseudonym", "email", "phone", "consents",
                     "demographics", "extra", "created_at", "erased_at"}
_SUBMISSION_KEYS = {"id", "form", "form_hash", "participant_id", "session_id", "at",
                    "recorded_by", "answers", "not_stored"}


_CONSENT_DOCS: dict[int, tuple[ConsentRecord, dict[str, Any]]] = {}


def _consent_doc(record: ConsentRecord) -> dict[str, Any]:
    # Keyed by identity: an import shares one record per distinct answer, and
    # hashing a record costs more than unstructuring it once.
    cached = _CONSENT_DOCS.get(id(record))
    if cached is not None and cached[0] is record:
        return cached[1]
    doc: dict[str, Any] = serialise.converter.unstructure(record)
    if len(_CONSENT_DOCS) > 1024:
        _CONSENT_DOCS.clear()
    _CONSENT_DOCS[id(record)] = (record, doc)
    return doc


@functools.lru_cache(maxsize=16)
def _iso(at: dt.datetime) -> str:
    return at.isoformat()


def participant_doc(p: Participant) -> dict[str, Any]:
    """``serialise.unstructure(p)`` for a new participant, faster."""
    return {
        "id": p.id, "name": p.name, "role": p.role, "pseudonym": p.pseudonym,
        "email": p.email, "phone": p.phone,
        "consents": [_consent_doc(c) for c in p.consents],
        "demographics": [{"key": d.key, "value": d.value, "category": d.category}
                         for d in p.demographics],
        "extra": dict(p.extra), "created_at": _iso(p.created_at),
        "erased_at": None if p.erased_at is None else p.erased_at.isoformat(),
        "schema_version": serialise.SCHEMA_VERSION,
    }


def submission_doc(s: Submission) -> dict[str, Any]:
    """``serialise.unstructure(s)``, faster."""
    return {
        "id": s.id, "form": s.form, "form_hash": s.form_hash,
        "participant_id": s.participant_id, "session_id": s.session_id, "at": _iso(s.at),
        "recorded_by": s.recorded_by, "answers": dict(s.answers),
        "not_stored": list(s.not_stored), "schema_version": serialise.SCHEMA_VERSION,
    }


def _fast(cls: type, keys: set[str], to_doc: Any) -> Any:
    return to_doc if set(attrs.fields_dict(cls)) == keys else None


FAST_PARTICIPANT = _fast(Participant, _PARTICIPANT_KEYS, participant_doc)
FAST_SUBMISSION = _fast(Submission, _SUBMISSION_KEYS, submission_doc)


class ImportInvalid(ValidationFailed):
    """Rows of a CSV were refused; nothing was imported."""

    def __init__(self, path: Path, problems: list[tuple[int, str, str]], rows: int) -> None:
        self.problems = problems
        bad = len({n for n, _, _ in problems})
        super().__init__(
            f"{bad} of {rows} rows in {path.name} {'is' if bad == 1 else 'are'} invalid; "
            "nothing was imported (fix them, or use --skip-invalid to import the valid rows)"
        )


@define
class ImportResult:
    rows: int = 0
    imported: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    rejected_path: Path | None = None
    first_id: str | None = None
    last_id: str | None = None
    #: How many answers were not stored for want of consent, by field.
    not_stored: dict[str, int] = field(factory=dict)


def expected_columns(form: FormDefinition) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required columns, optional columns) of a CSV for ``form``."""
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    if form.creates == "session_feedback":
        required = ("session", "participant")
    else:
        optional = ("participant",)
    required += tuple(f.name for f in form.fields if f.required)
    optional += tuple(f.name for f in form.fields if not f.required)
    return required, optional


def _open(path: Path) -> tuple[Any, io.TextIOWrapper]:
    from ..inputs import open_input

    raw = open_input(path)
    start = raw.read(4)
    raw.seek(0)
    if not start:
        raw.close()
        raise CoprodError(f"{path.name} is empty; it needs a header row naming the questions")
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raw.close()
        raise CoprodError(f"{path.name} is UTF-16 text; in your spreadsheet program save it "
                          "as 'CSV UTF-8' and import that file")
    return raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _header(path: Path, reader: Iterator[list[str]], form: FormDefinition) -> list[str]:
    header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        raise CoprodError(f"{path.name} is empty; it needs a header row naming the questions")
    header = [h.strip() for h in header]
    required, optional = expected_columns(form)
    expected = (*required, *optional)
    reasons = _reasons_column(header, form)
    if reasons is not None:
        expected = (*expected, header[reasons])
    listing = ", ".join(expected)
    for i, name in enumerate(header):
        if not name:
            raise CoprodError(f"{path.name}: column {i + 1} of the header is empty; "
                              f"expected columns: {listing}")
        if header.count(name) > 1:
            raise CoprodError(f"{path.name}: column {name!r} appears twice in the header")
    listing = ", ".join(e for e in expected if e != REASONS)
    unknown = [h for h in header if h not in expected]
    missing = [c for c in required if c not in header]
    if unknown:
        parts = []
        for name in unknown:
            close = get_close_matches(name, [c for c in expected if c not in header], n=1,
                                      cutoff=0.6)
            parts.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise CoprodError(f"{path.name}: unknown column{'s' if len(unknown) > 1 else ''} "
                          f"{', '.join(parts)}; expected columns: {listing}")
    if missing:
        raise CoprodError(f"{path.name}: missing column{'s' if len(missing) > 1 else ''} "
                          f"{', '.join(repr(m) for m in missing)}; expected columns: {listing}")
    return header


def _reasons_column(header: list[str], form: FormDefinition) -> int | None:
    """Where a rejected-rows file's reasons are, when this header has them."""
    if REASONS in header:
        return header.index(REASONS)
    if _OLD_REASONS in header and _OLD_REASONS not in form.field_names:
        return header.index(_OLD_REASONS)
    return None


def unquote_cell(value: str) -> str:
    """A cell as it was before :func:`safe_cell` (importing a rejected-rows file again)."""
    if value[:1] == "'" and value[1:2] and value[1] in "=+-@\t\r\n":
        return value[1:]
    return value


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs (numbers stay numbers)."""
    if value.startswith(_FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def import_csv(
    ws: Any,
    cat: Catalogue,
    form: FormDefinition,
    path: Path,
    *,
    skip_invalid: bool = False,
    method: str | None = None,
    progress: Callable[[int], None] | None = None,
    chunk: int = CHUNK,
) -> ImportResult:
    """Import every row of ``path`` as a submission of ``form``; see the module's docs."""
    path = Path(path)
    result = ImportResult()
    importer = _Importer(ws, cat, form, method, result)
    importer.chunk_size = chunk
    raw, text = _open(path)
    problems: list[tuple[int, str, str]] = []
    rejected_path = path.with_name(f"{path.stem}.rejected.csv")
    rejected_writer: Any = None
    # The rejected rows are written owner-only, beside the file, and replace an
    # older one only when the import has been saved (ExitStack: opened lazily).
    rejected = contextlib.ExitStack()
    with rejected:
        with raw, text, ws.operation(f"intake.import.{form.name}") as op:
            importer.op = op
            reader = csv.reader(text)
            row_number = 0
            seen = 0
            try:
                header = _header(path, reader, form)
                importer.reasons = _reasons_column(header, form)
                row_number = 1
                for row in reader:
                    row_number += 1
                    if progress is not None and row_number % 500 == 0:
                        here = raw.tell()
                        progress(here - seen)
                        seen = here
                    if not any(cell.strip() for cell in row):
                        continue
                    result.rows += 1
                    row_problems = importer.take(row_number, header, row)
                    if not row_problems:
                        continue
                    if skip_invalid:
                        if rejected_writer is None:
                            # UTF-8 with a byte-order mark: spreadsheet programs then
                            # read accented names right.
                            rejected_file = rejected.enter_context(atomic_open(
                                rejected_path, "w", encoding="utf-8-sig", newline="",
                                ledger=ledger_of(ws.root)))
                            rejected_writer = csv.writer(rejected_file, quoting=csv.QUOTE_ALL)
                            rejected_writer.writerow(
                                [*importer.without_reasons(header), REASONS])
                        rejected_writer.writerow(
                            [safe_cell(c) for c in importer.rejected_row(header, row,
                                                                         row_problems)])
                        result.rejected += 1
                    else:
                        problems.extend(row_problems)
                        importer.stop_writing()
            except _Fatal as exc:
                raise CoprodError(f"{path.name}, {exc}") from None
            except UnicodeDecodeError:
                raise CoprodError(
                    f"{path.name} is not UTF-8 text (perhaps saved in a Windows encoding); "
                    "in your spreadsheet program save it as 'CSV UTF-8' and import that file"
                ) from None
            except csv.Error as exc:
                raise CoprodError(f"{path.name}, row {row_number + 1}: not readable as CSV "
                                  f"({exc})") from None
            if result.rows == 0:
                raise CoprodError(f"{path.name} has a header but no rows; nothing to import")
            if problems and not skip_invalid:
                raise ImportInvalid(path, problems, result.rows)
            importer.flush()
            if progress is not None:
                progress(raw.tell() - seen)
        if rejected_writer is not None:
            result.rejected_path = rejected_path
    return result


def _why(problems: list[tuple[int, str, str]]) -> str:
    return "; ".join(m if f == "-" else f"{f}: {m}" for _, f, m in problems)


#: Stand-in ids of a row's records while they are checked, before ids are given.
_STAND_IN = ids.format_id("participants", 0)
_STAND_IN_SUBMISSION = ids.format_id("submissions", 0)

_Built = tuple[Participant, dict[str, Any], tuple[tuple[str, str], ...]]


class _Fatal(Exception):
    """A problem with the whole file, found on a row: the import stops there."""


class _Importer:
    """Checks rows and writes the valid ones in chunks."""

    def __init__(self, ws: Any, cat: Catalogue, form: FormDefinition, method: str | None,
                 result: ImportResult) -> None:
        self.ws = ws
        self.cat = cat
        self.form = form
        self.method = method
        self.result = result
        self.op: Any = None
        self.writing = True
        self.pending: list[_Built] = []
        self.roles = ws.config.roles
        self.now = ws.now()
        self.form_hash = form.definition_hash
        self.name_field = next((f.name for f in form.fields if f.fills == "name"), None)
        # When every consent question says how consent is given (or --consent-method
        # does), the method is the same for every row: work it out once.
        self.method_known = method is not None or all(
            f.options.get("method") for f in form.fields if f.type == "consent")
        self.fixed_method = consent_method(form, {}, method)
        self.fields = {f.name: f for f in form.fields}
        #: The reasons column of a rejected-rows file imported again.
        self.reasons: int | None = None
        self.check_submissions = bool(ws.plugins.hook.coprod_validate.get_hookimpls())

    def stop_writing(self) -> None:
        """Some row is invalid and everything will roll back: only check from now on."""
        self.writing = False
        self.pending.clear()

    def take(self, row_number: int, header: list[str], row: list[str]
             ) -> list[tuple[int, str, str]]:
        if len(row) != len(header):
            return [(row_number, "-", f"has {len(row)} cells; the header has {len(header)}")]
        answers = dict(zip(header, map(unquote_cell, row), strict=True))
        if self.reasons is not None:
            del answers[header[self.reasons]]
        about = {k: answers.pop(k).strip() for k in RESERVED_NAMES if k in answers}
        about = {k: v for k, v in about.items() if v}
        feedback = self.form.creates == "session_feedback"
        updating = not feedback and "participant" in about
        # Checks first: a problem here is the row's, listed or rejected.
        try:
            checked = self.cat.read(self.form, answers, text=True, partial=updating)
            if self.method_known:
                how = self.fixed_method
            else:
                try:
                    how = consent_method(self.form, checked, self.method)
                except CoprodError as exc:  # the same for every row: stop at the first
                    raise _Fatal(f"row {row_number}: {exc}") from None
            if feedback or updating:
                self._check_about(about, checked)
            elif self.name_field is None:
                raise _Fatal(
                    f"row {row_number}: form {self.form.name!r} has no question filling a "
                    "name, so it can only update existing participants: give their ids in a "
                    "'participant' column"
                )
            elif self.name_field not in checked:
                raise AnswersInvalid([(self.name_field, "a new participant needs a name")])
            if not (feedback or updating):
                # Built and checked now, with a stand-in id, so that a refusal (the
                # consent rules, a plugin's validation) is this row's alone.
                built = self._build(checked, how)
        except AnswersInvalid as exc:
            return [(row_number, name, message) for name, message in exc.problems]
        except (ValidationFailed, InvalidValue) as exc:
            return [(row_number, "-", str(exc))]
        if not self.writing:
            return []
        if feedback or updating:
            self.flush()
            try:
                self._store_one(checked, about, how)
            except AnswersInvalid as exc:
                return [(row_number, name, message) for name, message in exc.problems]
            except (ValidationFailed, InvalidValue) as exc:
                # store() checks every record before it writes any: nothing of this row
                # was written.
                return [(row_number, "-", str(exc))]
        else:
            self.pending.append(built)
            if len(self.pending) >= self.chunk_size:
                self.flush()
        return []

    def _build(self, checked: dict[str, Any], how: ConsentMethod | None) -> _Built:
        person, kept, dropped = build_participant(
            self.form, checked, record_id=_STAND_IN, before=None, now=self.now,
            actor=self.ws.actor, method=how, roles=self.roles,
        )
        self.op.validate("participants", person)
        if self.check_submissions:
            self.op.validate("submissions", self._submission(_STAND_IN_SUBMISSION, person,
                                                             kept, dropped))
        return person, kept, dropped

    def _submission(self, record_id: str, person: Participant, kept: dict[str, Any],
                    dropped: Any) -> Submission:
        return Submission(id=record_id, form=self.form.name, form_hash=self.form_hash,
                          participant_id=person.id, at=self.now, recorded_by=self.ws.actor,
                          answers=kept, not_stored=tuple(n for n, _ in dropped))

    def without_reasons(self, cells: list[str]) -> list[str]:
        if self.reasons is None:
            return list(cells)
        return [c for i, c in enumerate(cells) if i != self.reasons]

    def rejected_row(self, header: list[str], row: list[str],
                     problems: list[tuple[int, str, str]]) -> list[str]:
        """A rejected row as written to the rejected-rows file, with its reasons.

        Answers the row's own consent does not cover are left out: a
        special-category answer without a yes to that category, a contact
        detail when the row says no to being contacted.
        """
        cells = [unquote_cell(c) for c in row]
        given: dict[str, bool] = {}
        for i, name in enumerate(header[:len(cells)]):
            fld = self.fields.get(name)
            if fld is not None and fld.type == "consent" and cells[i].strip():
                with contextlib.suppress(ValueError):  # an unreadable answer is no consent
                    given[fld.options["purpose"]] = bool(self.cat.read_one(fld, cells[i],
                                                                           text=True))
        left_out = []
        for i, name in enumerate(header[:len(cells)]):
            fld = self.fields.get(name)
            if fld is None or not cells[i].strip():
                continue
            if ((fld.special and not given.get(f"special:{fld.special}", False))
                    or (fld.is_contact and given.get("contact") is False)):
                cells[i] = ""
                left_out.append(name)
        # A problem with an answer left out would show it again: say only that it was.
        why = _why([p for p in problems if p[1] not in left_out])
        if left_out:
            why += ("; " if why else "") + (
                f"left empty here for want of consent: {', '.join(left_out)} "
                "(ask again before adding them back)")
        cells = self.without_reasons(cells) if len(cells) == len(header) else cells
        return [*cells, why]

    chunk_size = CHUNK

    def _check_about(self, about: dict[str, str], checked: dict[str, Any]) -> None:
        """The participant (and session) a row names exist; feedback fits the session."""
        from .submit import apply_feedback, existing

        found = {}
        for key, collection in (("participant", "participants"), ("session", "sessions")):
            if key in about:
                try:
                    found[key] = existing(self.ws, collection, about[key])
                except CoprodError as exc:
                    raise AnswersInvalid([(key, str(exc))]) from None
            elif self.form.creates == "session_feedback":
                raise AnswersInvalid([(key, "needs an id")])
        if self.form.creates == "session_feedback":
            apply_feedback(self.form, checked, found["session"], found["participant"].id)

    def _store_one(self, checked: dict[str, Any], about: dict[str, str],
                   how: ConsentMethod | None) -> None:
        outcome = store(self.ws, self.op, self.form, checked,
                        participant_id=about.get("participant"),
                        session_id=about.get("session"), method=how)
        self._count(outcome.participant.id if outcome.participant else outcome.submission.id,
                    outcome.not_stored)
        if outcome.created:
            self.result.created += 1
        else:
            self.result.updated += 1

    def _count(self, record_id: str, dropped: Any) -> None:
        self.result.imported += 1
        if self.result.first_id is None:
            self.result.first_id = record_id
        self.result.last_id = record_id
        for name, _reason in dropped:
            self.result.not_stored[name] = self.result.not_stored.get(name, 0) + 1

    def flush(self) -> None:
        """Write the pending new participants and their submissions in bulk."""
        if not self.pending or not self.writing:
            return
        batch, self.pending = self.pending, []
        storage = self.op.storage
        first = storage.next_number("participants", len(batch))
        first_sub = storage.next_number("submissions", len(batch))
        people: list[Participant] = []
        submissions: list[Submission] = []
        for offset, (built, kept, dropped) in enumerate(batch):
            person = attrs.evolve(built, id=ids.format_id("participants", first + offset))
            people.append(person)
            submissions.append(self._submission(
                ids.format_id("submissions", first_sub + offset), person, kept, dropped))
            self._count(person.id, dropped)
        self.result.created += len(people)
        self.op.write_many("participants", people, to_doc=FAST_PARTICIPANT)
        self.op.write_many("submissions", submissions, to_doc=FAST_SUBMISSION)
