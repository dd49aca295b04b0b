"""The web front under load, on loopback only, against a bare Starlette app in the same run.

1. The public board under many concurrent clients, against a bare Starlette
   app serving a static page of the same size (each behind its own uvicorn
   process, one worker each): throughput and p99 latency, as ratios.
2. A promise owner's update (POST a progress note) from several concurrent
   writers on a SQLite workspace: p50 and p99 latency, failures, and whether
   every acknowledged update is in the record afterwards.

The load generator is bounded (a fixed number of clients for a fixed time,
or a fixed number of updates) and only ever connects to 127.0.0.1.

    python bench/web.py [--promises 60] [--clients 50] [--seconds 8]
                        [--writers 10] [--updates 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PASSWORD = "four words in a row"
BARE_APP = '''
import sys
from pathlib import Path
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route
import uvicorn

body = Path(sys.argv[1]).read_bytes()

async def page(request):
    return HTMLResponse(body)

uvicorn.run(Starlette(routes=[Route("/", page)]), host="127.0.0.1", port=int(sys.argv[2]),
            log_level="warning")
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(folder: Path, promises: int) -> None:
    from coprod_core import accounts
    from coprod_core.workspace import Workspace

    ws = Workspace.create(folder, org="Bench Partnership", actor="bench")
    owner = ws.add_participant("Dev", role="commissioner")
    for i in range(promises):
        tension = ws.raise_tension(f"Tension number {i} about curfews", kind="power")
        c = ws.make_commitment(f"Promise number {i}: change the curfew rules",
                               made_by=owner.id, authority=("can_decide", "can_influence")[i % 2],
                               answers=[tension.id])
        ws.move_commitment(c.id, "agreed")
        ws.update_commitment(c.id, f"News about promise {i}")
    accounts.add_account(ws, "owner", role="promise_owner", password=PASSWORD,
                         participant_id=owner.id)
    ws.close()


def wait_up(url: str, process: subprocess.Popen[str]) -> None:
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = process.stderr.read() if process.stderr else ""
            raise SystemExit(f"the server exited: {detail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    environment = {**os.environ, "COPROD_LOAD_PLUGINS": "", **(env or {})}
    return subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environment)


async def _client(port: int, until: float, latencies: list[float], errors: list[str]) -> None:
    request = (f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").encode("ascii")
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            began = time.perf_counter()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append(head.split(b"\r\n", 1)[0].decode())
            length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - began)
    finally:
        writer.close()


def load(port: int, clients: int, seconds: float) -> tuple[float, float, int]:
    """(requests per second, p99 seconds, errors) for ``clients`` keep-alive clients."""
    latencies: list[float] = []
    errors: list[str] = []

    async def run() -> float:
        began = time.perf_counter()
        until = began + seconds
        await asyncio.gather(*(_client(port, until, latencies, errors) for _ in range(clients)))
        return time.perf_counter() - began

    elapsed = asyncio.run(run())
    return len(latencies) / elapsed, percentile(latencies, 99), len(errors)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def writers(url: str, count: int, updates: int) -> tuple[list[float], int, set[str]]:
    import httpx2 as httpx

    latencies: list[float] = []
    failures = 0
    acknowledged: set[str] = set()
    lock = threading.Lock()

    def one(n: int) -> None:
        nonlocal failures
        client = httpx.Client(base_url=url, follow_redirects=False, timeout=60)
        try:
            page = client.get("/login")
            token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            signed = client.post("/login", data={"_csrf": token, "name": "owner",
                                                 "password": PASSWORD})
            assert signed.status_code == 303, signed.text
            for i in range(updates):
                form = client.get("/mine/C-1")
                token = re.search(r'name="_csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
                note = f"writer {n} update {i}"
                began = time.perf_counter()
                answer = client.post("/mine/C-1/progress", data={"_csrf": token, "note": note})
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took)
                    if answer.status_code == 303:
                        acknowledged.add(note)
                    else:
                        failures += 1
        finally:
            client.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures, acknowledged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--promises", type=int, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--updates", type=int, default=20)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ws"
        seed(folder, options.promises)
        web_port, bare_port = free_port(), free_port()
        web = start(["-c", "from coprod_core.cli import main; main()", "serve",
                     "--port", str(web_port)], {"COPROD_WORKSPACE": str(folder)})
        bare = None
        try:
            wait_up(f"http://127.0.0.1:{web_port}/", web)
            import urllib.request

            with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/") as answer:
                board = answer.read()
            page = Path(tmp) / "page.html"
            page.write_bytes(board)
            bare = start(["-c", BARE_APP, str(page), str(bare_port)])
            wait_up(f"http://127.0.0.1:{bare_port}/", bare)

            print(f"board page: {len(board):,} bytes, {options.promises} promises; "
                  f"{options.clients} clients for {options.seconds:g} s each")
            load(web_port, min(options.clients, 5), 0.5)  # warm both up
            load(bare_port, min(options.clients, 5), 0.5)
            bare_rate, bare_p99, bare_errors = load(bare_port, options.clients, options.seconds)
            web_rate, web_p99, web_errors = load(web_port, options.clients, options.seconds)
            print(f"bare Starlette, static page:  {bare_rate:8.0f} req/s   "
                  f"p99 {bare_p99 * 1000:7.1f} ms   errors {bare_errors}")
            print(f"coprod board:                 {web_rate:8.0f} req/s   "
                  f"p99 {web_p99 * 1000:7.1f} ms   errors {web_errors}")
            print(f"throughput ratio (board / bare): {web_rate / bare_rate:.2f} (target >= 0.5)")
            print(f"p99 ratio (board / bare):        {web_p99 / bare_p99:.2f} (target <= 3)")

            latencies, failures, acknowledged = writers(
                f"http://127.0.0.1:{web_port}", options.writers, options.updates)
        finally:
            for process in (web, bare):
                if process is not None:
                    process.terminate()
                    process.communicate(timeout=60)
        from coprod_core.workspace import Workspace

        with Workspace.open(folder) as ws:
            stored = {u.note for u in ws.commitment("C-1").updates}
        lost = len(acknowledged - stored)
        print(f"owner updates: {options.writers} writers x {options.updates} on SQLite: "
              f"p50 {statistics.median(latencies) * 1000:.1f} ms, "
              f"p99 {percentile(latencies, 99) * 1000:.1f} ms, failures {failures}, "
              f"lost writes {lost}")
        ratio = percentile(latencies, 99) / statistics.median(latencies)
        print(f"update p99 / p50 ratio: {ratio:.2f}")
        if failures or lost:
            raise SystemExit("some updates failed or were lost")


if __name__ == "__main__":
    main()
