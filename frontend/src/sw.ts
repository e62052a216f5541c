// Registers the service worker (served by Go at /sw.js), which keeps the
// shell and the last pages seen for a slow or absent network. After the
// load event, so that it never competes with the first paint.

export function registerServiceWorker(): void {
  if (!("serviceWorker" in navigator)) return;
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch(() => {
      // Without the worker the site works as well, only less offline.
    });
  });
}
