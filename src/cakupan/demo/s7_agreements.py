"""S2, S3, S5 and S10: the cooperation agreements (PKS) of the articles, written through the partners
services after the users, with KPIs computed from the demo's own data (issue 16):

- Batang (33.25), signed 2 September 2022 by branch Pekalongan with the regency's labour agency (Disnaker)
  and health agency (Dinas Kesehatan): monthly workforce data and joint enforcement; KPIs: employers
  registering nobody or only in part followed up and closed (the S2 compliance case), and the regency's
  coverage rate. It ends 60 days after the load, so it is expiring and its 90-day alert is raised.
- Bekasi (32.16), 2023, branch Bekasi Cikarang with the labour and health agencies: clinic medical staff
  (the health-worker KPI) and informal workers (new BPU members each month); socialisation events.
- Lhokseumawe (11.73), signed 7 October 2025 with the city health agency: every health worker under it in
  JKK, JKM and JHT; the health-worker KPI computes 993 of 1,252 reported health workers covered, 79.3 %,
  at scale 1.0 (s5_lhokseumawe's facilities; other scales give their own share, not a hard-coded one).
- Kota Malang (35.73), the city government and its APBD cohort: the coverage rate (43.4 % in 2025-10,
  from the snapshots `story` builds) and the members of the APBD-sponsored cohort.
Purwakarta (75 % UCJ) and Bulukumba (1,600 workers) are not in the demo: no branch office serves them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import QuerySet
from django.utils import timezone

from cakupan.accounts.models import User
from cakupan.accounts.permissions import SYSTEM
from cakupan.partners.kpis import catalogue as k
from cakupan.partners.kpis.compute import agreement_kpis_compute
from cakupan.partners.models import Agreement, PartnerAgency
from cakupan.partners.services.agreements import agreement_create, agreement_kpi_add, obligation_mark
from cakupan.partners.services.alerts import agreements_daily
from cakupan.partners.services.documents import document_path, document_upload
from cakupan.registry.models import Sponsor

from . import figures as f
from .s4_kota_malang import APBD_NAME
from .story import PERIODS

Say = Callable[[str, int | None], None]

BATANG_NUMBER = "560/PKS/PKL/IX/2022"
BEKASI_NUMBER = "045/PKS/BKC/III/2023"
LHOKSEUMAWE_NUMBER = "12/PKS/LSM/X/2025"
MALANG_NUMBER = "033/PKS/MLG/I/2025"
NUMBERS = (BATANG_NUMBER, BEKASI_NUMBER, LHOKSEUMAWE_NUMBER, MALANG_NUMBER)
DINKES_BATANG = "Dinas Kesehatan Kabupaten Batang"
# The months whose KPI values the demo computes: those with coverage snapshots since late 2024.
KPI_MONTHS = [p for p in PERIODS if p >= "2024-11"]


def _pdf(title: str) -> bytes:
    """A one-page PDF naming the agreement (a stand-in for the scanned signed copy)."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 12 Tf 50 780 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _agency(name: str) -> PartnerAgency:
    return PartnerAgency.objects.get(name=name)


