"""What every `cakupan` command shares: the bad-input contract and the user a command acts as."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth import get_user_model

from cakupan.core.errors import Forbidden, InvalidInput, NotInScope


@contextmanager
def bad_input_exits(stdout: Any) -> Iterator[None]:
    """Bad input on the command line: {"errors": [{"field", "message"}]} on standard output, exit code 2,
    the same answer the API gives with HTTP 400 (the service has written nothing); a refusal (Forbidden)
    prints the same shape and exits 3, where the API answers 403."""
    try:
        yield
    except (InvalidInput, NotInScope) as exc:  # naming what one may not see is bad input, as an id is
        stdout.write(json.dumps(exc.as_dict(), ensure_ascii=False))
        raise SystemExit(2) from exc
    except Forbidden as exc:
        # A refusal is not bad input: the same shape as the API's 403, its own exit code.
        stdout.write(json.dumps(exc.as_dict(), ensure_ascii=False))
        raise SystemExit(3) from exc


USER_HELP = (
    "act as this user (their role's scope applies); default: the first national admin, and the audit "
    "event names the operating-system account that ran the command"
)


def user_option(parser: Any) -> None:
    """The `--user NAME` option every writing command takes (one help text, one default)."""
    parser.add_argument("--user", default="", help=USER_HELP)


def command_actor(username: str) -> Any:
    """The user a command acts as: `--user NAME` (their role's scope applies), else the first
    national admin. Either way the audit events of a command name the OS account that ran it
    (`AuditEvent.os_user`, set by the `cakupan` entry point), so a write without --user is not anonymous."""
    users = get_user_model().objects.filter(is_active=True)
    if username:
        user = users.filter(username=username).first()
    else:
        user = users.filter(role="national_admin").order_by("pk").first()
    if user is None:
        raise InvalidInput.single("user", "No such active user." if username else "No national admin.")
    return user


def command_actor_or_none(username: str) -> Any:
    """As `command_actor`, for commands that also ran before any user existed (reference data loads): with
    no --user and no national admin, None; the audit event still names the OS account."""
    if username:
        return command_actor(username)
    return get_user_model().objects.filter(is_active=True, role="national_admin").order_by("pk").first()
