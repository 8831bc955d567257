"""Use-case handlers and the abstract unit of work they run in."""
