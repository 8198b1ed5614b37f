"""The device's NIK check (fieldapp/static/fieldapp/nik.js) against the server's table of cases
(registry/tests/nik_cases.json), run in Chromium: the same table drives registry/tests/test_nik.py, so the
phone refuses exactly what the server refuses and warns where it warns.

The module is imported in a real page of the served product, with the region codes the field app's
endpoint delivers (fieldapp.reference.region_codes_payload): what a phone runs offline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.browser.test_journey import chromium, chromium_or_skip

from cakupan.fieldapp.reference import region_codes_payload
from cakupan.registry.nik import nik_check
from cakupan.registry.tests.test_nik import NIK_CASES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RUN_CASES = """async ({cases, codes}) => {
  const nik = await import("/static/fieldapp/nik.js");
  const table = nik.regionCodes(codes);
  return cases.map((c) => {
    const check = nik.nikCheck(c.nik, {birthDate: c.birth_date, sex: c.sex, codes: table});
    const codes = (issues) => issues.map((i) => i.code);
    return {nik: check.nik, errors: codes(check.errors), warnings: codes(check.warnings),
            details: check.warnings.map((w) => w.detail)};
  });
}"""


def test_the_device_checks_every_case_as_the_server_does(live_server: Any) -> None:
    chromium_or_skip()

    codes = region_codes_payload()
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{live_server.url}/login/")
        answers = page.evaluate(RUN_CASES, {"cases": NIK_CASES, "codes": codes})
        page.close()
    assert len(answers) == len(NIK_CASES)
    for spec, device in zip(NIK_CASES, answers, strict=True):
        assert (device["errors"], device["warnings"]) == (spec["errors"], spec["warnings"]), spec["case"]
        # The details too (the current code of a pre-split regency, the dates that disagree), as the server.
        born = spec["birth_date"]
        server = nik_check(
            spec["nik"], birth_date=dt.date.fromisoformat(born) if born else None, sex=spec["sex"]
        )
        assert device["nik"] == server.nik, spec["case"]
        assert device["details"] == [w.detail for w in server.warnings], spec["case"]
