"""Neibao unit registry."""
