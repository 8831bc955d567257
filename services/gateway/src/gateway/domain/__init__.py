"""Pure pieces of the gateway: problems and pointers, the caller, jurisdictions, live events."""
