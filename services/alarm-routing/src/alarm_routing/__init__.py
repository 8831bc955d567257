"""Neibao alarm routing: alarms, routing rules, per-party acknowledgement, escalation."""
