"""Each report kind against a small programme whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from attrs import evolve

from coprod_core.model import Demographic
from coprod_core.reports import Hidden, Metrics, Paragraph, Params, Table, build
from coprod_core.testing import FakeClock
from coprod_core.workspace import Workspace

OFF = {"reports": {"disclosure": {"off": True}, "demographics": ["ethnicity"]}}
ON = {"reports": {"demographics": ["ethnicity"]}}


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def programme(plugin_manager: Any, data: dict[str, Any]) -> Workspace:
    """Ten lived-experience members, three staff, one commissioner, three sessions."""
    clock = FakeClock()
    ws = Workspace.in_memory(org="Test Partnership", plugins=plugin_manager, clock=clock,
                             actor="tester", data=data)
    clock.set(day("2026-01-01"))
    names = ["Amal", "Bo", "Cai", "Dee", "Eve", "Fin", "Gus", "Hal", "Ivy", "Jo"]
    for name in names:
        ws.add_participant(name, role="lived_experience")
    ws.add_participant("Sam", role="staff")          # P-11
    ws.add_participant("Tam", role="staff")          # P-12
    ws.add_participant("Uma", role="staff")          # P-13
    ws.add_participant("Cleo", role="commissioner")  # P-14
    for pid in ("P-1", "P-2", "P-3", "P-11"):
        ws.record_consent(pid, "naming", given=True, statement_version="v1", method="written")
    for pid in ("P-1", "P-2"):
        ws.record_consent(pid, "special:ethnicity", given=True, statement_version="v1",
                          method="written")
        ws.update_participant(pid, demographics=(
            Demographic(key="ethnicity", value="Mixed", category="ethnicity"),))
    # P-2 then withdrew that consent: the answer is removed with it.
    ws.record_consent("P-2", "special:ethnicity", given=False, statement_version="v1",
                      method="verbal")

    lived = [f"P-{n}" for n in range(1, 11)]
    clock.set(day("2026-01-10"))
    s1 = ws.new_session("Panel: hostel curfews", date=day("2026-01-10"),
                        agreed_next="Meet the board in February.")
    ws.attend(s1.id, [*lived[:9], "P-11", "P-12"])
    ws.attend(s1.id, ["P-10"], "apologies")
    for pid in lived[:8]:
        ws.rate(s1.id, pid, "co_design")
    ws.rate(s1.id, "P-11", "co_production")
    ws.rate(s1.id, "P-12", "engagement")
    s2 = ws.new_session("Steering group", date=day("2026-02-10"))
    ws.attend(s2.id, [*lived[:8], "P-10", "P-11", "P-13", "P-14"])
    for pid in lived[:8]:
        ws.rate(s2.id, pid, "consultation")
    ws.rate(s2.id, "P-10", "informing")
    for pid, rung in (("P-11", "co_production"), ("P-13", "co_design"),
                      ("P-14", "co_production")):
        ws.rate(s2.id, pid, rung)
    s3 = ws.new_session("Workshop", date=day("2026-03-10"))
    ws.attend(s3.id, [*lived[:5], "P-11"])

    # Tensions: one resolved, one held, one left raised.
    clock.set(day("2026-01-10"))
    ws.raise_tension("Curfews set without the panel", kind="power", session_id="S-1")
    clock.set(day("2026-01-12"))
    ws.move_tension("T-1", "acknowledged")
    clock.set(day("2026-01-20"))
    ws.move_tension("T-1", "resolved", note="Curfew moved to midnight")
    clock.set(day("2026-02-10"))
    ws.raise_tension("The pathway was designed around men", kind="identity",
                     session_id="S-2")
    clock.set(day("2026-02-14"))
    ws.move_tension("T-2", "acknowledged")
    clock.set(day("2026-02-20"))
    ws.move_tension("T-2", "explored")
    clock.set(day("2026-03-01"))
    ws.move_tension("T-2", "held", note="Both views are valid")
    clock.set(day("2026-03-10"))
    ws.raise_tension("Not enough paid hours", kind="resources", session_id="S-3")

    # Commitments.
    clock.set(day("2026-01-10"))
    ws.make_commitment("Take the evidence to the board", made_by="P-14",
                       authority="can_decide", due=day("2026-02-28"), session_id="S-1",
                       answers=["T-1"])
    clock.set(day("2026-01-11"))
    ws.move_commitment("C-1", "agreed")
    clock.set(day("2026-01-31"))
    ws.move_commitment("C-1", "delivered")
    clock.set(day("2026-02-10"))
    ws.make_commitment("Add a women-only session", made_by="P-11", authority="can_influence",
                       due=day("2026-03-31"), session_id="S-2", answers=["T-2"])
    clock.set(day("2026-02-11"))
    ws.move_commitment("C-2", "agreed")
    clock.set(day("2026-02-20"))
    ws.move_commitment("C-2", "in_progress")
    clock.set(day("2026-02-25"))
    ws.update_commitment("C-2", "Draft ready")
    clock.set(day("2026-03-10"))
    ws.make_commitment("Ask for more paid hours", made_by="P-12",
                       authority="can_only_raise", session_id="S-3", answers=["T-3"])
    ws.move_commitment("C-3", "agreed")
    clock.set(day("2026-03-20"))
    ws.move_commitment("C-3", "not_delivered", note="Board said no")
    clock.set(day("2026-03-10"))
    ws.make_commitment("Fund a café", made_by="P-11", authority="can_decide")
    clock.set(day("2026-01-14"))
    ws.make_commitment("Publish minutes weekly", made_by="P-14", authority="can_decide")
    clock.set(day("2026-01-15"))
    ws.move_commitment("C-5", "agreed")
    clock.set(day("2026-02-14"))
    ws.move_commitment("C-5", "delivered")
    clock.set(day("2026-04-15"))
    with ws.operation("participant.erase") as op:  # P-3 erased: never named again
        before = ws.participant("P-3")
        op.write("participants", evolve(before, erased_at=ws.now()), before)
    return ws


@pytest.fixture
def exact(plugin_manager: Any) -> Any:
    ws = programme(plugin_manager, OFF)
    yield ws
    ws.close()


@pytest.fixture
def published(plugin_manager: Any) -> Any:
    ws = programme(plugin_manager, ON)
    yield ws
    ws.close()


def block(report: Any, title: str) -> Any:
    for section in report.sections:
        for b in section.blocks:
            if getattr(b, "title", None) == title:
                return b
    raise AssertionError(f"no block titled {title!r}")


def metrics(report: Any) -> dict[str, Any]:
    found = {}
    for section in report.sections:
        for b in section.blocks:
            if isinstance(b, Metrics):
                found.update({m.label: m.value for m in b.items})
    return found


def rows(table: Table) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in table.rows]


# ---------------------------------------------------------------- summary


def test_summary_exact(exact):
    report = build(exact, "summary")
    assert report.disclosure.applied is False
    figures = metrics(report)
    assert figures["People who came to a session"] == 14
    assert figures["Sessions held"] == 3
    assert figures["Times people came"] == 11 + 12 + 6
    assert figures["Tensions raised"] == 3
    assert figures["Promises made"] == 5
    assert figures["Promises overdue"] == 1
    people = block(report, "People by role")
    assert rows(people) == [("Lived experience", 10, 10), ("Staff", 3, 3),
                            ("Commissioners", 1, 1)]
    assert people.totals == ("All roles", 14, 14)
    promises = block(report, "Promises, by the power people said they had")
    assert rows(promises)[0] == ("Can decide", 2, 0, 0, 1, 0, 3)
    assert promises.totals == ("All", 2, 0, 1, 2, 0, 5)


def test_summary_published_hides_small_counts(published):
    report = build(published, "summary")
    assert report.disclosure.applied is True
    people = block(report, "People by role")
    assert rows(people) == [("Lived experience", 10, 10), ("Staff", Hidden("small"),
                                                            Hidden("small")),
                            ("Commissioners", Hidden("small"), Hidden("small"))]
    assert people.totals == ("All roles", 15, 15)
    assert metrics(report)["People who came to a session"] == 15
    assert metrics(report)["Sessions held"] == 3  # not a count of people


def test_summary_period(exact):
    report = build(exact, "summary", Params(period_from=day("2026-02-01"),
                                            period_to=day("2026-02-28")))
    figures = metrics(report)
    assert figures["Sessions held"] == 1
    assert figures["People who came to a session"] == 12
    assert figures["Tensions raised"] == 1
    assert figures["Promises made"] == 1
    assert report.parameters == {"from": "2026-02-01", "to": "2026-02-28"}


# ---------------------------------------------------------------- commitments


def test_commitments_delivery_by_authority(exact):
    report = build(exact, "commitments")
    table = block(report, "Promises kept, by the power to deliver them")
    # Promised, done, partly, not done, withdrawn, still open, overdue, kept, median days.
    # C-4 was only suggested: it is not counted. C-2 was due 31 Mar: overdue on 15 Apr.
    assert rows(table) == [
        ("Can decide", 2, 2, 0, 0, 0, 0, 0, 100.0, 25.0),
        ("Can influence", 1, 0, 0, 0, 0, 1, 1, 0.0, None),
        ("Can only raise it", 1, 0, 0, 1, 0, 0, 0, 0.0, None),
    ]
    assert table.totals == ("All", 4, 2, 0, 1, 0, 1, 1, 50.0, 25.0)


def test_commitments_ledger_without_names(exact):
    ledger = rows(block(build(exact, "commitments"), "You said, we did"))
    assert [r[0] for r in ledger] == ["C-1", "C-2", "C-3", "C-4", "C-5"]
    c2 = ledger[1]
    assert c2 == ("C-2", "The pathway was designed around men", "Add a women-only session",
                  "Member of staff", "Can influence", day("2026-03-31"),
                  "Under way. Overdue since 31 Mar 2026", None, "25 Feb 2026: Draft ready",
                  None)
    assert ledger[0][3] == "Commissioner"
    # The reason for not delivering, in the words it was given.
    assert ledger[2][6:9] == ("Not done", "“Board said no”", None)
    assert all("Sam" not in str(r) and "Cleo" not in str(r) for r in ledger)


def test_commitments_names_only_with_consent(exact):
    ledger = rows(block(build(exact, "commitments", Params(names=True)), "You said, we did"))
    assert ledger[1][3] == "Sam (Member of staff)"  # consented to being named
    assert ledger[0][3] == "Commissioner"           # Cleo did not


def test_commitments_published_keeps_counts_of_promises(published):
    table = block(build(published, "commitments"), "Promises kept, by the power to deliver them")
    # Promises are not people: small numbers of them are shown.
    assert rows(table)[0][:3] == ("Can decide", 2, 2)
    assert rows(table)[0][8] == 100.0


# ---------------------------------------------------------------- tensions


def test_tensions(exact):
    report = build(exact, "tensions")
    figures = metrics(report)
    assert figures["Tensions raised"] == 3
    assert figures["Median days until acknowledged"] == 3.0
    assert figures["Median days until resolved"] == 10.0
    assert figures["Tensions held"] == 1
    table = block(report, "Tensions by kind and where they stand")
    statuses = [c.key for c in table.columns[1:-1]]
    by_kind = {r[0]: dict(zip(statuses, r[1:-1], strict=True)) for r in rows(table)}
    assert by_kind["Who decides"]["resolved"] == 1
    assert by_kind["Identity: gender, ethnicity, class and more"]["held"] == 1
    assert by_kind["Money and time"]["raised"] == 1
    assert table.totals[-1] == 3
    held = rows(block(report, "Held tensions and their history"))
    assert len(held) == 1
    assert held[0][0] == "T-2"
    assert held[0][4] == ("Raised 10 Feb 2026 → Acknowledged 14 Feb 2026 → Talked through "
                          "20 Feb 2026 → Held 1 Mar 2026 (Both views are valid)")


# ---------------------------------------------------------------- participation


def test_participation_exact(exact):
    report = build(exact, "participation")
    figures = metrics(report)
    assert figures["People who took part"] == 14
    assert figures["Lived-experience members who took part"] == 10
    assert figures["Lived-experience members who came 3 or more times"] == 50.0
    sessions = rows(block(report, "First-time and returning, session by session"))
    assert [r[2:] for r in sessions] == [(11, 0, 11), (3, 9, 12), (0, 6, 6)]
    bands = block(report, "How many sessions lived-experience members came to")
    assert bands.series[0].values == (2, 3, 5, 0)
    roles = rows(block(report, "People who took part, by role"))
    assert roles[0] == ("Lived experience", 10, 10, 5)


def test_participation_period_counts_first_time_ever(exact):
    report = build(exact, "participation", Params(period_from=day("2026-02-01")))
    sessions = rows(block(report, "First-time and returning, session by session"))
    assert [r[2:] for r in sessions] == [(3, 9, 12), (0, 6, 6)]


def test_demographics_count_only_with_consent_and_are_always_suppressed(exact, published):
    for ws in (exact, published):
        table = block(build(ws, "participation"), "People who took part, by ethnicity")
        assert table.always_suppress
        # Only P-1's answer has consent behind it: 1 Mixed, 13 not known. The 1 is
        # hidden even with suppression off, and 13 is hidden too so it cannot be
        # worked out from the total.
        assert rows(table) == [("Mixed", Hidden("small")),
                               ("Not recorded, or no consent to use it",
                                Hidden("secondary"))]
        assert table.totals == ("All", 15)


def test_participation_without_configured_breakdowns(plugin_manager):
    ws = programme(plugin_manager, {})
    report = build(ws, "participation")
    notes = [b.text for s in report.sections for b in s.blocks if isinstance(b, Paragraph)]
    assert any("No breakdowns are set up" in n for n in notes)


# ---------------------------------------------------------------- ladder


def test_ladder_exact(exact):
    report = build(exact, "ladder")
    figures = metrics(report)
    assert figures["Lived experience: average rung"] == round((8 * 6 + 8 * 4 + 3) / 17, 1)
    assert figures["Staff and partners: average rung"] == round((7 + 5 + 7 + 6 + 7) / 5, 1)
    assert figures["The gap"] == round(32 / 5 - 83 / 17, 1)
    per_session = rows(block(report, "Where each session was placed"))
    assert per_session == [
        ("Panel: hostel curfews", day("2026-01-10"), 6.0, 6.0, 0.0),
        ("Steering group", day("2026-02-10"), 3.9, 6.7, 2.8),
    ]
    spread = {r[0]: r[2:] for r in rows(block(report, "How often each rung was chosen"))}
    assert spread["Co-design"] == (8, 1)
    assert spread["Co-production"] == (0, 3)
    assert spread["Consultation"] == (8, 0)


def test_ladder_published_hides_means_of_few_people(published):
    report = build(published, "ladder")
    figures = metrics(report)
    assert figures["Lived experience: average rung"] == 4.9  # 17 ratings
    assert figures["Staff and partners: average rung"] == Hidden("derived")  # 5 ratings
    assert figures["The gap"] == Hidden("derived")
    per_session = rows(block(report, "Where each session was placed"))
    assert per_session[0][2] == 6.0 and per_session[0][3] == Hidden("derived")


# ---------------------------------------------------------------- session


def test_session_record(exact):
    report = build(exact, "session", Params(args=("s1",)))
    assert report.title == "Panel: hostel curfews"
    assert report.period_from == report.period_to == day("2026-01-10")
    assert report.parameters == {"session id": "S-1"}
    figures = metrics(report)
    assert figures["People who came"] == 11
    assert figures["Sent apologies"] == 1
    who = rows(block(report, "Who came, by role"))
    assert who == [("Lived experience", 9, 1), ("Staff", 2, 0)]
    assert rows(block(report, "Tensions raised at this session")) == [
        ("T-1", "Who decides", "Curfews set without the panel", "Resolved")]
    promised = rows(block(report, "Promises made at this session"))
    assert [(r[0], r[2], r[5]) for r in promised] == [("C-1", "Commissioner", "Done")]
    texts = [b.text for s in report.sections for b in s.blocks if isinstance(b, Paragraph)]
    assert "Meet the board in February." in texts
    assert not any("Amal" in t for t in texts)


def test_session_names_only_consenting_and_never_the_erased(exact):
    report = build(exact, "session", Params(args=("S-1",), names=True))
    texts = [b.text for s in report.sections for b in s.blocks if isinstance(b, Paragraph)]
    named = next(t for t in texts if t.startswith("Named here"))
    assert named == "Named here with their agreement: Amal, Bo, Sam."  # not Cai (erased)


def test_session_needs_its_id(exact):
    from coprod_core.errors import CoprodError

    with pytest.raises(CoprodError, match="takes SESSION_ID"):
        build(exact, "session")
    with pytest.raises(CoprodError, match="no session with id S-99"):
        build(exact, "session", Params(args=("S-99",)))


def test_period_must_run_forwards():
    from coprod_core.errors import CoprodError

    with pytest.raises(CoprodError, match="is after --to"):
        Params(period_from=day("2026-03-01"), period_to=day("2026-02-01"))


def test_custom_role_labels_read_well_mid_sentence(plugin_manager):
    from coprod_core.workspace import Workspace
    from coprod_reports.common import roles_in_words

    ws = Workspace.in_memory(plugins=plugin_manager, data={
        "roles": {"custom": {"carer": "Carer or family member", "nhs": "NHS staff"}}})
    words = roles_in_words(ws, frozenset({"lived_experience", "carer", "nhs"}))
    assert "carer or family member" in words
    assert "NHS staff" in words
    assert "Carer" not in words
