"""``coprod report`` through the command line."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from reports_support import fill_small

from coprod_core.workspace import Workspace


@pytest.fixture
def filled(workspace_dir, plugin_manager, run):
    with Workspace.open(workspace_dir, plugins=plugin_manager, actor="tester") as ws:
        fill_small(ws)
    return run


def test_list_shows_kinds_and_formats(run):
    result = run("report", "--list")
    assert result.exit_code == 0, result.stderr
    assert "session SESSION_ID" in result.stdout
    for name in ("summary", "commitments", "tensions", "participation", "ladder", "markdown",
                 "html", "csv", "json"):
        assert f"  {name}" in result.stdout
    listed = json.loads(run("report", "--list", "--json").stdout)
    assert {k["name"] for k in listed["kinds"]} >= {"summary", "session"}
    assert {f["name"]: f["folder"] for f in listed["formats"]}["csv"] is True
    assert listed["kinds"][0]["plugin"] == "reports"


def test_list_includes_a_plugins_kind_and_format(run, register_plugin):
    from coprod_core import hookimpl
    from coprod_core.reports import Report, ReportFormat, ReportKind

    class Extra:
        @hookimpl
        def coprod_register_report_kinds(self, register: Any) -> None:
            register("payments", ReportKind(
                name="payments", title="Payments", description="What was paid.",
                build=lambda ws, params: Report(kind="payments", title="Payments",
                                                generated_at=ws.now())))

        @hookimpl
        def coprod_register_report_formats(self, register: Any) -> None:
            register("text", ReportFormat(name="text", description="Bare text.",
                                          extension="txt",
                                          render=lambda report, options: b"T\n"))

    register_plugin(Extra(), name="extra")
    listed = json.loads(run("report", "--list", "--json").stdout)
    assert {"name": "payments", "title": "Payments", "description": "What was paid.",
            "arguments": [], "plugin": "extra"} in listed["kinds"]
    assert any(f["name"] == "text" and f["plugin"] == "extra" for f in listed["formats"])
    result = run("report", "payments", "--format", "text")
    assert result.stdout == "T\n"


def test_markdown_to_stdout(filled):
    result = filled("report", "summary")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("# Summary\n\n**Test Partnership** · All dates on record")
    assert "| Lived experience | \\* | \\* |" in result.stdout


def test_write_html_then_refuse_to_overwrite(filled, tmp_path):
    target = tmp_path / "summary.html"
    result = filled("report", "summary", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {target}\n"
    assert target.read_text().startswith("<!DOCTYPE html>")
    again = filled("report", "tensions", "-o", str(target))
    assert again.exit_code == 1
    assert again.stdout == ""
    assert again.stderr == (f"error: {target} already exists; choose another name or add "
                            "--force to replace it\n")
    assert "<h1>Summary</h1>" in target.read_text()
    forced = filled("report", "tensions", "-o", str(target), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert "<h1>Tensions</h1>" in target.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.html", "ws"]


def test_format_from_the_extension_and_json(filled, tmp_path):
    target = tmp_path / "r.json"
    assert filled("report", "ladder", "-o", str(target)).exit_code == 0
    assert json.loads(target.read_text())["kind"] == "ladder"


def test_csv_writes_a_folder(filled, tmp_path):
    folder = tmp_path / "out"
    result = filled("report", "commitments", "--format", "csv", "-o", str(folder))
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in folder.iterdir())
    assert names[0] == "00-about.csv"
    assert "03-you-said-we-did.csv" in names
    assert result.stdout == f"wrote {len(names)} files in {folder}\n"
    refused = filled("report", "summary", "--format", "csv")
    assert refused.exit_code == 1
    assert refused.stderr == "error: the csv format writes files; name where with -o PATH\n"
    again = filled("report", "summary", "--format", "csv", "-o", str(folder), "--force")
    assert again.exit_code == 0, again.stderr
    assert "03-you-said-we-did.csv" not in {p.name for p in folder.iterdir()}


def test_unwritable_and_missing_folders(filled, tmp_path):
    missing = filled("report", "summary", "-o", str(tmp_path / "nope" / "r.md"))
    assert missing.exit_code == 1
    assert missing.stderr == f"error: cannot write {tmp_path / 'nope' / 'r.md'}: folder " \
                             f"{tmp_path / 'nope'} does not exist\n"
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        result = filled("report", "summary", "-o", str(locked / "r.md"))
        assert result.exit_code == 1
        assert "is not writable" in result.stderr
    afile = tmp_path / "a-file"
    afile.write_text("x")
    under = filled("report", "summary", "-o", str(afile / "r.md"))
    assert under.stderr == f"error: cannot write {afile / 'r.md'}: {afile} is a file, not a " \
                           "folder\n"
    folder = tmp_path / "dir"
    folder.mkdir()
    clash = filled("report", "summary", "-o", str(folder), "--force")
    assert clash.exit_code == 1
    assert clash.stderr == f"error: {folder} is a folder; name a file to write to\n"


def test_names_need_the_flag_and_consent(filled):
    plain = filled("report", "session", "S-1")
    assert plain.exit_code == 0, plain.stderr
    assert "Zoë" not in plain.stdout
    named = filled("report", "session", "s1", "--names")
    assert "Named here with their agreement: Zoë." in named.stdout
    assert "Aisha" not in named.stdout  # no consent to be named


def test_errors_are_one_line(filled):
    cases = [
        (("report", "nonsense"), "error: unknown report kind 'nonsense'; allowed: commitments,"),
        (("report", "summary", "--format", "pdf"), "error: unknown report format 'pdf'; "),
        (("report", "session"), "error: report session takes SESSION_ID; got 0 argument(s)"),
        (("report", "session", "S-9"), "error: no session with id S-9"),
        (("report", "summary", "--from", "2026-02-01", "--to", "2026-01-01"),
         "error: --from 2026-02-01 is after --to 2026-01-01"),
        (("report", "summary", "--from", "yesterday"), "error: Invalid value for '--from'"),
        (("report",), "error: name a report KIND, or use --list to see them"),
    ]
    for args, start in cases:
        result = filled(*args)
        assert result.exit_code != 0, args
        assert result.stdout == "", args
        assert result.stderr.startswith(start), (args, result.stderr)
        assert result.stderr.count("\n") == 1, args


def test_period_options_reach_the_report(filled):
    result = filled("report", "summary", "--from", "2026-02-01", "--format", "json")
    document = json.loads(result.stdout)
    assert document["period"] == {"from": "2026-02-01", "to": None}
    figures = {m["label"]: m["value"] for s in document["sections"] for b in s["blocks"]
               if b["type"] == "metrics" for m in b["items"]}
    assert figures["Sessions held"] == 0


def test_help_names_every_option(run):
    result = run("report", "--help")
    for option in ("--format", "--output", "--from", "--to", "--names", "--force", "--list",
                   "--json"):
        assert option in result.stdout


def test_a_failure_while_writing_leaves_nothing_behind(filled, register_plugin, tmp_path):
    from coprod_core import hookimpl
    from coprod_core.errors import CoprodError
    from coprod_core.reports import Files, ReportFormat

    def broken(report: Any, options: Any) -> Any:
        yield b"half a report"
        raise CoprodError("the printer caught fire")

    def broken_folder(report: Any, options: Any) -> Any:
        return Files([("a.txt", b"fine"), ("b.txt", broken(report, options))])

    class Broken:
        @hookimpl
        def coprod_register_report_formats(self, register: Any) -> None:
            register("broken", ReportFormat(name="broken", description="Fails.",
                                            extension="txt", render=broken))
            register("broken-folder", ReportFormat(name="broken-folder", description="Fails.",
                                                   extension="d", render=broken_folder,
                                                   folder=True))

    register_plugin(Broken(), name="broken")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "r.txt"
    result = filled("report", "summary", "--format", "broken", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == "error: the printer caught fire\n"
    assert list(out.iterdir()) == []
    (out / "keep").mkdir()
    (out / "keep" / "old.txt").write_text("old")
    result = filled("report", "summary", "--format", "broken-folder", "-o",
                    str(out / "keep"), "--force")
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["keep"]
    assert [p.name for p in (out / "keep").iterdir()] == ["old.txt"]
