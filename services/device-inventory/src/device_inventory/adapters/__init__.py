"""Adapters: PostgreSQL (SQLAlchemy 2), Kafka, event payloads."""
