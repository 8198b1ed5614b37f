"""Row-level reasons of a roster report, in Bahasa Indonesia and English.

The report carries both languages side by side (the file travels between agency, employer and branch
staff whatever their interface language), so these texts are kept here in both languages rather than
through the translation catalogue. Each reason is either an error (the row is rejected) or a warning
(the row is imported and the warning is reported).
"""

from __future__ import annotations

from dataclasses import dataclass

# code: (is_error, Bahasa Indonesia, English)
REASONS: dict[str, tuple[bool, str, str]] = {
    "nik_missing": (True, "NIK kosong.", "The NIK is empty."),
    "nik_number": (
        True,
        "NIK tersimpan sebagai angka oleh spreadsheet (digit terakhir hilang atau notasi eksponen); "
        "format kolom NIK sebagai Teks lalu ketik ulang.",
        "The NIK was stored as a number by the spreadsheet (last digits lost or exponent notation); "
        "format the NIK column as Text and type it again.",
    ),
    "nik_number_kept": (
        False,
        "NIK tersimpan sebagai angka; digitnya masih utuh, tetapi sebaiknya format kolom sebagai Teks.",
        "The NIK was stored as a number; its digits are intact, but format the column as Text.",
    ),
    "nik_length": (True, "NIK harus tepat 16 digit.", "A NIK has exactly 16 digits."),
    "nik_province": (True, "Kode provinsi pada NIK tidak ada.", "The NIK's province code does not exist."),
    "nik_regency": (
        True,
        "Kode kabupaten/kota pada NIK tidak ada.",
        "The NIK's regency/city code does not exist.",
    ),
    "nik_month": (True, "Bulan lahir pada NIK harus 01-12.", "The NIK's birth month must be 01 to 12."),
    "nik_day": (
        True,
        "Tanggal lahir pada NIK harus 01-31 (laki-laki) atau 41-71 (perempuan).",
        "The NIK's birth day must be 01 to 31 (men) or 41 to 71 (women).",
    ),
    "nik_serial": (True, "Nomor urut NIK tidak boleh 0000.", "The NIK's serial number cannot be 0000."),
    "nik_legacy_region": (
        False,
        "NIK memakai kode wilayah sebelum pemekaran; tetap sah.",
        "The NIK carries a regency code from before a regional split; it is still valid.",
    ),
    "nik_not_a_date": (
        False,
        "Tanggal lahir dalam NIK bukan tanggal kalender; periksa dengan KTP.",
        "The NIK's encoded birth date is not a calendar date; check it against the KTP.",
    ),
    "nik_birth_date_mismatch": (
        False,
        "Tanggal lahir dalam NIK berbeda dengan tanggal lahir di baris ini.",
        "The birth date in the NIK differs from the row's birth date.",
    ),
    "nik_sex_mismatch": (
        False,
        "Jenis kelamin dalam NIK berbeda dengan jenis kelamin di baris ini.",
        "The sex encoded in the NIK differs from the row's sex.",
    ),
    "name_missing": (True, "Nama kosong.", "The name is empty."),
    "name_long": (True, "Nama terlalu panjang (maks. 160 karakter).", "The name is too long (160 max)."),
    "birth_date_invalid": (
        True,
        "Tanggal lahir kosong atau tidak dapat dibaca (contoh: 05/03/1990 atau 5 Maret 1990).",
        "The birth date is empty or unreadable (e.g. 05/03/1990 or 5 Maret 1990).",
    ),
    "birth_date_range": (
        True,
        "Tanggal lahir di masa depan atau sebelum 1900.",
        "The birth date is in the future or before 1900.",
    ),
    "sex_invalid": (
        True,
        "Jenis kelamin kosong atau tidak dikenal (L/P, Laki-laki/Perempuan).",
        "The sex is empty or unknown (L/P, male/female).",
    ),
    "region_invalid": (
        True,
        "Kode wilayah alamat tidak dikenal (contoh: 35.73 atau 35.73.01).",
        "Unknown address region code (e.g. 35.73 or 35.73.01).",
    ),
    "phone_invalid": (
        True,
        "Nomor HP hanya boleh berisi angka (dan + di depan), maks. 20.",
        "A phone number has digits only (and an optional leading +), 20 at most.",
    ),
    "wage_invalid": (
        True,
        "Upah kosong atau bukan angka Rupiah bulat (contoh: 4500000 atau Rp 4.500.000).",
        "The wage is empty or not a whole Rupiah amount (e.g. 4500000 or Rp 4.500.000).",
    ),
    "allowance_invalid": (
        True,
        "Tunjangan bukan angka Rupiah bulat.",
        "The allowance is not a whole Rupiah amount.",
    ),
    "income_invalid": (
        True,
        "Penghasilan kosong atau bukan angka Rupiah bulat lebih dari nol.",
        "The declared income is empty or not a whole Rupiah amount above zero.",
    ),
    "start_date_invalid": (
        True,
        "Tanggal mulai tidak dapat dibaca atau sebelum tanggal lahir.",
        "The start date is unreadable or before the birth date.",
    ),
    "program_invalid": (
        True,
        "Program tidak berlaku untuk segmen ini (JKK dan JKM wajib; JP dan JKP hanya untuk PU; "
        "JKP memerlukan JHT).",
        "Programmes not valid for the segment (JKK and JKM required; JP and JKP only for PU; JKP needs JHT).",
    ),
    "sector_invalid": (
        True,
        "Sektor BPU tidak dikenal (transportasi atau lainnya).",
        "Unknown BPU sector (transport or other).",
    ),
    "employer_missing": (True, "NPP pemberi kerja kosong.", "The employer's NPP is empty."),
    "employer_unknown": (True, "NPP pemberi kerja tidak terdaftar.", "The employer's NPP is not registered."),
    "employer_scope": (
        True,
        "Anda tidak berwenang mendaftarkan pekerja untuk pemberi kerja ini.",
        "You may not enrol workers for this employer.",
    ),
    "duplicate": (
        True,
        "NIK ini sudah muncul di baris %(row)s berkas ini.",
        "This NIK already appears in row %(row)s of this file.",
    ),
    "conflict_birth_date": (
        True,
        "Tanggal lahir berbeda dengan data terdaftar (%(registered)s); hubungi kantor cabang.",
        "The birth date differs from the registry (%(registered)s); contact the branch office.",
    ),
    "conflict_sex": (
        True,
        "Jenis kelamin berbeda dengan data terdaftar (%(registered)s); hubungi kantor cabang.",
        "The sex differs from the registry (%(registered)s); contact the branch office.",
    ),
    "region_from_payer": (
        False,
        "Kode wilayah alamat tidak diisi: diambil dari kabupaten/kota pembayar, tetapi NIK terdaftar di "
        "kabupaten/kota lain; periksa alamat peserta.",
        "No address region given: the payer's regency was taken, but the NIK was registered in another "
        "regency; check the person's address.",
    ),
    # Not a warning: the row was read and is waiting for the branch office (enrolment.LinkReview).
    "link_review": (
        False,
        "Ditahan untuk pemeriksaan kantor cabang sebelum peserta dihubungkan; tidak perlu diunggah ulang.",
        "Held for branch review before the person is linked; no need to upload it again.",
    ),
    "membership_other_payer": (
        True,
        "Peserta sudah aktif di segmen ini dengan pembayar lain.",
        "The person already has an active membership in this segment with another payer.",
    ),
    # One payer per person per month (issue 15): the roster's decision (merge.py) names the sponsor.
    "membership_other_sponsor": (
        True,
        "Untuk bulan-bulan ini peserta sudah dibayar oleh sponsor lain: %(sponsor)s.",
        "Already paid for these months by another sponsor: %(sponsor)s.",
    ),
}


ERROR_CODES = [code for code, (is_error, _i, _e) in REASONS.items() if is_error]
# Informational reasons: reported, but the row counts as imported/updated/unchanged, not as a warning.
NOTE_CODES = ["link_review"]
WARNING_CODES = [c for c in REASONS if c not in ERROR_CODES and c not in NOTE_CODES]


@dataclass(frozen=True)
class Reason:
    code: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def is_error(self) -> bool:
        return REASONS[self.code][0]

    def text(self, lang: str) -> str:
        _is_error, indonesian, english = REASONS[self.code]
        template = indonesian if lang == "id" else english
        return template % dict(self.params) if self.params else template


def reason(code: str, **params: object) -> Reason:
    return Reason(code, tuple((k, str(v)) for k, v in params.items()))
