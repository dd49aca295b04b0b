"""The ``payments`` report in every format, and the person's rights over their payments."""

import csv
import datetime as dt
import json

import pytest
from coprod_payments.service import mark_paid, record_payment

from coprod_core import privacy, subject_access
from coprod_core.errors import ValidationFailed
from coprod_core.reports import Amount, Count, Hidden, Params, build
from coprod_core.reports.disclosure import verify

FORMATS = ("markdown", "html", "csv", "json")


@pytest.fixture
def paid(run):
    """Two people paid in January, one who declined, and one payment outside the period."""
    for name in ("Aisha", "Ben", "Cara"):
        run("participant", "add", name, "--role", "lived_experience")
    run("session", "new", "Panel: hostel curfews", "--date", "2026-01-05")
    record = ("payments", "record")
    run(*record, "P-1", "--activity", "Panel", "--session", "S-1", "--fee", "50",
        "--benefits-advice", "--travel", "4.80", "--date", "2026-01-05",
        "--note", "Aisha asked for cash")
    run(*record, "P-2", "--activity", "Panel", "--fee", "50", "--benefits-advice",
        "--carer", "12", "--date", "2026-01-05")
    run(*record, "P-3", "--activity", "Panel", "--fee", "50", "--declined", "--travel", "3",
        "--date", "2026-01-05")
    run(*record, "P-1", "--activity", "Workshop", "--fee", "20", "--benefits-advice",
        "--date", "2025-12-01")
    run("payments", "mark-paid", "PAY-1")


def _report(ws, **params):
    """The document as the kind builds it, before small numbers are hidden."""
    from coprod_payments.report import build as build_payments

    return build_payments(ws, Params(**params))


def _table(report, title):
    return next(t for t in report.tables() if t.title == title)


def _plain(row):
    """A row as plain values: the numbers behind each declared count and amount."""
    return tuple(getattr(cell, "value", cell) if isinstance(cell, Count | Amount) else cell
                 for cell in row)


def test_the_report_is_listed(run):
    result = run("report", "--list")
    assert result.exit_code == 0
    assert any(line.split()[:1] == ["payments"] for line in result.stdout.splitlines())


def test_counts_and_amounts(paid, workspace):
    report = _report(workspace, period_from=dt.date(2026, 1, 1))
    fees = _table(report, "Fees for people's time")
    assert [_plain(r) for r in fees.rows] == [
        ("Offered and paid", 1, 1, "£50.00"),
        ("Offered, not yet paid", 1, 1, "£50.00"),
        ("Declined", 1, 1, "£50.00"),
    ]
    assert _plain(fees.totals) == ("All fees", 3, 3, "£150.00")
    expenses = _table(report, "Travel and carer expenses")
    assert [_plain(r) for r in expenses.rows] == [("Travel", 2, "£4.80", "£3.00"),
                                                  ("Carer or childcare", 1, "£0.00", "£12.00")]
    assert _plain(expenses.totals) == ("All expenses", 3, "£4.80", "£15.00")
    advice = _table(report, "Benefits advice before a fee")
    assert [_plain(row[:2]) for row in advice.rows] == [("With benefits advice offered", 2),
                                                        ("Without", 0)]
    glance = report.sections[0].blocks[0].items
    assert [(m.label, _plain((m.value,))[0]) for m in glance] == [
        ("People offered a fee or expenses", 3), ("People who declined a fee", 1),
        ("Payments", 3), ("Still to pay", "£65.00")]


def test_the_period_is_respected(paid, workspace):
    report = _report(workspace, period_to=dt.date(2025, 12, 31))
    fees = _table(report, "Fees for people's time")
    assert [_plain(r) for r in fees.rows] == [("Offered, not yet paid", 1, 1, "£20.00")]
    assert list(_table(report, "Travel and carer expenses").rows) == []


def test_the_core_hides_small_counts_and_the_money_beside_them(paid, workspace):
    report = build(workspace, "payments", Params())
    fees = _table(report, "Fees for people's time")
    # One payment to one person: £50.00 beside it would be that person's fee.
    assert fees.rows[0] == ("Offered and paid", Hidden(), Hidden(), Hidden())
    assert all(isinstance(cell, Hidden) for row in fees.rows for cell in row[1:])
    assert verify(report) == []


