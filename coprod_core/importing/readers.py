"""Reading other platforms' files: CSV and JSON lines, HTML to text, their dates.

:class:`CsvImporter` and :class:`JsonLinesImporter` are the bases most
importers need. Each reads its file streaming (memory stays flat however long
it is), gives row numbers as a spreadsheet or an editor shows them, and
writes rejected rows back in the file's own shape.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

from ..errors import CoprodError
from . import Importer, Problem

__all__ = [
    "CsvImporter",
    "JsonLinesImporter",
    "html_to_text",
    "parse_date",
    "parse_number",
    "parse_when",
]

#: A leading quote some exporters (Decidim, coprod) put before a cell a
#: spreadsheet would run as a formula; the value is what follows it.
_GUARDED = re.compile(r"^'(?=[=+\-@\t\r\n])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


# ---------------------------------------------------------------- values


class _Text(HTMLParser):
    _BLOCKS: ClassVar[set[str]] = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4",
                                   "h5", "h6", "blockquote", "tr", "table", "section"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(value: str | None) -> str | None:
    """Plain text from an HTML fragment: tags gone, entities decoded, spaces tidied.

    Paragraphs and list items become lines; ``&nbsp;`` becomes a space.
    """
    if value is None:
        return None
    if "<" not in value and "&" not in value:
        text = value
    else:
        parser = _Text()
        parser.feed(value)
        parser.close()
        text = html.unescape("".join(parser.parts))
    text = text.replace("\xa0", " ").replace("\r\n", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out = "\n".join(line for line in lines if line)
    return out or None


def parse_when(value: str | None) -> dt.datetime | None:
    """A timestamp as exporters write them, in UTC when no zone is given.

    ``2026-02-01``, ``2026-02-01 10:00:00 UTC`` (Ruby), ``2026-02-01T10:00:00.000Z``
    and ``2026-02-01T10:00:00+01:00`` are all read. Raises ValueError otherwise.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.endswith(" UTC"):
        text = text[:-4].strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # "2026-02-01 10:00:00 +0100" (Ruby's Time#to_s outside UTC)
    text = re.sub(r" ([+-]\d{2})(\d{2})$", r"\1:\2", text)
    when = dt.datetime.fromisoformat(text)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def parse_date(value: str | None) -> dt.date | None:
    """A date, or the date of a timestamp; None when empty. Raises ValueError otherwise."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    when = parse_when(text)
    return None if when is None else when.date()


def parse_number(value: str | None) -> float | None:
    """A number written with a point or a comma (``45.5``, ``45,5``); None when empty."""
    if value is None or not value.strip():
        return None
    return float(value.strip().replace(",", "."))


# ---------------------------------------------------------------- files


def _open_text(path: Path) -> io.TextIOWrapper:
    try:
        raw = open(path, "rb")  # noqa: SIM115 (closed with the wrapper, by the caller)
    except FileNotFoundError:
        raise CoprodError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise CoprodError(f"{path} is a folder; name the exported file") from None
    except OSError as exc:
        raise CoprodError(f"{path} cannot be read ({exc.strerror})") from None
    start = raw.read(4)
    raw.seek(0)
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raw.close()
        raise CoprodError(f"{path.name} is UTF-16 text; save it as UTF-8 and import that file")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _decode_error(path: Path, exc: UnicodeDecodeError) -> CoprodError:
    return CoprodError(f"{path.name} is not UTF-8 text (byte {exc.start + 1} of a line); "
                       "save it as UTF-8 and import it again")


class CsvImporter(Importer):
    """An importer for a CSV file with a header row.

    :meth:`rows` yields ``(row_number, {column: value})``, the header being
    row 1. Cells are stripped of surrounding spaces and of the leading quote
    exporters put before a formula-like value. A ``problems`` column (from a
    rejected-rows file) is ignored.
    """

    #: The separators tried, in order, on the header line.
    delimiters: ClassVar[tuple[str, ...]] = (",", ";")

    def rows(self, path: Path) -> Iterator[tuple[int, dict[str, str]]]:
        stream = _open_text(path)
        with stream:
            try:
                first = stream.readline()
            except UnicodeDecodeError as exc:
                raise _decode_error(path, exc) from None
            if not first.strip():
                raise CoprodError(f"{path.name} is empty; it needs a header row")
            delimiter = max(self.delimiters, key=first.count)
            stream.seek(0)
            reader = csv.reader(stream, delimiter=delimiter)
            try:
                header = [h.strip() for h in next(reader)]
                self.check_header(path, header)
                for row in reader:
                    if not any(cell.strip() for cell in row):
                        continue
                    values = {name: unguard(cell.strip())
                              for name, cell in zip(header, row, strict=False)
                              if name and name != "problems"}
                    yield reader.line_num, values
            except UnicodeDecodeError as exc:
                raise _decode_error(path, exc) from None
            except csv.Error as exc:
                raise CoprodError(f"{path.name} is not a readable CSV file "
                                  f"(line {reader.line_num}: {exc})") from None

    def check_header(self, path: Path, header: list[str]) -> None:
        """Refuse a header this importer can't read (override to check columns)."""

    def rejected(self, path: Path, rejected: Mapping[int, list[Problem]]
                 ) -> tuple[Path, Iterator[str]]:
        return path.with_name(f"{path.stem}.rejected.csv"), self._rejected_rows(path, rejected)

    def _rejected_rows(self, path: Path, rejected: Mapping[int, list[Problem]]
                       ) -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        stream = _open_text(path)
        with stream:
            first = stream.readline()
            delimiter = max(self.delimiters, key=first.count)
            stream.seek(0)
            reader = csv.reader(stream, delimiter=delimiter)
            header = [h for h in next(reader) if h.strip() != "problems"]
            writer.writerow([*header, "problems"])
            for row in reader:
                if reader.line_num in rejected:
                    reasons = "; ".join(str(p) for p in rejected[reader.line_num])
                    cells = [guard(c) for c in row[:len(header)]]
                    cells += [""] * (len(header) - len(cells))
                    writer.writerow([*cells, guard(reasons)])
                    yield out.getvalue()
                    out.seek(0)
                    out.truncate()
        yield out.getvalue()


