"""After any sequence of add / attend / raise / commit / consent / withdraw / erase /
export, an erased person is in no export, no report and no file of the workspace,
and the totals still match the records."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from coprod_core import privacy, subject_access
from coprod_core.model import Demographic
from coprod_core.plugins import get_plugin_manager
from coprod_core.testing import FakeClock
from coprod_core.testing.privacy import needles, scan
from coprod_core.workspace import Workspace

#: Names, pseudonyms and contact details no two people share any word of.
POOL = [
    {"name": "Zoë Ní Bhriain", "pseudonym": "Kestrel", "email": "zoe.nb@example.org",
     "phone": "07700 900101"},
    {"name": "Łukasz Żółć", "pseudonym": "Gwiazdka", "email": "l.zolc@example.net",
     "phone": "07700 900202"},
    {"name": "Siân Ó Dálaigh", "pseudonym": None, "email": "sian.od@example.com",
     "phone": "+44 7700 900303"},
    {"name": "Björn Ångström", "pseudonym": "Otter", "email": None, "phone": "07700 900404"},
    {"name": "Aoibheann Ó Súilleabháin", "pseudonym": None, "email": "aoibheann@example.org",
     "phone": None},
    {"name": "Dvořák Šimůnek", "pseudonym": "Heron", "email": "dvorak.s@example.cz",
     "phone": "07700 900606"},
]
ROLES = ("lived_experience", "peer_researcher", "staff", "commissioner")

PM = None


def _plugins():
    global PM
    if PM is None:
        PM = get_plugin_manager(fresh=True)
    return PM


#: A report kind's argument -> the collection to take an id from.
_ARGUMENTS = {"SESSION_ID": "sessions", "PARTICIPANT_ID": "participants",
              "TENSION_ID": "tensions", "COMMITMENT_ID": "commitments"}


def _report_outputs(ws):
    """Every report kind in every format, names asked for, as text; None without reports.

    Uses ``coprod_core.reports``: ``kinds``/``formats`` (the registries),
    ``Params(names=True, args=...)``, ``build`` and ``render``. A kind whose
    arguments cannot be filled from the records is left out.
    """
    try:
        from coprod_core import reports  # type: ignore[attr-defined]
    except ImportError:
        return None
    outputs = []
    for name, kind in reports.kinds(ws.plugins).items():
        args = []
        for argument in kind.arguments:
            collection = _ARGUMENTS.get(argument)
            first = next(ws.storage.iterate(collection), None) if collection else None
            if first is None:
                break
            args.append(first["id"])
        else:
            report = reports.build(ws, name, reports.Params(names=True, args=tuple(args)))
            for fmt in reports.formats(ws.plugins).values():
                out = reports.render(report, fmt, {"workspace": ws})
                if isinstance(out, bytes):
                    chunks = [out]
                elif hasattr(out, "files"):
                    chunks = [c if isinstance(c, bytes) else b"".join(c) for _n, c in out]
                else:
                    chunks = list(out)
                outputs.append(b"".join(chunks).decode("utf-8", "replace"))
    return outputs


class ErasureMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="coprod-privacy-"))
        self.clock = FakeClock()
        self.ws = Workspace.create(self.folder / "ws", org="Riverside", plugins=_plugins(),
                                   clock=self.clock, actor="tester")
        self.people: dict[str, dict] = {}  # id -> pool entry
        self.erased: set[str] = set()
        self.sessions: list[str] = []
        self.attendance: set[tuple[str, str]] = set()
        self.tensions = 0
        self.commitments = 0
        self.health: dict[str, str] = {}  # id -> stored health answer
        self.exports = 0

    def live(self) -> list[str]:
        return [p for p in self.people if p not in self.erased]

    def pick(self, data_index: int) -> str:
        live = self.live()
        return live[data_index % len(live)]

    def text_about(self, pid: str, which: int) -> str:
        person = self.people[pid]
        parts = [person["name"], person["pseudonym"], person["email"], person["phone"]]
        value = [p for p in parts if p][which % len([p for p in parts if p])]
        return f"Raised with {value} after the meeting"

    def tick(self) -> None:
        self.clock.advance(hours=5)

    @precondition(lambda self: len(self.people) < len(POOL))
    @rule(role=st.sampled_from(ROLES))
    def add(self, role):
        entry = POOL[len(self.people)]
        p = self.ws.add_participant(entry["name"], role=role, pseudonym=entry["pseudonym"],
                                    email=entry["email"], phone=entry["phone"])
        self.people[p.id] = entry
        self.tick()

    @rule()
    def hold_session(self):
        s = self.ws.new_session(f"Open meeting {len(self.sessions) + 1}",
                                date=self.clock.now.date())
        self.sessions.append(s.id)
        self.tick()

    @precondition(lambda self: self.live())
    @rule(who=st.integers(0, 10), mention=st.integers(0, 10), status=st.sampled_from(
        ("attended", "attended", "apologies", "absent")))
    def attend(self, who, mention, status):
        pid = self.pick(who)
        if not self.sessions or mention % 3 == 0:
            about = self.pick(mention)
            s = self.ws.new_session(f"Panel {len(self.sessions) + 1}",
                                    date=self.clock.now.date(),
                                    purpose=self.text_about(about, mention))
            self.sessions.append(s.id)
        sid = self.sessions[-1]
        self.ws.attend(sid, [pid], status)
        self.attendance.add((sid, pid))
        if status == "attended":
            self.ws.rate(sid, pid, "co_design")
        self.tick()

    @precondition(lambda self: self.live())
    @rule(who=st.integers(0, 10), other=st.integers(0, 10), mention=st.integers(0, 10))
    def raise_tension(self, who, other, mention):
        t = self.ws.raise_tension(self.text_about(self.pick(mention), mention), kind="power",
                                  raised_by=self.pick(who), between=[self.pick(other), "staff"],
                                  note=self.text_about(self.pick(other), mention + 1))
        self.ws.move_tension(t.id, "acknowledged", note=self.text_about(self.pick(who), 2))
        self.tensions += 1
        self.tick()

    @precondition(lambda self: self.live())
    @rule(who=st.integers(0, 10), mention=st.integers(0, 10))
    def commit(self, who, mention):
        c = self.ws.make_commitment(self.text_about(self.pick(mention), mention),
                                    made_by=self.pick(who), authority="can_decide",
                                    scope=self.text_about(self.pick(who), mention + 3))
        self.ws.update_commitment(c.id, self.text_about(self.pick(mention), mention + 1))
        self.commitments += 1
        self.tick()

    @precondition(lambda self: self.live())
    @rule(who=st.integers(0, 10))
    def consent(self, who):
        pid = self.pick(who)
        for purpose in ("record", "naming", "special:health"):
            self.ws.record_consent(pid, purpose, given=True, statement_version="v1",
                                   method="verbal")
        answer = f"condition-{pid}"
        self.ws.update_participant(pid, demographics=(
            Demographic(key="health", value=answer, category="health"),))
        self.health[pid] = answer
        self.tick()

    @precondition(lambda self: self.live())
    @rule(who=st.integers(0, 10), purpose=st.sampled_from(("special:health", "naming")))
    def withdraw(self, who, purpose):
        pid = self.pick(who)
        after = self.ws.record_consent(pid, purpose, given=False, statement_version="v1",
                                       method="written")
        assert not after.has_consent(purpose)
        if purpose == "special:health":
            raw = self.ws.storage.get("participants", pid)
            assert all(d["category"] != "health" for d in raw["demographics"])
            self.health.pop(pid, None)
        self.tick()

    @precondition(lambda self: self.live())
    @rule(who=st.integers(0, 10), fmt=st.sampled_from(("json", "html", "markdown")))
    def export(self, who, fmt):
        self.exports += 1
        subject_access.export(self.ws, self.pick(who),
                              self.folder / "ws" / f"export-{self.exports}.{fmt}", fmt=fmt)

    @precondition(lambda self: self.live())
    @rule(who=st.integers(0, 10))
    def erase(self, who):
        pid = self.pick(who)
        privacy.erase(self.ws, pid)
        self.erased.add(pid)
        self.health.pop(pid, None)
        assert scan(self.folder, self.people[pid]) == []
        self.tick()

    @invariant()
    def totals_match_the_records(self):
        ws = self.ws
        assert ws.count("participants") == len(self.people)
        assert sum(1 for p in ws.participants() if p.erased_at) == len(self.erased)
        sessions = list(ws.sessions())
        assert {(s.id, a.participant_id) for s in sessions for a in s.attendance} == (
            self.attendance)
        assert ws.count("tensions") == self.tensions
        assert ws.count("commitments") == self.commitments

    @invariant()
    def stored_answers_are_those_consented(self):
        for p in self.ws.participants():
            held = [d.value for d in p.demographics if d.category == "health"]
            assert held == ([self.health[p.id]] if p.id in self.health else [])

    @invariant()
    def erased_people_are_nowhere_in_storage(self):
        dump = [json.dumps(d, ensure_ascii=False) for c in self.ws.storage.collections()
                for d in self.ws.storage.iterate(c)]
        dump += [json.dumps(e, ensure_ascii=False) for e in self.ws.audit()]
        text = "\n".join(dump).encode()
        for pid in self.erased:
            found = [n for n in needles(self.people[pid]) if n in text]
            assert found == [], (pid, found)

    def teardown(self):
        try:
            erased = [self.people[p] for p in self.erased]
            for pid in self.live():
                data = json.dumps(subject_access.collect(self.ws, pid), ensure_ascii=False)
                for person in erased:
                    assert not [n for n in needles(person) if n in data.encode()]
            outputs = _report_outputs(self.ws)
            for out in outputs or ():
                for person in erased:
                    assert person["name"] not in out and (person["email"] or "\0") not in out
            self.ws.close()
            for person in erased:
                assert scan(self.folder, person) == []
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


ErasureMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_erasure_state_machine = ErasureMachine.TestCase


def test_report_outputs_are_skipped_until_reports_exist(memory_workspace):
    import importlib.util

    outputs = _report_outputs(memory_workspace)
    assert (outputs is None) == (importlib.util.find_spec("coprod_core.reports") is None)
