"""``coprod serve``: run the web front with uvicorn."""

from __future__ import annotations

import os
from typing import Any

import click

from . import EXTRA_HINT

MULTI_WORKER_BACKENDS = ("postgres",)


def require_web() -> None:
    """Raise a one-line error naming the extra when a web dependency is missing."""
    from coprod_core.errors import CoprodError

    missing = []
    for module in ("starlette", "jinja2", "uvicorn", "python_multipart", "argon2"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise CoprodError(f"{EXTRA_HINT} (missing: {', '.join(missing)})")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, envvar="COPROD_WEB_HOST",
              show_envvar=True, help="The address to listen on. Keep 127.0.0.1 behind a "
                                     "reverse proxy on the same machine.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535),
              envvar="COPROD_WEB_PORT", show_envvar=True, help="The port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes. Several need a PostgreSQL workspace; SQLite runs one.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int) -> None:
    """Run the web front: the public board, sign-in, and each role's pages.

    Prints the address to open, then serves until stopped (Ctrl+C or
    SIGTERM), finishing the requests under way first, so no change that was
    acknowledged is lost. Settings are in [web] of coprod.toml; accounts are
    added with `coprod account add`.
    """
    from coprod_core.cli.common import State
    from coprod_core.errors import CoprodError

    require_web()
    state = ctx.find_object(State) or State()
    ws = state.open()
    if ws.root is None:
        raise CoprodError("coprod serve needs a workspace folder")
    if workers > 1 and ws.config.backend not in MULTI_WORKER_BACKENDS:
        raise CoprodError(
            f"--workers {workers} needs a PostgreSQL workspace; this one keeps its records "
            f"in {ws.config.backend}, which one process serves (leave out --workers, or "
            "move to PostgreSQL with `coprod migrate`)")
    _check_free(host, port)
    from .security import load_secret

    load_secret(ws.root)  # made once here, so every worker signs with the same key
    root = str(ws.root)
    state.close()
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"coprod web front for {ws.config.org or root}: http://{shown}:{port}/ "
               f"({workers} worker{'s' if workers > 1 else ''}; stop with Ctrl+C)")
    import uvicorn

    os.environ["COPROD_WORKSPACE"] = root
    uvicorn.run("coprod_web.serve:app_from_environment", factory=True, host=host, port=port,
                workers=workers, log_level="warning", server_header=False,
                timeout_graceful_shutdown=30)


def _check_free(host: str, port: int) -> None:
    """Refuse, in one line, an address something else already listens on."""
    import socket

    from coprod_core.errors import CoprodError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise CoprodError(f"cannot listen on {host}: {exc.strerror or exc}; give a host "
                          "name or address of this machine with --host") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise CoprodError(
                f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another "
                "port with --port, or stop what is using it") from None


def app_from_environment() -> Any:
    """The app for the workspace in ``COPROD_WORKSPACE`` (each uvicorn worker calls it)."""
    from .app import create_app

    return create_app(os.environ["COPROD_WORKSPACE"])
