"""`coprod serve` as people run it: a real server process, real HTTP, real signals."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from postgres_support import URL, needs_postgres, pg_schema  # noqa: F401

pytest.importorskip("uvicorn",
                    reason='the web front needs the web extra: pip install "coprod[web]"')
httpx = pytest.importorskip("httpx2")

PASSWORD = "four words in a row"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _setup(folder: Path, *, backend_lines: str = "") -> str:
    """A workspace with a promise C-1 by P-1 and its owner's account; returns its path."""
    from coprod_core import accounts
    from coprod_core.plugins import get_plugin_manager
    from coprod_core.workspace import Workspace

    ws = Workspace.create(folder, org="Riverside", plugins=get_plugin_manager(fresh=True),
                          actor="tester")
    if backend_lines:
        config = folder / "coprod.toml"
        text = config.read_text(encoding="utf-8")
        text = re.sub(r'(?ms)^\[storage\].*?(?=^\[roles\])', backend_lines + "\n", text)
        config.write_text(text, encoding="utf-8")
        ws.close()
        ws = Workspace.open(folder, plugins=get_plugin_manager(fresh=True), actor="tester")
    owner = ws.add_participant("Dev", role="commissioner")
    ws.make_commitment("Publish minutes", made_by=owner.id, authority="can_decide")
    accounts.add_account(ws, "dev", role="promise_owner", password=PASSWORD,
                         participant_id=owner.id)
    ws.close()
    return str(folder)


class Server:
    def __init__(self, folder: str, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        environment = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
        environment.update(env or {})
        environment["COPROD_WORKSPACE"] = folder
        environment["COPROD_LOAD_PLUGINS"] = ""  # the built-in plugins only
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from coprod_core.cli import main; main()", "serve",
             "--port", str(self.port), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
        assert self.process.stdout is not None
        self.first_line = self.process.stdout.readline()
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/login", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        _code, err = self.stop()
        raise AssertionError(f"the server did not start: {self.first_line}{err}")

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        self.process.send_signal(sig)
        try:
            _out, err = self.process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _out, err = self.process.communicate()
        return self.process.returncode, err


def _signed_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, follow_redirects=False, timeout=30)
    page = client.get("/login")
    token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    answer = client.post("/login", data={"_csrf": token, "name": "dev", "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    return client


def _add_news(client: httpx.Client, note: str) -> bool:
    """Post one progress update; True when the server acknowledged it (303)."""
    try:
        page = client.get("/mine/C-1")
        token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
        answer = client.post("/mine/C-1/progress", data={"_csrf": token, "note": note})
    except (httpx.TransportError, AttributeError):
        return False
    return answer.status_code == 303


def _notes(folder: str) -> list[str]:
    from coprod_core.plugins import get_plugin_manager
    from coprod_core.workspace import Workspace

    with Workspace.open(folder, plugins=get_plugin_manager(fresh=True)) as ws:
        return [u.note for u in ws.commitment("C-1").updates]


def test_serve_prints_the_url_and_stops_on_sigterm_losing_no_acknowledged_write(tmp_path):
    folder = _setup(tmp_path / "ws")
    server = Server(folder)
    assert server.first_line.startswith("coprod web front for Riverside: "
                                        f"http://127.0.0.1:{server.port}/")
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(n: int) -> None:
        client = _signed_in(server.url)
        try:
            i = 0
            while not stop.is_set() and i < 200:
                note = f"writer {n} update {i}"
                if _add_news(client, note):
                    with lock:
                        acknowledged.append(note)
                elif stop.is_set():
                    return
                i += 1
        finally:
            client.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    code, err = server.stop(signal.SIGTERM)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    # uvicorn finishes the requests under way, then exits by the signal it was sent,
    # as service managers expect.
    assert code in (0, -signal.SIGTERM), err
    assert "Traceback" not in err and err == ""
    assert len(acknowledged) >= 20
    stored = set(_notes(folder))
    assert set(acknowledged) <= stored, sorted(set(acknowledged) - stored)[:5]


def test_sqlite_refuses_several_workers(run, workspace_dir):
    result = run("serve", "--workers", "2")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: --workers 2 needs a PostgreSQL workspace; this one "
                                    "keeps its records in sqlite")
    assert result.stderr.count("\n") == 1


def test_serve_names_the_extra_when_a_dependency_is_missing(run, monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    result = run("serve")
    assert result.exit_code == 1
    assert result.stderr == ('error: the web front needs the web extra: pip install '
                             '"coprod[web]" (missing: uvicorn)\n')


@needs_postgres
def test_postgresql_with_two_workers_and_concurrent_writes(tmp_path, pg_schema):  # noqa: F811
    storage = f'[storage]\nbackend = "postgres"\nurl = "{URL}"\nschema = "{pg_schema}"\n'
    folder = _setup(tmp_path / "ws", backend_lines=storage)
    server = Server(folder, "--workers", "2")
    try:
        assert "2 workers" in server.first_line
        acknowledged: list[str] = []
        lock = threading.Lock()

        def writer(n: int) -> None:
            client = _signed_in(server.url)
            try:
                for i in range(10):
                    note = f"writer {n} update {i}"
                    if _add_news(client, note):
                        with lock:
                            acknowledged.append(note)
            finally:
                client.close()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert len(acknowledged) == 60
        # A cookie signed by one worker is accepted by the other (one secret).
        client = _signed_in(server.url)
        try:
            assert {client.get("/mine").status_code for _ in range(8)} == {200}
        finally:
            client.close()
    finally:
        code, err = server.stop()
    assert code in (0, -signal.SIGTERM), err
    assert sorted(_notes(folder)) == sorted(acknowledged)


def test_a_port_in_use_is_one_line(run, workspace_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port} (Address already in use); choose "
        "another port with --port, or stop what is using it"]
