"""The sponsor's export of its members (issue 15 point 7), XLSX in memory (xlsxwriter; cells written as
text, never as formulas). The NIK is masked for a sponsor unless its agreement grants full data
(SponsorAgreement.full_data, set by the office); staff who see full NIKs elsewhere see them here too."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from cakupan.accounts.permissions import Perm, require
from cakupan.accounts.scope import mask_nik
from cakupan.registry.models import Membership
from cakupan.sponsorship.models import SponsorAgreement
from cakupan.sponsorship.selectors import sponsor_in_scope


def full_data_granted(sponsor_id: int) -> bool:
    return SponsorAgreement.objects.filter(sponsor_id=sponsor_id, full_data=True).exists()


def members_rows(*, user: Any, sponsor_id: Any) -> tuple[list[list[Any]], bool]:
    """The sponsor's members (every status), one row each, and whether the NIK is masked. Two queries."""
    scope = require(user, Perm.SPONSORSHIP_READ)
    sponsor = sponsor_in_scope(scope, sponsor_id)
    masked = scope.masks_nik and not full_data_granted(sponsor.pk)
    status = dict(Membership.Status.choices)
    rows = []
    for nik, name, kpj, state, start, end, income in (
        Membership.objects.filter(sponsor=sponsor)
        .order_by("person__full_name", "pk")
        .values_list(
            "person__nik", "person__full_name", "kpj", "status", "start_date", "end_date", "declared_income"
        )
        .iterator(chunk_size=5000)
    ):
        rows.append(
            [mask_nik(nik) if masked else nik, name, kpj, str(status.get(state, state)), start, end, income]
        )
    return rows, masked


def members_xlsx(*, user: Any, sponsor_id: Any) -> bytes:
    rows, masked = members_rows(user=user, sponsor_id=sponsor_id)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(_("Members")[:31])
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    money = book.add_format({"num_format": "#,##0"})
    headers = [
        _("NIK (masked)") if masked else "NIK",
        _("full name"),
        _("KPJ number"),
        _("status"),
        _("start date"),
        _("end date"),
        _("declared income"),
    ]
    sheet.write_row(0, 0, headers)
    for index, row in enumerate(rows, start=1):
        sheet.write_string(index, 0, row[0])
        sheet.write_string(index, 1, row[1])
        sheet.write_string(index, 2, row[2])
        sheet.write_string(index, 3, row[3])
        sheet.write_datetime(index, 4, row[4], date)
        if row[5] is not None:
            sheet.write_datetime(index, 5, row[5], date)
        if row[6] is not None:
            sheet.write_number(index, 6, row[6], money)
    sheet.set_column(0, 1, 24)
    sheet.set_column(2, 6, 14)
    book.close()
    return buffer.getvalue()
