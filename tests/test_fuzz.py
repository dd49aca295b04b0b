"""Every command, every option, hostile values: no traceback, and no harm.

Hypothesis walks the click command tree (plugin commands included) and
runs each command with values an attacker or a tired person would give:
bytes that are not UTF-8 (surrogates, as Python hands them over), control
and escape characters, huge and empty values, extreme dates and numbers,
``--`` tricks and other kinds' ids. A second test mutates coprod.toml. For
every case:

- nothing says "unexpected" and nothing prints a traceback;
- the exit code is 0, 1 or 2;
- a command that failed left the workspace, and the folder it ran in, byte
  for byte as they were.

The default run is a few thousand cases, bounded so CI stays quick;
``COPROD_FUZZ_EXAMPLES=20000 python -m pytest -m slow tests/test_fuzz.py``
runs many more. The reproductions of issue 12 are kept as explicit cases.

Safety: every generated path is a bare name (no ``/``, no ``~``), and each
case runs in a folder of its own under pytest's temporary folder, so no
case can write anywhere else, even as root.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coprod_core.cli import cli
from coprod_core.cli.common import DateType, State
from coprod_core.testing import use_plugin_manager

# ---------------------------------------------------------------- the command tree


def _walk(command: click.Command, path: tuple[str, ...],
          ctx: click.Context) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, name
            yield from _walk(sub, (*path, name), click.Context(sub, info_name=name, parent=ctx))
    else:
        yield path, command


#: Commands left out of the per-case run, and why.
SLOW = {
    # Builds a year of example records (seconds a run); it has its own tests
    # and runs in the slow fuzz.
    ("demo",),
}
#: Commands no fuzz case runs: a web server runs until it is stopped.
NEVER = {("serve",)}


def command_tree() -> list[tuple[tuple[str, ...], click.Command]]:
    with use_plugin_manager():
        ctx = click.Context(cli, info_name="coprod")
        return sorted(_walk(cli, (), ctx), key=lambda item: item[0])


COMMANDS = [c for c in command_tree() if c[0] not in NEVER]
FAST_COMMANDS = [c for c in COMMANDS if c[0] not in SLOW]

# ---------------------------------------------------------------- hostile values

IDS = ["P-1", "P-2", "S-1", "T-1", "C-1", "R-1", "X-1", "PAY-1", "P-0", "P--1", "p-1",
       " P-1", "P-1 ", "P-99999999999999999999", "S-1,S-2", "P-1\x00"]
TEXTS = ["", " ", "\t", "\n", "\x00", "Eve\udcff", "\udcff\udcfe", "\ud800",
         "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "a\nb", "a\r\nb", "\r", "\u202eevil",
         "\x7f", "\x9b2J", "\u2028", "--", "-", "--json", "--help=x", "-x", "---",
         "co-production", "co_production", "Co Production", "staff", "power", "can_decide",
         "attended", "record", "contact", "special:health", "written", "summary",
         "markdown", "html", "csv", "json", "sqlite", "memory", "postgres", "1", "0", "-1",
         "inf", "-inf", "nan", "1e400", "99999999999999999999", "9999-12-31", "null",
         "'; DROP TABLE participants; --", "%s%n", "{0}", "$body", "${x}", "=SUM(A1)",
         "x" * 300, "é" * 200, "🌈" * 100, "storage.timeout", "workspace.org",
         "privacy.retention", "storage.path", "reports.html_template", "a." * 40 + "a"]
HUGE = ["x" * 200_000, "\x1b" * 10_000]
DATES = ["9999-12-31", "0001-01-01", "1899-12-31", "1900-01-01", "2999-12-31",
         "3000-01-01", "2026-02-30", "2026-13-01", "today", "26-01-01", "2026-1-1",
         "+2026-01-01", "2026-01-01T00:00", "２０２６-０１-０１"]
NUMBERS = ["inf", "-inf", "nan", "-1", "0", "1e400", "1e-400", "99999999999999999999",
           "1.5", "-0", "0x10", "1_000", "", " 1"]
#: Bare names only: no case may write outside its own folder.
# Names too long for the filesystem ("x" * 300) are left to the output-path
# rule's own tests until it lands for every -o option.
PATHS = ["", ".", "..", "out.md", "out.json", "a\x00b", "-",
         "--", "coprod.toml", "answers.toml", "rows.csv", "export.json", "missing.csv",
         "emptydir", "out\udcff.md"]

_free_text = st.text(st.characters(exclude_characters="/~"), max_size=24)


def _values(kind: str) -> st.SearchStrategy[str]:
    common = st.sampled_from(TEXTS) | st.sampled_from(IDS) | _free_text
    if kind == "date":
        return st.sampled_from(DATES) | st.dates().map(lambda d: d.isoformat()) | common
    if kind == "number":
        return st.sampled_from(NUMBERS) | st.integers().map(str) | st.floats().map(
            repr) | common
    if kind == "path":
        return st.sampled_from(PATHS) | _free_text.map(lambda s: s.lstrip(".") or "x")
    return st.one_of(common, common, st.sampled_from(HUGE) if kind == "huge" else common)


def _kind(param: click.Parameter) -> str:
    if isinstance(param.type, DateType):
        return "date"
    if isinstance(param.type, click.types._NumberParamTypeBase):
        return "number"
    if isinstance(param.type, click.Path):
        return "path"
    return "text"


@st.composite
def invocations(draw: st.DrawFn, commands: list[Any]) -> list[str]:
    """``coprod [root options] COMMAND...`` with values for some of its parameters."""
    path, command = draw(st.sampled_from(commands))
    chunks: list[list[str]] = []
    positionals: list[str] = []
    for param in command.params:
        if isinstance(param, click.Option):
            if param.name == "help" or not draw(st.booleans()):
                continue
            name = draw(st.sampled_from(param.opts))
            if param.is_flag:
                chunks.append([name])
            elif isinstance(param.type, click.Choice) and draw(st.booleans()):
                chunks.append([name, draw(st.sampled_from([str(c) for c in
                                                           param.type.choices]))])
            else:
                kind = "huge" if draw(st.integers(0, 30)) == 0 else _kind(param)
                value = draw(_values(kind))
                # --name=value, or the value as its own argument.
                chunks.append([f"{name}={value}"] if draw(st.integers(0, 5)) == 0 and
                              name.startswith("--") else [name, value])
        elif isinstance(param, click.Argument):
            count = draw(st.integers(0, 3)) if param.nargs == -1 else (
                0 if draw(st.integers(0, 12)) == 0 else 1)
            kind = "huge" if draw(st.integers(0, 30)) == 0 else _kind(param)
            positionals.extend(draw(_values(kind)) for _ in range(count))
    chunks = draw(st.permutations(chunks)) if chunks else chunks
    args = [a for chunk in chunks for a in chunk]
    if draw(st.integers(0, 6)) == 0:
        args.append("--")  # everything after it is an argument, even "-x"
    args.extend(positionals)
    root: list[str] = []
    if draw(st.integers(0, 8)) == 0:
        root = ["--as", draw(_values("text"))]
    return [*root, *path, *args]


# ---------------------------------------------------------------- the workspace


def _build_template(base: Path) -> Path:
    """A workspace holding one of each kind of record, and the files cases may name."""
    folder = base / "template"
    ws_dir = folder / "ws"
    with use_plugin_manager():
        runner = CliRunner()
        steps = [
            ["init", str(ws_dir), "--org", "Fuzz Partnership"],
            ["participant", "add", "Ada", "--role", "staff", "--email", "ada@example.org"],
            ["participant", "add", "Bo", "--role", "lived_experience"],
            ["participant", "consent", "P-2", "record", "--give", "--statement-version", "v1",
             "--method", "written", "--recorded-by", "Ada"],
            ["session", "new", "Panel", "--date", "2026-03-02", "--facilitator", "P-1"],
            ["session", "attend", "S-1", "P-1", "P-2"],
            ["session", "rate", "S-1", "P-2", "co_design"],
            ["tension", "raise", "Fees", "--kind", "power", "--raised-by", "P-2"],
            ["commitment", "make", "Pay on time", "--by", "P-1", "--authority",
             "can_decide", "--due", "2026-04-01"],
            ["privacy", "requests", "add", "access", "--participant", "P-2",
             "--received", "2026-03-01"],
            ["config", "set", "privacy.retention", '"24 months"'],
        ]
        for args in steps:
            result = runner.invoke(cli, args, env={"COPROD_WORKSPACE": str(ws_dir),
                                                   "COPROD_USER": "fuzzer"},
                                   catch_exceptions=False)
            assert result.exit_code == 0, (args, result.stderr)
    out = folder / "out"
    out.mkdir()
    (out / "answers.toml").write_text('name = "Cy"\n', encoding="utf-8")
    (out / "rows.csv").write_text("name,role\nCy,staff\n", encoding="utf-8")
    (out / "export.json").write_text('{"format": "coprod-export"}', encoding="utf-8")
    (out / "emptydir").mkdir()
    return folder


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_template(tmp_path_factory.mktemp("fuzz"))


def snapshot(*folders: Path) -> dict[str, str]:
    """Every file and folder under ``folders``: its kind and, for a file, a hash."""
    seen: dict[str, str] = {}
    for top in folders:
        for dirpath, dirnames, filenames in os.walk(top):
            here = Path(dirpath)
            for name in dirnames:
                seen[str(here / name)] = "folder"
            for name in filenames:
                path = here / name
                if path.is_symlink() or not path.is_file():
                    seen[str(path)] = f"special {path.lstat().st_mode:o}"
                else:
                    seen[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return seen


@contextlib.contextmanager
def case_folder(template: Path) -> Iterator[tuple[Path, Path]]:
    """A fresh copy of the template: (workspace, folder the command runs in)."""
    base = Path(tempfile.mkdtemp(dir=template.parent))
    try:
        shutil.copytree(template / "ws", base / "ws")
        shutil.copytree(template / "out", base / "out")
        yield base / "ws", base / "out"
    finally:
        shutil.rmtree(base, ignore_errors=True)


def check(args: list[str], template: Path, *, toml: str | None = None) -> Any:
    """Run ``coprod args`` on a fresh workspace and assert the three promises."""
    with case_folder(template) as (ws, out), use_plugin_manager():
        if toml is not None:
            (ws / "coprod.toml").write_text(toml, encoding="utf-8", errors="surrogateescape")
        before = snapshot(ws, out)
        with contextlib.chdir(out):
            result = CliRunner().invoke(
                cli, args, env={"COPROD_WORKSPACE": str(ws), "COPROD_USER": "fuzzer",
                                "COPROD_DEBUG": None}, catch_exceptions=False,
                obj=State())
        output = result.stdout + result.stderr
        assert "unexpected" not in output, (args, result.stderr)
        assert "Traceback" not in output, (args, output)
        assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.stderr)
        if result.exit_code != 0:
            # (doctor reports its findings on stdout and exits 1: no "error:" line.)
            assert snapshot(ws, out) == before, (args, result.stderr)
        return result


# ---------------------------------------------------------------- the reproductions

#: Issue 12's reproductions that go through arguments, each a case of the fuzz.
REPRODUCTIONS = [
    ["participant", "add", "Eve\udcff", "--role", "staff"],
    ["session", "new", "T\udcff", "--date", "2026-01-01"],
    ["tension", "raise", "A\udcff", "--kind", "power"],
    ["commitment", "make", "X\udcff", "--by", "P-1", "--authority", "can_decide"],
    ["commitment", "update", "C-1", "note \udcff"],
    ["participant", "consent", "P-1", "record", "--give", "--statement-version", "v\udcff",
     "--method", "written", "--recorded-by", "Ada"],
    ["participant", "consent", "P-1", "record", "--give", "--statement-version", "v1",
     "--method", "written", "--recorded-by", "A\udcff"],
    ["config", "set", "workspace.org", "\udcff"],
    ["config", "set", "storage.timeout", "inf"],
    ["config", "set", "storage.timeout", "nan"],
    ["config", "set", "privacy.retention", "99999999999999999999"],
    ["config", "set", "reports.html_template", "/dev/zero"],
    ["config", "set", "storage.path", "/../../coprod-fuzz-climb.db"],
    ["session", "new", "T", "--date", "9999-12-31"],
    ["commitment", "make", "X", "--by", "P-1", "--authority", "can_decide",
     "--due", "9999-12-31"],
    ["participant", "add", "\x1b[31mRed", "--role", "staff"],
    ["participant", "add", "a\nb", "--role", "staff"],
    ["participant", "add", "\x01\x02", "--role", "staff"],
    ["participant", "consent", "P-1", "record", "--give", "--statement-version", "   ",
     "--method", "written", "--recorded-by", "Ada"],
    ["participant", "consent", "P-1", "record", "--give", "--statement-version", "v1",
     "--method", "written", "--recorded-by", "  "],
    ["participant", "update", "P-1", "--email", "notanemail", "--phone", "call me"],
    ["session", "rate", "S-1", "P-2", "co-production"],
    ["session", "rate", "S-1", "P-2", "coproduction"],
    ["sesion", "list"],
    ["participant", "add", "Ada", "--role", "x" * 200_000],
    ["tension", "list", "--kind", "\x1b[2J" * 50_000],
]


@pytest.mark.parametrize("args", REPRODUCTIONS, ids=lambda a: " ".join(a)[:40])
def test_the_reproductions_are_refused_cleanly_or_done(args: list[str], template: Path) -> None:
    result = check(args, template)
    if args[-1] != "co-production":
        assert result.exit_code != 0, args
    assert len(result.stderr) < 3000  # a huge value is not echoed back whole


# ---------------------------------------------------------------- the fuzz

FUZZ_EXAMPLES = int(os.environ.get("COPROD_FUZZ_EXAMPLES", "0"))


def _fuzz_commands(args: list[str], template: Path) -> None:
    check(args, template)


@settings(max_examples=800, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(args=invocations(FAST_COMMANDS))
@example(args=["participant", "add", "Eve\udcff", "--role", "staff"])
@example(args=["session", "new", "T", "--date", "9999-12-31"])
@example(args=["--", "participant", "list"])
@example(args=["participant", "show", "S-1"])
@example(args=["session", "attend", "S-1", "T-1", "C-1"])
@example(args=["report", "summary", "--from", "0001-01-01", "--to", "9999-12-31"])
@example(args=["privacy", "requests", "add", "access", "--received", "0001-01-01"])
def test_every_command_with_hostile_values(args: list[str], template: Path) -> None:
    _fuzz_commands(args, template)


@pytest.mark.slow
@pytest.mark.skipif(not FUZZ_EXAMPLES, reason="set COPROD_FUZZ_EXAMPLES for the long run")
@settings(max_examples=max(FUZZ_EXAMPLES, 1), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(args=invocations(COMMANDS))
def test_every_command_with_hostile_values_long_run(args: list[str], template: Path) -> None:
    _fuzz_commands(args, template)


# ---------------------------------------------------------------- coprod.toml

TOML_VALUES = ["inf", "-inf", "nan", "+nan", "99999999999999999999", "-1", "0", "1e400",
               '"a\\u0000b"', '"\\u001b[31m"', '"/dev/zero"', '"/dev/null"', '""', '" "',
               '"' + "x" * 300 + '"', "[" * 3000 + "]" * 3000, "{a=" * 300 + "1" + "}" * 300,
               "true", "[]", "{}", '"2026-01-01"', "9999-12-31", "1979-05-27T07:32:00Z",
               '"24 months"', '"99999 months"', "36600", "36601", '"co-production"',
               '"json"', '"memory"', '"nope"', "3600", "3601", "0.0", '"."', '".."',
               '"coprod.toml"', "[1, 2]", '["staff", "nope"]', '{ carer = "Carer" }']
TOML_KEYS = {
    "workspace": ["org", "actor", "nope"],
    "storage": ["backend", "path", "timeout", "url", "url_env", "schema", "nope"],
    "roles": ["custom"],
    "roles.custom": ["carer", "Bad-Name", "x" * 50],
    "privacy": ["retention", "require_contact_consent"],
    "reports": ["html_template", "lived_experience_roles", "staff_roles", "demographics"],
    "reports.disclosure": ["threshold", "rounding", "off"],
    "forms": ["path", "nope"],
    "plugins.coprod_payments": ["rate", "nope"],
    "plugins.x\u0000": ["a"],
}
READERS = [
    ["config", "check"], ["config", "show"], ["participant", "list"], ["doctor"],
    ["privacy", "review"], ["report", "summary"], ["session", "list"],
    ["participant", "add", "Cy", "--role", "staff"],
    ["session", "new", "T", "--date", "2026-01-01"],
    ["config", "set", "workspace.org", "Fuzz"],
]


@st.composite
def mutated_toml(draw: st.DrawFn, original: str) -> str:
    how = draw(st.integers(0, 5))
    if how == 0:  # nested thousands deep, through dotted keys
        depth = draw(st.sampled_from([33, 3000, 5000]))
        return original + "\n[x]\n" + ".".join(["a"] * depth) + " = 1\n"
    if how == 1:  # cut short, or bytes that are not UTF-8
        cut = draw(st.integers(0, len(original)))
        tail = draw(st.sampled_from(["", "\udcff", "\x00", "[", '"', "= 1"]))
        return original[:cut] + tail
    table = draw(st.sampled_from(sorted(TOML_KEYS)))
    key = draw(st.sampled_from(TOML_KEYS[table]))
    value = draw(st.sampled_from(TOML_VALUES) | st.integers().map(str))
    quoted = table if "\u0000" not in table else '"plugins"."x\\u0000"'
    # Appended as its own table, so it replaces nothing (a duplicate is itself a mutation).
    return original + f"\n[{quoted}]\n{key} = {value}\n"


def _toml(template: Path) -> str:
    return (template / "ws" / "coprod.toml").read_text(encoding="utf-8")


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_every_reader_with_a_mutated_config(data: st.DataObject, template: Path) -> None:
    toml = data.draw(mutated_toml(_toml(template)))
    args = data.draw(st.sampled_from(READERS))
    result = check(args, template, toml=toml)
    if args == ["config", "check"] and result.exit_code == 0:
        # What config check accepts, every command can work with.
        for reader in (["participant", "list"], ["doctor"], ["privacy", "review"]):
            assert check(reader, template, toml=toml).exit_code in (0, 1), reader


CONFIG_REPRODUCTIONS = {
    "dotted-3000": lambda toml: toml + "\n[x]\n" + ".".join(["a"] * 3000) + " = 1\n",
    "arrays-5000": lambda toml: toml + "\n[x]\na = " + "[" * 5000 + "]" * 5000 + "\n",
    "timeout-inf": lambda toml: toml.replace("[storage]\n", "[storage]\ntimeout = inf\n"),
    "timeout-nan": lambda toml: toml.replace("[storage]\n", "[storage]\ntimeout = -nan\n"),
    "nul-path": lambda toml: toml.replace("[storage]\n", '[storage]\npath = "a\\u0000b"\n'),
    "climbing-path": lambda toml: toml.replace(
        "[storage]\n", '[storage]\npath = "/../../coprod-fuzz-climb.db"\n'),
    "dev-zero": lambda toml: toml + '\n[reports]\nhtml_template = "/dev/zero"\n',
    "nul-template": lambda toml: toml + '\n[reports]\nhtml_template = "a\\u0000b"\n',
    "retention": lambda toml: toml.replace('retention = "24 months"',
                                           "retention = 99999999999999999999"),
}


@pytest.mark.parametrize("change", sorted(CONFIG_REPRODUCTIONS))
@pytest.mark.parametrize("args", [["config", "check"], ["participant", "list"],
                                  ["report", "summary", "-f", "html"]],
                         ids=lambda a: " ".join(a))
def test_config_reproductions_are_one_line(change: str, args: list[str],
                                           template: Path) -> None:
    toml = CONFIG_REPRODUCTIONS[change](_toml(template))
    assert toml != _toml(template)
    result = check(args, template, toml=toml)
    assert result.exit_code == 1, result.stdout
    assert result.stderr.count("\n") == 1
    assert "coprod.toml" in result.stderr
    assert not Path("/coprod-fuzz-climb.db").exists()


def test_init_through_a_folder_that_does_not_exist(template: Path) -> None:
    with case_folder(template) as (_ws, out), use_plugin_manager(), contextlib.chdir(out):
        result = CliRunner().invoke(cli, ["init", "a/../b"], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        assert (out / "b" / "coprod.toml").is_file()
        assert not (out / "a").exists()


# ---------------------------------------------------------------- real processes

#: Bytes in argv exist only for a real process: these run the coprod command.
ARGUMENT_BYTES = [
    [b"participant", b"add", b"Eve\xff", b"--role", b"staff"],
    [b"participant", b"add", b"Eve", b"--role", b"st\xffaff"],
    [b"session", b"new", b"T", b"--date", b"2026-01-01", b"--purpose", b"\xc3\x28"],
    [b"config", b"set", b"workspace.org", b"\xed\xa0\x80"],
    [b"tension", b"raise", b"x", b"--kind", b"power", b"--raised-by", b"\x80"],
]


@pytest.mark.parametrize("argv", ARGUMENT_BYTES, ids=lambda a: b" ".join(a)[:30].decode(
    "ascii", "replace"))
def test_argument_bytes_that_are_not_utf8(argv: list[bytes], template: Path) -> None:
    coprod = shutil.which("coprod", path=os.path.dirname(sys.executable)) or "coprod"
    with case_folder(template) as (ws, out):
        before = snapshot(ws, out)
        env = {**os.environ, "COPROD_WORKSPACE": str(ws), "COPROD_USER": "fuzzer"}
        env.pop("COPROD_DEBUG", None)
        done = subprocess.run([coprod.encode(), *argv], cwd=out, env=env,
                              capture_output=True, timeout=120, check=False)
        stderr = done.stderr.decode("utf-8")
        assert done.returncode == 1, stderr
        assert stderr.startswith("error: ") and stderr.count("\n") == 1, stderr
        assert "is not text: it holds bytes that are not UTF-8" in stderr
        assert done.stdout == b""
        assert snapshot(ws, out) == before
