"""End-to-end tests against the running platform, and its benchmarks."""
