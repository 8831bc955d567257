"""Keycloak token verification, the Principal, object-scope helpers and a gRPC server interceptor."""
