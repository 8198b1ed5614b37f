"""Cakupan: coverage of Indonesia's workers' social security."""
