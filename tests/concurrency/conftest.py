"""Fixtures for the concurrency tests."""

from __future__ import annotations

import pytest

from hsgtest import empty_tables


@pytest.fixture
def pg_empty(pg_url: str) -> str:
    from hsgclinic.persistence.engine import make_engine

    engine = make_engine(pg_url)
    empty_tables(engine)
    engine.dispose()
    return pg_url
