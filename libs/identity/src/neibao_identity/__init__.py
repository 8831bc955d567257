"""Keycloak token verification, the Principal, object-scope helpers and a gRPC server interceptor."""

from neibao_identity.context import authenticated, current_principal, current_principal_or_none, current_token
from neibao_identity.errors import InvalidToken, InvalidTokenReason, JwksUnavailable, NotAuthenticated
from neibao_identity.grpc_auth import (
    DEFAULT_PUBLIC_METHODS,
    AuthInterceptor,
    ForwardCallerToken,
    bearer_metadata,
    bearer_token,
    forwarding_metadata,
)
from neibao_identity.jwks import JwksCache
from neibao_identity.principal import Principal, Role
from neibao_identity.scope import Scope, jurisdiction_prefix
from neibao_identity.sql import scope_clause
from neibao_identity.verified_tokens import VerifiedTokenCache
from neibao_identity.verifier import GATEWAY_AUDIENCE, MAX_LEEWAY_SECONDS, TokenVerifier

__all__ = [
    "DEFAULT_PUBLIC_METHODS",
    "GATEWAY_AUDIENCE",
    "MAX_LEEWAY_SECONDS",
    "AuthInterceptor",
    "ForwardCallerToken",
    "InvalidToken",
    "InvalidTokenReason",
    "JwksCache",
    "JwksUnavailable",
    "NotAuthenticated",
    "Principal",
    "Role",
    "Scope",
    "TokenVerifier",
    "VerifiedTokenCache",
    "authenticated",
    "bearer_metadata",
    "bearer_token",
    "current_principal",
    "current_principal_or_none",
    "current_token",
    "forwarding_metadata",
    "jurisdiction_prefix",
    "scope_clause",
]
