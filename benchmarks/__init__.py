"""Benchmarks: `make bench` (python -m benchmarks.run) times a full analysis refresh."""
