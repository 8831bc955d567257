"""What a browser gets outside the API: the console's files (with SPA fallback) and the API docs."""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

# Where the console learns, at start, where to sign in (one build serves every deployment).
CONSOLE_CONFIG = "/console-config.json"
CONSOLE_CLIENT_ID = "neibao-console"
# Paths that belong to the gateway itself: never answered with the console's index.html.
_GATEWAY_PREFIXES = ("/api/", "/docs", "/openapi.json", "/healthz", "/readyz", CONSOLE_CONFIG)
# Vite names the files under /assets/ by their content hash: a browser may keep them for good.
_HASHED_ASSETS = "/assets/"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
DOCS_ASSETS = "/docs/assets"

_PLACEHOLDER = """<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>Neibao 内保</title></head>
<body>
<h1>Neibao 内保 gateway</h1>
<p>The console is not installed on this gateway. The API is described at
<a href="/docs">/docs</a> (<a href="/openapi.json">/openapi.json</a>).</p>
</body>
</html>
"""


class ConsoleFiles:
    """The console's built files; unknown non-file paths get index.html (client-side routing)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._static = StaticFiles(directory=directory, check_dir=False)

    @property
    def installed(self) -> bool:
        """Whether the console was built into the directory."""
        return (self.directory / "index.html").is_file()

    def index(self) -> Response:
        """The console's entry page, or a pointer to the docs when there is no console."""
        if self.installed:
            return FileResponse(self.directory / "index.html", headers={"cache-control": "no-cache"})
        return HTMLResponse(_PLACEHOLDER)

    async def not_found(self, request: Request) -> Response | None:
        """For a GET outside the gateway's own paths: the file, or index.html for an app route."""
        path = request.url.path
        if request.method not in {"GET", "HEAD"} or path.startswith(_GATEWAY_PREFIXES) or not self.installed:
            return None
        try:
            response = await self._static.get_response(path.lstrip("/"), request.scope)
        except HTTPException:
            pass
        else:
            if path.startswith(_HASHED_ASSETS) and response.status_code == 200:
                response.headers["cache-control"] = "public, max-age=31536000, immutable"
            return response
        if "." in path.rsplit("/", 1)[-1]:
            return None  # a missing asset stays a 404
        return self.index()


def docs_csp(html: str, keycloak_origin: str) -> str:
    """A CSP for the docs page: its own assets plus exactly its one inline script (by hash)."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' {hashes}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            f"connect-src 'self' {keycloak_origin}",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'self'",
        )
    )


def install_site(app: FastAPI, console: ConsoleFiles, keycloak_origin: str) -> None:
    """Add /, /docs (Swagger UI served from here, no CDN) and the console fallback for unknown paths."""
    app.mount(
        DOCS_ASSETS,
        StaticFiles(directory=Path(str(files("swagger_ui") / "static"))),
        name="docs-assets",
    )
    docs = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Neibao gateway API",
        swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
    )
    docs_body = bytes(docs.body)
    csp = docs_csp(docs_body.decode(), keycloak_origin)

    @app.get("/docs", include_in_schema=False)
    async def api_docs() -> Response:
        return HTMLResponse(docs_body, headers={"content-security-policy": csp})

    @app.get("/", include_in_schema=False)
    async def console_index() -> Response:
        return console.index()

    # The issuer the gateway trusts is the one the console signs in at.
    console_config_body = {
        "oidc_authority": app.state.gateway.settings.issuer,
        "client_id": CONSOLE_CLIENT_ID,
    }

    @app.get(CONSOLE_CONFIG, include_in_schema=False)
    async def console_config() -> Response:
        return JSONResponse(console_config_body, headers={"cache-control": "no-cache"})

    app.state.not_found_fallback = console.not_found
