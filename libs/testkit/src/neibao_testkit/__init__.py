"""pytest fixtures for the real servers: per-test PostgreSQL databases, Kafka topics, Keycloak tokens.

The servers are the local stack's (`make up`) or any reachable ones named by environment; a missing
server fails the test with a clear message: it is never skipped.
"""

from neibao_testkit.endpoints import DEMO_PASSWORD, StackEndpoints, endpoints_from_env

__all__ = ["DEMO_PASSWORD", "StackEndpoints", "endpoints_from_env"]
