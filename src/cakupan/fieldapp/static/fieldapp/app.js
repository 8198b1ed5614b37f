// The field app's shell: loads the reference data (from the network, else from the phone), wires the two
// capture forms and the queue, and syncs when asked and whenever the network comes back.

import { fillEnrolForm, readCollection, readEnrolment } from "./forms.js";
import { regionCodes } from "./nik.js";
import { allItems, deleteItem, forgetAgent, getMeta, putItem, putMeta } from "./store.js";
import { SignInNeeded, csrfToken, syncQueue } from "./sync.js";

const config = JSON.parse(document.getElementById("fieldapp-config").textContent);
const strings = JSON.parse(document.getElementById("fieldapp-strings").textContent);
const context = { config, strings, reference: null, codes: null };
// The sync under way (a promise), or null.
let syncing = null;
// Only an approved agent captures and sends; a registered or suspended one is told so (the server would
// refuse the sync).
let approved = true;

function status(text) {
  document.getElementById("fa-status").textContent = text;
}

function rupiah(amount) {
  return "Rp" + String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}

// Now on the phone's clock, as a datetime-local input holds it (YYYY-MM-DDTHH:MM, local time).
function now() {
  const at = new Date();
  return new Date(at.getTime() - at.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

// Network first (the service worker also answers from its cache offline); the last copy in IndexedDB
// when neither answers.
async function loadJson(url, key) {
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    if (response.ok && (response.headers.get("content-type") || "").includes("application/json")) {
      const data = await response.json();
      await putMeta(key, data);
      return data;
    }
  } catch (error) {
    // offline and not kept by the service worker: the copy below
  }
  return getMeta(key);
}

function showTab(name) {
  document.querySelectorAll(".fa-tab").forEach((tab) => {
    const on = tab.dataset.tab === name;
    tab.setAttribute("aria-pressed", on ? "true" : "false");
    document.getElementById(`tab-${tab.dataset.tab}`).hidden = !on;
  });
}

// The form's own label for a field the server names, so a rejection reads as the form does.
function fieldLabel(kind, field) {
  const id = `${kind === "enrolment" ? "e" : "c"}-${field}`;
  const label = document.querySelector(`label[for="${id}"]`);
  const legend = document.getElementById(id)?.closest("fieldset")?.querySelector("legend");
  return (label || legend)?.textContent.trim() || "";
}

// A rejected item's data back in its form, to correct it and capture it again.
function fillFrom(form, payload) {
  Object.entries(payload).forEach(([name, value]) => {
    if (name === "programs") {
      form.querySelectorAll("input[name=programs]").forEach((box) => {
        box.checked = value.includes(box.value);
      });
    } else if (name === "consent") {
      form.elements.consent.checked = value === true;
    } else if (name === "sponsor") {
      form.querySelector("input[name=payer][value=sponsor]").checked = true;
      form.querySelector("input[name=payer][value=sponsor]").dispatchEvent(new Event("change"));
      form.elements.sponsor.value = String(value);
    } else if (name === "collected_at") {
      form.elements.collected_at.value = String(value).slice(0, 16);
    } else if (form.elements[name] instanceof RadioNodeList) {
      form.querySelectorAll(`input[name=${name}]`).forEach((r) => {
        r.checked = r.value === value;
      });
    } else if (form.elements[name]) {
      form.elements[name].value = value;
    }
  });
}

function itemLine(item) {
  const li = document.createElement("li");
  li.className = `fa-item fa-${item.state}`;
  li.dataset.clientId = item.client_id;
  li.dataset.state = item.state;
  const head = document.createElement("p");
  head.className = "fa-item-head";
  const kind = document.createElement("strong");
  kind.textContent = item.kind === "enrolment" ? strings.kind_enrolment : strings.kind_collection;
  const state = document.createElement("span");
  state.className = "fa-state";
  state.textContent = strings[`state_${item.state}`] || item.state;
  head.append(kind, " ", state);
  li.append(head);
  if (item.summary) {
    const what = document.createElement("p");
    what.className = "fa-item-what";
    what.textContent =
      item.kind === "collection" && item.payload
        ? `${strings.receipt} ${item.summary} · ${rupiah(item.payload.amount)} · ${item.payload.months} ${strings.months}`
        : item.summary;
    li.append(what);
  }
  if (item.errors && item.errors.length) {
    const list = document.createElement("ul");
    list.className = "fa-item-errors";
    item.errors.forEach((e) => {
      const line = document.createElement("li");
      const field = fieldLabel(item.kind, e.field);
      line.textContent = field ? `${field}: ${e.message}` : e.message;
      list.append(line);
    });
    li.append(list);
  }
  if (item.state === "rejected" && item.payload) {
    // The server remembers this client_id: the corrected item is a new capture with a new one.
    const edit = document.createElement("button");
    edit.type = "button";
    edit.className = "fa-secondary fa-edit";
    edit.textContent = strings.correct;
    edit.addEventListener("click", async () => {
      const form = document.getElementById(item.kind === "enrolment" ? "enrol-form" : "collect-form");
      fillFrom(form, item.payload);
      await deleteItem(item.client_id);
      showTab(item.kind === "enrolment" ? "enrol" : "collect");
      await renderQueue();
      form.querySelector("input, select").focus();
    });
    li.append(edit);
  }
  if (item.state === "rejected") {
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "fa-secondary";
    discard.textContent = strings.discard;
    discard.addEventListener("click", async () => {
      await deleteItem(item.client_id);
      status(strings.discarded);
      await renderQueue();
    });
    li.append(discard);
  }
  return li;
}

async function renderQueue() {
  const items = await allItems(config.agent);
  const list = document.getElementById("queue");
  list.replaceChildren(...items.map(itemLine));
  if (!items.length) {
    const empty = document.createElement("li");
    empty.className = "fa-empty";
    empty.textContent = strings.queue_empty;
    list.append(empty);
  }
  const waiting = items.filter((i) => i.state === "queued" || i.state === "sending").length;
  document.getElementById("fa-queued").textContent = String(waiting);
}

async function capture(read, form) {
  if (!context.reference || !context.codes) {
    status(strings.no_reference);
    return;
  }
  const captured = read(form, context);
  if (!captured) return;
  await putItem({
    client_id: crypto.randomUUID(),
    agent: config.agent,
    kind: captured.kind,
    state: "queued",
    captured_at: new Date().toISOString(),
    payload: captured.payload,
    summary: captured.summary,
    errors: [],
  });
  form.reset();
  if (form.id === "enrol-form") fillEnrolForm(form, context.reference, strings);
  else form.elements.collected_at.value = now();
  form.querySelectorAll(".fa-warning").forEach((p) => {
    p.textContent = "";
  });
  status(strings.saved);
  await renderQueue();
}

// `asked`: the agent pressed the button (say so when there is nothing to send); otherwise the app syncs by
// itself and stays quiet unless it sent something. A failed sync while the phone says it is online (a
// signal that comes and goes) is tried again after 2, 4, 8... seconds, at most a minute apart.
let retryIn = 2000;
let retryTimer = null;

// A sync asked for while one is under way waits for that one: whoever asked reads the queue after it.
function sync(asked = false) {
  if (!approved) return Promise.resolve();
  if (!syncing) {
    syncing = sendQueue(asked).finally(() => {
      syncing = null;
    });
  }
  return syncing;
}

async function sendQueue(asked) {
  clearTimeout(retryTimer);
  document.body.dataset.syncing = "true";
  try {
    const done = await syncQueue(config);
    retryIn = 2000;
    if (done.sent) status(strings.synced);
    else if (asked) status(strings.nothing_to_send);
  } catch (error) {
    const signIn = error instanceof SignInNeeded;
    status(signIn ? strings.sign_in_again : strings.sync_failed);
    if (!signIn && navigator.onLine) {
      retryTimer = setTimeout(() => sync(), retryIn);
      retryIn = Math.min(retryIn * 2, 60000);
    }
  } finally {
    delete document.body.dataset.syncing;
    await renderQueue();
  }
}

// The agent's approval, from the reference data (kept on the phone, so also offline) or the shell.
function accountState(agentStatus) {
  approved = agentStatus === "approved";
  document.body.dataset.agentStatus = agentStatus || "";
  const note = document.getElementById("fa-account");
  note.hidden = approved;
  note.textContent = approved ? "" : agentStatus === "suspended" ? strings.suspended : strings.not_approved;
  ["enrol", "collect"].forEach((name) => {
    document.querySelector(`.fa-tab[data-tab=${name}]`).hidden = !approved;
  });
  document.getElementById("sync-button").hidden = !approved;
  if (!approved) showTab("queue");
}

// Items that still hold a worker's personal data: not sent yet, or refused and not corrected.
function unsent(items) {
  return items.filter((i) => i.state === "queued" || i.state === "sending" || i.state === "rejected").length;
}

// The kept copies of the shell and the reference data name this agent: the next one must not open them.
async function forgetKeptPages() {
  if (!("caches" in window)) return;
  const names = (await caches.keys()).filter((name) => name.startsWith("lapangan-"));
  await Promise.all(
    names.map(async (name) => {
      const cache = await caches.open(name);
      await Promise.all([config.scope, config.reference].map((url) => cache.delete(url)));
    }),
  );
}

// Signing out clears the phone first, then ends the session with a fresh CSRF token (the kept shell may
// carry an old one). Offline the phone is cleared and the agent is told to connect to finish.
async function leave(form) {
  document.getElementById("fa-signout").hidden = true;
  await forgetAgent(config.agent);
  await forgetKeptPages();
  await renderQueue();
  let token;
  try {
    token = await csrfToken(config);
  } catch (error) {
    if (error instanceof SignInNeeded) window.location.assign(config.login);
    else status(strings.cleared);
    return;
  }
  form.elements.csrfmiddlewaretoken.value = token;
  form.submit();
}

function askBeforeLeaving(n) {
  const dialog = document.getElementById("fa-signout");
  document.getElementById("fa-signout-text").textContent = `${strings.unsent.replace("{n}", String(n))} ${strings.unsent_choice}`;
  document.getElementById("fa-signout-sync").hidden = !approved;
  dialog.hidden = false;
  dialog.scrollIntoView();
  (approved ? document.getElementById("fa-signout-sync") : document.getElementById("fa-signout-discard")).focus();
}

// The page header's sign-out button: on this phone it first deals with what the agent left on it.
function wireSignOut() {
  const form = document.querySelector(`form[action="${config.logout}"]`);
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const n = unsent(await allItems(config.agent));
    if (n) askBeforeLeaving(n);
    else await leave(form);
  });
  document.getElementById("fa-signout-cancel").addEventListener("click", () => {
    document.getElementById("fa-signout").hidden = true;
  });
  document.getElementById("fa-signout-discard").addEventListener("click", () => leave(form));
  document.getElementById("fa-signout-sync").addEventListener("click", async () => {
    await sync(true);
    const left = unsent(await allItems(config.agent));
    if (left) askBeforeLeaving(left);
    else await leave(form);
  });
}

