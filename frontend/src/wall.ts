// A campaign's wall: "Signaler" posts the report to the API and thanks the
// visitor in the wall's live region; the button then says the post was
// reported and stays where the focus is. Without this script the button
// is a form the pages take, or hidden when they do not.
export function initWall(root: Document): void {
  const wall = root.querySelector<HTMLElement>("[data-wall]");
  if (!wall || typeof fetch !== "function") return;
  const d = wall.dataset;
  const status = wall.querySelector("[data-wall-status]");
  for (const form of wall.querySelectorAll<HTMLFormElement>("form[data-report]")) {
    form.hidden = false;
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const button = form.querySelector("button");
      if (!button || button.getAttribute("aria-disabled") === "true") return;
      button.setAttribute("aria-disabled", "true");
      let ok = false;
      try {
        const res = await fetch(`${d.api}${encodeURIComponent(form.dataset.report || "")}/report`, {
          method: "POST",
          headers: { Accept: "application/json" },
          cache: "no-store",
        });
        ok = res.ok;
      } catch {
        // Offline: said below, and the button can be pressed again.
      }
      if (status) status.textContent = (ok ? d.thanks : d.failed) || "";
      if (ok) button.firstChild!.textContent = d.done || "";
      else button.removeAttribute("aria-disabled");
    });
  }
}
