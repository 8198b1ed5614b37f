"""What every `cakupan` command shares: the bad-input contract and the user a command acts as."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth import get_user_model

from cakupan.core.errors import Forbidden, InvalidInput


@contextmanager
def bad_input_exits(stdout: Any) -> Iterator[None]:
    """Bad input on the command line: {"errors": [{"field", "message"}]} on standard output, exit code 2,
    the same answer the API gives with HTTP 400 (the service has written nothing); a refusal (Forbidden)
    prints the same shape and exits 3, where the API answers 403."""
    try:
        yield
    except InvalidInput as exc:
        stdout.write(json.dumps(exc.as_dict(), ensure_ascii=False))
        raise SystemExit(2) from exc
    except Forbidden as exc:
        # A refusal is not bad input: the same shape as the API's 403, its own exit code.
        stdout.write(json.dumps(exc.as_dict(), ensure_ascii=False))
        raise SystemExit(3) from exc


def command_actor(username: str) -> Any:
    """The user a command acts as: `--user NAME` (their role's scope applies), else the first
    national admin."""
    users = get_user_model().objects.filter(is_active=True)
    if username:
        user = users.filter(username=username).first()
    else:
        user = users.filter(role="national_admin").order_by("pk").first()
    if user is None:
        raise InvalidInput.single("user", "No such active user." if username else "No national admin.")
    return user
