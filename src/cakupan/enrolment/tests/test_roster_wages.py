"""A roster import keeps the registry's wage history (issue 18 point 3): a changed wage is kept from the
import's month, the earlier one stays, and a re-import of the same wage writes nothing (both merge paths)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import timezone

from cakupan.enrolment.services import roster_import
from cakupan.enrolment.tests.conftest import write_csv
from cakupan.registry.models import Employment, WageHistory

D = "35.73.01"


def _history(job: Employment) -> list[tuple[dt.date, int]]:
    return [(w.start_month, w.monthly_wage) for w in WageHistory.objects.filter(employment=job)]


def test_a_roster_with_a_new_wage_adds_it_from_this_month(world: Any, tmp_path: Path) -> None:
    nurse = world.nurse
    job = Employment.objects.get(person=nurse)
    before = _history(job)
    assert [wage for _month, wage in before] == [job.monthly_wage]
    row = [nurse.nik, nurse.full_name, f"{nurse.birth_date:%d/%m/%Y}", "P", D, "", "4200000", "500000"]
    path = write_csv(tmp_path / "r.csv", [row])
    record = roster_import(path_or_file=path, actor=world.hr_hospital, as_=("employer", "NPP00001"))
    assert record.updated == 1
    this_month = timezone.localdate().replace(day=1)
    assert _history(job) == [*before, (this_month, 4_700_000)]
    again = roster_import(path_or_file=path, actor=world.hr_hospital, as_=("employer", "NPP00001"))
    assert again.unchanged == 1
    assert len(_history(job)) == 2
