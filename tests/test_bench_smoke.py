"""Every benchmark still runs, at a tiny size, and prints its ratio.

No timing is asserted here (machines are noisy; the figures belong in the
docs): this only keeps the benchmarks from rotting as the code changes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"

RUNS = [
    ("bulk_insert.py", "--n", "300", "--repeat", "1", "--postgres", ""),
    ("stream_attendance.py", "--sessions", "40", "--per-session", "5"),
    ("intake_import.py", "200"),
    ("import_from.py", "50"),
    ("reports.py", "--scale", "0.005"),
    ("privacy_erase.py", "40"),
    ("startup.py", "--runs", "1"),
    ("web.py", "--promises", "5", "--clients", "4", "--seconds", "0.5", "--writers", "2",
     "--updates", "2"),
]


@pytest.mark.parametrize("args", RUNS, ids=[r[0] for r in RUNS])
def test_benchmark_runs_and_prints_a_ratio(args, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env["TMPDIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, str(BENCH / args[0]), *args[1:]],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ratio" in result.stdout.lower(), result.stdout
