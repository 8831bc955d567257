"""The Neibao gateway: the platform's only public door (REST/OpenAPI, SSE) over Keycloak identity."""
