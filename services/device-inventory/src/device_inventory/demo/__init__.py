"""The demo province's devices."""
