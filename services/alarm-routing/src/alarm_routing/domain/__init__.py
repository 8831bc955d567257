"""Pure domain: alarms, parties, routing and escalation rules; no I/O."""
