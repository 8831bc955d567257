"""Neibao device inventory: protection per unit and key part, heartbeats, compliance."""
