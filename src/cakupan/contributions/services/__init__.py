"""Writes of the contributions app: billing runs (billing.py) and their background job (billing_jobs.py)."""
