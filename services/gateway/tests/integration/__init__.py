"""Integration tests on the real Keycloak and Kafka."""
