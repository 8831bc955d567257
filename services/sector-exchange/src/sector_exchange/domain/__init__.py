"""Neibao sector data exchange."""
