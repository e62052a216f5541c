// Solidaire's service worker: it keeps the shell (stylesheet, script, icon)
// so pages paint at once on a slow network, and the pages last seen so they
// still open offline. Pages always come from the network first: counters
// and seats left must be fresh whenever the network answers.
// The server fills in the version and the shell: a new deploy gets a new
// cache and the old one is dropped.
const VERSION = "{{.Version}}";
const SHELL = {{.Shell}};
const SHELL_CACHE = "shell-" + VERSION;
const PAGE_CACHE = "pages-" + VERSION;
const MAX_PAGES = 30;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL_CACHE && k !== PAGE_CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// Pages people may keep: the public catalogue only. Voucher pages and the
// API stay out of the cache, whatever comes later.
const CACHEABLE = /^\/($|m\/|e\/|c\/)/;

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
    return;
  }
  if (req.mode === "navigate" && CACHEABLE.test(url.pathname)) {
    event.respondWith(
      fetch(req)
        .then((res) => {
          if (res.ok) {
            const copy = res.clone();
            caches.open(PAGE_CACHE).then((c) => c.put(req, copy).then(() => trim(c)));
          }
          return res;
        })
        .catch(() => caches.match(req).then((hit) => hit || caches.match("/")).then((hit) => hit || Response.error())),
    );
  }
});

// trim keeps the page cache small on a phone: oldest entries go first.
function trim(cache) {
  return cache.keys().then((keys) => Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map((k) => cache.delete(k))));
}
