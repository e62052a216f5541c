// The organiser's events: the list of each venue's events, the form of an
// event (created, or edited), its cancellation and postponement (an
// options form, then the API's dry-run preview, then a confirmation
// dialog), and the live tally of the holders' choices, asked of the API
// every 5 seconds. The server renders every form and string; this fills
// them from the API and sends what they say.
import {
  ApiError, T, amountOf, api, lang, clearErrors, dateText, h, money, num, plural, say, showErrors, toISO, toLocal, whenVisible, zoneOf,
} from "./org_dom";

export interface Member {
  slug: string;
  name: string;
  role: string;
}

interface Money {
  amount: number;
  currency: string;
}

interface TicketType {
  id: string;
  name: string;
  price: Money;
  capacity: number;
  seats_left: number;
}

interface Event {
  id: string;
  title: string;
  summary: string;
  description: string;
  merchant: { slug: string; name: string };
  city: string;
  starts_at: string;
  status: "scheduled" | "postponed" | "cancelled";
  status_note?: string;
  currency: string;
  solidarity_min: Money | null;
  ticket_types: TicketType[];
  draft?: boolean;
}

interface Preview {
  holders: number;
  tickets: number;
  amount: Money;
  options: string[];
  credit_bonus_percent: number;
  deadline: string;
  default: string;
}

interface Tally {
  tickets: number;
  notified: number;
  pending: number;
  choices: Record<string, { count: number; amount: Money }>;
  solidarity_total: Money;
}

// Frame is what every organiser page shares: its root, its status line,
// and what to do when the session is gone.
export interface Frame {
  root: HTMLElement;
  status: Element | null;
  signIn: () => void;
}

const enc = encodeURIComponent;

// failed shows why a form was refused: next to its fields, or under it.
export function failed(frame: Frame, form: ParentNode, err: unknown): void {
  const line = form.querySelector("[data-form-error], [data-confirm-error]");
  if (err instanceof ApiError) {
    if (err.status === 401) return frame.signIn();
    if (err.status === 400 && showErrors(form, err.fields)) return say(line, T("org.errors"));
    if (err.status === 409) return say(line, T("org.error.conflict"));
    if (err.status === 400) return say(line, T("org.errors"));
  }
  say(line, T("org.failed"));
}

function badge(e: Event): Node | null {
  if (e.status === "cancelled") return h("span", { class: "badge badge-cancelled", text: T("status.cancelled") });
  if (e.status === "postponed") return h("span", { class: "badge badge-postponed", text: T("status.postponed") });
  if (e.draft) return h("span", { class: "badge", text: T("org.events.draft") });
  return null;
}

const venueEvents = (m: Member) => api<{ data: Event[] }>(`/api/v1/organiser/events?merchant=${enc(m.slug)}`).then((r) => r.data);

// eventsList fills /organisation: a table of events per venue.
export async function eventsList(frame: Frame, members: Member[]): Promise<void> {
  const box = frame.root.querySelector("[data-org-venues]");
  if (!box) return;
  if (members.length === 0) {
    box.append(h("p", { class: "empty", text: T("org.events.novenue") }));
    return;
  }
  for (const m of members) {
    const events = await venueEvents(m);
    const id = "salle-" + m.slug;
    const th = (key: string) => h("th", { scope: "col", text: T(key) });
    const rows = events.map((e) => {
      const sold = e.ticket_types.reduce((n, t) => n + t.capacity - t.seats_left, 0);
      const seats = e.ticket_types.reduce((n, t) => n + t.capacity, 0);
      const href = `/organisation/evenements/${enc(e.id)}`;
      return h(
        "tr",
        {},
        h("th", { scope: "row" }, h("a", { href, text: e.title }), " ", badge(e)),
        h("td", { text: dateText(e.starts_at, e.currency) }),
        h("td", { text: T("org.events.sold", num(sold), num(seats)) }),
        h("td", {}, h("a", { class: "button button-secondary button-small", href }, T("org.events.manage"),
          h("span", { class: "visually-hidden", text: " — " + e.title }))),
      );
    });
    box.append(
      h(
        "section",
        { class: "org-block", "aria-labelledby": id },
        h("h2", { id, text: m.name }),
        rows.length
          ? h("div", { class: "org-scroll" }, h("table", { class: "org-table" },
            h("thead", {}, h("tr", {}, th("org.events.col.event"), th("org.events.col.date"), th("org.events.col.sold"), th("org.events.col.act"))),
            h("tbody", {}, ...rows)))
          : h("p", { class: "empty", text: T("org.events.none") }),
      ),
    );
  }
}