def agreements_load(*, users: list[User], say: Say) -> dict[str, int]:
    by_name = {u.username: u for u in users}
    today = timezone.localdate()
    dinkes_batang, _created = PartnerAgency.objects.update_or_create(
        name=DINKES_BATANG,
        region_id=f.BATANG,
        defaults={"kind": PartnerAgency.Kind.HEALTH, "sector": PartnerAgency.Sector.HEALTH},
    )
    apbd = Sponsor.objects.get(name=APBD_NAME)
    made: list[Agreement] = []

    pekalongan = by_name["staf_pekalongan"]
    batang = agreement_create(
        actor=pekalongan,
        number=BATANG_NUMBER,
        title="Perluasan Cakupan Kepesertaan serta Penegakan Hukum di Kabupaten Batang",
        region=f.BATANG,
        signed_on=dt.date(2022, 9, 2),
        valid_from=dt.date(2022, 9, 2),
        valid_to=today + dt.timedelta(days=60),  # expiring: the 90-day alert shows
        segments=["PU"],
        parties=[
            {"kind": "agency", "id": _agency("Dinas Ketenagakerjaan Kabupaten Batang").pk},
            {"kind": "agency", "id": dinkes_batang.pk},
        ],
        obligations=[
            {"kind": "workforce_data", "party": "Dinas Ketenagakerjaan Kabupaten Batang"},
            {"kind": "enforcement", "party": "Dinas Ketenagakerjaan Kabupaten Batang"},
            {"kind": "workforce_data", "party": DINKES_BATANG},
        ],
    )
    agreement_kpi_add(actor=pekalongan, agreement=batang, key=k.CASES_CLOSED, baseline=0, target=5)
    agreement_kpi_add(actor=pekalongan, agreement=batang, key=k.COVERAGE_RATE, baseline=5, target=25)
    made.append(batang)

    bekasi_staff = by_name["staf_bekasi"]
    bekasi = agreement_create(
        actor=bekasi_staff,
        number=BEKASI_NUMBER,
        title="Perlindungan Jaminan Sosial Ketenagakerjaan Tenaga Medis Klinik Kabupaten Bekasi",
        region=f.KAB_BEKASI,
        signed_on=dt.date(2023, 3, 14),
        valid_from=dt.date(2023, 3, 14),
        valid_to=dt.date(2027, 12, 31),
        segments=["PU", "BPU"],
        parties=[
            {"kind": "agency", "id": _agency("Dinas Ketenagakerjaan Kabupaten Bekasi").pk},
            {"kind": "agency", "id": _agency("Dinas Kesehatan Kabupaten Bekasi").pk},
        ],
        obligations=[
            {"kind": "socialisation", "party": "Dinas Kesehatan Kabupaten Bekasi"},
            {"kind": "workforce_data", "party": "Dinas Kesehatan Kabupaten Bekasi"},
        ],
    )
    agreement_kpi_add(actor=bekasi_staff, agreement=bekasi, key=k.HEALTH_WORKERS, baseline=50, target=100)
    agreement_kpi_add(
        actor=bekasi_staff, agreement=bekasi, key=k.NEW_MEMBERS, segment="BPU", baseline=0, target=50
    )
    made.append(bekasi)

    lhok_staff = by_name["staf_lhokseumawe"]
    lhok = agreement_create(
        actor=lhok_staff,
        number=LHOKSEUMAWE_NUMBER,
        title="Perlindungan Jaminan Sosial Ketenagakerjaan bagi Tenaga Medis serta Tenaga Kesehatan",
        region=f.LHOKSEUMAWE,
        signed_on=dt.date(2025, 10, 7),
        valid_from=dt.date(2025, 10, 7),
        valid_to=dt.date(2027, 10, 6),
        segments=["PU"],
        parties=[{"kind": "agency", "id": _agency("Dinas Kesehatan Kota Lhokseumawe").pk}],
        obligations=[
            {"kind": "workforce_data", "party": "Dinas Kesehatan Kota Lhokseumawe"},
            {"kind": "socialisation", "party": "Dinas Kesehatan Kota Lhokseumawe"},
        ],
    )
    agreement_kpi_add(actor=lhok_staff, agreement=lhok, key=k.HEALTH_WORKERS, baseline=75, target=100)
    document_upload(
        actor=lhok_staff,
        agreement=lhok,
        upload=SimpleUploadedFile(
            "pks-lhokseumawe.pdf", _pdf(f"PKS {LHOKSEUMAWE_NUMBER}"), content_type="application/pdf"
        ),
        title="Naskah PKS bertanda tangan",
    )
    made.append(lhok)

    malang_staff = by_name["staf_malang"]
    malang = agreement_create(
        actor=malang_staff,
        number=MALANG_NUMBER,
        title="Peningkatan Cakupan Kepesertaan Jamsostek (UCJ) Kota Malang",
        region=f.KOTA_MALANG,
        signed_on=dt.date(2025, 1, 15),
        valid_from=dt.date(2025, 1, 15),
        valid_to=dt.date(2027, 12, 31),
        segments=["BPU"],
        parties=[
            {"kind": "agency", "id": _agency("Pemerintah Kota Malang").pk},
            {"kind": "sponsor", "id": apbd.pk},
        ],
        obligations=[{"kind": "sponsoring", "party": APBD_NAME}, {"kind": "socialisation"}],
    )
    agreement_kpi_add(actor=malang_staff, agreement=malang, key=k.COVERAGE_RATE, baseline=40, target=60)
    agreement_kpi_add(
        actor=malang_staff,
        agreement=malang,
        key=k.SPONSORED_COHORT,
        sponsor=apbd.pk,
        baseline=0,
        target=f.scaled(f.APBD_COHORT, 1.0),
    )
    made.append(malang)

    marks = _marks(made, by_name)
    say("S7 agreements: obligations ticked", marks)
    daily = agreements_daily(actor=SYSTEM, today=today)  # signed → in force, Batang expiring, its alert
    values = sum(agreement_kpis_compute(actor=SYSTEM, period=month)["values"] for month in KPI_MONTHS)
    say("S7 agreements: KPI values", values)
    return {"agreements": len(made), "kpi_values": values, "agreement_alerts": len(daily["alerts"])}


def _marks(made: list[Agreement], by_name: dict[str, User]) -> int:
    """The last three months before the demo's month: data delivered, one month late with a note."""
    actors = {
        a.pk: by_name[u]
        for a, u in zip(
            made, ("staf_pekalongan", "staf_bekasi", "staf_lhokseumawe", "staf_malang"), strict=True
        )
    }
    n = 0
    for agreement in made:
        for obligation in agreement.obligations.order_by("id"):
            for month in ("2025-08", "2025-09", "2025-10"):
                if month < agreement.valid_from.strftime("%Y-%m"):
                    continue
                late = month == "2025-09" and obligation.kind == "workforce_data"
                obligation_mark(
                    actor=actors[agreement.pk],
                    obligation=obligation,
                    period=month,
                    done=not late,
                    note="Data terlambat; dikirim menyusul" if late else "",
                )
                n += 1
    return n


def agreements_delete() -> dict[str, int]:
    """The demo's agreements (their parties, obligations, documents, KPIs and alerts go with them), and the
    stored files of their documents."""
    rows: QuerySet[Agreement] = Agreement.objects.filter(number__in=NUMBERS)
    for agreement in rows:
        for document in agreement.documents.all():
            document_path(document).unlink(missing_ok=True)
    deleted: dict[str, Any] = rows.delete()[1]
    return {"agreements": deleted.get(Agreement._meta.label, 0)}
