"""PostgreSQL through SQLAlchemy 2 (typed declarative mapping, asyncio sessions)."""