// findEvent looks for an event among the venues' (drafts included).
async function findEvent(members: Member[], id: string): Promise<Event | undefined> {
  for (const m of members) {
    const e = (await venueEvents(m)).find((x) => x.id === id);
    if (e) return e;
  }
  return undefined;
}

// eventPage fills /organisation/evenements/{id} and …/nouveau.
export async function eventPage(frame: Frame, members: Member[]): Promise<void> {
  const root = frame.root;
  const id = root.dataset.id || "";
  const form = root.querySelector<HTMLFormElement>("form[data-event-form]");
  const section = root.querySelector<HTMLElement>("[data-event-section]");
  if (!form || !section) return;
  const field = (name: string) => form.querySelector(`[name=${name}]`) as HTMLInputElement;
  const venue = form.querySelector("select[name=merchant]") as HTMLSelectElement;
  const types = form.querySelector<HTMLElement>("[data-types]")!;
  const zoneNote = form.querySelector("[data-zone]");
  let event: Event | undefined;
  let currency = "cad";

  for (const m of members) venue.append(h("option", { value: m.slug, text: m.name }));
  // The venue's currency sets the zone of the dates and the prices'.
  const venueChanged = async () => {
    try {
      const m = await api<{ currency: string; city: string }>(`/api/v1/merchants/${enc(venue.value)}`);
      currency = m.currency;
      say(zoneNote, T("org.zone", m.city));
    } catch {
      say(zoneNote, "");
    }
  };
  venue.addEventListener("change", venueChanged);

  const typeRow = (t?: TicketType) => {
    const input = (name: string, label: string, value: string, extra: Record<string, string | boolean> = {}) =>
      h("input", { name, "aria-label": label, value, autocomplete: "off", ...extra });
    const row = h(
      "tr",
      { "data-type-id": t?.id || "" },
      h("td", {}, input("type_name", T("org.event.type.name"), t?.name || "", { maxlength: "100" })),
      h("td", {}, t ? h("span", { text: money(t.price.amount, t.price.currency) }) : input("type_price", T("org.event.type.price"), "", { inputmode: "decimal" })),
      h("td", {}, input("type_capacity", T("org.event.type.capacity"), t ? String(t.capacity) : "", { type: "number", min: "0", max: "100000", inputmode: "numeric" })),
      h("td", {}, t ? null : h("button", { type: "button", class: "button button-secondary button-small", "data-remove-type": true, text: T("org.event.type.remove") })),
    );
    types.append(row);
    return row;
  };
  form.querySelector("[data-add-type]")?.addEventListener("click", () => typeRow().querySelector("input")?.focus());
  types.addEventListener("click", (e) => {
    const b = (e.target as HTMLElement).closest("[data-remove-type]");
    if (b) {
      b.closest("tr")?.remove();
      form.querySelector<HTMLButtonElement>("[data-add-type]")?.focus();
    }
  });

  const render = (e?: Event) => {
    event = e;
    section.hidden = false;
    const heading = root.querySelector("[data-event-heading]");
    if (!e) {
      if (!types.children.length) typeRow();
      const start = new Date(Date.now() + 30 * 24 * 3600 * 1000);
      start.setUTCHours(0, 0, 0, 0);
      field("starts_at").value = toLocal(start, zoneOf(currency)).slice(0, 11) + "20:00";
      void venueChanged();
      return;
    }
    currency = e.currency;
    root.querySelector<HTMLElement>("[data-venue-field]")!.hidden = true;
    heading?.replaceChildren(e.title, " ", badge(e) || "");
    document.title = e.title + " — " + document.title.split(" — ").slice(1).join(" — ");
    const venueLine = root.querySelector("[data-event-venue]");
    venueLine?.replaceChildren(h("span", { text: e.merchant.name }), h("span", { text: e.city }));
    const when = root.querySelector<HTMLElement>("[data-event-when]")!;
    when.hidden = false;
    when.textContent = dateText(e.starts_at, e.currency);
    const note = root.querySelector<HTMLElement>("[data-event-note]")!;
    note.hidden = !e.status_note;
    note.className = "notice notice-" + e.status;
    note.textContent = e.status_note || "";
    const links = root.querySelector<HTMLElement>("[data-event-links]")!;
    links.hidden = !!e.draft;
    root.querySelector<HTMLAnchorElement>("[data-event-public]")!.href = "/e/" + enc(e.id);

    field("title").value = e.title;
    field("summary").value = e.summary;
    field("description").value = e.description;
    const starts = field("starts_at");
    starts.value = toLocal(e.starts_at, zoneOf(e.currency));
    starts.disabled = true;
    say(zoneNote, T("org.zone", e.city));
    field("solidarity_min").value = e.solidarity_min ? String(e.solidarity_min.amount / 100).replace(".", lang === "fr" ? "," : ".") : "";
    field("draft").checked = !!e.draft;
    types.replaceChildren();
    for (const t of e.ticket_types) typeRow(t);
    // A cancelled event is kept as it was: its form is read-only.
    for (const el of form.querySelectorAll<HTMLInputElement | HTMLButtonElement>("input, textarea, select, button")) {
      if (e.status === "cancelled") el.disabled = true;
    }
    form.querySelector<HTMLElement>(".form-actions")!.hidden = e.status === "cancelled";
    form.querySelector<HTMLElement>("[data-add-type]")!.hidden = e.status === "cancelled";
    for (const box of root.querySelectorAll<HTMLElement>("[data-choices]")) box.hidden = e.status === "cancelled";
    const tally = root.querySelector<HTMLElement>("[data-tally]");
    if (tally && e.status !== "scheduled") showTally(frame, tally, e);
  };

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    say(form.querySelector("[data-form-status]"), "");
    const solidarity = amountOf(field("solidarity_min").value);
    if (solidarity === null) return void showErrors(form, { solidarity_min: "" });
    const list: Record<string, unknown>[] = [];
    for (const row of types.querySelectorAll<HTMLElement>("tr")) {
      const v = (n: string) => row.querySelector<HTMLInputElement>(`[name=${n}]`)?.value.trim() || "";
      const capacity = v("type_capacity") === "" ? undefined : Number(v("type_capacity"));
      if (row.dataset.typeId) {
        list.push({ id: row.dataset.typeId, name: v("type_name"), capacity });
        continue;
      }
      if (v("type_name") === "" && v("type_price") === "" && v("type_capacity") === "") continue;
      const price = amountOf(v("type_price"));
      if (!price || v("type_name") === "" || capacity === undefined) return void showErrors(form, { ticket_types: "" });
      list.push({ name: v("type_name"), price, capacity });
    }
    const body: Record<string, unknown> = {
      title: field("title").value, summary: field("summary").value,
      description: field("description").value, solidarity_min: solidarity, draft: field("draft").checked,
      ticket_types: list,
    };
    if (!event) {
      body.merchant = venue.value;
      body.starts_at = toISO(field("starts_at").value, zoneOf(currency));
      if (!body.starts_at) return void showErrors(form, { starts_at: "" });
    }
    try {
      const saved = await api<Event>(event ? `/api/v1/organiser/events/${enc(event.id)}` : "/api/v1/organiser/events", event ? "PATCH" : "POST", body);
      if (!event) {
        location.assign(`/organisation/evenements/${enc(saved.id)}?cree=1`);
        return;
      }
      render(saved);
      say(form.querySelector("[data-form-status]"), T("org.saved"));
    } catch (err) {
      failed(frame, form, err);
    }
  });

  if (!id) {
    if (members.length === 0) say(frame.status, T("org.events.novenue"));
    render();
    return;
  }
  const found = await findEvent(members, id);
  if (!found) {
    say(frame.status, T("org.event.notfound"));
    return;
  }
  render(found);
  if (new URLSearchParams(location.search).has("cree")) say(frame.status, T("org.event.created"));
  for (const box of root.querySelectorAll<HTMLElement>("[data-choices]")) {
    choices(frame, box, () => event!, async () => render(await findEvent(members, id)));
  }
}

