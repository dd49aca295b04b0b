"""Property tests: any form the strategies build accepts valid answers, refuses invalid ones."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coprod_core.config import Context
from coprod_core.forms import AnswersInvalid
from coprod_core.forms.declare import form_from_table
from coprod_core.forms.submit import catalogue, submit
from coprod_core.plugins import get_plugin_manager
from coprod_core.testing import FakeClock
from coprod_core.testing.form_strategies import answer_sets, forms, invalid_answer
from coprod_core.workspace import Workspace

PM = get_plugin_manager(fresh=True)
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _workspace(form):
    ws = Workspace.in_memory(plugins=PM, clock=FakeClock(), actor="tester",
                             data={"forms": {form.name: form.to_table()}})
    return ws


@SETTINGS
@given(st.data())
def test_a_form_declared_in_toml_reads_back_the_same(data):
    form = data.draw(forms())
    assert form_from_table(form.name, form.to_table(), Context(None), None) == form
    assert catalogue(_workspace(form)).form(form.name).definition_hash == form.definition_hash


@SETTINGS
@pytest.mark.parametrize("text", [False, True], ids=["values", "typed"])
@given(data=st.data())
def test_valid_answers_are_accepted_and_round_trip(data, text):
    form = data.draw(forms())
    answers, expected = data.draw(answer_sets(form, text=text))
    ws = _workspace(form)
    cat = catalogue(ws)
    outcome = submit(ws, cat.form(form.name), answers, cat=cat, text=text,
                     method="written" if text else None)

    person = ws.participant(outcome.participant.id)
    assert person == outcome.participant
    submission = ws._get("submissions", outcome.submission.id)
    assert submission == outcome.submission
    assert submission.form == form.name
    assert submission.form_hash == form.definition_hash
    assert submission.participant_id == person.id

    consents = {c.purpose: c.given for c in person.consents}
    demographics = {d.key: d for d in person.demographics}
    for fld in form.fields:
        if fld.name not in expected:
            continue
        value = expected[fld.name]
        if fld.type == "consent":
            assert consents[fld.options["purpose"]] is value
        elif fld.special and not consents.get(f"special:{fld.special}"):
            assert fld.name in submission.not_stored
            assert fld.demographic_key not in demographics
            assert value not in submission.answers.values() or fld.name not in submission.answers
        elif fld.fills is None:
            assert submission.answers[fld.name] == value
        elif fld.demographic_key:
            assert demographics[fld.demographic_key].value == value
            assert demographics[fld.demographic_key].category == fld.special
        elif fld.extra_key:
            assert person.extra[fld.extra_key] == value
        else:
            assert getattr(person, fld.fills) == value


@SETTINGS
@given(data=st.data())
def test_one_invalid_answer_is_refused_by_name_and_nothing_is_stored(data):
    form = data.draw(forms())
    answers, _ = data.draw(answer_sets(form))
    victim = data.draw(st.sampled_from(form.fields))
    text = data.draw(st.booleans())
    if text:
        answers = {k: (",".join(v) if isinstance(v, list) else str(v)) for k, v in
                   answers.items()}
    answers[victim.name] = data.draw(invalid_answer(victim))
    if text and not isinstance(answers[victim.name], str):
        answers[victim.name] = str(answers[victim.name])
    ws = _workspace(form)
    with pytest.raises(AnswersInvalid) as refused:
        submit(ws, catalogue(ws).form(form.name), answers, text=text, method="written")
    assert [name for name, _ in refused.value.problems] == [victim.name]
    assert str(refused.value).startswith(f"{victim.name}: ")
    assert ws.count("participants") == 0
    assert ws.count("submissions") == 0
    assert list(ws.audit()) == []


@SETTINGS
@given(data=st.data())
def test_a_required_question_left_blank_is_refused(data):
    form = data.draw(forms())
    answers, _ = data.draw(answer_sets(form))
    blank = data.draw(st.sampled_from(["", "   ", None]))
    answers["name"] = blank
    ws = _workspace(form)
    with pytest.raises(AnswersInvalid, match=r"^name: needs an answer$"):
        submit(ws, catalogue(ws).form(form.name), answers, method="written")
    assert ws.count("participants") == 0


# ---------------------------------------------------------------- a plugin's field type


def _age_band(text: str, fld) -> str:
    from coprod_core.forms import AnswerError

    value = text.strip()
    if value not in BANDS:
        raise AnswerError(f"{value} is not an age band; one of {', '.join(BANDS)}")
    return value


BANDS = ("18-24", "25-34", "35-49", "50+")


class AgeBands:
    from coprod_core import hookimpl

    @hookimpl
    def coprod_register_field_types(self, register):
        from coprod_core.forms import FieldType

        register("age_band", FieldType(description="An age band.", parse=_age_band))


def _age_band_strategies():
    from coprod_core.testing.form_strategies import AnswerStrategies

    return {"age_band": AnswerStrategies(
        valid=lambda fld, text: st.sampled_from(BANDS).map(lambda b: (f" {b} ", b)),
        invalid=lambda fld: st.sampled_from(["ancient", "17", ""]).filter(bool),
    )}


def test_the_strategies_name_a_field_type_they_cannot_answer():
    from coprod_core.forms import Field
    from coprod_core.testing.form_strategies import answer

    fld = Field(name="age", type="age_band", label="Age?")

    @given(answer(fld, text=True))
    def draws(_answer):
        pass

    with pytest.raises(LookupError, match=r"no answer strategy for field type 'age_band': "
                                          r"a plugin's field type needs plugin_types="):
        draws()
    with pytest.raises(LookupError, match="no invalid-answer strategy for field type"):
        invalid_answer(fld)


@SETTINGS
@given(data=st.data())
def test_a_plugin_field_type_takes_part_with_its_strategies(data):
    pm = get_plugin_manager(fresh=True)
    pm.register(AgeBands(), name="ages")
    plugin_types = _age_band_strategies()
    form = data.draw(forms(types=("short_text", "age_band"), plugin_types=plugin_types))
    answers, expected = data.draw(answer_sets(form, text=True, plugin_types=plugin_types))
    ws = Workspace.in_memory(plugins=pm, clock=FakeClock(), actor="tester",
                             data={"forms": {form.name: form.to_table()}})
    outcome = submit(ws, catalogue(ws).form(form.name), answers, text=True, method="written")
    submission = ws._get("submissions", outcome.submission.id)
    for fld in form.fields:
        if fld.type == "age_band" and fld.name in expected and fld.fills is None:
            assert submission.answers[fld.name] == expected[fld.name]
    bands = [f for f in form.fields if f.type == "age_band"]
    if bands:
        answers[bands[0].name] = data.draw(invalid_answer(bands[0], plugin_types))
        with pytest.raises(AnswersInvalid):
            submit(ws, catalogue(ws).form(form.name), answers, text=True, method="written")
