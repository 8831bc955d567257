"""The FastAPI app: routes, auth, problems, middleware, OpenAPI, SSE."""
