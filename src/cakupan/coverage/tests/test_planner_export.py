"""The planner's XLSX export carries the page's figures; text that could be a formula is neutralised."""

from __future__ import annotations

import io
import re
from typing import Any

import polars as pl
import xlsxwriter
from django.test import Client

from cakupan.coverage.reports import _cell

PARAMS = {"workers": "100", "start": "2026-01", "months": "12", "category": "all"}


def _page_rows(html: str) -> list[list[str]]:
    body = html.split('id="scenarios"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
        for r in rows
    ]


def _digits(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def test_export_equals_the_page(world: Any) -> None:
    c = Client()
    c.force_login(world.branch_malang)
    page = c.get("/coverage/planner/", PARAMS)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="planner-export"' in html
    link = re.search(r'id="planner-export" href="([^"]+)"', html)
    assert link
    answer = c.get(link.group(1).replace("&amp;", "&"))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = pl.read_excel(io.BytesIO(answer.content), sheet_id=1)
    shown = _page_rows(html)
    assert len(shown) == sheet.height == 3
    for row, cells in zip(sheet.iter_rows(), shown, strict=True):
        funding, sector, workers, start, months, per_worker, discount, total = row
        assert (funding, sector) == (cells[0], cells[1])
        assert (workers, start, months) == (_digits(cells[2]), "Januari 2026", 12)
        assert (per_worker, discount, total) == (_digits(cells[4]), _digits(cells[5]), _digits(cells[6]))
    # hand-checked figures (test_api_pages): APBD 20,160,000 and CSR 12,600,000 for 100 workers × 12 months
    assert sheet["Total (Rp)"].to_list()[:2] == [20_160_000, 12_600_000]
    months = pl.read_excel(io.BytesIO(answer.content), sheet_id=2)
    assert months.height == 12
    assert int(months[months.columns[1]].sum()) * 100 == sheet["Total (Rp)"][0]


def test_export_of_a_bad_form_is_400(world: Any) -> None:
    c = Client()
    c.force_login(world.admin)
    assert c.get("/coverage/planner/export.xlsx", {**PARAMS, "months": "0"}).status_code == 400
    c.force_login(world.worker_user)
    assert c.get("/coverage/planner/export.xlsx", PARAMS).status_code == 403


def test_text_that_looks_like_a_formula_is_neutralised() -> None:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet("s")
    for r, text in enumerate(["head", "=1+1", "+62", "-x", "@SUM(A1)", "ok"]):
        _cell(ws, r, 0, text)
    book.close()
    column = pl.read_excel(io.BytesIO(out.getvalue()), has_header=False).to_series().to_list()
    assert column == ["head", "'=1+1", "'+62", "'-x", "'@SUM(A1)", "ok"]
