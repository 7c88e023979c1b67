"""Storage: SQLAlchemy 2 models, the engine (SQLite embedded default, PostgreSQL in production), the unit of work,
the scarce-place locking rule and the Alembic migrations."""
