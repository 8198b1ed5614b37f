"""The pure calculation core: regulation tables as versioned data, and the calculators that use them.

Nothing in this package imports Django, so it runs (and is tested) without a database, and every
interface (command line, API, forms, batch runs) calls the same functions.
"""
