"""The API contract under schemathesis (docs/security.md, "API contract"): a live app on a local port, filled with
the synthetic demo clinic, fuzzed from its own /openapi.json once per role (the public, a patient, registrar,
doctor, radiologist, admin) with a fixed seed, every schemathesis check on.

Used by the test suite (tests/e2e/api/test_api_contract.py, a bounded run) and by ``make fuzz``::

    .venv/bin/python tests/apifuzz.py [--database-url URL] [--max-examples N] [--seed S] [--roles a,b]

which prints, per role, the requests sent and the failures by check, and exits 1 when anything failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
ROLES = ("public", "patient", "registrar", "doctor", "radiologist", "admin")
SEED = 20261120
CONFIG = Path(__file__).resolve().with_name("schemathesis.toml")  # the operations whose 422 names a rule
NOW = dt.datetime(2026, 11, 20, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # numbers released at 07:00
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
)
PHASES = "examples,coverage,fuzzing"
# Signing out would end the role's session for the rest of its run: it is fuzzed by the public run only.
SESSION_ENDING = "^/api/v1/auth/logout$"


@dataclass
class RoleRun:
    role: str
    requests: int = 0
    operations: int = 0
    failures: Counter[str] = field(default_factory=Counter)  # distinct (check, operation, message)
    failed_requests: Counter[str] = field(default_factory=Counter)  # requests that failed the check
    examples: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    exit_code: int = 0
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return sum(self.failures.values())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_clinic(database_url: str | None, data_dir: Path) -> Iterator[tuple[str, Any]]:
    """The whole app (create_app) on a fresh, migrated database (None: the embedded SQLite default in
    ``data_dir``), on a free local port."""
    from hsgclinic.bootstrap import build_clinic
    from hsgclinic.config import Settings
    from hsgclinic.services.context import FixedClock
    from hsgclinic.web.app import create_app

    values: dict[str, Any] = {
        "environment": "test",
        "secret_key": "fuzz-secret-0123456789abcdef0123456789",
        "password_hash_cost": "fast-for-tests",
        "data_dir": data_dir,
        "grab_rate_per_minute": 100_000,  # the grab limit is tested elsewhere; here it would only answer 429
    }
    if database_url:
        values["database_url"] = database_url
    settings = Settings(**values)
    clinic = build_clinic(settings, clock=FixedClock(NOW.astimezone(dt.UTC)), cache_seconds=0)
    app = create_app(settings, clinic=clinic)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the fuzzing server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", clinic
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        clinic.dispose()


def role_tokens(base: str, clinic: Any) -> dict[str, str | None]:
    """A bearer token per role: the demo staff (fresh passwords) and a patient with a number of her own."""
    from hsgclinic.services.demo import fill_demo
    from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

    demo = fill_demo(clinic)
    assert demo is not None
    tokens: dict[str, str | None] = {"public": None}
    with httpx.Client(base_url=base, timeout=30) as http:
        for username, password, role in demo.logins:
            r = http.post("/api/v1/auth/login", json={"username": username, "password": password})
            r.raise_for_status()
            tokens[role] = r.json()["token"]
        n = 990_001
        number = http.post(
            "/api/v1/registrations",
            json={
                "date": NOW.date().isoformat(),
                "name": synthetic_name(n),
                "id_number": synthetic_resident_id(n),
                "phone": synthetic_phone(n),
            },
        )
        number.raise_for_status()
        login = http.post(
            "/api/v1/patient/login",
            json={"access_code": number.json()["access_code"], "id_last4": synthetic_resident_id(n)[-4:]},
        )
        login.raise_for_status()
        tokens["patient"] = login.json()["token"]
    return tokens


def run_role(base: str, role: str, token: str | None, *, max_examples: int, seed: int, out: Path) -> RoleRun:
    """One schemathesis run (the ``st`` command) for one role; its NDJSON events give the numbers."""
    report = out / f"{role}.ndjson"
    cmd = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base}/openapi.json",
        "--seed",
        str(seed),
        "--max-examples",
        str(max_examples),
        "--phases",
        PHASES,
        "--checks",
        ",".join(CHECKS),
        "--workers",
        "1",
        "--no-shrink",
        "--continue-on-failure",
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "30",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--output-truncate",
        "true",
        "-H",
        "Accept-Language: en",
    ]
    if token is not None:
        cmd += ["-H", f"Authorization: Bearer {token}", "--exclude-path-regex", SESSION_ENDING]
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if k != "SCHEMATHESIS_HOOKS"} | {"NO_COLOR": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=out, check=False)
    result = RoleRun(role, exit_code=done.returncode, seconds=time.monotonic() - started)
    _read_events(report, result)
    if done.returncode not in (0, 1) or (done.returncode == 1 and not result.failed):
        result.failures["schemathesis_error"] += 1
        result.examples.append((done.stdout[-3000:] + done.stderr[-2000:]).strip())
    return result


def _read_events(report: Path, result: RoleRun) -> None:
    """Requests, statuses and failed checks from the NDJSON events (each finished scenario records its
    interactions and the checks run on each, by case id)."""
    if not report.exists():
        return
    unique: set[tuple[str, str, str]] = set()
    operations: set[str] = set()
    for line in report.read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        recorder = event.get("ScenarioFinished", {}).get("recorder", {})
        if recorder.get("label"):
            operations.add(str(recorder["label"]))
        for case_id, interaction in (recorder.get("interactions") or {}).items():
            result.requests += 1
            status = (interaction.get("response") or {}).get("status_code")
            if isinstance(status, int):
                result.statuses[status] += 1
            for check in (recorder.get("checks") or {}).get(case_id, []):
                if check.get("status") != "failure":
                    continue
                name = str(check.get("name"))
                result.failed_requests[name] += 1
                failure = (check.get("failure_info") or {}).get("failure") or {}
                message = str(failure.get("message", "")).splitlines()[:1]
                key = (name, str(failure.get("operation", recorder.get("label"))), " ".join(message))
                if key not in unique:
                    unique.add(key)
                    result.failures[name] += 1
                    if len(result.examples) < 40:
                        result.examples.append(f"{name} [{failure.get('code', '')}] {key[1]}: {key[2]} (→ {status})")
    result.operations = len(operations)


@contextmanager
def scratch_postgres(base_url: str) -> Iterator[str]:
    """A fresh, migrated database beside ``base_url``'s, dropped afterwards (for ``make fuzz`` on PostgreSQL)."""
    import uuid

    from sqlalchemy.engine import make_url

    from hsgclinic.persistence import schema
    from hsgclinic.persistence.engine import make_engine

    url = make_url(base_url)
    name = f"{url.database}_fuzz_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    scratch = url.set(database=name).render_as_string(hide_password=False)
    try:
        engine = make_engine(scratch)
        schema.upgrade(engine)
        engine.dispose()
        yield scratch
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def fuzz(
    database_url: str | None,
    *,
    max_examples: int,
    seed: int = SEED,
    roles: tuple[str, ...] = ROLES,
    report_dir: Path | None = None,
) -> list[RoleRun]:
    """Every role's run on one fresh demo clinic (``database_url`` migrated and empty, or None for SQLite); the
    NDJSON event files are kept in ``report_dir`` when given."""
    with tempfile.TemporaryDirectory(prefix="hsg-fuzz-") as tmp:
        tmp_path = Path(tmp)
        out = report_dir or tmp_path
        out.mkdir(parents=True, exist_ok=True)
        with live_clinic(database_url, tmp_path) as (base, clinic):
            tokens = role_tokens(base, clinic)
            return [run_role(base, role, tokens[role], max_examples=max_examples, seed=seed, out=out) for role in roles]


