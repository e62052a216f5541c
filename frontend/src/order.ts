// The order island. While a payment is being confirmed, the confirmation
// page asks the API where the order stands every 2 seconds (every 10 after
// two minutes); once it is settled, the page's own fresh copy replaces the
// status and the body, so the server stays the one place that renders
// vouchers. The status is a live region: screen readers hear the change.
// Without JavaScript the page refreshes itself every 5 seconds instead.

const fast = 2000;
const slow = 10000;
const patience = 2 * 60 * 1000;

export function initOrder(root: Document): void {
  const box = root.querySelector<HTMLElement>("[data-order][data-poll]");
  const poll = box?.dataset.poll;
  if (!box || !poll || typeof fetch !== "function" || typeof DOMParser !== "function") return;
  const start = Date.now();

  const refresh = async () => {
    try {
      const res = await fetch(location.href, { headers: { Accept: "text/html" }, cache: "no-store" });
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      for (const part of ["[data-order-heading]", "[data-order-status]", "[data-order-body]"]) {
        const fresh = doc.querySelector(part);
        const here = root.querySelector(part);
        if (!fresh || !here) throw new Error("no " + part + " in the page");
        here.replaceChildren(...Array.from(fresh.childNodes, (n) => root.importNode(n, true)));
      }
      root.title = doc.title;
      box.removeAttribute("data-poll");
      // The support island (its own bundle) takes the share section the
      // settled order brought in.
      root.dispatchEvent(new CustomEvent("solidaire:order-settled"));
    } catch {
      location.reload();
    }
  };

  const tick = async () => {
    try {
      const res = await fetch(poll, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (res.ok && (await res.json()).status !== "pending") {
        await refresh();
        return;
      }
    } catch {
      // A phone's network comes and goes: ask again.
    }
    window.setTimeout(tick, Date.now() - start < patience ? fast : slow);
  };
  window.setTimeout(tick, fast);
}

// initPrint shows the print buttons, which need a script to work.
export function initPrint(root: Document): void {
  for (const button of root.querySelectorAll<HTMLButtonElement>("button[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
}
