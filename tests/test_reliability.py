"""Crashes, contention and injected failures: nothing acknowledged is lost, nothing is partial.

Bounded: a few rounds each, a few seconds per backend.
"""

import os
import random
import signal
import subprocess
import sys
import textwrap

import pytest

from coprod_core import serialise
from coprod_core.errors import StorageError
from coprod_core.workspace import Workspace

BACKENDS = ["sqlite", "json"]

WRITER = textwrap.dedent("""
    import sys
    from coprod_core.workspace import Workspace

    ws = Workspace.open(sys.argv[1], actor="writer")
    batch = int(sys.argv[2])
    print("open", flush=True)
    while True:
        ws.add_participants([{"name": f"w{batch}-{k}", "role": "staff"} for k in range(5)])
        print(batch, flush=True)
        batch += 1
""")


def _check_whole(folder, plugin_manager, acknowledged):
    """Every acknowledged batch is there, every batch is whole, the store is sound."""
    with Workspace.open(folder, plugins=plugin_manager) as ws:
        integrity = getattr(ws.storage, "check_integrity", None)
        if integrity is not None:
            assert integrity() == []
        batches: dict[int, int] = {}
        for doc in ws.storage.iterate("participants"):
            person = serialise.structure("participants", doc)
            batch = int(person.name.split("-")[0][1:])
            batches[batch] = batches.get(batch, 0) + 1
        assert set(acknowledged) <= set(batches), "an acknowledged write is missing"
        assert all(n == 5 for n in batches.values()), f"a partial batch: {batches}"
        assert ws.storage.count("participants") == ws.storage.counters().get("participants", 0)
        assert len(list(ws.storage.iterate_audit())) == len(batches)
        return max(batches, default=-1) + 1


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_sigkill_during_writes_loses_nothing_acknowledged(tmp_path, plugin_manager, backend):
    folder = tmp_path / "ws"
    Workspace.create(folder, backend=backend, plugins=plugin_manager).close()
    rng = random.Random(f"kill-{backend}")
    acknowledged: list[int] = []
    next_batch = 0
    for _round in range(10):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder), str(next_batch)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline() == "open\n", proc.stderr.read()
        for _ in range(rng.randint(0, 6)):
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            acknowledged.append(int(line))
        os.sched_yield()
        if rng.random() < 0.7:
            # Land the kill somewhere inside the next write, not between writes.
            proc.stdout.readline()
        proc.send_signal(signal.SIGKILL)
        rest, errors = proc.communicate(timeout=30)
        acknowledged.extend(int(line) for line in rest.split())
        assert proc.returncode == -signal.SIGKILL
        assert "Traceback" not in errors
        next_batch = _check_whole(folder, plugin_manager, acknowledged)
    assert len(acknowledged) >= 8


