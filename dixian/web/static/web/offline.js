/* Dixian offline: the village cadre's households and visit tasks kept on the phone, encrypted
   at rest (AES-GCM, a non-extractable WebCrypto key kept in IndexedDB and deleted at logout),
   visits and clues queued offline and synced when the signal returns; a conflict (the
   household changed meanwhile) is shown to the cadre, never overwritten silently. */
(function () {
  "use strict";
  const DB = "dixian-offline", STORE = "kv";
  const textNode = document.getElementById("offline-text");
  const TEXT = textNode ? JSON.parse(textNode.textContent) : {};
  const T = (s) => TEXT[s] || s;

  if ("serviceWorker" in navigator && document.body.dataset.user) {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(() => {});
  }

  function db() {
    return new Promise((resolve, reject) => {
      const open = indexedDB.open(DB, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(STORE);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
  }
  async function kvGet(key) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const r = d.transaction(STORE).objectStore(STORE).get(key);
      r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error);
    });
  }
  async function kvSet(key, value) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const t = d.transaction(STORE, "readwrite");
      t.objectStore(STORE).put(value, key);
      t.oncomplete = () => resolve(); t.onerror = () => reject(t.error);
    });
  }
  async function key() {
    let k = await kvGet("key");
    if (!k) {  // non-extractable: the key can be used on this phone, never read out
      k = await crypto.subtle.generateKey({name: "AES-GCM", length: 256}, false,
                                          ["encrypt", "decrypt"]);
      await kvSet("key", k);
    }
    return k;
  }
  async function seal(name, value) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = new TextEncoder().encode(JSON.stringify(value));
    const sealed = await crypto.subtle.encrypt({name: "AES-GCM", iv}, await key(), data);
    await kvSet(name, {iv, sealed});
  }
  async function open_(name, fallback) {
    const rec = await kvGet(name);
    if (!rec) return fallback;
    const plain = await crypto.subtle.decrypt({name: "AES-GCM", iv: rec.iv}, await key(), rec.sealed);
    return JSON.parse(new TextDecoder().decode(plain));
  }
  async function wipe() {
    await new Promise((resolve) => {
      const r = indexedDB.deleteDatabase(DB);
      r.onsuccess = r.onerror = r.onblocked = () => resolve();
    });
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage("logout");
    }
  }
  window.DixianOffline = {wipe, open: open_, seal};

  // Logging out clears the phone: the key, the households and the queue.
  document.querySelectorAll("form[data-logout]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.dataset.wiped) return;
      event.preventDefault();
      wipe().finally(() => { form.dataset.wiped = "1"; form.submit(); });
    });
  });

  const root = document.getElementById("offline-app");
  if (!root) return;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v; else if (v !== false && v != null) node.setAttribute(k, v);
    });
    children.flat().forEach((c) => node.append(c));
    return node;
  }
  let bundle = null, outbox = [];
  const status = document.getElementById("offline-status");
  function say(text) { status.textContent = text; }

  async function load() {
    outbox = await open_("outbox", []);
    if (navigator.onLine) {
      try {
        const r = await fetch("/offline/bundle/", {credentials: "same-origin"});
        if (r.ok && !r.redirected) {
          bundle = await r.json();
          await seal("bundle", bundle);
        }
      } catch (e) { /* no signal after all: use the phone's copy */ }
    }
    if (!bundle) bundle = await open_("bundle", null);
    render();
    if (navigator.onLine && outbox.some((i) => i.status === "pending")) sync();
  }

  function visitForm(h) {
    const v = h.values || {};
    const num = (name, label) => el("label", {}, T(label) + " ",
      el("input", {type: "number", inputmode: "numeric", name, value: v[name] == null ? 0 : v[name]}));
    const check = (name, label) => el("label", {class: "check"},
      el("input", {type: "checkbox", name, checked: v[name] ? "checked" : false}), " " + T(label));
    const grade = el("select", {name: "housing_grade"}, el("option", {value: "", text: "—"}),
      bundle.grades.map(([c, l]) => el("option", {value: c, text: l, selected: c === v.housing_grade ? "selected" : false})));
    const risk = el("select", {name: "new_risk"}, el("option", {value: "", text: T("No new risk"), selected: "selected"}),
      bundle.risk_types.map(([c, l]) => el("option", {value: c, text: l})));
    const today = new Date().toISOString().slice(0, 10);
    const form = el("form", {class: "card visit-form", "data-household": h.code},
      el("h3", {text: T("Monthly visit") + " · " + bundle.month}),
      el("label", {}, T("Visited on") + " ", el("input", {type: "date", name: "visited_on", value: today})),
      el("div", {class: "grid-2"}, num("wage", "wage income"), num("business", "business income"),
        num("property", "property income"), num("transfer", "transfer income"),
        num("business_cost", "business costs"), num("compliant_oop_medical", "compliant out-of-pocket medical")),
      el("label", {}, T("housing safety grade") + " ", grade),
      check("safe_drinking_water", "safe drinking water"), check("dropout_flag", "school dropout in household"),
      check("uninsured_member_flag", "member without medical insurance"),
      el("label", {}, T("New risk found on this visit") + " ", risk),
      el("label", {}, T("Note") + " ", el("input", {name: "note"})),
      el("button", {type: "submit", class: "primary", text: T("Keep on the phone and send when online")}));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const f = new FormData(form), values = {};
      ["wage", "business", "property", "transfer", "business_cost", "compliant_oop_medical"].forEach((n) => { values[n] = Number(f.get(n) || 0); });
      values.housing_grade = f.get("housing_grade") || "";
      ["safe_drinking_water", "dropout_flag", "uninsured_member_flag"].forEach((n) => { values[n] = f.get(n) === "on"; });
      outbox.push({id: String(Date.now()) + Math.random().toString(16).slice(2, 6), kind: "visit",
        household: h.code, name: h.name, month: bundle.month, version: h.version, values,
        visited_on: f.get("visited_on"), new_risk: f.get("new_risk") || "", note: f.get("note") || "",
        status: "pending"});
      h.visited = true;
      await seal("outbox", outbox); await seal("bundle", bundle);
      render();
      if (navigator.onLine) sync();
    });
    return form;
  }

  function clueForm(h) {
    const form = el("form", {class: "card clue-form", "data-household": h.code},
      el("h3", {text: T("Raise a clue")}),
      el("label", {}, T("Risk type") + " ", el("select", {name: "risk_type"},
        bundle.risk_types.map(([c, l]) => el("option", {value: c, text: l})))),
      el("label", {}, T("Difficulty") + " ", el("input", {name: "description", required: "required"})),
      el("button", {type: "submit", text: T("Keep on the phone and send when online")}));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const f = new FormData(form);
      outbox.push({id: String(Date.now()), kind: "clue", household: h.code, name: h.name,
        risk_type: f.get("risk_type"), description: f.get("description"), status: "pending"});
      await seal("outbox", outbox); render();
      if (navigator.onLine) sync();
    });
    return form;
  }

  function renderOutbox() {
    const box = document.getElementById("outbox");
    box.replaceChildren();
    const pending = outbox.filter((i) => i.status === "pending").length;
    box.append(el("h2", {text: T("Waiting to be sent") + " (" + outbox.length + ")"}));
    box.append(el("p", {class: "muted", id: "outbox-count", "data-pending": pending, "data-total": outbox.length,
      text: outbox.length ? T("Recorded on the phone; sent when there is a signal.") : T("Nothing waits to be sent.")}));
    outbox.forEach((item) => {
      const li = el("div", {class: "card outbox-item" + (item.status === "conflict" ? " conflict" : ""), "data-status": item.status, "data-household": item.household},
        el("strong", {text: (item.kind === "visit" ? T("Monthly visit") : T("Clue")) + " · " + (item.name || item.household)}));
      if (item.status === "conflict") {
        li.append(el("p", {text: T("The household changed after you recorded this: compare and choose.")}));
        const FLAGS = ["safe_drinking_water", "dropout_flag", "uninsured_member_flag"];
        const shown = (k, v) => FLAGS.includes(k) ? (v ? T("yes") : T("no")) : (v == null || v === "" ? "—" : String(v));
        const rows = Object.keys(item.values || {}).filter((k) => shown(k, (item.current || {})[k]) !== shown(k, item.values[k]));
        li.append(el("div", {class: "scroll"}, el("table", {class: "list"},
          el("thead", {}, el("tr", {}, el("th", {text: T("Field")}), el("th", {text: T("Now in the platform")}), el("th", {text: T("You recorded")}))),
          el("tbody", {}, rows.map((k) => el("tr", {"data-field": k}, el("td", {text: T(k)}), el("td", {text: shown(k, (item.current || {})[k])}), el("td", {text: shown(k, item.values[k])})))))));
        const keep = el("button", {type: "button", class: "keep-mine", text: T("Keep mine and send")});
        keep.addEventListener("click", async () => { item.status = "pending"; item.version = item.new_version; await seal("outbox", outbox); sync(); });
        const drop = el("button", {type: "button", class: "take-theirs", text: T("Keep the platform's")});
        drop.addEventListener("click", async () => { outbox = outbox.filter((i) => i !== item); await seal("outbox", outbox); render(); });
        li.append(keep, " ", drop);
      } else if (item.status === "error") {
        li.append(el("p", {class: "error", text: (item.messages || []).join("；")}));
      }
      box.append(li);
    });
    const button = el("button", {type: "button", id: "sync-now", class: "primary", text: T("Send now"), disabled: (!navigator.onLine || !pending) ? "disabled" : false});
    button.addEventListener("click", sync);
    box.append(button);
  }

  function render() {
    document.body.classList.toggle("offline", !navigator.onLine);
    renderOutbox();
    const list = document.getElementById("households");
    list.replaceChildren();
    if (!bundle) { list.append(el("p", {class: "muted", text: T("Open this page once with a signal to keep your village's households on the phone.")})); return; }
    say(T("Households kept on the phone") + "：" + bundle.households.length + " · " + bundle.fetched_at.slice(0, 16).replace("T", " "));
    bundle.households.forEach((h) => {
      const details = el("details", {class: "card household", "data-household": h.code, "data-visited": h.visited ? "1" : "0"},
        el("summary", {}, el("strong", {text: h.name || h.code}), " ", el("span", {class: "muted", text: h.place}), " ",
          el("span", {class: "code", text: h.masked_id}), " ", el("span", {class: h.visited ? "muted" : "error", text: h.visited ? T("visited") : T("visit due")})));
      details.addEventListener("toggle", () => {
        if (details.open && details.children.length === 1) details.append(visitForm(h), clueForm(h));
      }, {once: false});
      list.append(details);
    });
  }

  let syncing = false;
  async function sync() {
    if (syncing || !navigator.onLine || !bundle) return;
    const items = outbox.filter((i) => i.status === "pending");
    if (!items.length) { render(); return; }
    syncing = true; say(T("Sending…"));
    try {
      const r = await fetch("/offline/sync/", {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": bundle.csrf}, body: JSON.stringify(items)});
      if (!r.ok || r.redirected) { say(T("Not sent: log in again; your records stay on the phone.")); return; }
      const {results} = await r.json();
      results.forEach((res) => {
        const item = outbox.find((i) => i.id === res.id);
        if (!item) return;
        if (res.status === "ok") item.status = "sent";
        else if (res.status === "conflict") { item.status = "conflict"; item.current = res.current; item.new_version = res.version; }
        else { item.status = "error"; item.messages = res.messages; }
      });
      outbox = outbox.filter((i) => i.status !== "sent");
      await seal("outbox", outbox);
      say(T("Sent."));
    } catch (e) {
      say(T("No signal: your records stay on the phone."));
    } finally { syncing = false; render(); }
  }

  window.addEventListener("online", () => { render(); sync(); });
  window.addEventListener("offline", render);
  load().catch((e) => say(String(e)));
})();

// A "print" button without inline script (the content security policy allows none).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
