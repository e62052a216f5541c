// The filter island. The search form is a plain GET form that works without
// JavaScript (one page load per search). With this island, the results
// update in place as one types or picks a city or a category: the page is
// fetched as usual and only its results are swapped in, so the server stays
// the one place that renders them. The address bar follows, so a filtered
// list can still be shared, and a live region says how many results came.

const typingDelay = 300; // ms: one request per pause, not per keystroke

export function initFilters(root: Document): void {
  const form = root.querySelector<HTMLFormElement>("form[data-filters]");
  const results = root.querySelector<HTMLElement>("[data-results]");
  const status = root.querySelector<HTMLElement>("[data-results-status]");
  if (!form || !results || typeof fetch !== "function" || typeof DOMParser !== "function") return;

  let inflight: AbortController | undefined;
  let timer: number | undefined;

  const update = async () => {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (typeof value === "string" && value.trim() !== "") params.set(name, value.trim());
    }
    const query = params.toString();
    const url = "/" + (query ? "?" + query : "");
    inflight?.abort();
    const mine = new AbortController();
    inflight = mine;
    results.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(url, { signal: mine.signal, headers: { Accept: "text/html" } });
      if (!res.ok) throw new Error("HTTP " + res.status);
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      const fresh = doc.querySelector("[data-results]");
      if (!fresh) throw new Error("no results in the page");
      results.replaceChildren(...Array.from(fresh.childNodes, (n) => root.importNode(n, true)));
      history.replaceState(history.state, "", url + "#commerces");
      if (status) status.textContent = fresh.querySelector("[data-results-summary]")?.textContent?.trim() || "";
    } catch {
      if (mine.signal.aborted) return; // a newer search replaced this one
      form.submit(); // let the server page do it the plain way
    } finally {
      if (inflight === mine) results.removeAttribute("aria-busy");
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    window.clearTimeout(timer);
    void update();
  });
  form.addEventListener("change", (event) => {
    // A city, a category, or a status chip (radio buttons).
    if (event.target instanceof HTMLSelectElement || (event.target instanceof HTMLInputElement && event.target.type === "radio")) void update();
  });
  form.addEventListener("input", (event) => {
    if (!(event.target instanceof HTMLInputElement) || event.target.type === "radio") return;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void update(), typingDelay);
  });
}
