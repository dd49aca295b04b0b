"""coprod.toml: what is written reads back the same; what is malformed is named."""

from __future__ import annotations

import re
import string
import tempfile
from pathlib import Path

import pytest
import tomli_w
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from coprod_core import config as cfg
from coprod_core.errors import ConfigError
from coprod_core.testing import strategies as cs

quick = settings(max_examples=60, deadline=None)


_FOLDER: list[Path] = []


@pytest.fixture(autouse=True, scope="module")
def _config_folder():
    """One folder for the files these tests write, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="coprod-config-") as folder:
        _FOLDER.append(Path(folder))
        yield
        _FOLDER.clear()


def _write(text: str | bytes) -> Path:
    """Write ``coprod.toml`` (a fresh folder each time, so paths never collide)."""
    folder = Path(tempfile.mkdtemp(dir=_FOLDER[0]))
    path = folder / cfg.CONFIG_NAME
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def _assert_one_line_naming(exc: ConfigError, path: Path, key: str | None = None) -> None:
    message = str(exc)
    assert "\n" not in message and "\r" not in message, message
    assert message.startswith(str(path)), message
    if key is not None:
        assert f"`{key}`" in message, message


# ---------------------------------------------------------------- round-trips


@quick
@given(cs.configs())
def test_a_written_config_reads_back_equal(doc):
    path = _write(tomli_w.dumps(doc))
    read = cfg.Config.from_toml(path)
    assert read.data == doc
    assert read.path == path
    assert read.org == doc.get("workspace", {}).get("org", "")
    assert read.backend == doc.get("storage", {}).get("backend", "sqlite")
    assert set(read.custom_roles) == set(doc.get("roles", {}).get("custom", {}))
    assert read.plugins == doc.get("plugins", {})
    # Writing it again gives the same document.
    assert cfg.Config.from_toml(_write(cfg.dump(read))).data == doc


@quick
@given(cs.texts(max_size=120), st.sampled_from(["sqlite", "json", "memory"]))
def test_the_commented_default_reads_back_with_the_org_given(org, backend):
    text = cfg.default_toml(org, backend)
    read = cfg.Config.from_toml(_write(text))
    assert read.org == org
    assert read.backend == backend
    assert read.custom_roles == {}
    # Every default is there as a comment, ready to be switched on.
    for commented in ("# actor =", "# custom ="):
        assert commented in text
    if backend in ("sqlite", "json"):
        assert "# path =" in text


def test_the_commented_examples_in_the_default_are_valid_when_uncommented():
    text = cfg.default_toml("Riverside")
    uncommented = "\n".join(
        line[2:] if re.match(r"# [a-z_]+ = ", line) else line for line in text.splitlines()
    )
    read = cfg.Config.from_toml(_write(uncommented))
    assert read.actor == "panel-coordinator"
    assert read.storage_options == {"path": "coprod.db"}
    assert read.custom_roles == {"carer": "Carer or family member"}
    assert read.series == {"panel": "Lived-experience panel"}
    assert read.timezone == "Europe/London"


key_and_value = st.one_of(
    st.tuples(st.just("workspace.org"), cs.texts(max_size=60)),
    st.tuples(st.just("workspace.actor"), cs.names()),
    st.tuples(st.just("storage.timeout"), st.integers(1, 600)),
    st.tuples(cs.role_names().map(lambda r: f"roles.custom.{r}"), cs.names()),
    st.tuples(
        st.tuples(st.from_regex(r"\A[a-z][a-z0-9_]{0,10}\Z"),
                  st.from_regex(r"\A[a-z][a-z0-9_]{0,10}\Z")).map(
            lambda t: f"plugins.{t[0]}.{t[1]}"),
        cs.config_values(),
    ),
)


@quick
@given(cs.configs(backends=("sqlite",)), st.lists(key_and_value, min_size=1, max_size=4))
def test_set_key_then_dump_then_read_gives_the_value_set(doc, changes):
    config = cfg.Config.from_toml(_write(tomli_w.dumps(doc)))
    for dotted, value in changes:
        config = cfg.set_key(config, dotted, value)
    reread = cfg.Config.from_toml(_write(cfg.dump(config)))
    expected = dict(changes)
    for dotted, value in expected.items():
        node = reread.data
        for part in dotted.split("."):
            node = node[part]
        assert node == value


@given(st.text(max_size=40))
def test_parse_value_reads_toml_or_keeps_text(text):
    value = cfg.parse_value(text)
    if isinstance(value, str):
        assert value == text or text.strip().startswith(('"', "'"))


@pytest.mark.parametrize("text,value", [
    ("30", 30), ("true", True), ('["a", "b"]', ["a", "b"]), ("Riverside", "Riverside"),
    ("2.5", 2.5), ('"30"', "30"), ("", ""),
])
def test_parse_value_examples(text, value):
    assert cfg.parse_value(text) == value


# ---------------------------------------------------------------- malformed files


def _paths(doc, prefix=()):
    """Every (dotted path, value) in a nested dict."""
    for key, value in doc.items():
        here = (*prefix, key)
        yield here, value
        if isinstance(value, dict):
            yield from _paths(value, here)


wrong_for = {
    str: [5, True, ["x"], {"a": 1}],
    dict: ["text", 3, [1]],
    int: ["thirty", [1]],
}

core_typed = {
    ("workspace",): dict, ("workspace", "org"): str, ("workspace", "actor"): str,
    ("storage",): dict, ("storage", "backend"): str, ("roles",): dict,
    ("plugins",): dict,
}


@quick
@given(cs.configs(), st.data())
def test_a_value_of_the_wrong_type_is_named_by_its_dotted_key(doc, data):
    candidates = [p for p, _v in _paths(doc) if p in core_typed]
    assume(candidates)
    where = data.draw(st.sampled_from(candidates))
    bad = data.draw(st.sampled_from(wrong_for[core_typed[where]]))
    node = doc
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = bad
    path = _write(tomli_w.dumps(doc))
    with pytest.raises(ConfigError) as caught:
        cfg.Config.from_toml(path)
    _assert_one_line_naming(caught.value, path, ".".join(where))
    assert "must be" in str(caught.value)


@quick
@given(cs.configs(), st.data(), st.text(string.ascii_lowercase + "_", min_size=1, max_size=12))
def test_an_unknown_key_is_named_with_what_is_allowed(doc, data, key):
    tables = [(), *(p for p in (("workspace",), ("roles",)) if p[0] in doc)]
    where = data.draw(st.sampled_from(tables))
    allowed = {(): (*cfg.CORE_SECTIONS, *cfg.SECTION_CHECKERS),
               ("workspace",): ("org", "actor"), ("roles",): ("custom",)}[where]
    assume(key not in allowed)
    node = doc
    for part in where:
        node = node[part]
    node[key] = "x" if where else {"x": 1}
    path = _write(tomli_w.dumps(doc))
    with pytest.raises(ConfigError) as caught:
        cfg.Config.from_toml(path)
    _assert_one_line_naming(caught.value, path, ".".join((*where, key)))
    assert "unknown key" in str(caught.value)
    assert "allowed here:" in str(caught.value)


@quick
@given(cs.configs(), st.data(), st.text(min_size=1, max_size=6))
@example(doc={"workspace": {"org": "A"}}, data=None, junk="=")
def test_damaged_text_is_a_config_error_or_still_valid(doc, data, junk):
    text = tomli_w.dumps(doc) or "\n"
    at = data.draw(st.integers(0, len(text))) if data is not None else len(text) // 2
    damaged = text[:at] + junk + text[at:]
    path = _write(damaged)
    try:
        cfg.Config.from_toml(path)
    except ConfigError as exc:
        _assert_one_line_naming(exc, path)


@quick
@given(st.binary(max_size=200))
def test_any_bytes_are_a_config_or_a_config_error(raw):
    path = _write(raw)
    try:
        cfg.Config.from_toml(path)
    except ConfigError as exc:
        _assert_one_line_naming(exc, path)


@quick
@given(st.text(min_size=1, max_size=10), cs.texts(max_size=10))
def test_keys_with_control_characters_still_give_one_line(key, value):
    doc = {"workspace": {key: value}}
    assume(key not in ("org", "actor"))
    path = _write(tomli_w.dumps(doc))
    with pytest.raises(ConfigError) as caught:
        cfg.Config.from_toml(path)
    _assert_one_line_naming(caught.value, path)


def test_invalid_toml_names_the_file_and_line():
    path = _write('[workspace]\norg = "A"\n\n[storage\nbackend = "sqlite"\n')
    with pytest.raises(ConfigError) as caught:
        cfg.Config.from_toml(path)
    assert str(caught.value).startswith(f"{path}, line 4: is not valid TOML")


def test_a_wrong_type_names_the_line_and_the_dotted_key():
    path = _write('[workspace]\norg = "A"\nactor = 12\n')
    with pytest.raises(ConfigError) as caught:
        cfg.Config.from_toml(path)
    assert str(caught.value) == (
        f"{path}, line 3: `workspace.actor`: must be a string, not an integer")


def test_an_unknown_key_suggests_the_close_one():
    path = _write('[workspace]\norgn = "A"\n')
    with pytest.raises(ConfigError, match=r"did you mean `org`\?"):
        cfg.Config.from_toml(path)


def test_text_that_is_not_utf8_is_named():
    path = _write(b'[workspace]\norg = "\xff\xfe"\n')
    with pytest.raises(ConfigError, match="is not UTF-8"):
        cfg.Config.from_toml(path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        cfg.Config.from_toml(tmp_path / "coprod.toml")


@pytest.mark.parametrize("name", ["Carer", "1st", "has space", "x" * 41, "é"])
def test_bad_role_names_are_refused(name):
    path = _write(tomli_w.dumps({"roles": {"custom": {name: "Label"}}}))
    with pytest.raises(ConfigError, match="lower-case letters"):
        cfg.Config.from_toml(path)


def test_custom_roles_as_a_list_get_labels():
    config = cfg.Config.from_dict({"roles": {"custom": ["carer", "family_member"]}})
    assert config.custom_roles == {"carer": "Carer", "family_member": "Family member"}
    assert config.roles[-2:] == ("carer", "family_member")


def test_a_blank_role_label_is_refused():
    with pytest.raises(ConfigError, match="needs a label"):
        cfg.Config.from_dict({"roles": {"custom": {"carer": "  "}}})


def test_set_key_refuses_a_key_that_is_not_dotted(tmp_path):
    config = cfg.Config.from_dict({})
    with pytest.raises(ConfigError, match="not a dotted key"):
        cfg.set_key(config, "workspace..org", "x")


def test_set_key_refuses_to_descend_into_a_value():
    config = cfg.Config.from_dict({"workspace": {"org": "A"}})
    with pytest.raises(ConfigError, match="is a value, not a table"):
        cfg.set_key(config, "workspace.org.name", "x")


def test_section_checkers_check_their_own_table(monkeypatch):
    calls = []

    def checker(table, ctx):
        calls.append(table)
        if table.get("bad"):
            raise ctx.error("reports.bad", "must not be set")

    import sys
    import types

    module = types.ModuleType("coprod_test_checker")
    module.check = checker  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "coprod_test_checker", module)
    monkeypatch.setitem(cfg.SECTION_CHECKERS, "reports", "coprod_test_checker:check")
    cfg.Config.from_dict({"reports": {"good": 1}})
    assert calls == [{"good": 1}]
    path = _write('[reports]\nbad = true\n')
    with pytest.raises(ConfigError) as caught:
        cfg.Config.from_toml(path)
    assert str(caught.value) == f"{path}, line 2: `reports.bad`: must not be set"
