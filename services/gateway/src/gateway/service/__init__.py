"""Use cases: the audit trail of personal-data reads, live streams for readers."""
