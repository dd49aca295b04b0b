"""The HTML reports load in a real browser with no console errors."""

from __future__ import annotations

import pytest

from coprod_core.reports import Params, build, format_named, render_bytes
from coprod_core.testing.chromium import find_chromium, render_page

pytestmark = pytest.mark.skipif(
    find_chromium() is None,
    reason="chromium is not installed (apt-get install chromium); .ci/run installs it",
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The `coprod demo` programme, with a demographic breakdown configured."""
    from coprod_core import demo as demo_data
    from coprod_core.testing import use_plugin_manager
    from coprod_core.workspace import Workspace

    folder = tmp_path_factory.mktemp("demo") / "ws"
    with use_plugin_manager() as pm:
        ws = demo_data.build(lambda clock: Workspace.create(
            folder, org="Riverside Multiple Disadvantage Partnership", plugins=pm,
            clock=clock, actor="demo"))
        ws.close()
        config = folder / "coprod.toml"
        config.write_text(config.read_text() + '\n[reports]\ndemographics = ["ethnicity"]\n')
        ws = Workspace.open(folder, plugins=pm)
        yield ws
        ws.close()


def test_the_check_catches_console_errors(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><body><p>x</p><script>console.error("boom");'
                    "</script></body></html>")
    rendered = render_page(page, tmp_path / "bad.png", width=400, height=300)
    assert any("boom" in line for line in rendered.console)
    missing = render_page(tmp_path / "missing.html", tmp_path / "missing.png", width=400,
                          height=300)
    assert missing.load_errors


@pytest.mark.parametrize("kind", ["summary", "commitments", "tensions", "participation",
                                  "ladder", "session"])
def test_html_report_loads_cleanly(demo, kind, tmp_path):
    args = ("S-5",) if kind == "session" else ()
    report = build(demo, kind, Params(args=args, names=kind == "session"))
    page = tmp_path / f"{kind}.html"
    page.write_bytes(render_bytes(report, format_named(demo.plugins, "html"),
                                  {"workspace": demo}))
    rendered = render_page(page, tmp_path / f"{kind}.png")
    assert rendered.console == ()
    assert rendered.load_errors == ()
    assert (rendered.width, rendered.height) == (1100, 2400)
    assert rendered.png.stat().st_size > 20_000  # a page was drawn, not a blank
