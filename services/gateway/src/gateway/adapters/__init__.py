"""Kafka (audit producer, live feeds), gRPC upstreams, the rate-limit store."""
