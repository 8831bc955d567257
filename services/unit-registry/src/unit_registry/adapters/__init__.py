"""Adapters: PostgreSQL (SQLAlchemy 2), the outbox, protobuf mapping."""
