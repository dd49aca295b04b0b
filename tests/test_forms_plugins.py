"""Forms and field types added by plugins, including the documented postcode example."""

from __future__ import annotations

import json
import re
import types
from pathlib import Path

import pytest

from coprod_core import hookimpl
from coprod_core.forms import Field, FieldType, FormDefinition

DOC = Path(__file__).parent.parent / "docs" / "forms.md"


def _postcode_plugin() -> types.ModuleType:
    """The example plugin exactly as docs/forms.md gives it."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Adding forms and field types from a plugin"):]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    module = types.ModuleType("coprod_postcode")
    exec(compile(code, str(DOC), "exec"), module.__dict__)
    return module


@pytest.fixture
def postcode(register_plugin):
    return register_plugin(_postcode_plugin(), name="postcode")


def _add_forms(workspace_dir, text):
    config = workspace_dir / "coprod.toml"
    config.write_text(config.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_the_documented_postcode_plugin(postcode, run, tmp_path, workspace_dir):
    listed = json.loads(run("intake", "list", "--json").stdout)
    assert [(f["name"], f["source"]) for f in listed] == [("where_from", "postcode")]
    shown = run("intake", "show", "where_from")
    assert "district: uk_postcode, optional, fills demographic.district" in shown.stdout

    answers = tmp_path / "a.toml"
    answers.write_text('name = "Sam"\ndistrict = "sw1a1aa"\n', encoding="utf-8")
    result = run("intake", "run", "where_from", "--answers", str(answers))
    assert result.exit_code == 0, result.stderr
    person = json.loads(run("participant", "show", "P-1", "--json").stdout)
    assert person["demographics"] == [{"key": "district", "value": "SW1A", "category": None}]

    answers.write_text('name = "Sam"\ndistrict = "SW1"\n', encoding="utf-8")
    result = run("intake", "run", "where_from", "--answers", str(answers))
    assert result.exit_code == 1
    assert result.stderr == "error: district: 'SW1' is not a UK postcode such as SW1A 1AA\n"


def test_a_toml_form_may_use_a_plugin_field_type(postcode, run, tmp_path, workspace_dir):
    _add_forms(workspace_dir, """
[forms.address]
title = "Address"

[[forms.address.fields]]
name = "name"
type = "short_text"
label = "Name"
fills = "name"

[[forms.address.fields]]
name = "postcode"
type = "uk_postcode"
label = "Postcode"
fills = "extra.panel.postcode"
""")
    path = tmp_path / "p.csv"
    path.write_text("name,postcode\nAsha,m1 1ae\n", encoding="utf-8")
    result = run("intake", "import", "address", str(path))
    assert result.exit_code == 0, result.stderr
    person = json.loads(run("participant", "show", "P-1", "--json").stdout)
    assert person["extra"] == {"panel.postcode": "M1 1AE"}
    assert run("config", "check").exit_code == 0


def test_plugin_field_type_options_are_checked(postcode, run, workspace_dir):
    _add_forms(workspace_dir, """
[forms.address]
title = "Address"

[[forms.address.fields]]
name = "postcode"
type = "uk_postcode"
label = "Postcode"
district_only = "yes"
""")
    result = run("intake", "list")
    assert result.exit_code == 1
    assert "`forms.address.fields[0].district_only`: must be true or false" in result.stderr
    assert result.stderr.count("\n") == 1
    result = run("config", "check")
    assert "`forms.address.fields[0].district_only`" in result.stderr


def test_an_unknown_field_type_without_the_plugin(run, workspace_dir):
    _add_forms(workspace_dir, """
[forms.address]
title = "Address"

[[forms.address.fields]]
name = "postcode"
type = "uk_postcode"
label = "Postcode"
""")
    result = run("intake", "list")
    assert result.exit_code == 1
    assert "`forms.address.fields[0].type`: field 'postcode': unknown field type " \
           "'uk_postcode'; available: consent, date, email," in result.stderr


def test_a_toml_form_may_not_take_a_plugin_forms_name(postcode, run, workspace_dir):
    _add_forms(workspace_dir, """
[forms.where_from]
title = "Mine"