def table(runs: list[RoleRun], label: str) -> str:
    lines = [f"{label}: schemathesis {', '.join(CHECKS)}"]
    lines.append(f"{'role':12} {'requests':>9} {'failures':>9}  distinct failures by check (failing requests)")
    for r in runs:
        by = ", ".join(f"{k} {v} ({r.failed_requests[k]} req.)" for k, v in sorted(r.failures.items())) or "—"
        lines.append(f"{r.role:12} {r.requests:>9} {r.failed:>9}  {by}   ({r.seconds:.0f} s)")
    lines.append(f"{'total':12} {sum(r.requests for r in runs):>9} {sum(r.failed for r in runs):>9}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="default: a fresh embedded SQLite file")
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--examples", action="store_true", help="print the first failing requests per role")
    parser.add_argument("--report-dir", type=Path, default=None, help="keep schemathesis' NDJSON events here")
    args = parser.parse_args()
    roles = tuple(r for r in args.roles.split(",") if r)
    if args.database_url and not args.database_url.startswith("sqlite"):
        with scratch_postgres(args.database_url) as url:
            runs = fuzz(url, max_examples=args.max_examples, seed=args.seed, roles=roles, report_dir=args.report_dir)
    else:
        runs = fuzz(
            args.database_url, max_examples=args.max_examples, seed=args.seed, roles=roles, report_dir=args.report_dir
        )
    label = "PostgreSQL" if args.database_url and "postgresql" in args.database_url else "SQLite"
    print(table(runs, f"{label}, seed {args.seed}, max examples {args.max_examples}"))
    if args.examples:
        for r in runs:
            for e in r.examples:
                print(f"  [{r.role}] {e}")
    return 1 if any(r.failed for r in runs) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main())
