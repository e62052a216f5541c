// The holder's choice island. Each choice of a cancelled or postponed
// event is a plain form (POST /billet/{code}, which without JavaScript
// first shows a confirmation page). With this island the button opens the
// choice's confirmation in a dialog; confirmed, the choice goes to
// POST /api/v1/tickets/{code}/choice, and the page's own fresh copy then
// replaces the ticket's part, so that the server stays the one place that
// words outcomes. Focus moves to the outcome, which says what happened (or
// to why the ticket cannot be exchanged: used at the door meanwhile).
// Should the API not answer, the form goes to the server as without
// JavaScript.

export function initTicketChoice(root: Document): void {
  const box = root.querySelector<HTMLElement>("[data-ticket][data-code]");
  if (!box || typeof HTMLDialogElement !== "function" || typeof fetch !== "function") return;
  const code = box.dataset.code || "";
  let opener: HTMLButtonElement | null = null;
  let busy = false;

  const refresh = async () => {
    const res = await fetch(location.href, { headers: { Accept: "text/html" }, cache: "no-store" });
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const fresh = doc.querySelector("[data-ticket-body]");
    const here = box.querySelector("[data-ticket-body]");
    if (!fresh || !here) throw new Error("no ticket body");
    here.replaceChildren(...Array.from(fresh.childNodes, (n) => root.importNode(n, true)));
    root.title = doc.title;
    (root.querySelector<HTMLElement>("[data-ticket-outcome]") || root.querySelector<HTMLElement>("[data-ticket-notice]"))?.focus();
  };

  // A ticket checked in at the door cannot be exchanged: the fresh page
  // says so; should it not, the refusal is shown here.
  const checkedIn = () => {
    let why = root.querySelector<HTMLElement>("[data-ticket-notice]");
    if (!why) {
      why = root.createElement("p");
      why.className = "notice notice-cancelled";
      why.setAttribute("role", "alert");
      why.tabIndex = -1;
      why.textContent = box.dataset.errorCheckedin || "";
      box.querySelector("[data-ticket-body]")?.prepend(why);
    }
    why.focus();
  };

  // The fallback: the same choice, confirmed, through the server.
  const post = (form: HTMLFormElement) => {
    const confirm = root.createElement("input");
    confirm.type = "hidden";
    confirm.name = "confirm";
    confirm.value = "1";
    form.append(confirm);
    form.submit();
  };

  box.addEventListener("submit", (event) => {
    const form = (event.target as HTMLElement).closest<HTMLFormElement>("form[data-choice-form]");
    const choice = form?.querySelector<HTMLInputElement>("input[name=choice]")?.value;
    const dialog = choice ? box.querySelector<HTMLDialogElement>(`dialog[data-choice-dialog="${choice}"]`) : null;
    if (!form || !dialog) return;
    event.preventDefault();
    opener = form.querySelector("button");
    const error = dialog.querySelector("[data-choice-error]");
    if (error) error.textContent = "";
    dialog.showModal();
  });

  box.addEventListener("click", async (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>("[data-choice-confirm], [data-choice-cancel]");
    const dialog = button?.closest<HTMLDialogElement>("dialog[data-choice-dialog]");
    if (!button || !dialog) return;
    if (button.hasAttribute("data-choice-cancel")) {
      dialog.close();
      return;
    }
    if (busy) return;
    const choice = dialog.dataset.choiceDialog || "";
    const form = opener?.closest<HTMLFormElement>("form");
    const error = dialog.querySelector("[data-choice-error]");
    busy = true;
    button.disabled = true;
    dialog.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(`/api/v1/tickets/${encodeURIComponent(code)}/choice`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ choice }),
      });
      if (res.ok || res.status === 409) {
        // 409: a choice was made elsewhere (another phone, the deadline),
        // or the ticket was used at the door; the page's fresh copy shows
        // which.
        const code = res.status === 409 ? ((await res.json().catch(() => null)) as { error?: { code?: string } } | null)?.error?.code : "";
        dialog.close();
        opener = null;
        await refresh();
        if (code === "ticket_checked_in") checkedIn();
      } else if (res.status >= 500 && form) {
        post(form);
      } else if (error) {
        error.textContent = box.dataset.errorFailed || "";
      }
    } catch {
      if (form) post(form);
    } finally {
      busy = false;
      button.disabled = false;
      dialog.removeAttribute("aria-busy");
    }
  });

  // Closing a dialog (its button, Escape) gives the focus back to the
  // choice that opened it.
  box.addEventListener(
    "close",
    () => {
      opener?.focus();
    },
    true,
  );
}