class JsonLinesImporter(Importer):
    """An importer for newline-delimited JSON: one object per line.

    :meth:`lines` yields ``(line_number, object)``; a line that is not a JSON
    object is yielded as a :class:`Problem`.
    """

    def lines(self, path: Path) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
        stream = _open_text(path)
        with stream:
            number = 0
            try:
                for number, line in enumerate(stream, start=1):
                    if not line.strip():
                        continue
                    try:
                        value = json.loads(line)
                    except json.JSONDecodeError as exc:
                        if number == 1:
                            raise CoprodError(
                                f"{path.name} is not newline-delimited JSON (line 1: "
                                f"{exc.msg}); export the file again from the source"
                            ) from None
                        yield number, Problem(row=number, column=None,
                                              message=f"not JSON ({exc.msg})")
                        continue
                    if not isinstance(value, dict):
                        yield number, Problem(row=number, column=None,
                                              message="each line must be a JSON object")
                        continue
                    yield number, value
            except UnicodeDecodeError as exc:
                raise _decode_error(path, exc) from None
            if number == 0:
                raise CoprodError(f"{path.name} is empty")

    def rejected(self, path: Path, rejected: Mapping[int, list[Problem]]
                 ) -> tuple[Path, Iterator[str]]:
        return (path.with_name(f"{path.stem}.rejected{path.suffix or '.jsonl'}"),
                self._rejected_lines(path, rejected))

    def _rejected_lines(self, path: Path, rejected: Mapping[int, list[Problem]]
                        ) -> Iterator[str]:
        stream = _open_text(path)
        with stream:
            for number, line in enumerate(stream, start=1):
                if number not in rejected:
                    continue
                reasons = [str(p) for p in rejected[number]]
                try:
                    value = json.loads(line)
                except json.JSONDecodeError:
                    value = {"line": line.rstrip("\n")}
                if not isinstance(value, dict):
                    value = {"line": value}
                value["problems"] = reasons
                yield json.dumps(value, ensure_ascii=False) + "\n"


def unguard(value: str) -> str:
    """A cell without the quote an exporter put before a formula-like value."""
    return _GUARDED.sub("", value) if value.startswith("'") else value


def guard(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs (numbers stay numbers)."""
    if value.startswith(_FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value
