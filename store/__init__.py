"""The service's store: SQL tables (SQLAlchemy 2 + Alembic) and a content-addressed blob store on disk."""
