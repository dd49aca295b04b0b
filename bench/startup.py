"""Cold start of the ``coprod`` command against the floor for a pluggy-based CLI.

Run: ``python bench/startup.py [--runs N]``

Each measurement is a whole new process, repeated; the median is reported.
The baseline, measured in the same run, is a bare click application
(generated in a temporary folder) with as many top-level commands as coprod,
that creates a pluggy manager and loads the ``coprod`` entry-point group:
what any pluggy-based command line pays before doing anything.

Targets: ``coprod --help`` at most 1.3x the baseline's ``--help``;
``coprod participant list`` on an empty workspace at most 1.6x the baseline
running one subcommand.

Two clocks are reported: wall-clock time (what a person waits) and CPU time
(user + system, which other work on a busy machine disturbs much less).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = '''\
import click
import pluggy


def _plugins():
    pm = pluggy.PluginManager("coprod")
    pm.load_setuptools_entrypoints("{group}")
    return pm


@click.group(context_settings={{"help_option_names": ["-h", "--help"]}})
def cli():
    """A bare click application."""

{commands}

@cli.group()
def participant():
    """A command group."""


@participant.command("list")
def participant_list():
    """A subcommand that does nothing."""
    click.echo("nothing to show")


if __name__ == "__main__":
    _plugins()
    cli()
'''

COMMAND = '''
@cli.command("{name}")
def cmd_{name}():
    """Command {name}."""
'''


def baseline_source(n_commands: int, group: str = "coprod") -> str:
    # One of the commands is the ``participant`` group itself.
    commands = "".join(COMMAND.format(name=f"c{i}") for i in range(n_commands - 1))
    return BASELINE.format(commands=commands, group=group)


def timed_run(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """One cold process: (wall-clock seconds, CPU seconds in user and kernel mode)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode().strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _coprod_command(python: str) -> list[str]:
    """The installed ``coprod`` script, as a person runs it."""
    script = Path(python).parent / "coprod"
    if script.is_file():
        return [str(script)]
    return [python, "-c", "from coprod_core.cli import main; main()"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per measurement")
    args = parser.parse_args()

    from coprod_core.cli import BUILTIN_COMMANDS

    python = sys.executable
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPROD_")}
    env["PYTHONDONTWRITEBYTECODE"] = "0"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base = root / "baseline.py"
        base.write_text(baseline_source(len(BUILTIN_COMMANDS)), encoding="utf-8")
        # The same application loading an empty group: what the plugins' own
        # imports cost, which coprod and the baseline above both pay.
        bare = root / "bare.py"
        bare.write_text(baseline_source(len(BUILTIN_COMMANDS), "coprod-bench-none"),
                        encoding="utf-8")
        workspace = root / "ws"
        coprod = _coprod_command(python)
        subprocess.run([*coprod, "init", str(workspace)], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        # Warm the file cache and the bytecode caches once, untimed.
        for argv in ([python, str(base), "--help"], [*coprod, "--help"]):
            subprocess.run(argv, env=env, cwd=workspace, stdout=subprocess.DEVNULL, check=True)

        rows = []
        for label, ours, theirs, target in (
            ("--help", [*coprod, "--help"], [python, str(base), "--help"], 1.3),
            ("participant list", [*coprod, "participant", "list"],
             [python, str(base), "participant", "list"], 1.6),
        ):
            # Interleaved, so that a busy machine slows both sides alike.
            base_runs, our_runs = [], []
            for _ in range(args.runs):
                base_runs.append(timed_run(theirs, env, workspace))
                our_runs.append(timed_run(ours, env, workspace))
            rows.append((label, target, [
                (kind, statistics.median(r[i] for r in our_runs),
                 statistics.median(r[i] for r in base_runs))
                for i, kind in enumerate(("wall", "cpu"))
            ]))

        bare_runs = [timed_run([python, str(bare), "--help"], env, workspace)
                     for _ in range(args.runs)]
        base_help = [timed_run([python, str(base), "--help"], env, workspace)
                     for _ in range(args.runs)]
        plugin_cost = [statistics.median(r[i] for r in base_help)
                       - statistics.median(r[i] for r in bare_runs) for i in (0, 1)]

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}; "
          f"{args.runs} cold runs each, median")
    print(f"{'command':<18}{'clock':<6}{'coprod':>10}{'baseline':>10}{'ratio':>8}{'target':>8}")
    for label, target, measures in rows:
        for kind, ours_t, base_t in measures:
            ratio = ours_t / base_t
            mark = "ok" if ratio <= target else "MISSED"
            print(f"{label:<18}{kind:<6}{ours_t * 1000:>8.1f}ms{base_t * 1000:>8.1f}ms"
                  f"{ratio:>7.2f}x{target:>7.1f}x  {mark}")
    print(f"loading the installed plugins' modules (in both columns): "
          f"{plugin_cost[0] * 1000:.1f}ms wall, {plugin_cost[1] * 1000:.1f}ms cpu")


if __name__ == "__main__":
    main()
