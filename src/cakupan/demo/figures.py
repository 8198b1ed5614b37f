"""The demo's fixed choices: the articles' figures, the scale rule, codes, dates and wage bands.

Scale rule (`--scale s`, default 1.0): a figure marked FIXED below is reproduced exactly at every scale,
because the scenarios are about those exact numbers; every other head count n becomes
`max(floor, round(n * s))`. At scale 1.0 every article figure is in the data as such (27,000 BPU members
in Kabupaten Malang, 26,500 APBD-paid workers in Kota Malang), which gives about 61,000 persons;
`story` adds the Kota Malang members (scaled the same way).
"""

from __future__ import annotations

import datetime as dt

# The data describe the situation on this day (just after the latest article, S5, October 2025), so the
# same seed gives the same rows whenever the command runs.
AS_OF = dt.date(2025, 11, 1)
DEFAULT_SEED = 20250101
MAX_SCALE = 10.0

# One simple password for every demo login; the command prints it with the logins.
PASSWORD = "demo12345"  # noqa: S105 - a documented demo password, not a secret

# Demo employers carry NPPs 9900xxxx: how `--reset` and the "already loaded" check find them.
NPP_PREFIX = "9900"
# Every demo person's name ends in one of these fictitious family names.
SURNAMES = ("Contoh", "Fiktif")

# --- figures from the articles (/work/shared/domain/scenarios.md) ---------------------------------
# Not rows in any table yet (targets belong to the coverage app); recorded in the demo_load audit event
# (changes["article_figures"]), so they stay visible next to the data that reproduce them.
ARTICLE_FIGURES: dict[str, int | str] = {
    "S1_kab_malang_target_covered_2020": 234_000,
    "S1_kab_malang_target_bpu_2020": 45_000,
    "S1_kab_malang_bpu_registered": 27_000,
    "S1_kab_malang_facilities_registered": 22,
    "S2_batang_company_employees": 1_500,
    "S2_batang_company_registered": 1_000,
    "S3_bpu_minimum_jkk_jkm_rupiah": 16_800,
    "S3_bpu_jht_from_rupiah": 20_000,
    "S4_kota_malang_ucj_percent": "43.4",
    "S4_apbd_vulnerable_workers": 26_500,
    "S4_csr_ojol_drivers": 103,
    "S4_jkm_death_benefit_rupiah": 42_000_000,
}

# FIXED figures: never scaled.
BATANG_COMPANY_EMPLOYEES = 1_500
BATANG_COMPANY_REGISTERED = 1_000
CSR_DRIVERS = 103
KAB_MALANG_REGISTERED_FACILITIES = 22
# Scaled figures (n at scale 1.0).
KAB_MALANG_BPU = 27_000
APBD_COHORT = 26_500


def scaled(n: int, scale: float, floor: int = 1) -> int:
    """The head count for `n` at `scale` (see the module docstring)."""
    return max(floor, round(n * scale))


# --- regions ------------------------------------------------------------------------------------
KAB_MALANG, KOTA_MALANG, KOTA_BATU = "35.07", "35.73", "35.79"
BATANG, KAB_PEKALONGAN, KOTA_PEKALONGAN = "33.25", "33.26", "33.75"
KAB_BEKASI = "32.16"
LHOKSEUMAWE, ACEH_UTARA = "11.73", "11.08"
REQUIRED_REGENCIES = (
    KAB_MALANG,
    KOTA_MALANG,
    KOTA_BATU,
    BATANG,
    KAB_PEKALONGAN,
    KOTA_PEKALONGAN,
    KAB_BEKASI,
    LHOKSEUMAWE,
    ACEH_UTARA,
)
# Regencies whose districts people live in (NIKs are composed for these districts).
RESIDENCE_REGENCIES = (KAB_MALANG, KOTA_MALANG, BATANG, KAB_PEKALONGAN, KAB_BEKASI, LHOKSEUMAWE, ACEH_UTARA)

# --- KBLI 2020 (Peraturan BPS 2/2020) codes used --------------------------------------------------
KBLI_HOSPITAL_GOVERNMENT = "86101"  # Aktivitas rumah sakit pemerintah
KBLI_PUSKESMAS = "86102"  # Aktivitas puskesmas
KBLI_HOSPITAL_PRIVATE = "86103"  # Aktivitas rumah sakit swasta
KBLI_CLINIC_PRIVATE = "86105"  # Aktivitas klinik swasta
KBLI_DOCTOR_PRACTICE = "86201"  # Aktivitas praktik dokter umum
KBLI_OTHER_HEALTH_PRACTICE = "86901"  # pelayanan oleh tenaga kesehatan selain dokter (bidan)
KBLI_PHARMACY = "47721"  # Perdagangan eceran sediaan farmasi (apotek)
KBLI_GARMENT = "14111"  # Industri pakaian jadi (konveksi) dari tekstil
KBLI_WOOD_FURNITURE = "31001"  # Industri furnitur dari kayu
KBLI_PLASTIC_PACKAGING = "22220"  # Industri barang dari plastik untuk pengemasan
KBLI_WAREHOUSING = "52101"  # Pergudangan dan penyimpanan
KBLI_FISH_FREEZING = "10213"  # Industri pembekuan ikan
KBLI_BATIK = "13134"  # Industri batik
KBLI_FOOTWEAR = "15201"  # Industri alas kaki untuk keperluan sehari-hari
KBLI_SHEET_GLASS = "23111"  # Industri kaca lembaran

# --- wages ----------------------------------------------------------------------------------------
# Lowest monthly wage (basic + fixed allowances) paid in each regency: illustrative values close to the
# 2025 regency minimum wages (UMK), not the official figures.
WAGE_FLOOR = {
    KAB_MALANG: 3_500_000,
    KOTA_MALANG: 3_400_000,
    BATANG: 2_500_000,
    KAB_BEKASI: 5_500_000,
    LHOKSEUMAWE: 3_700_000,
}
WAGE_MIN, WAGE_MAX = 2_500_000, 15_000_000
# Declared monthly income of BPU members: Rp1,000,000 is the base of the Rp16,800 minimum package
# (JKK 1% + JKM Rp6,800; rules.md §3). The official bracket table (PP 44/2015 Lampiran II) is not
# available, so these are example incomes, not brackets.
BPU_INCOMES = (1_000_000, 1_500_000, 2_000_000, 3_000_000, 5_000_000)
BPU_INCOME_WEIGHTS = (60, 15, 13, 8, 4)
