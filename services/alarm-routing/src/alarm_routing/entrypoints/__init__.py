"""Entrypoints: the gRPC servicer, the unit-events consumer."""