[[forms.where_from.fields]]
name = "name"
type = "short_text"
label = "Name"
""")
    result = run("intake", "list")
    assert result.exit_code == 1
    assert "`forms.where_from`: form 'where_from' is also registered by plugin 'postcode'; " \
           "rename one of them" in result.stderr


class Clashing:
    @hookimpl
    def coprod_register_field_types(self, register):
        register("short_text", FieldType(description="mine", parse=lambda t, f: t))


class Malformed:
    @hookimpl
    def coprod_register_forms(self, register):
        register("broken", FormDefinition(name="broken", title="Broken", fields=[
            Field(name="colour", type="no_such_type", label="Colour")]))


class NotAForm:
    @hookimpl
    def coprod_register_forms(self, register):
        register("thing", {"title": "A dict"})


@pytest.mark.parametrize(("plugin", "words"), [
    (Clashing(), "field type 'short_text' is registered by both 'bad' and 'forms'"),
    (Malformed(), "plugin 'bad' registered form 'broken', which is malformed: "
                  "`forms.broken.fields[0].type`: field 'colour': unknown field type"),
])
def test_misbehaving_plugins_are_named(register_plugin, run, plugin, words):
    register_plugin(plugin, name="bad")
    result = run("intake", "list")
    assert result.exit_code == 1
    assert words in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_registration_of_the_wrong_type_is_left_out_with_a_warning(register_plugin, run):
    register_plugin(NotAForm(), name="bad")
    result = run("intake", "list")
    assert result.exit_code == 0
    assert result.stderr == (
        "warning: plugin 'bad' registered form 'thing' as dict {'title': 'A dict'}, not a "
        "coprod_core.forms.FormDefinition (coprod_register_forms); disable it with "
        "COPROD_DISABLE_PLUGINS=bad\n")
    shown = run("intake", "show", "thing")
    assert shown.exit_code == 1
    assert shown.stderr.startswith("error: plugin 'bad' registered form 'thing' as dict")


def test_built_in_field_types_come_from_a_plugin(plugin_manager):
    found = plugin_manager.registry.table("field_types")
    assert {r.plugin for r in found.values()} == {"forms"}
    assert sorted(found) == ["consent", "date", "email", "long_text", "multiple_choice",
                             "number", "phone", "short_text", "single_choice", "yes_no"]


class FeedbackForm:
    @hookimpl
    def coprod_register_forms(self, register):
        register("quick", FormDefinition(
            name="quick", title="Quick feedback", creates="session_feedback",
            fields=[Field(name="rung", type="single_choice", label="Where on the ladder?",
                          fills="rating", required=True)]))


def test_a_plugin_feedback_form_gets_the_ladder_as_its_choices(register_plugin, run, tmp_path):
    register_plugin(FeedbackForm(), name="quick")
    run("participant", "add", "Asha", "--role", "lived_experience")
    run("session", "new", "Panel", "--date", "2026-01-05")
    shown = run("intake", "show", "quick")
    assert "7) co_production" in shown.stdout
    answers = tmp_path / "a.toml"
    answers.write_text('rung = "engagement"\n', encoding="utf-8")
    result = run("intake", "run", "quick", "--answers", str(answers), "--session", "S-1",
                 "--participant", "P-1")
    assert result.exit_code == 0, result.stderr
    session = json.loads(run("session", "show", "S-1", "--json").stdout)
    assert session["ratings"] == [{"participant_id": "P-1", "rung": "engagement"}]


class NotInFuture:
    """A field type that refuses a date after the workspace's today."""

    @hookimpl
    def coprod_register_field_types(self, register):
        import datetime as dt

        from coprod_core.forms import AnswerError, answer_context

        def parse(text, fld):
            day = dt.date.fromisoformat(text.strip())
            if day > answer_context().today:
                raise AnswerError(f"{day} is after today, {answer_context().today}")
            return day.isoformat()

        register("past_date", FieldType(description="A date not in the future.", parse=parse))


def test_a_field_type_reads_the_workspace_clock(register_plugin, plugin_manager, clock):
    from coprod_core.forms import AnswersInvalid
    from coprod_core.forms.submit import catalogue, submit
    from coprod_core.workspace import Workspace

    register_plugin(NotInFuture(), name="dates")
    form = FormDefinition(name="visit", title="Visit", fields=[
        Field(name="name", type="short_text", label="Name", required=True, fills="name"),
        Field(name="when", type="past_date", label="When?", required=True)])
    ws = Workspace.in_memory(plugins=plugin_manager, clock=clock,
                             data={"forms": {"visit": form.to_table()}})
    cat = catalogue(ws)
    # The fake clock stands at 2026-01-05: the day after is refused, whatever the real date.
    with pytest.raises(AnswersInvalid, match=r"when: 2026-01-06 is after today, 2026-01-05"):
        submit(ws, cat.form("visit"), {"name": "Ada", "when": "2026-01-06"}, text=True,
               method="written")
    clock.advance(days=1)
    done = submit(ws, cat.form("visit"), {"name": "Ada", "when": "2026-01-06"}, text=True,
                  method="written")
    assert done.submission.answers["when"] == "2026-01-06"
    assert cat.read_one(form.fields[1], "2026-01-06", text=True) == "2026-01-06"
