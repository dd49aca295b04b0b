"""Forms declared in coprod.toml: checked key by key, every error one line with its dotted key."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coprod_core.config import Config
from coprod_core.errors import ConfigError
from coprod_core.forms.catalogue import load
from coprod_core.plugins import get_plugin_manager
from coprod_core.testing.form_strategies import forms

PM = get_plugin_manager(fresh=True)

WELCOME = """
[forms.welcome]
title = "Welcome"

[[forms.welcome.fields]]
name = "name"
type = "short_text"
label = "Your name"
required = true
fills = "name"

[[forms.welcome.fields]]
name = "contact"
type = "single_choice"
label = "How should we contact you?"
choices = ["phone", "email"]
"""


def _load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "coprod.toml"
    path.write_text(text, encoding="utf-8")
    config = Config.from_toml(path)
    load(config, PM)
    return config


def test_a_good_declaration_loads(tmp_path):
    config = _load(tmp_path, WELCOME)
    form = load(config, PM).form("welcome")
    assert form.field_names == ("name", "contact")
    assert form.fields[1].choices == [("phone", "phone"), ("email", "email")]


@pytest.mark.parametrize(("change", "key", "words"), [
    ('choices = ["phone", "email"]', "`forms.welcome.fields[1].choices`", "must be a list"),
    ('type = "single_choice"', "`forms.welcome.fields[1].type`", "unknown field type 'colour'"),
    ('label = "How should we contact you?"', "`forms.welcome.fields[1].label`", "is missing"),
    ('title = "Welcome"', "`forms.welcome.titel`", "did you mean `title`?"),
    ('fills = "name"', "`forms.welcome.fields[0].fills`", "a participant form's field fills"),
    ('required = true', "`forms.welcome.fields[0].required`", "must be true or false"),
    ('choices = ["phone", "email"]', "`forms.welcome.fields[1].choices[1]`",
     "repeats the choice 'Phone'"),
])
def test_malformed_declarations_name_the_dotted_key(tmp_path, change, key, words):
    replacement = {
        "`forms.welcome.fields[1].choices`": 'choices = "phone"',
        "`forms.welcome.fields[1].type`": 'type = "colour"',
        "`forms.welcome.fields[1].label`": "",
        "`forms.welcome.titel`": 'titel = "Welcome"',
        "`forms.welcome.fields[0].fills`": 'fills = "nickname"',
        "`forms.welcome.fields[0].required`": 'required = "yes"',
        "`forms.welcome.fields[1].choices[1]`": 'choices = ["phone", "Phone"]',
    }[key]
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, WELCOME.replace(change, replacement))
    message = str(err.value)
    assert key in message
    assert words in message
    assert "\n" not in message


@pytest.mark.parametrize(("extra", "key"), [
    ('[[forms.welcome.fields]]\nname = "name"\ntype = "yes_no"\nlabel = "Again"\n',
     "`forms.welcome.fields[2].name`"),
    ('[[forms.welcome.fields]]\nname = "n2"\ntype = "short_text"\nlabel = "N"\n'
     'fills = "name"\n', "`forms.welcome.fields[2].fills`"),
    ('[[forms.welcome.fields]]\nname = "eth"\ntype = "short_text"\nlabel = "E"\n'
     'special = "ethnicity"\n', "`forms.welcome.fields[2].special`"),
    ('[[forms.welcome.fields]]\nname = "ok"\ntype = "consent"\nlabel = "OK?"\n'
     'statement = "We keep it."\npurpose = "marketing"\n', "`forms.welcome.fields[2].purpose`"),
    ('[[forms.welcome.fields]]\nname = "age"\ntype = "number"\nlabel = "Age"\n'
     'min = 30\nmax = 10\n', "`forms.welcome.fields[2].min`"),
    ('[[forms.welcome.fields]]\nname = "participant"\ntype = "short_text"\nlabel = "P"\n',
     "`forms.welcome.fields[2].name`"),
    ('[[forms.welcome.fields]]\nname = "x"\ntype = "short_text"\nlabel = "X"\n'
     'fills = "extra.nonamespace"\n', "`forms.welcome.fields[2].fills`"),
])
def test_problems_across_fields_name_the_field(tmp_path, extra, key):
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, WELCOME + extra)
    assert key in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_role_names_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"`forms.welcome.role`: unknown role 'client'"):
        _load(tmp_path, WELCOME.replace('title = "Welcome"', 'title = "W"\nrole = "client"'))


def test_custom_roles_may_be_chosen(tmp_path):
    text = WELCOME.replace('title = "Welcome"', 'title = "W"\nrole = "carer"')
    config = _load(tmp_path, '[roles]\ncustom = { carer = "Carer" }\n' + text)
    assert load(config, PM).form("welcome").role == "carer"
    # Without the custom role the same form is refused, naming the key.
    with pytest.raises(ConfigError, match=r"`forms.welcome.role`: unknown role 'carer'"):
        _load(tmp_path, text)


JUNK = st.one_of(
    st.integers(-5, 5), st.text(max_size=6), st.booleans(),
    st.floats(allow_nan=False), st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)),
    st.lists(st.one_of(st.integers(), st.text(max_size=4)), max_size=3),
    st.dictionaries(st.text(min_size=1, max_size=4), st.integers(), max_size=2),
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


@st.composite
def mutated(draw):
    form = draw(forms())
    document = {"forms": {form.name: form.to_table()}}
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(document) if len(p) >= 2]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        how = draw(st.sampled_from(("replace", "delete", "add")))
        if how == "replace":
            parent[path[-1]] = draw(JUNK)
        elif how == "delete":
            del parent[path[-1]]
        elif isinstance(parent[path[-1]], dict):
            parent[path[-1]][draw(st.text(min_size=1, max_size=6))] = draw(JUNK)
        elif isinstance(parent[path[-1]], list):
            parent[path[-1]].append(draw(JUNK))
    return copy.deepcopy(document)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_fuzzed_declarations_fail_on_one_line_with_the_dotted_key(tmp_path_factory, document):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "coprod.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    try:
        config = Config.from_toml(path)
        load(config, PM)
    except ConfigError as err:
        message = str(err)
        assert "\n" not in message
        assert "`forms" in message, message
