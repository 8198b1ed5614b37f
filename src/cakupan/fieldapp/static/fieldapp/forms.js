// The two capture forms: choices filled from the reference data, checks on the device before an item is
// queued (the NIK with the server's rules; required fields; whole numbers), and the item's payload in
// the sync API's field names.

import { nikCheck, nikMessage } from "./nik.js";

const WHOLE = /^[0-9]+$/;

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => {
    if (v === true) node.setAttribute(k, "");
    else if (v !== false && v !== null && v !== undefined) node.setAttribute(k, v);
  });
  if (text) node.textContent = text;
  return node;
}

// Digits only: "Rp 1.500.000" and "1 500 000" are typed on phones.
export function wholeNumber(raw) {
  const digits = String(raw || "").replace(/[Rr]p|[\s.,]/g, "");
  return WHOLE.test(digits) ? Number(digits) : null;
}

function radios(container, name, choices, checked) {
  container.replaceChildren();
  choices.forEach((c) => {
    const id = `${container.id}-${c.value}`;
    const label = el("label", { for: id, class: "fa-choice" });
    label.append(el("input", { type: "radio", id, name, value: c.value, checked: c.value === checked }));
    label.append(document.createTextNode(c.label));
    container.append(label);
  });
}

function options(select, choices, placeholder) {
  select.replaceChildren(el("option", { value: "" }, placeholder));
  choices.forEach((c) => select.append(el("option", { value: c.value }, c.label)));
}

export function fillEnrolForm(form, reference, strings) {
  radios(form.querySelector("#e-sex"), "sex", reference.sexes, null);
  radios(form.querySelector("#e-payer"), "payer", reference.payers, "self");
  radios(form.querySelector("#e-bpu_sector"), "bpu_sector", reference.sectors, "other");
  const programs = form.querySelector("#e-programs");
  programs.replaceChildren();
  reference.programs.forEach((p) => {
    const id = `e-program-${p.value}`;
    const label = el("label", { for: id, class: "fa-choice" });
    label.append(el("input", { type: "checkbox", id, name: "programs", value: p.value, checked: p.required }));
    label.append(document.createTextNode(p.label));
    programs.append(label);
  });
  options(form.querySelector("#e-address_region"), reference.districts, "—");
  options(form.querySelector("#e-sponsor"), reference.sponsors, "—");
  const sponsorField = form.querySelector("#e-sponsor-field");
  const showSponsor = () => {
    sponsorField.hidden = form.elements.payer.value !== "sponsor";
  };
  form.querySelectorAll("input[name=payer]").forEach((r) => r.addEventListener("change", showSponsor));
  showSponsor();
  if (!reference.sponsors.length) {
    form.querySelector("input[name=payer][value=sponsor]").disabled = true;
  }
}

// Shows the errors ({field: message}) at their fields; clears the others. Answers whether there were any.
export function showErrors(form, prefix, errors, strings) {
  form.querySelectorAll(".fa-error").forEach((p) => {
    p.textContent = "";
  });
  form.querySelectorAll("[aria-invalid]").forEach((f) => f.removeAttribute("aria-invalid"));
  const summary = form.querySelector(".fa-form-error");
  const fields = Object.keys(errors);
  fields.forEach((field) => {
    const target = form.querySelector(`#${prefix}-${field}-error`);
    if (target) target.textContent = errors[field];
    const input = form.querySelector(`#${prefix}-${field}`);
    if (input && input.matches("input, select")) input.setAttribute("aria-invalid", "true");
  });
  summary.hidden = fields.length === 0;
  summary.textContent = fields.length ? strings.fix_fields : "";
  return fields.length > 0;
}

export function checkNikField(form, prefix, context, extra = {}) {
  const value = form.elements.nik.value;
  const warning = form.querySelector(`#${prefix}-nik-warning`);
  if (!value.trim()) {
    warning.textContent = "";
    return { ok: false, message: context.strings.required };
  }
  const check = nikCheck(value, { codes: context.codes, ...extra });
  const messages = context.reference.nik_messages;
  warning.textContent = check.warnings.map((w) => `${context.strings.warning}: ${nikMessage(w, messages)}`).join(" ");
  if (check.errors.length) {
    return { ok: false, message: check.errors.map((e) => nikMessage(e, messages)).join(" "), nik: check.nik };
  }
  return { ok: true, nik: check.nik };
}

export function readEnrolment(form, context) {
  const f = form.elements;
  const { strings } = context;
  const errors = {};
  const sex = f.sex.value || null;
  const birthDate = f.birth_date.value || null;
  const nik = checkNikField(form, "e", context, { birthDate, sex });
  if (!nik.ok) errors.nik = nik.message;
  const name = f.full_name.value.trim();
  if (!name) errors.full_name = strings.required;
  if (!birthDate) errors.birth_date = strings.required;
  if (!sex) errors.sex = strings.required;
  if (!f.address_region.value) errors.address_region = strings.required;
  const occupation = f.occupation.value.trim();
  if (!occupation) errors.occupation = strings.required;
  const income = wholeNumber(f.declared_income.value);
  if (income === null) errors.declared_income = f.declared_income.value ? strings.not_a_number : strings.required;
  else if (income < 1) errors.declared_income = strings.at_least_one;
  const programs = [...form.querySelectorAll("input[name=programs]:checked")].map((b) => b.value);
  if (!programs.includes("JKK") || !programs.includes("JKM")) errors.programs = strings.program_required;
  const payer = f.payer.value || "self";
  if (payer === "sponsor" && !f.sponsor.value) errors.sponsor = strings.sponsor_required;
  if (!f.consent.checked) errors.consent = strings.consent_required;
  if (showErrors(form, "e", errors, strings)) return null;
  const payload = {
    nik: nik.nik,
    full_name: name,
    birth_date: birthDate,
    sex,
    phone: f.phone.value.trim(),
    address_region: f.address_region.value,
    occupation,
    bpu_sector: f.bpu_sector.value || "other",
    declared_income: income,
    programs,
    consent: true,
  };
  if (payer === "sponsor") payload.sponsor = Number(f.sponsor.value);
  return { kind: "enrolment", payload, summary: name };
}

// "2026-12-07T09:30" typed on the phone -> "2026-12-07T09:30:00+07:00": the moment, with the phone's
// time zone, so the server does not read it in its own.
export function withOffset(local) {
  const minutes = -new Date(local).getTimezoneOffset();
  const sign = minutes >= 0 ? "+" : "-";
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${local.length === 16 ? `${local}:00` : local}${sign}${hh}:${mm}`;
}

export function readCollection(form, context) {
  const f = form.elements;
  const { strings } = context;
  const errors = {};
  const nik = checkNikField(form, "c", context);
  if (!nik.ok) errors.nik = nik.message;
  const amount = wholeNumber(f.amount.value);
  if (amount === null) errors.amount = f.amount.value ? strings.not_a_number : strings.required;
  else if (amount < 1) errors.amount = strings.at_least_one;
  const months = wholeNumber(f.months.value);
  if (months === null) errors.months = f.months.value ? strings.not_a_number : strings.required;
  else if (months < 1 || months > 12) errors.months = strings.months_range;
  const receipt = f.receipt.value.trim();
  if (!receipt) errors.receipt = strings.required;
  if (!f.collected_at.value) errors.collected_at = strings.required;
  if (showErrors(form, "c", errors, strings)) return null;
  return {
    kind: "collection",
    payload: { nik: nik.nik, amount, months, receipt, collected_at: withOffset(f.collected_at.value) },
    summary: receipt,
    amount,
  };
}
