"""How deeply a JSON document nests, found without parsing it.

Python's json module recurses once per level of nesting, so a body of a thousand `[` raises RecursionError
(a 500 on the API, a traceback on the command line) before any of our checks run; documents nested a few
hundred deep parse, but then cost every later recursive walk. No payload of ours nests deeper than a few
levels, so the interfaces refuse anything deeper than `MAX_DEPTH` before parsing.

No Django import: the calculator's command line (`calculations/console.py`) runs without Django.
"""

from __future__ import annotations

import re

# The deepest payload we accept: a claim's details or a calculation case nest three or four levels.
MAX_DEPTH = 32

# A JSON string, escapes included (the unrolled form: no backtracking per character).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when arrays and objects in `text` nest deeper than `limit`.

    Strings are removed first (a bracket inside one is text), then everything but brackets, both by the
    regex engine; only the brackets left are walked in Python, and the walk stops at the first level past
    the limit. Malformed text is not judged here: the JSON parser that runs next reports it.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False
