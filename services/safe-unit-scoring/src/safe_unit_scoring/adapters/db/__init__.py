"""SQLAlchemy tables and repositories."""
