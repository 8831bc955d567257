"""Use-case handlers and the unit of work they run in."""