function networkStatus() {
  status(navigator.onLine ? strings.online : strings.offline);
}

async function start() {
  document.querySelectorAll(".fa-tab").forEach((tab) => tab.addEventListener("click", () => showTab(tab.dataset.tab)));
  const enrol = document.getElementById("enrol-form");
  const collect = document.getElementById("collect-form");
  enrol.addEventListener("submit", (event) => {
    event.preventDefault();
    capture(readEnrolment, enrol);
  });
  collect.addEventListener("submit", (event) => {
    event.preventDefault();
    capture(readCollection, collect);
  });
  collect.elements.collected_at.value = now();
  document.getElementById("sync-button").addEventListener("click", () => sync(true));
  wireSignOut();
  window.addEventListener("online", () => {
    networkStatus();
    sync();
  });
  window.addEventListener("offline", networkStatus);

  const [reference, codes] = await Promise.all([
    loadJson(config.reference, `reference:${config.agent}`),
    loadJson(config.regionCodes, "regionCodes"),
  ]);
  context.reference = reference;
  context.codes = codes ? regionCodes(codes) : null;
  if (reference) fillEnrolForm(enrol, reference, strings);
  accountState((reference && reference.agent_status) || config.agentStatus);
  await renderQueue();
  networkStatus();
  if (approved && (!reference || !codes)) status(strings.no_reference);
  document.body.dataset.ready = "true";

  if ("serviceWorker" in navigator) {
    try {
      await navigator.serviceWorker.register(config.serviceWorker, { scope: config.scope });
    } catch (error) {
      // the app works online without it; offline it needs it (an old browser, a private window)
    }
  }
  if (navigator.onLine) sync();
}

start();