def test_small_numbers_are_hidden_in_every_format(run, paid, tmp_path):
    markdown = run("report", "payments", "--from", "2026-01-01")
    assert markdown.exit_code == 0, markdown.stderr
    assert markdown.stderr == ""
    assert "# Payments for involvement" in markdown.stdout
    assert "| Offered and paid | \\* | \\* | \\* |" in markdown.stdout
    assert "| **All fees** | **\\*** | **\\*** | **\\*** |" in markdown.stdout
    assert "£50.00" not in markdown.stdout

    out = tmp_path / "payments.html"
    result = run("report", "payments", "--from", "2026-01-01", "-o", str(out))
    assert (result.exit_code, result.stderr) == (0, "")
    page = out.read_text(encoding="utf-8")
    assert "<h1>Payments for involvement</h1>" in page
    assert "Travel and carer expenses" in page
    assert "£4.80" not in page  # one person's travel

    data = json.loads(run("report", "payments", "--format", "json").stdout)
    assert data["kind"] == "payments"
    tables = [b for s in data["sections"] for b in s["blocks"] if b["type"] == "table"]
    fees = tables[0]
    assert fees["title"] == "Fees for people's time"
    assert fees["rows"][0] == ["Offered and paid", {"hidden": True}, {"hidden": True},
                               {"hidden": True}]
    assert {c["key"]: c["type"] for c in fees["columns"]} == {
        "what": "text", "payments": "people", "people": "people", "amount": "text"}

    folder = tmp_path / "payments"
    result = run("report", "payments", "--format", "csv", "-o", str(folder))
    assert (result.exit_code, result.stderr) == (0, "")
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["00-about.csv", "01-at-a-glance.csv", "02-fees-for-people-s-time.csv",
                     "03-travel-and-carer-expenses.csv",
                     "04-benefits-advice-before-a-fee.csv"]
    with (folder / "03-travel-and-carer-expenses.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Expense", "People", "Paid", "Still to pay"]
    assert rows[-1] == ["All expenses", "*", "*", "*"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_workspace_reports_in_every_format(run, tmp_path, fmt):
    out = tmp_path / f"empty.{fmt}"
    result = run("report", "payments", "--format", fmt, "-o", str(out))
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    text = "".join(p.read_text(encoding="utf-8-sig") for p in sorted(out.iterdir())) \
        if out.is_dir() else out.read_text(encoding="utf-8")
    assert "Payments for involvement" in text
    assert "No fees were offered in this period." in text or fmt in ("csv",)


# ---------------------------------------------------------------- privacy


def test_subject_access_lists_the_persons_payments(paid, workspace):
    held = subject_access.collect(workspace, "P-1")["plugins"]["payments"]["payments"]
    assert [p["payment"] for p in held] == ["PAY-1", "PAY-4"]
    first = held[0]
    assert first["fee"] == "£50.00"
    assert first["travel expenses"] == "£4.80"
    assert first["fee offered or declined"] == "offered"
    assert first["paid on"] == "2026-01-05"
    assert first["note"] == "Aisha asked for cash"
    assert first["benefits advice offered"] == "yes"
    other = subject_access.collect(workspace, "P-2")["plugins"]["payments"]["payments"]
    assert [p["payment"] for p in other] == ["PAY-2"]


def test_subject_access_of_someone_never_paid_holds_nothing(run, workspace):
    run("participant", "add", "Dee", "--role", "staff")
    assert "payments" not in subject_access.collect(workspace, "P-1")["plugins"]


def test_the_readable_export_shows_the_payments(run, paid, tmp_path):
    out = tmp_path / "P-1.md"
    result = run("participant", "export", "P-1", "-o", str(out))
    assert (result.exit_code, result.stderr) == (0, "")
    text = out.read_text(encoding="utf-8")
    assert "Held by the payments add-on" in text
    assert "fee: £50.00" in text


def test_erasure_keeps_the_money_and_drops_the_note(run, paid, workspace_dir, tmp_path):
    before = json.loads(run("report", "payments", "--format", "json").stdout)
    result = run("participant", "erase", "P-1", "--yes")
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    payment = json.loads(run("payments", "show", "PAY-1", "--json").stdout)
    assert payment["note"] is None
    assert (payment["participant_id"], payment["fee"], payment["travel"]) == ("P-1", 5000, 480)
    assert payment["paid_on"] == "2026-01-05"
    after = json.loads(run("report", "payments", "--format", "json").stdout)
    assert after["sections"] == before["sections"]
    database = b"".join(p.read_bytes() for p in workspace_dir.iterdir() if p.is_file())
    assert b"asked for cash" not in database
    assert b"Aisha" not in database


def test_erasure_removes_the_person_as_recorder(memory_workspace):
    ws = memory_workspace
    person = ws.add_participant("Ann Lee", role="peer_researcher")
    other = ws.add_participant("Bo", role="lived_experience")
    ws.actor = "Ann Lee"
    mine = record_payment(ws, person.id, activity="Panel", travel="2", note="Bus")
    theirs = mark_paid(ws, record_payment(ws, other.id, activity="Panel", travel="3",
                                          note="Train").id)
    ws.actor = "tester"
    privacy.erase(ws, person.id)
    assert ws.record("payments", mine.id).recorded_by == privacy.MARKER
    assert ws.record("payments", mine.id).note is None
    # Someone else's payment that the erased person recorded loses their name too
    # (the core's safety net), and keeps its note.
    assert ws.record("payments", theirs.id).recorded_by == privacy.MARKER
    assert ws.record("payments", theirs.id).note == "Train"


def test_a_paid_payment_may_lose_only_its_note(memory_workspace):
    from attrs import evolve

    ws = memory_workspace
    ws.add_participant("Aisha", role="lived_experience")
    paid = mark_paid(ws, record_payment(ws, "P-1", activity="Panel", travel="5",
                                        note="cash").id)
    with ws.operation("test.note") as op:
        op.write("payments", evolve(paid, note=None), paid)
    assert ws.record("payments", paid.id).note is None
    stored = ws.record("payments", paid.id)
    with pytest.raises(ValidationFailed, match="can no longer be changed"), \
            ws.operation("test.change") as op:
        op.write("payments", evolve(stored, recorded_by="someone else"), stored)
