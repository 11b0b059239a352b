/* Dixian's service worker: the app shell (no personal data) for a cadre without a signal.
   Pages are fetched from the network; when there is none, any page opens the offline shell,
   which reads the cadre's households from the phone's encrypted store (offline.js). */
const CACHE = "dixian-shell-v1";
const ASSETS = ["__OFFLINE_JS__", "__CSS__", "__ICON__"];
const SHELL = "/offline/";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(
    keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))).then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then((response) => {
      if (url.pathname === SHELL && response.ok && !response.redirected) {
        const copy = response.clone();
        caches.open(CACHE).then((c) => c.put(SHELL, copy));
      }
      return response;
    }).catch(() => caches.match(SHELL).then((r) => r || new Response(
      "离线：请先在有信号时打开一次“离线走访”页面。", {headers: {"Content-Type": "text/plain; charset=utf-8"}}))));
    return;
  }
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((r) => r || fetch(request)));
  }
});

self.addEventListener("message", (event) => {
  if (event.data === "logout") event.waitUntil(caches.delete(CACHE));
});
