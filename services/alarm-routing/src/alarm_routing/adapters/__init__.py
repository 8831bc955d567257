"""Adapters: the database, events, the routing rules file."""
