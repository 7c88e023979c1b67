"""``hsgclinic backup`` during a rush and ``hsgclinic restore`` into an empty database (issue 11, item 4).

A backup taken while clients are taking numbers is one consistent instant: every number acknowledged before the
backup started is in it, everything in it was (or was about to be) acknowledged, no number twice, the counter
equals the rows. A backup of the quiet database restores to exactly the acknowledged state. The restored database
is at the code's schema revision and its sealed ID numbers open with the same keys. A restore into a database that
has tables is refused. SQLite (online backup API) and PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from concurrency.crash_helpers import (
    Rush,
    Server,
    assert_nothing_acknowledged_was_lost,
    day_state,
    hash_of,
    open_day,
    server_env,
)
from hsgclinic.persistence import schema
from hsgclinic.persistence.engine import make_engine
from hsgtest import make_settings

PEOPLE = 300


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from hsgclinic.cli.main import run; run()", *args, "--lang", "en"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _backup_and_restore(env: dict[str, str], database_url: str, empty_url: str, second_empty: str, tmp: Path):
    day = open_day()
    rush = Rush()
    server = Server(env)
    during = tmp / "during-rush.backup"
    quiet = tmp / "quiet.backup"
    try:
        clients = threading.Thread(
            target=rush.run, args=(server.url, day, range(PEOPLE)), kwargs={"stop_when": lambda r: False}
        )
        clients.start()
        deadline = time.monotonic() + 120
        while len(rush.acknowledged) < 40:
            assert time.monotonic() < deadline and clients.is_alive(), "the rush did not get going"
            time.sleep(0.01)
        with rush.lock:
            acknowledged_before = dict(rush.acknowledged)
        done = _cli("backup", "--out", str(during), "--database-url", database_url, env=env)
        assert done.returncode == 0, done.stderr
        assert "Backed up" in done.stdout
        clients.join(timeout=300)
        assert not clients.is_alive()
        assert len(rush.acknowledged) > len(acknowledged_before), "the backup did not run during the rush"
    finally:
        server.stop()  # graceful: every request in flight gets its answer
    final = day_state(database_url, day)
    assert_nothing_acknowledged_was_lost(final, rush.acknowledged)
    assert {hash_of(n): q for n, q in rush.acknowledged.items()} == final.holders  # every row was acknowledged
    done = _cli("backup", "--out", str(quiet), "--database-url", database_url, env=env)
    assert done.returncode == 0, done.stderr

    # The backup taken during the rush: one consistent instant between "before" and the end.
    done = _cli("restore", str(during), "--database-url", empty_url, env=env)
    assert done.returncode == 0, done.stderr
    snapshot = day_state(empty_url, day)
    assert_nothing_acknowledged_was_lost(snapshot, acknowledged_before)
    assert snapshot.holders.items() <= final.holders.items()  # nothing in it that did not really happen
    assert len(acknowledged_before) <= len(snapshot.numbers) <= len(final.numbers)

    # The quiet backup restores to exactly the acknowledged state.
    done = _cli("restore", str(quiet), "--database-url", second_empty, env=env)
    assert done.returncode == 0, done.stderr
    restored = day_state(second_empty, day)
    assert restored.holders == {hash_of(n): q for n, q in rush.acknowledged.items()}
    assert_nothing_acknowledged_was_lost(restored, rush.acknowledged)
    engine = make_engine(second_empty)
    try:
        assert schema.is_up_to_date(engine)
    finally:
        engine.dispose()
    done = _cli("keys", "rotate", "--database-url", second_empty, env=env)  # every sealed number still opens
    assert done.returncode == 0, done.stdout + done.stderr

    # Never over a database that has data.
    refused = _cli("restore", str(quiet), "--database-url", second_empty, env=env)
    assert refused.returncode == 1
    assert "not empty" in refused.stderr
    print(
        f"\n[{make_url(database_url).get_backend_name()}] backup during the rush: "
        f"{len(acknowledged_before)} acknowledged before it, {len(snapshot.numbers)} in it, "
        f"{len(final.numbers)} at the end; backup sizes "
        f"{during.stat().st_size} / {quiet.stat().st_size} bytes"
    )


@pytest.mark.slow
def test_backup_during_a_rush_restores_a_consistent_state_on_sqlite(tmp_path):
    env = server_env(tmp_path, None)
    _backup_and_restore(
        env,
        f"sqlite:///{tmp_path / 'hsgclinic.db'}",
        f"sqlite:///{tmp_path / 'restored-1.db'}",
        f"sqlite:///{tmp_path / 'restored-2.db'}",
        tmp_path,
    )


@pytest.mark.postgres
@pytest.mark.slow
def test_backup_during_a_rush_restores_a_consistent_state_on_postgresql(pg_empty, tmp_path):
    base = make_url(pg_empty)
    admin = make_engine(base.set(database="postgres").render_as_string(hide_password=False))
    names = [f"{base.database}_restore_{uuid.uuid4().hex[:6]}" for _ in range(2)]
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        for name in names:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        urls = [base.set(database=n).render_as_string(hide_password=False) for n in names]
        _backup_and_restore(server_env(tmp_path, pg_empty), pg_empty, urls[0], urls[1], tmp_path)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            for name in names:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_a_restore_into_a_database_with_tables_is_refused(tmp_path):
    from hsgclinic.persistence.backup import BackupError, backup, restore

    source = f"sqlite:///{tmp_path / 'a.db'}"
    engine = make_engine(source)
    schema.upgrade(engine, data_key_spec=make_settings(source, tmp_path).data_key_spec)
    engine.dispose()
    made = backup(source, tmp_path / "a.backup")
    assert made.kind == "sqlite" and made.revision == schema.head() and made.size_bytes > 0
    with pytest.raises(BackupError, match="not empty"):
        restore(made.path, source)
    with pytest.raises(BackupError, match="not a SQLite backup"):
        (tmp_path / "junk.backup").write_bytes(b"not a database at all" * 100)
        restore(tmp_path / "junk.backup", f"sqlite:///{tmp_path / 'new.db'}")
