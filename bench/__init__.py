"""Benchmarks and their data generators: `make bench` (never part of `make test`)."""
