"""Local stack: provisions and supervises the real servers on loopback."""
