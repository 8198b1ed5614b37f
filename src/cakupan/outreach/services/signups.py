"""A worker's sign-up at an event: from the public page or API (no account), or a paper form typed in by
the office.

The NIK is checked by the registry's one rule (`registry.nik.nik_check`): its region code must exist, and
here the birth date and sex it encodes must agree with what the worker typed. The registry only warns on
such a disagreement (a KTP can carry it), but a sign-up has no KTP in front of anyone: a disagreement is
almost always a typing slip, and asking at once is cheaper than a call-back. A paper form typed in by the
office keeps a NIK that fails, flagged (`nik_valid` False), so the office can call the worker back.

The same NIK signing up again for the same event adds nothing and answers with the first reference.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakupan.accounts.permissions import Perm, require
from cakupan.core.audit import audit_record
from cakupan.core.errors import FieldError, InvalidInput, NotInScope
from cakupan.outreach.models import Event, SignUp
from cakupan.registry.nik import nik_check, nik_normalise

_NAME_MAX = SignUp._meta.get_field("full_name").max_length or 160
_JOB_MAX = SignUp._meta.get_field("occupation").max_length or 100
# Indonesian numbers: 08xx or +628xx, 10 to 13 digits after the 0 (PM Kominfo numbering plan).
_PHONE_DIGITS = (9, 15)
# Whom the rules let the NIK's disagreement stop: the warnings a sign-up treats as errors.
_STRICT_WARNINGS = ("birth_date_mismatch", "sex_mismatch")


@dataclass(frozen=True)
class SignUpResult:
    signup: SignUp
    created: bool  # False: this NIK had signed up for this event before; nothing was added


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _phone(value: Any, errors: list[FieldError]) -> str:
    text = value.strip().replace(" ", "").replace("-", "") if isinstance(value, str) else ""
    digits = text.removeprefix("+")
    if not text:
        errors.append(FieldError("phone", _("Enter a phone number so the office can contact you.")))
    elif not (digits.isascii() and digits.isdigit()) or not (
        _PHONE_DIGITS[0] <= len(digits) <= _PHONE_DIGITS[1]
    ):
        errors.append(FieldError("phone", _("A phone number has 9 to 15 digits, e.g. 081234567890.")))
    return text


_TEXT = ("nik", "full_name", "birth_date", "sex", "phone", "occupation")


def _validate(data: dict[str, Any], *, strict: bool) -> tuple[dict[str, Any], list[FieldError], bool]:
    errors: list[FieldError] = []
    data = dict(data)
    for field in _TEXT:
        value = data.get(field)
        if isinstance(value, str) and "\x00" in value:
            # PostgreSQL refuses a NUL in text (a 500); a form never sends one, a script may.
            errors.append(FieldError(field, _("Remove the invalid characters.")))
            data[field] = "\x00"
    name = data.get("full_name")
    name = " ".join(name.split()) if isinstance(name, str) else ""
    if not name:
        errors.append(FieldError("full_name", _("Enter the full name as on the KTP.")))
    elif len(name) > _NAME_MAX:
        errors.append(FieldError("full_name", _("At most %(limit)d characters.") % {"limit": _NAME_MAX}))
    born = _date(data.get("birth_date"))
    today = timezone.localdate()
    if born is None:
        errors.append(FieldError("birth_date", _("Enter the birth date.")))
    elif born > today:
        errors.append(FieldError("birth_date", _("The birth date cannot be in the future.")))
    elif born.year < 1900:
        errors.append(FieldError("birth_date", _("The birth date is before 1900.")))
    sex = data.get("sex")
    if sex not in ("L", "P"):
        errors.append(FieldError("sex", _("Choose male or female.")))
        sex = None
    phone = _phone(data.get("phone"), errors)
    job = data.get("occupation")
    job = " ".join(job.split()) if isinstance(job, str) else ""
    if not job:
        errors.append(FieldError("occupation", _("Say what work you do.")))
    elif len(job) > _JOB_MAX:
        errors.append(FieldError("occupation", _("At most %(limit)d characters.") % {"limit": _JOB_MAX}))
    if data.get("consent") is not True:
        errors.append(
            FieldError("consent", _("Tick the consent box: without it the office may not contact you."))
        )
    nik = nik_normalise(data.get("nik"))
    check = nik_check(nik, birth_date=born, sex=sex)
    issues = [i.message for i in check.errors]
    issues += [w.message for w in check.warnings if w.code in _STRICT_WARNINGS]
    valid = not issues
    if not valid and (strict or not check.nik.isdigit() or len(check.nik) != 16):
        # A paper form keeps a NIK that breaks the rules, but only a 16-digit one: the column holds 16.
        errors += [FieldError("nik", message) for message in issues]
    values = {
        "nik": check.nik,
        "full_name": name,
        "birth_date": born,
        "sex": sex,
        "phone": phone,
        "occupation": job,
        "nik_valid": valid,
    }
    return values, errors, valid


def _existing(event: Event, nik: str) -> SignUp | None:
    return SignUp.objects.filter(event=event, nik=nik).first()


def _record(event: Event, values: dict[str, Any], actor: Any, action: str) -> SignUpResult:
    found = _existing(event, values["nik"])
    if found is not None:
        return SignUpResult(found, False)
    try:
        with transaction.atomic():
            signup = SignUp.objects.create(event=event, consent=True, consent_at=timezone.now(), **values)
    except IntegrityError:  # the same NIK at the same moment, from a second tab or a double tap
        found = _existing(event, values["nik"])
        if found is None:
            raise
        return SignUpResult(found, False)
    # The audit names the event and the reference, not the NIK: the sign-up row holds that.
    audit_record(
        actor=actor,
        action=action,
        instance=signup,
        changes={"event": event.code, "reference": signup.reference, "nik_valid": signup.nik_valid},
    )
    return SignUpResult(signup, True)


@transaction.atomic
def signup_submit(*, event: Event, data: dict[str, Any]) -> SignUpResult:
    """The public sign-up (page or API, no account): every field checked, the NIK strictly."""
    if event.status == Event.Status.CANCELLED:
        raise NotInScope
    values, errors, _valid = _validate(data, strict=True)
    if errors:
        raise InvalidInput(errors)
    return _record(event, values, None, "signup")


@transaction.atomic
def signup_record_paper(*, actor: Any, event: Event, data: dict[str, Any]) -> SignUpResult:
    """A paper sign-up typed in by the office: a 16-digit NIK that breaks the rules is kept, flagged."""
    scope = require(actor, Perm.OUTREACH_WRITE)
    if not Event.objects.filter(scope.events(), pk=event.pk).exists():
        raise NotInScope
    values, errors, _valid = _validate(data, strict=False)
    if errors:
        raise InvalidInput(errors)
    return _record(event, values, actor, "signup_paper")
