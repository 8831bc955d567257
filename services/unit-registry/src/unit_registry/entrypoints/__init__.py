"""Entrypoints: the gRPC servicers (thin: translate, call a handler, translate back)."""
