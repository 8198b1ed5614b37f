"""The three answers a service can give instead of doing the work, and how each interface renders them:
bad input (400 / exit 2), a role that may not (403 / exit 3), an object outside one's scope (404 / exit 2),
always as {"errors": [{"field", "message"}]}."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cakupan.core.commands import bad_input_exits
from cakupan.core.errors import Forbidden, InvalidInput, NotInScope


@pytest.mark.parametrize(
    ("error", "code", "field"),
    [
        (InvalidInput.single("period", "Bad month."), 2, "period"),
        (NotInScope(), 2, "id"),
        (Forbidden("No."), 3, "permission"),
    ],
)
def test_the_command_line_prints_the_errors_and_exits(error: Exception, code: int, field: str) -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited, bad_input_exits(out):
        raise error
    assert exited.value.code == code
    assert [e["field"] for e in json.loads(out.getvalue())["errors"]] == [field]


def test_pages_need_not_catch_them() -> None:
    # Django answers 404 and 403 for these without a view catching them.
    assert issubclass(NotInScope, Http404)
    assert issubclass(Forbidden, PermissionDenied)
