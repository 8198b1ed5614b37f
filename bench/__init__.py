"""Benchmarks, run by `make bench` (never by pytest): `python -m bench`."""