// choices runs a cancellation's (or postponement's) form: the preview,
// the confirmation, then done.
function choices(frame: Frame, box: HTMLElement, current: () => Event, done: () => Promise<void>): void {
  const cancelling = box.dataset.choices === "cancel";
  const form = box.querySelector<HTMLFormElement>("form[data-choices-form]")!;
  const preview = box.querySelector<HTMLElement>("[data-preview]")!;
  const facts = box.querySelector<HTMLElement>("[data-preview-facts]")!;
  const dialog = box.querySelector<HTMLDialogElement>("dialog[data-confirm]")!;
  const input = (name: string) => form.querySelector<HTMLInputElement>(`[name=${name}]`);
  const zone = () => zoneOf(current().currency);
  const path = () => `/api/v1/organiser/events/${enc(current().id)}/${cancelling ? "cancel" : "postpone"}`;
  const bonus = input("credit_bonus_percent")!;
  bonus.value = "10";
  const deadline = input("deadline")!;
  deadline.value = toLocal(new Date(Date.now() + 30 * 24 * 3600 * 1000), zone()).slice(0, 11) + "23:59";
  let sent: Record<string, unknown> | undefined;
  let seen: Preview | undefined;

  const request = (): Record<string, unknown> | undefined => {
    const options = ["refund", ...Array.from(form.querySelectorAll<HTMLInputElement>("[name=options]:checked"), (o) => o.value)];
    const body: Record<string, unknown> = {
      options, credit_bonus_percent: options.includes("credit") ? Number(bonus.value || 0) : 0,
      reason: form.querySelector<HTMLTextAreaElement>("[name=reason]")?.value || "",
    };
    if (deadline.value) body.deadline = toISO(deadline.value, zone());
    if (cancelling) body.default = form.querySelector<HTMLInputElement>("[name=default]:checked")?.value || "refund";
    else {
      body.starts_at = toISO(input("starts_at")?.value || "", zone());
      if (!body.starts_at) {
        showErrors(form, { starts_at: "" });
        return undefined;
      }
    }
    return body;
  };
  const choiceName = (c: string, p: Preview) =>
    c === "credit" && p.credit_bonus_percent ? `${T("org.cancel.credit")} (+${p.credit_bonus_percent}${lang === "fr" ? "\u00a0%" : "%"})` : T("org.cancel." + c);

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const body = request();
    if (!body) return;
    try {
      const p = await api<Preview>(path(), "POST", { ...body, dry_run: true });
      sent = body;
      seen = p;
      const cur = current().currency;
      const row = (k: string, v: string) => h("div", {}, h("dt", { text: T(k) }), h("dd", { text: v }));
      facts.replaceChildren(
        ...(cancelling ? [] : [row("org.preview.newdate", dateText(body.starts_at as string, cur))]),
        row("org.preview.holders", num(p.holders)),
        row("org.preview.tickets", num(p.tickets)),
        row("org.preview.amount", money(p.amount.amount, p.amount.currency)),
        row("org.preview.options", p.options.map((c) => choiceName(c, p)).join(", ")),
        row("org.preview.deadline", dateText(p.deadline, cur)),
        row("org.preview.default", p.default ? T("org.cancel.default." + p.default) : T("org.preview.keep")),
      );
      form.hidden = true;
      preview.hidden = false;
      preview.focus();
    } catch (err) {
      failed(frame, form, err);
    }
  });
  box.querySelector("[data-preview-edit]")?.addEventListener("click", () => {
    preview.hidden = true;
    form.hidden = false;
    form.querySelector<HTMLElement>("input:not([disabled]), textarea")?.focus();
  });
  box.querySelector("[data-preview-go]")?.addEventListener("click", () => {
    if (!seen || !sent) return;
    const e = current();
    const holders = plural("holders", seen.holders), tickets = plural("tickets", seen.tickets);
    say(dialog.querySelector("[data-confirm-heading]"), T(cancelling ? "org.cancel.confirm" : "org.postpone.confirm", e.title));
    say(dialog.querySelector("[data-confirm-text]"), cancelling
      ? T("org.cancel.confirm.text", holders, tickets)
      : T("org.postpone.confirm.text", dateText(sent.starts_at as string, e.currency), holders, tickets));
    say(dialog.querySelector("[data-confirm-error]"), "");
    dialog.showModal();
  });
  dialog.querySelector("[data-confirm-no]")?.addEventListener("click", () => dialog.close());
  const yes = dialog.querySelector<HTMLButtonElement>("[data-confirm-yes]")!;
  yes.addEventListener("click", async () => {
    if (!sent || yes.disabled) return;
    yes.disabled = true;
    try {
      await api<Preview>(path(), "POST", { ...sent, dry_run: false });
      dialog.close();
      preview.hidden = true;
      form.hidden = false;
      await done();
      say(frame.status, T(cancelling ? "org.cancel.done" : "org.postpone.done"));
      frame.root.querySelector<HTMLElement>("[data-tally]:not([hidden]) h2")?.setAttribute("tabindex", "-1");
      frame.root.querySelector<HTMLElement>("[data-tally]:not([hidden]) h2")?.focus();
    } catch (err) {
      failed(frame, dialog, err);
    } finally {
      yes.disabled = false;
    }
  });
}

