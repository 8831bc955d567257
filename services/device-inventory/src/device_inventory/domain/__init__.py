"""Pure domain: devices, protection, heartbeat rules, compliance rules; no I/O."""
