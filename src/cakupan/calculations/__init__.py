"""Calculations for users and machines: the `calc` command and the calculation API.

Both are thin doors onto the pure calculators in `cakupan.rules`; nothing here computes a Rupiah itself.
"""