let polling = false;

// showTally shows the holders' choices and keeps them up to date.
function showTally(frame: Frame, box: HTMLElement, e: Event): void {
  box.hidden = false;
  box.querySelector<HTMLElement>('[data-tally-row="keep"]')!.hidden = e.status !== "postponed";
  let last = "";
  const update = async () => {
    try {
      const t = await api<Tally>(`/api/v1/organiser/events/${enc(e.id)}/choices`);
      const cur = t.solidarity_total.currency || e.currency;
      const most = Math.max(t.tickets, 1);
      const bar = box.querySelector<HTMLProgressElement>("progress");
      if (bar) {
        bar.max = most;
        bar.value = t.notified;
      }
      say(box.querySelector("[data-tally-notified]"), T("org.tally.of", num(t.notified), plural("tickets", t.tickets)));
      const counts: Record<string, [number, number]> = { pending: [t.pending, -1] };
      for (const [k, v] of Object.entries(t.choices)) counts[k] = [v.count, v.amount.amount];
      for (const [k, [n, amount]] of Object.entries(counts)) {
        const row = box.querySelector(`[data-tally-row="${k}"]`);
        const meter = row?.querySelector("meter");
        if (!row || !meter) continue;
        meter.max = most;
        meter.value = n;
        say(row.querySelector("[data-tally-figures]"), amount < 0 ? plural("tickets", n) : T("org.tally.row", plural("tickets", n), money(amount, cur)));
      }
      say(box.querySelector("[data-tally-solidarity]"), money(t.solidarity_total.amount, cur));
      const now = [t.choices.refund?.count, t.choices.credit?.count, t.choices.donate?.count, t.pending].map((n) => num(n || 0));
      if (last && now.join() !== last) say(box.querySelector("[data-tally-live]"), T("org.tally.live", ...now));
      last = now.join();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) frame.signIn();
    }
  };
  void update();
  if (!polling) {
    polling = true;
    whenVisible(update, 5000);
  }
}

// confirmer wires a page's confirmation dialog (its heading, text, error,
// "yes" and "no" buttons) and returns ask: ask shows the dialog, and its
// "yes" runs the action, closing the dialog on success or showing why it
// failed in it.
export function confirmer(frame: Frame, dialog: HTMLDialogElement) {
  dialog.querySelector("[data-confirm-no]")?.addEventListener("click", () => dialog.close());
  return (heading: string, text: string, yes: string, run: () => Promise<void>) => {
    say(dialog.querySelector("[data-confirm-heading]"), heading);
    say(dialog.querySelector("[data-confirm-text]"), text);
    say(dialog.querySelector("[data-confirm-error]"), "");
    const button = dialog.querySelector<HTMLButtonElement>("[data-confirm-yes]")!;
    button.textContent = yes;
    button.onclick = async () => {
      if (button.disabled) return;
      button.disabled = true;
      try {
        await run();
        dialog.close();
      } catch (err) {
        failed(frame, dialog, err);
      } finally {
        button.disabled = false;
      }
    };
    dialog.showModal();
  };
}
