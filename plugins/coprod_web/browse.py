"""Coordinators' pages: the records, with filters and history, and every report.

Names are shown only where the person's consent covers naming, as reports do.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from coprod_core.errors import CoprodError

if TYPE_CHECKING:
    from starlette.responses import Response

    from .app import Page


# ---------------------------------------------------------------- coordinators: the records


def _name(page: Page, person: Any) -> str:
    """A person as a coordinator sees them: named only where consent covers it."""
    from coprod_core.privacy import may_name

    if person is None:
        return "Unknown"
    if person.erased_at is not None:
        return f"{person.id} (erased)"
    if may_name(person):
        return f"{person.display_name} ({person.id})"
    return f"{person.id} (not named: no consent for naming)"


class _People:
    """Names by id, looked up once per page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.found: dict[str, str] = {}

    def __call__(self, pid: str | None) -> str:
        if not pid:
            return ""
        if pid not in self.found:
            try:
                person = self.page.workspace.participant(pid)
            except CoprodError:
                person = None
            self.found[pid] = _name(self.page, person) if person else pid
        return self.found[pid]


LISTS: dict[str, dict[str, Any]] = {
    "participants": {"title": "Participants", "filters": ("role",)},
    "sessions": {"title": "Sessions", "filters": ()},
    "tensions": {"title": "Tensions", "filters": ("kind", "status")},
    "commitments": {"title": "Commitments", "filters": ("status", "authority")},
}


def _choices(page: Page, collection: str, name: str) -> list[str]:
    from coprod_core import model

    enums = {("tensions", "kind"): model.TensionKind, ("tensions", "status"): model.TensionStatus,
             ("commitments", "status"): model.CommitmentStatus,
             ("commitments", "authority"): model.Authority}
    if (collection, name) in enums:
        return [m.value for m in enums[(collection, name)]]
    return list(page.workspace.config.roles)


def record_list(page: Page) -> Response:
    collection = page.route.path.rsplit("/", 1)[1]
    spec = LISTS[collection]
    chosen = {f: page.query[f] for f in spec["filters"] if page.query.get(f)}
    filters = [(f, _choices(page, collection, f), chosen.get(f, "")) for f in spec["filters"]]
    for name, value in chosen.items():
        if value not in _choices(page, collection, name):
            raise CoprodError(f"{value!r} is not a {name} here; choose one from the list")
    records = list(page.workspace.records(collection, **chosen))
    labels = {"role": "Role", "kind": "What it is about", "status": "Where it stands",
              "authority": "Power"}
    return page.render("coprod/records.html", title=spec["title"], collection=collection,
                       labels=labels,
                       records=records, filters=filters, person=_People(page),
                       today=page.workspace.today())


def record_show(page: Page) -> Response:
    collection = page.route.path.split("/")[2]
    try:
        record = page.workspace.record(collection, page.params["record_id"])
    except CoprodError:
        raise page.not_found(LISTS[collection]["title"].lower()[:-1]) from None
    audit = [e for e in page.workspace.audit() if record.id in e.get("ids", ())]
    return page.render("coprod/record.html", title=f"{record.id}", collection=collection,
                       r=record, person=_People(page), audit=audit,
                       today=page.workspace.today())


# ---------------------------------------------------------------- reports


def reports_index(page: Page) -> Response:
    from coprod_core.reports import formats, kinds

    return page.render("coprod/reports.html", title="Reports",
                       kinds=list(kinds(page.workspace.plugins).values()),
                       formats=list(formats(page.workspace.plugins).values()),
                       names=page.may("reports.names"), errors={}, values=dict(page.query))


def report_download(page: Page) -> Response:
    from starlette.responses import Response

    from coprod_core.reports import Files, Params, build, format_named, kind_named, render

    pm = page.workspace.plugins
    try:
        kind = kind_named(pm, page.params["kind"])
        chosen = format_named(pm, page.params["format"])
    except CoprodError:
        raise page.not_found("report") from None
    names = page.query.get("names") == "yes"
    if names and not page.may("reports.names"):
        from .app import HTTPError

        raise HTTPError(403, "You cannot open this report",
                        "Your account's role may read reports without names only.")

    def day(key: str) -> dt.date | None:
        value = page.query.get(key)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise CoprodError(f"{value!r} is not a date; write it as 2026-03-31") from None

    args = tuple(a for a in page.query.get("args", "").split() if a)
    params = Params(period_from=day("from"), period_to=day("to"), names=names, args=args)
    report = build(page.workspace, kind, params)
    output = render(report, chosen, {"workspace": page.workspace})
    filename = f"{kind.name}.{chosen.extension}"
    if isinstance(output, Files):
        # A folder of files (one CSV per table) downloads as one zip of them.
        body, media, filename = _zip(output), "application/zip", f"{kind.name}-{chosen.name}.zip"
    else:
        body = output if isinstance(output, bytes) else b"".join(output)
        media = {"html": "text/html", "json": "application/json", "csv": "text/csv",
                 "md": "text/markdown"}.get(chosen.extension, "application/octet-stream")
    if media.startswith("text"):
        media += "; charset=utf-8"
    return Response(body, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


def _zip(files: Any) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            data = content if isinstance(content, bytes) else b"".join(content)
            archive.writestr(name, data)
    return buffer.getvalue()
