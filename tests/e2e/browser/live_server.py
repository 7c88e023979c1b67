"""A real clinic app on a local port for the browser tests and the screenshot script.

Uses ``hsgclinic.web.app.create_app`` when it exists; otherwise a bare FastAPI app with ``mount_ui``. The clinic
is the real bootstrap on a fresh SQLite file, with a fixed clock (Fri 2026-11-20 07:30 in the clinic).
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import uvicorn
from fastapi import FastAPI

from hsgclinic.bootstrap import build_clinic
from hsgclinic.config import load_settings
from hsgclinic.services.context import FixedClock
from hsgclinic.web.ui import mount_ui

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 7, 30, tzinfo=SHANGHAI)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_app(data_dir: Path, now: dt.datetime = NOW) -> tuple[FastAPI, Any]:
    settings = load_settings(
        environment="test",
        data_dir=data_dir,
        secret_key="browser-test-secret-0123456789abcdef0123",
        password_hash_cost="fast-for-tests",
    )
    clinic = build_clinic(settings, clock=FixedClock(now.astimezone(dt.UTC)), cache_seconds=0)
    try:
        from hsgclinic.web.app import create_app  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        app = FastAPI()
        mount_ui(app, clinic)
        return app, clinic
    try:
        return create_app(settings, clinic=clinic), clinic
    except TypeError:
        app = FastAPI()
        mount_ui(app, clinic)
        return app, clinic


@contextmanager
def serve(data_dir: Path, now: dt.datetime = NOW) -> Iterator[tuple[str, Any]]:
    app, clinic = make_app(data_dir, now)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", clinic
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        clinic.dispose()
