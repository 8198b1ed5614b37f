from __future__ import annotations

from collections.abc import Iterable


class RuleInputError(Exception):
    """Input the calculators cannot accept. `errors` is a list of (field, message) pairs, in English;
    the interfaces wrap it in `{"errors": [{"field", "message"}]}` with exit code 2 / HTTP 400."""

    def __init__(self, errors: Iterable[tuple[str, str]]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{f}: {m}" for f, m in self.errors))

    def as_dict(self) -> dict[str, list[dict[str, str]]]:
        return {"errors": [{"field": f, "message": m} for f, m in self.errors]}
