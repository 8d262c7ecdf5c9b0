"""SQL implementation of the metadata store (SQLAlchemy 2 Core + Alembic)."""
