"""The database: engine setup, the SQLAlchemy models and their Alembic migrations."""