CLI_WRITER = textwrap.dedent("""
    import sys
    from coprod_core.cli import cli

    for i in range(int(sys.argv[2])):
        # As separate runs of the command would: each ends in SystemExit, and an
        # error is one line on stderr and a non-zero exit.
        try:
            cli.main(["-w", sys.argv[1], "--as", f"writer{sys.argv[3]}", "participant", "add",
                      f"p{sys.argv[3]}-{i}", "--role", "staff"])
        except SystemExit as exc:
            if exc.code:
                raise
""")


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_several_processes_writing_at_once(tmp_path, plugin_manager, backend):
    folder = tmp_path / "ws"
    Workspace.create(folder, backend=backend, plugins=plugin_manager).close()
    writers, each = 4, 8
    procs = [subprocess.Popen([sys.executable, "-c", CLI_WRITER, str(folder), str(each), str(w)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for w in range(writers)]
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert err == ""
        assert "locked" not in out
    ids = sorted(int(line.split("-")[1]) for out, _ in results for line in out.split())
    assert ids == list(range(1, writers * each + 1))
    with Workspace.open(folder, plugins=plugin_manager) as ws:
        names = {p.name for p in ws.participants()}
        assert names == {f"p{w}-{i}" for w in range(writers) for i in range(each)}
        assert len(list(ws.audit())) == writers * each


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_disk_error_in_the_middle_of_an_operation_stores_nothing(
        tmp_path, plugin_manager, backend):
    folder = tmp_path / "ws"
    ws = Workspace.create(folder, backend=backend, plugins=plugin_manager)
    ws.add_participant("Before", role="staff")
    real = ws.storage.put_many

    def failing_put_many(collection, docs):
        def some_then_fail():
            for n, doc in enumerate(docs):
                if n == 1500:
                    raise OSError(28, "No space left on device")
                yield doc
        return real(collection, some_then_fail())

    ws.storage.put_many = failing_put_many
    with pytest.raises(OSError, match="No space left"):
        ws.add_participants({"name": f"n{i}", "role": "staff"} for i in range(5000))
    ws.close()
    with Workspace.open(folder, plugins=plugin_manager) as again:
        assert [p.name for p in again.participants()] == ["Before"]
        assert len(list(again.audit())) == 1
        assert again.add_participant("After", role="staff").id in ("P-2", "P-3")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_plugin_failing_mid_operation_stores_nothing(tmp_path, plugin_manager,
                                                       register_plugin, backend):

    from coprod_core import hookimpl
    from coprod_core.errors import PluginError

    class Flaky:
        seen = 0

        @hookimpl
        def coprod_validate(self, collection):
            self.seen += 1
            if self.seen == 3:
                raise ValueError("lost the connection to the payments service")

    folder = tmp_path / "ws"
    with Workspace.create(folder, backend=backend, plugins=plugin_manager) as ws:
        register_plugin(Flaky(), name="flaky")
        with pytest.raises(PluginError, match="flaky"), ws.operation("panel.setup"):
            ws.add_participant("One", role="staff")
            ws.add_participant("Two", role="staff")
            ws.add_participant("Three", role="staff")
    with Workspace.open(folder, plugins=plugin_manager) as again:
        assert again.count("participants") == 0
        assert list(again.audit()) == []


def test_a_commit_the_disk_refuses_is_reported_not_half_kept(tmp_path, plugin_manager,
                                                            monkeypatch):
    from coprod_json import backend as json_backend

    folder = tmp_path / "ws"
    ws = Workspace.create(folder, backend="json", plugins=plugin_manager)

    def no_space(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(json_backend, "write_file", no_space)
    with pytest.raises(StorageError, match="this change was not saved: changes cannot be "
                                           r"saved .* until there is space"):
        ws.add_participants([{"name": "A", "role": "staff"}, {"name": "B", "role": "staff"}])
    monkeypatch.undo()
    ws.close()
    with Workspace.open(folder, plugins=plugin_manager) as again:
        assert again.count("participants") == 0


@pytest.mark.parametrize("backend", [*BACKENDS, "postgres"])
def test_an_erasure_reaches_every_backend(tmp_path, plugin_manager, backend, monkeypatch):
    """Erasure scrubs records and the audit log, then purges, on each backend."""
    import uuid

    from postgres_support import URL

    if backend == "postgres":
        if not URL:
            pytest.skip("set COPROD_TEST_POSTGRES_URL to run the PostgreSQL tests")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        monkeypatch.setenv("COPROD_POSTGRES_URL", URL)
    folder = tmp_path / "ws"
    ws = Workspace.create(folder, backend=backend, plugins=plugin_manager, actor="coordinator")
    if backend == "postgres":
        ws.close()
        config = folder / "coprod.toml"
        config.write_text(config.read_text().replace(
            'backend = "postgres"', f'backend = "postgres"\nschema = "{schema}"'))
        ws = Workspace.open(folder, plugins=plugin_manager, actor="coordinator")
    warnings: list[str] = []
    ws.warn = warnings.append
    try:
        person = ws.add_participant("Zed Quill", role="lived_experience")
        ws.actor = "Zed Quill"
        ws.raise_tension("Zed Quill was not asked", kind="power", raised_by=person.id)
        ws.actor = "coordinator"
        ws.erase_participant(person.id)
        assert warnings == []
        assert ws.participant(person.id).erased_at is not None
        assert "Zed Quill" not in ws.tension("T-1").description
        actors = [entry["actor"] for entry in ws.audit()]
        assert "Zed Quill" not in actors
        assert actors[-1] == "coordinator"
    finally:
        ws.close()
        if backend == "postgres":
            import psycopg

            with psycopg.connect(URL, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
