"""SIGKILL mid-rush (issue 11, item 5): every number a client was given a 201 for is in the database afterwards,
no number is granted twice and the day counter equals the rows — on PostgreSQL and on the embedded SQLite, over
several kills of the same database (each restart recovers what the previous crash left).

Prints, per database: attempts, acknowledged grants, found in the database (pytest -s shows them)."""

from __future__ import annotations

import random

import pytest

from concurrency.crash_helpers import (
    Rush,
    Server,
    assert_nothing_acknowledged_was_lost,
    day_state,
    open_day,
    server_env,
)

ROUNDS = 3
PEOPLE_PER_ROUND = 400


def _kill_mid_rush(env: dict[str, str], database_url: str, label: str) -> None:
    day = open_day()
    rng = random.Random(11)
    rush = Rush()
    for round_no in range(ROUNDS):
        server = Server(env)
        # kill once this many more numbers have been acknowledged (with ~16 requests still in flight)
        target = len(rush.acknowledged) + rng.randint(20, 60)
        people = range(round_no * PEOPLE_PER_ROUND, (round_no + 1) * PEOPLE_PER_ROUND)
        killed = False

        def stop_when(r: Rush, server: Server = server, target: int = target) -> bool:
            nonlocal killed
            if len(r.acknowledged) >= target and not killed:
                killed = True
                server.kill()
            return killed

        try:
            rush.run(server.url, day, people, stop_when=stop_when)
        finally:
            server.kill()
        assert killed, "the rush ended before the kill: raise PEOPLE_PER_ROUND"
        found = assert_nothing_acknowledged_was_lost(day_state(database_url, day), rush.acknowledged)
        assert found == len(rush.acknowledged)
    state = day_state(database_url, day)
    print(
        f"\n[{label}] SIGKILL runs: {ROUNDS}; attempts: {rush.attempts}; acknowledged grants: "
        f"{len(rush.acknowledged)}; found in the DB: {found}; rows in the DB: {len(state.numbers)} "
        f"(the rest were committed but their answer was lost with the process); outcomes: {rush.outcomes}"
    )
    # A server started on the crashed database goes on where it stopped: the next number follows the rows.
    server = Server(env)
    try:
        after = Rush()
        after.run(server.url, day, range(10_000, 10_005), stop_when=lambda r: False, clients=1)
    finally:
        server.stop()
    state = day_state(database_url, day)
    assert_nothing_acknowledged_was_lost(state, rush.acknowledged | after.acknowledged)
    assert len(after.acknowledged) == 5


@pytest.mark.postgres
@pytest.mark.slow
def test_sigkill_mid_rush_loses_no_acknowledged_number_on_postgresql(pg_empty, tmp_path):
    _kill_mid_rush(server_env(tmp_path, pg_empty), pg_empty, "PostgreSQL")


@pytest.mark.slow
def test_sigkill_mid_rush_loses_no_acknowledged_number_on_sqlite(tmp_path):
    # The embedded default: no database URL, the file in the data directory (upgraded by the first start).
    _kill_mid_rush(server_env(tmp_path, None), f"sqlite:///{tmp_path / 'hsgclinic.db'}", "SQLite")
