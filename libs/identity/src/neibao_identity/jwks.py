"""The realm's signing keys: fetched over HTTP, cached with a TTL, refetched sparingly, failing closed."""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import RSAKey

from neibao_identity.errors import JwksUnavailable

logger = logging.getLogger(__name__)

SIGNING_ALGORITHM = "RS256"
MIN_RSA_KEY_BITS = 2048


class JwksCache:
    """RS256 verification keys of one issuer, by `kid`.

    Keys are fetched on first use and again when the TTL has passed. A token naming an unknown
    `kid` (a rotated key, or a forgery) triggers a refetch at most once per `refetch_cooldown`, so
    forged tokens cannot make us hammer the IdP. Concurrent callers share one fetch. When no fetch
    has succeeded for `ttl + stale_if_error` seconds, there are no keys and every token is rejected.
    """

    def __init__(
        self,
        issuer: str,
        http: httpx.AsyncClient,
        *,
        jwks_url: str | None = None,
        ttl: float = 300.0,
        refetch_cooldown: float = 30.0,
        stale_if_error: float = 300.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if refetch_cooldown <= 0 or ttl < refetch_cooldown:
            raise ValueError("need 0 < refetch_cooldown <= ttl")
        if stale_if_error < 0:
            raise ValueError("stale_if_error must not be negative")
        self.issuer = issuer.rstrip("/")
        self._http = http
        self._jwks_url = jwks_url
        self._ttl = ttl
        self._cooldown = refetch_cooldown
        self._stale_if_error = stale_if_error
        self._timeout = timeout
        self._clock = clock
        self._lock = asyncio.Lock()
        self._keys: dict[str, RSAKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self.fetch_count = 0
        """How many times the JWKS was requested (for tests and metrics)."""

    async def get(self, kid: str) -> RSAKey | None:
        """The verification key named `kid`, or None when the realm does not publish it.

        Raises JwksUnavailable when no usable key set is held (fail closed).
        """
        if self._fresh(self._clock()) and kid in self._keys:
            return self._keys[kid]
        await self._fetch_once(self._clock())
        now = self._clock()
        if not self._usable(now):
            raise JwksUnavailable(f"no usable signing keys for {self.issuer}")
        return self._keys.get(kid)

    async def ensure_usable(self) -> None:
        """Raises JwksUnavailable unless a usable key set is held; fetches only when it is not fresh.

        For readiness probes: asking for a made-up kid instead would refetch on every cooldown.
        """
        if not self._fresh(self._clock()):
            await self._fetch_once(self._clock())
        if not self._usable(self._clock()):
            raise JwksUnavailable(f"no usable signing keys for {self.issuer}")

    async def refresh(self) -> None:
        """Fetch the keys now (e.g. at start-up), regardless of TTL and cooldown; raises JwksUnavailable."""
        async with self._lock:
            await self._fetch()

    def _fresh(self, now: float) -> bool:
        return self._fetched_at is not None and now - self._fetched_at < self._ttl

    def _usable(self, now: float) -> bool:
        return self._fetched_at is not None and now - self._fetched_at < self._ttl + self._stale_if_error

    def _may_fetch(self, now: float) -> bool:
        return self._attempted_at is None or now - self._attempted_at >= self._cooldown

    async def _fetch_once(self, started: float) -> None:
        # Waiting on the lock also waits for a fetch in flight, whose result we then share.
        async with self._lock:
            if self._attempted_at is not None and self._attempted_at >= started:
                return  # someone fetched while we waited
            if not self._may_fetch(self._clock()):
                return  # within the cooldown: answer from what we hold
            try:
                await self._fetch()
            except JwksUnavailable as exc:
                logger.warning("JWKS refresh failed, keeping %d cached key(s): %s", len(self._keys), exc)

    async def _fetch(self) -> None:
        self._attempted_at = self._clock()
        self.fetch_count += 1
        try:
            url = self._jwks_url or await self._discover_jwks_url()
            response = await self._http.get(url, timeout=self._timeout)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise JwksUnavailable(f"fetching the JWKS of {self.issuer} failed: {exc!r}") from exc
        keys = parse_jwks(document)
        if not keys:
            raise JwksUnavailable(f"the JWKS of {self.issuer} holds no usable {SIGNING_ALGORITHM} key")
        self._keys = keys
        self._fetched_at = self._clock()
        logger.info("fetched %d signing key(s) of %s", len(keys), self.issuer)

    async def _discover_jwks_url(self) -> str:
        response = await self._http.get(
            f"{self.issuer}/.well-known/openid-configuration", timeout=self._timeout
        )
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict) or document.get("issuer") != self.issuer:
            raise JwksUnavailable(f"the discovery document does not name the issuer {self.issuer}")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri:
            raise JwksUnavailable("the discovery document has no jwks_uri")
        self._jwks_url = jwks_uri
        return jwks_uri


def parse_jwks(document: object) -> dict[str, RSAKey]:
    """The RS256 signing keys of a JWKS document, by kid; other keys (e.g. RSA-OAEP) are skipped."""
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise JwksUnavailable("the JWKS is not an object with a list of keys")
    keys: dict[str, RSAKey] = {}
    for entry in document["keys"]:
        key = _signing_key(entry)
        if key is not None and key.kid is not None:
            keys[key.kid] = key
    return keys


def _signing_key(entry: Any) -> RSAKey | None:
    if not isinstance(entry, Mapping) or entry.get("kty") != "RSA" or not entry.get("kid"):
        return None
    if entry.get("use", "sig") != "sig" or entry.get("alg", SIGNING_ALGORITHM) != SIGNING_ALGORITHM:
        return None
    public = {k: entry[k] for k in ("kty", "kid", "use", "alg", "n", "e") if k in entry}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)  # we enforce the size below
            key = RSAKey.import_key(public)
    except (JoseError, ValueError, TypeError) as exc:
        logger.warning("skipping malformed JWK %r: %s", entry.get("kid"), exc)
        return None
    if key.public_key.key_size < MIN_RSA_KEY_BITS:
        logger.warning("skipping JWK %r: an RSA key of fewer than %d bits", key.kid, MIN_RSA_KEY_BITS)
        return None
    return key
