"""Service runtime: settings base, JSON logs with trace ids, OpenTelemetry, gRPC aio server bootstrap, graceful shutdown, Prometheus metrics."""
