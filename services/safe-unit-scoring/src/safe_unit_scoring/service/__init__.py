"""Use-case handlers."""
