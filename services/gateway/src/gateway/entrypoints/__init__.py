"""How the world reaches the gateway: HTTP."""
