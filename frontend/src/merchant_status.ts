// Today's status, one tap (on the dashboard and the page editor): open,
// takeout, delivery, online only, or temporarily closed with a note and an
// optional last day; "Effacer" clears it. PUT /merchant/status.
import { Api, busy, clearErrors, explain, fieldError, lang, showFieldErrors, t } from "./merchant_api";

export interface StatusState {
  status: string;
  status_note: string;
  status_until: string | null;
}

// untilISO is the end of the day picked (YYYY-MM-DD) in zone, as RFC 3339:
// the status lapses once that day is over.
function untilISO(day: string, zone: string): string {
  const probe = new Date(day + "T12:00:00Z");
  const name = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
    .formatToParts(probe).find((p) => p.type === "timeZoneName")?.value || "GMT";
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  const offset = m ? `${m[1]}:${m[2] || "00"}` : "Z";
  return `${day}T23:59:59${offset}`;
}

export function statusPanel(scope: HTMLElement, api: Api, state: StatusState, currency: string, fail: (text: string) => void, say: (text: string) => void): void {
  const panel = scope.querySelector<HTMLElement>("[data-status-panel]");
  if (!panel) return;
  const now = panel.querySelector<HTMLElement>("[data-status-now]")!;
  const clear = panel.querySelector<HTMLButtonElement>("[data-status-clear]")!;
  const closed = panel.querySelector<HTMLFormElement>("[data-status-closed]")!;
  const buttons = Array.from(panel.querySelectorAll<HTMLButtonElement>("[data-set-status]"));
  const zone = currency === "eur" ? "Europe/Paris" : "America/Toronto";
  const day = (iso: string) => new Intl.DateTimeFormat(lang + "-CA", { dateStyle: "long", timeZone: zone }).format(new Date(iso));

  const show = (s: StatusState) => {
    state = s;
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.setStatus === s.status));
    clear.hidden = !s.status;
    if (!s.status) {
      now.textContent = t("status.none");
      return;
    }
    const parts = [t("status.open." + s.status)];
    if (s.status_note) parts.push(s.status_note);
    if (s.status_until) parts.push(t("status.until", day(s.status_until)));
    now.textContent = t("status.now", parts.join(" — "));
  };
  show(state);

  const put = async (body: { status: string; note: string; until: string | null }, form?: HTMLFormElement): Promise<boolean> => {
    busy(panel, true);
    const res = await api.call<StatusState>("PUT", "/merchant/status", body);
    busy(panel, false);
    if (!res.ok) {
      if (!(form && showFieldErrors(form, res.error.fields))) fail(explain(res.error));
      return false;
    }
    show(res.data);
    say(res.data.status ? t("status.saved", t("status.open." + res.data.status)) : t("status.cleared"));
    return true;
  };

  for (const b of buttons) {
    b.addEventListener("click", () => {
      const s = b.dataset.setStatus || "";
      if (s === "closed") {
        closed.hidden = false;
        const note = closed.elements.namedItem("note") as HTMLInputElement;
        if (state.status === "closed") note.value = state.status_note;
        note.focus();
        return;
      }
      closed.hidden = true;
      void put({ status: s, note: "", until: null });
    });
  }
  closed.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(closed);
    const note = closed.elements.namedItem("note") as HTMLInputElement;
    const until = closed.elements.namedItem("until") as HTMLInputElement;
    if (!note.value.trim()) {
      fieldError(note, t("status.error.closed"));
      note.focus();
      return;
    }
    if (await put({ status: "closed", note: note.value.trim(), until: until.value ? untilISO(until.value, zone) : null }, closed)) {
      closed.hidden = true;
      buttons.find((b) => b.dataset.setStatus === "closed")?.focus();
    }
  });
  clear.addEventListener("click", async () => {
    if (await put({ status: "", note: "", until: null })) buttons[0]?.focus();
  });
  panel.hidden = false;
}
