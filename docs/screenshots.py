"""Make docs/images/report-KIND.png (each HTML report of the `coprod demo` data)
and docs/images/subject-access-letter.png (a participant's export, on a phone).

    python docs/screenshots.py

Needs Debian's chromium package. The pictures show the top of each page.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from coprod_core import demo, subject_access
from coprod_core.reports import Params, build, format_named, render_bytes
from coprod_core.testing.chromium import Rendered, render_page
from coprod_core.workspace import Workspace

IMAGES = Path(__file__).resolve().parent / "images"
KINDS = {"summary": (), "commitments": (), "tensions": (), "participation": (),
         "ladder": (), "session": ("S-5",)}


def main() -> None:
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="coprod-shots-") as tmp:
        folder = Path(tmp) / "demo"
        demo.build(lambda clock: Workspace.create(
            folder, org="Riverside Multiple Disadvantage Partnership", clock=clock,
            actor="demo")).close()
        config = folder / "coprod.toml"
        config.write_text(config.read_text() + '\n[reports]\ndemographics = ["ethnicity"]\n')
        with Workspace.open(folder) as ws:
            for kind, args in KINDS.items():
                report = build(ws, kind, Params(args=args))
                page = Path(tmp) / f"{kind}.html"
                page.write_bytes(render_bytes(report, format_named(ws.plugins, "html"),
                                              {"workspace": ws}))
                shot = render_page(page, IMAGES / f"report-{kind}.png", width=1000,
                                   height=1500)
                _check(shot)
            letter = subject_access.export(ws, "P-2", Path(tmp) / "letter.html")
            _check(render_page(letter, IMAGES / "subject-access-letter.png", width=390,
                               height=1400))


def _check(shot: Rendered) -> None:
    problems = shot.console + shot.load_errors
    print(f"{shot.png} {'; '.join(problems) if problems else 'ok'}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
