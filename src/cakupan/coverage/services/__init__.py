"""Writes and computations of the coverage app, by topic."""
