"""Render an HTML file in headless Chromium: a screenshot and the console's messages.

For testing HTML report formats (ours and plugins'). Needs Debian's
``chromium`` package (or ``COPROD_CHROMIUM=/path/to/chromium``). Chromium
runs with a fresh profile, no network services, and its console written to
stderr, from which the page's console messages are read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from attrs import frozen

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
)


@frozen
class Rendered:
    png: Path
    #: Every message the page wrote to the console (errors, blocked loads, warnings).
    console: tuple[str, ...]
    #: Chromium's own errors about loading the page (file not found and the like).
    load_errors: tuple[str, ...]
    width: int
    height: int


def find_chromium() -> str | None:
    chosen = os.environ.get("COPROD_CHROMIUM")
    if chosen:
        return chosen
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def render_page(html: Path, png: Path, *, width: int = 1100, height: int = 2400,
                timeout: float = 60) -> Rendered:
    """Load ``html`` in headless Chromium and save a ``width`` x ``height`` screenshot."""
    chromium = find_chromium()
    if chromium is None:
        raise FileNotFoundError("chromium is not installed")
    with tempfile.TemporaryDirectory(prefix="coprod-chromium-") as profile:
        done = subprocess.run(
            [chromium, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
             f"--screenshot={png}", Path(html).resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    console, load_errors = [], []
    for line in done.stderr.splitlines():
        if ":CONSOLE" in line:
            console.append(line.split("] ", 1)[-1])
        elif "Page load failed" in line or "ERR_" in line:
            load_errors.append(line)
    if done.returncode != 0 or not (png.exists() or load_errors):
        raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    png_width, png_height = _png_size(png) if png.exists() else (0, 0)
    return Rendered(png=png, console=tuple(console), load_errors=tuple(load_errors),
                    width=png_width, height=png_height)
