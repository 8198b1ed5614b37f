"""The demo data set: `cakupan demo load` (run `cakupan regions load` first).

A reproducible set (fixed seed, `--seed`) of fictitious people and employers that reproduces the five
situations of the source articles (/work/shared/domain/scenarios.md). Names carry "Contoh" or "Fiktif";
NIKs are synthetic but structurally valid (composed for real districts, `registry.nik.nik_compose`, and
checked with `nik_check`; a few carry a birth-date warning, as real NIKs do); employers have NPPs 9900xxxx,
KBLI codes, JKK risk and size classes; wages are whole Rupiah between Rp2.5 and 15 million; KPJs are 11
unique digits. About 61,000 scenario persons at scale 1.0, plus about 162,000 generated set-based in SQL so
that Kota Malang reaches its 43.4 % (`story`): about 223,000 persons in all.

Where each scenario lives:
- S1 Kabupaten Malang (35.07): `s1_kab_malang`: 22 registered clinics and hospitals, 6 that registered
  nobody, 27,000 self-paying BPU members;
- S2 Kabupaten Batang (33.25): `s2_batang`: PT Contoh Batang Industri, 1,500 employees of whom 1,000 are
  registered; two companies that registered nobody; an under-waged and a programme-short one;
  `s2_compliance`: the labour agency's workforce report matched with the registry through the compliance
  services (PDS workers with 500 missing, PWBD, PDS wages and programmes, a review item) and a case on the
  company at its first written warning;
- S3 Kabupaten Bekasi (32.16): `s3_bekasi`: clinic staff (PU) and informal medical staff (BPU);
- S4 Kota Malang (35.73): `s4_kota_malang`: 26,500 workers paid by "APBD Kota Malang", 103 ojol drivers
  paid by "CSR RS Hermina Contoh";
- S5 Kota Lhokseumawe (11.73): `s5_lhokseumawe`: health workers under the Dinas Kesehatan, ASN and
  non-ASN, most enrolled in JKK + JKM + JHT, some not yet.
The coverage story (`story`): Kota Malang grown to 189,546 active participants in 2025-10 (43.4 % of the
436,742 employed BPS counted), the BPS workforce figures and synthetic ones elsewhere (labelled), Malang
branch's 2020 targets (234,000; 45,000 BPU), and the coverage snapshots of 18 months.
Branch offices, partner agencies and the logins (one per role at least, password "demo12345") are in
`actors`; the scale rule and every fixed choice in `figures`; the row builders in `people` and `staffing`;
loading, the single audit event and `--reset` in `services`.
"""
