// Sending the queue: one batch to the sync API, idempotent by client_id on the server, so a batch that
// was sent but whose answer was lost can be sent again safely. Each item ends accepted, duplicate
// (the office already had it) or rejected with the fields to correct.

import { allItems, forgetPersonalData, getMeta, putItems, putMeta } from "./store.js";

export class SignInNeeded extends Error {}

async function deviceId() {
  let id = await getMeta("device");
  if (!id) {
    id = crypto.randomUUID();
    await putMeta("device", id);
  }
  return id;
}

function isJson(response) {
  return (response.headers.get("content-type") || "").includes("application/json");
}

// A fresh CSRF token of the session signed in now. A shell kept from another agent's session (the phone
// passed on) must not send its agent's items under this session: that is a sign-in to ask for, not a sync.
export async function csrfToken(config) {
  const response = await fetch(config.session, { credentials: "same-origin", cache: "no-store" });
  if (response.redirected || !response.ok || !isJson(response)) throw new SignInNeeded();
  const session = await response.json();
  if (session.agent !== config.agent) throw new SignInNeeded();
  return session.csrf_token;
}

// Each item's outcome from the answer's "items" ({client_id, outcome}); a rejected one keeps its data
// and the field messages to correct it. An item the answer does not name stays queued and is sent again
// (the server recognises it by its client_id).
export function applyResult(items, result) {
  const rejected = new Map((result.rejected || []).map((r) => [r.client_id, r.errors || []]));
  const outcomes = new Map((result.items || []).map((r) => [r.client_id, r.outcome]));
  return items.map((item) => {
    const outcome = rejected.has(item.client_id) ? "rejected" : outcomes.get(item.client_id);
    if (outcome === "rejected") {
      return { ...item, state: "rejected", errors: rejected.get(item.client_id) || [] };
    }
    if (outcome === "accepted" || outcome === "duplicate") return forgetPersonalData(item, outcome);
    return { ...item, state: "queued" };
  });
}

export async function syncQueue(config) {
  const pending = (await allItems(config.agent)).filter((i) => i.state === "queued" || i.state === "sending");
  if (!pending.length) return { sent: 0 };
  const token = await csrfToken(config);
  const body = {
    device: await deviceId(),
    items: pending.map((i) => ({ client_id: i.client_id, kind: i.kind, ...i.payload })),
  };
  await putItems(pending.map((i) => ({ ...i, state: "sending" })));
  let response;
  try {
    response = await fetch(config.sync, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        // The API answers in the language asked for: the app's, not the phone system's.
        "Accept-Language": document.documentElement.lang || "id",
        "X-CSRFToken": token,
      },
      body: JSON.stringify(body),
    });
  } catch (error) {
    await putItems(pending.map((i) => ({ ...i, state: "queued" })));
    throw error;
  }
  if (!response.ok || !isJson(response)) {
    await putItems(pending.map((i) => ({ ...i, state: "queued" })));
    if (response.status === 401 || response.status === 403 || response.redirected) throw new SignInNeeded();
    throw new Error(`sync answered ${response.status}`);
  }
  const result = await response.json();
  await putItems(applyResult(pending, result));
  return { sent: pending.length, result };
}
