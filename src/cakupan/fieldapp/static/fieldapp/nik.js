// The NIK check on the device: the same rules as the server's registry/nik.py, run on the same table of
// cases (registry/tests/nik_cases.json) by fieldapp/tests/test_nik_device.py. Errors refuse the NIK;
// warnings (a pre-split regency code, a birth date or sex that disagrees with the NIK) never do.
// Region codes come from the server's regions.codes (/lapangan/region-codes.json, kept by the service worker).

// Python's \s also takes the ASCII separators \x1c-\x1f: named here so both normalise alike.
const SEPARATORS = /[\s\x1c-\x1f.-]/g;

const pad = (n) => String(n).padStart(2, "0");

export function nikNormalise(raw) {
  return String(raw === null || raw === undefined ? "" : raw).replace(SEPARATORS, "");
}

export function regionCodes(data) {
  return {
    provinces: new Set(data.provinces),
    regencies: new Set(data.regencies),
    legacy: new Map(Object.entries(data.legacy)),
  };
}

function isCalendarDay(day, month, yy) {
  // Either century may apply; 29 February is a date when one of the two candidate years is a leap year.
  return [1900 + yy, 2000 + yy].some((year) => {
    const d = new Date(Date.UTC(year, month - 1, day));
    return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
  });
}

// birthDate: "YYYY-MM-DD" or empty; sex: "L", "P" or empty. Answers {nik, errors, warnings}, each issue
// {code, detail}, in the order the server gives them.
export function nikCheck(raw, { birthDate = null, sex = null, codes }) {
  const nik = nikNormalise(raw);
  if (!/^[0-9]{16}$/.test(nik)) return { nik, errors: [{ code: "length", detail: "" }], warnings: [] };
  const errors = [];
  const warnings = [];
  const province = nik.slice(0, 2);
  const regency = `${province}.${nik.slice(2, 4)}`;
  if (codes.legacy.has(regency)) {
    warnings.push({ code: "legacy_region", detail: `${regency} → ${codes.legacy.get(regency)}` });
  } else if (!codes.provinces.has(province)) {
    errors.push({ code: "province", detail: province });
  } else if (!codes.regencies.has(regency)) {
    errors.push({ code: "regency", detail: regency });
  }
  const rawDay = Number(nik.slice(6, 8));
  const month = Number(nik.slice(8, 10));
  const yy = Number(nik.slice(10, 12));
  const encodedSex = rawDay > 40 ? "P" : "L";
  const day = rawDay > 40 ? rawDay - 40 : rawDay;
  if (!((rawDay >= 1 && rawDay <= 31) || (rawDay >= 41 && rawDay <= 71))) {
    errors.push({ code: "day", detail: nik.slice(6, 8) });
  }
  if (month < 1 || month > 12) errors.push({ code: "month", detail: nik.slice(8, 10) });
  if (nik.slice(12) === "0000") errors.push({ code: "serial", detail: "" });
  if (errors.length) return { nik, errors, warnings };

  if (!isCalendarDay(day, month, yy)) warnings.push({ code: "not_a_date", detail: nik.slice(6, 12) });
  if (birthDate) {
    const [year, bm, bd] = birthDate.split("-").map(Number);
    if (bd !== day || bm !== month || year % 100 !== yy) {
      warnings.push({
        code: "birth_date_mismatch",
        detail: `${pad(day)}-${pad(month)}-${pad(yy)} ≠ ${pad(bd)}-${pad(bm)}-${pad(year % 100)}`,
      });
    }
  }
  if (sex && sex !== encodedSex) warnings.push({ code: "sex_mismatch", detail: `${encodedSex} ≠ ${sex}` });
  return { nik, errors, warnings, sex: encodedSex };
}

// An issue as the person reads it: the server's message (sent in the page's language) and its detail.
export function nikMessage(issue, messages) {
  const text = messages[issue.code] || issue.code;
  return issue.detail ? `${text} (${issue.detail})` : text;
}
