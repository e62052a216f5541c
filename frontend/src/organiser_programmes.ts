// The organiser's programmes (a town's solidarity card): the list, and a
// programme's dashboard: cards sold, the fund (total, committed, left),
// what the cards still hold, what was spent by shop and by category, the
// waiting list; the shops and their requests (accept, take out, each after
// a confirmation); and the settlements: a preview until a date (what each
// shop would get, paid part and bonus part apart, the fee, the total),
// then the run after a confirmation, and the runs made, with their CSV.
import { ApiError, T, api, clearErrors, dateText, h, money, num, plural, say, showErrors, toISO, toLocal, zoneOf } from "./org_dom";
import { type Frame, confirmer, failed } from "./organiser_events";

interface Money {
  amount: number;
  currency: string;
}

interface Programme {
  slug: string;
  name: string;
  city: string;
  currency: string;
  status: string;
  selling: boolean;
  fund: { total: Money; committed: Money; remaining: Money; reserved: Money; issued: Money; returned: Money };
  waitlist: boolean;
}

interface Member {
  merchant: { slug: string; name: string };
  category: string;
  status: "requested" | "accepted" | "left";
  requested_at: string;
  decided_at?: string;
}

interface Line {
  id: string;
  merchant: { slug: string; name: string };
  redemptions: number;
  paid: Money;
  bonus: Money;
  fee: Money;
  amount: Money;
  status: string;
  transfer: string | null;
}

interface Run {
  id: string;
  until: string;
  created_at: string;
  lines: Line[];
}

interface Dashboard {
  programme: Programme;
  cards: { sold: number; paid: Money; bonus: Money };
  liability: { paid: Money; bonus: Money };
  spent: Money;
  by_merchant: { merchant: { slug: string; name: string }; category: string; redemptions: number; paid: Money; bonus: Money; share: number }[];
  by_category: { category: string; spent: Money }[];
  members: Member[];
  settlements: Run[];
  waitlist: number;
}

interface Settlement {
  run: string | null;
  merchants: Line[];
  until?: string;
  total?: Money;
}

const enc = encodeURIComponent;
const m = (x: Money) => money(x.amount, x.currency);

// programmesList fills /organisation/programmes.
export async function programmesList(frame: Frame): Promise<void> {
  const root = frame.root;
  const { data } = await api<{ data: Programme[] }>("/api/v1/organiser/programmes");
  root.querySelector<HTMLElement>("[data-programmes]")!.hidden = false;
  root.querySelector<HTMLElement>("[data-programme-empty]")!.hidden = data.length > 0;
  root.querySelector("[data-programme-list]")?.replaceChildren(...data.map((p) => {
    const href = `/organisation/programmes/${enc(p.slug)}`;
    return h("li", {}, h("article", { class: "card campaign-card" },
      h("p", { class: "card-meta" }, h("span", { class: "tag", text: T(p.selling ? "org.prog.selling" : "org.prog.notselling") }), " ", h("span", { text: p.city })),
      h("h3", { class: "card-title" }, h("a", { href, text: p.name })),
      h("p", { class: "card-text", text: T("org.prog.card.fund", m(p.fund.remaining), m(p.fund.total)) }),
      h("p", { class: "card-actions" }, h("a", { class: "button", href }, T("org.prog.open"), h("span", { class: "visually-hidden", text: " — " + p.name })))));
  }));
}

// table builds a table of rows under head (column keys), the numeric
// columns (from index first) aligned as numbers.
function table(caption: string, head: string[], rows: (string | Node)[][], first = 2): HTMLElement {
  const th = (k: string, i: number) => h("th", { scope: "col", class: i >= first ? "num" : null, text: T(k) });
  return h("div", { class: "org-scroll", tabindex: 0, role: "region", "aria-label": caption },
    h("table", { class: "org-table" }, h("caption", { class: "visually-hidden", text: caption }),
      h("thead", {}, h("tr", {}, ...head.map(th))),
      h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c, i) => i === 0
        ? h("th", { scope: "row" }, c)
        : h("td", { class: i >= first ? "num" : null }, c)))))));
}

// lines is a settlement's lines as a table, with their total.
function lines(caption: string, ls: Line[], withStatus: boolean): HTMLElement {
  const head = ["org.prog.col.merchant", "org.prog.col.count", "org.prog.col.paid", "org.prog.col.bonus", "org.prog.col.fee", "org.prog.col.amount"];
  if (withStatus) head.push("org.prog.col.status");
  return table(caption, head, ls.map((l) => {
    const row: string[] = [l.merchant.name, num(l.redemptions), m(l.paid), m(l.bonus), m(l.fee), m(l.amount)];
    if (withStatus) row.push(T(l.status === "paid" ? "org.prog.line.paid" : "org.prog.line.pending"));
    return row;
  }), 1);
}

// programmeDashboard fills /organisation/programmes/{slug}.
export async function programmeDashboard(frame: Frame): Promise<void> {
  const root = frame.root;
  const slug = root.dataset.id || "";
  const base = `/api/v1/organiser/programmes/${enc(slug)}`;
  const dash = root.querySelector<HTMLElement>("[data-prog-dash]")!;
  const dialog = root.querySelector<HTMLDialogElement>("dialog[data-confirm]")!;
  let cur = "cad";

  // ask shows the confirmation dialog; run does what was confirmed (its
  // refusal is said in the dialog, which then stays open).
  const ask = confirmer(frame, dialog);

  const render = (d: Dashboard) => {
    const p = d.programme;
    cur = p.currency;
    say(root.querySelector("[data-prog-title]"), p.name);
    say(root.querySelector("[data-prog-city]"), p.city);
    document.title = p.name + " — " + document.title.split(" — ").slice(1).join(" — ");
    const kpi = (k: string, v: string) => say(root.querySelector(`[data-kpi="${k}"]`), v);
    kpi("sold", num(d.cards.sold));
    kpi("paid", m(d.cards.paid));
    kpi("bonus", m(d.cards.bonus));
    kpi("spent", m(d.spent));
    kpi("liability", money(d.liability.paid.amount + d.liability.bonus.amount, cur));
    kpi("waitlist", num(d.waitlist));
    say(root.querySelector("[data-liability-note]"), T("org.prog.liability", m(d.liability.paid), m(d.liability.bonus)));

    const f = p.fund;
    root.querySelector("[data-fund]")?.replaceChildren(...[
      ["org.prog.fund.total", f.total], ["org.prog.fund.committed", f.committed], ["org.prog.fund.remaining", f.remaining],
      ["org.prog.fund.reserved", f.reserved], ["org.prog.fund.returned", f.returned],
    ].map(([k, v]) => h("div", {}, h("dt", { text: T(k as string) }), h("dd", { text: m(v as Money) }))));
    const meter = root.querySelector<HTMLMeterElement>("#fonds-engage")!;
    meter.max = Math.max(f.total.amount, 1);
    meter.value = f.committed.amount;
    say(root.querySelector("[data-fund-share]"), T("org.prog.fund.share", m(f.committed), m(f.total)));

    // Spent by shop: a bar each (a meter, named by its label), then the
    // figures in a table.
    const none = () => h("p", { class: "empty", text: T("org.prog.none.spent") });
    const most = Math.max(1, ...d.by_merchant.map((r) => r.paid.amount + r.bonus.amount));
    const byMerchant = [...d.by_merchant].sort((a, b) => b.paid.amount + b.bonus.amount - (a.paid.amount + a.bonus.amount));
    root.querySelector("[data-by-merchant]")?.replaceChildren(...(byMerchant.length ? [
      h("ul", { class: "tally", role: "list" }, ...byMerchant.map((r, i) => h("li", { class: "tally-row" },
        h("label", { for: "depense-" + i, text: r.merchant.name }),
        h("span", { class: "tally-figures", text: `${money(r.paid.amount + r.bonus.amount, cur)} · ${Math.round(r.share * 100)} %` }),
        h("meter", { id: "depense-" + i, min: 0, max: most, value: r.paid.amount + r.bonus.amount })))),
      table(T("org.prog.by.merchant"), ["org.prog.col.merchant", "org.prog.col.category", "org.prog.col.count", "org.prog.col.paid",
        "org.prog.col.bonus", "org.prog.col.total"], byMerchant.map((r) => [r.merchant.name, T("category." + r.category), num(r.redemptions),
        m(r.paid), m(r.bonus), money(r.paid.amount + r.bonus.amount, cur)])),
    ] : [none()]));
    const topCat = Math.max(1, ...d.by_category.map((c) => c.spent.amount));
    const byCategory = [...d.by_category].sort((a, b) => b.spent.amount - a.spent.amount);
    root.querySelector("[data-by-category]")?.replaceChildren(byCategory.length
      ? h("ul", { class: "tally", role: "list" }, ...byCategory.map((c, i) => h("li", { class: "tally-row" },
        h("label", { for: "categorie-" + i, text: T("category." + c.category) }),
        h("span", { class: "tally-figures", text: m(c.spent) }),
        h("meter", { id: "categorie-" + i, min: 0, max: topCat, value: c.spent.amount }))))
      : none());

    // The shops and their requests.
    const members = root.querySelector<HTMLElement>("[data-members]")!;
    members.replaceChildren(d.members.length
      ? table(T("org.prog.members"), ["org.prog.col.merchant", "org.prog.col.category", "org.prog.col.status", "org.prog.col.requested",
        "org.prog.col.actions"], d.members.map((x) => {
        const actions = h("span", { class: "dialog-actions" });
        const act = (action: "accept" | "remove", cls: string) => {
          const b = h("button", { type: "button", class: "button button-small " + cls, "data-member": x.merchant.slug, "data-action": action },
            T("org.prog." + action), h("span", { class: "visually-hidden", text: " — " + x.merchant.name }));
          b.addEventListener("click", () => ask(T(`org.prog.${action}.confirm`, x.merchant.name), T(`org.prog.${action}.text`),
            T(`org.prog.${action}.yes`), async () => {
              await api(`${base}/merchants/${enc(x.merchant.slug)}/${action}`, "POST");
              await load();
              say(frame.status, T(action === "accept" ? "org.prog.accepted" : "org.prog.removed", x.merchant.name));
            }));
          actions.append(b);
        };
        if (x.status === "requested") act("accept", "");
        if (x.status === "accepted") act("remove", "button-secondary");
        return [h("a", { href: "/m/" + enc(x.merchant.slug), text: x.merchant.name }), T("category." + x.category),
          T("org.prog.status." + x.status), dateText(x.requested_at, cur, false), actions];
      }), 9)
      : h("p", { class: "empty", text: T("org.prog.members.none") }));

    // The runs made.
    root.querySelector("[data-runs]")?.replaceChildren(...(d.settlements.length
      ? d.settlements.map((r) => h("section", { class: "org-block" },
        h("h3", { text: T("org.prog.run", dateText(r.created_at, cur), dateText(r.until, cur)) }),
        lines(T("org.prog.run", dateText(r.created_at, cur), dateText(r.until, cur)), r.lines, true)))
      : [h("p", { class: "empty", text: T("org.prog.runs.none") })]));
    dash.hidden = false;
  };

  const load = async () => render(await api<Dashboard>(base));
  try {
    await load();
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return say(frame.status, T("org.prog.notfound"));
    throw err;
  }
  root.querySelector("[data-prog-refresh]")?.addEventListener("click", async () => {
    say(frame.status, "");
    try {
      await load();
      say(frame.status, T("org.dash.updated"));
    } catch {
      say(frame.status, T("org.failed"));
    }
  });

  // Settlements: a preview until a day (that day included, in the
  // programme's zone), then the run after a confirmation.
  const form = root.querySelector<HTMLFormElement>("form[data-settle-form]")!;
  const preview = root.querySelector<HTMLElement>("[data-settle-preview]")!;
  const done = root.querySelector<HTMLElement>("[data-settle-done]")!;
  const go = root.querySelector<HTMLButtonElement>("[data-settle-go]")!;
  const untilInput = form.querySelector<HTMLInputElement>("[name=until]")!;
  untilInput.value = toLocal(new Date(), zoneOf(cur)).slice(0, 10);
  let until = "";
  let seen: Settlement | null = null;
  const untilOf = (day: string) => {
    const next = new Date(day + "T12:00:00Z");
    next.setUTCDate(next.getUTCDate() + 1);
    return toISO(next.toISOString().slice(0, 10) + "T00:00", zoneOf(cur));
  };
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    done.hidden = true;
    preview.hidden = true;
    if (!/^\d{4}-\d\d-\d\d$/.test(untilInput.value)) return void showErrors(form, { until: "" });
    until = untilOf(untilInput.value);
    form.setAttribute("aria-busy", "true");
    try {
      seen = await api<Settlement>(base + "/settlements", "POST", { until, dry_run: true });
    } catch (err) {
      return failed(frame, form, err);
    } finally {
      form.removeAttribute("aria-busy");
    }
    const box = preview.querySelector<HTMLElement>("[data-settle-lines]")!;
    const owed = seen.merchants.filter((l) => l.amount.amount > 0 || l.redemptions > 0);
    if (owed.length === 0 || !seen.total) {
      box.replaceChildren(h("p", { text: T("org.prog.settle.nothing") }));
      go.hidden = true;
    } else {
      box.replaceChildren(lines(T("org.prog.settle.preview.heading"), seen.merchants, false),
        h("p", { class: "facts-total", text: T("org.prog.settle.total", m(seen.total), plural("org.prog.merchants", seen.merchants.length)) }));
      go.hidden = false;
    }
    preview.hidden = false;
    preview.focus();
  });
  go.addEventListener("click", () => {
    if (!seen?.total) return;
    const total = m(seen.total), who = plural("org.prog.merchants", seen.merchants.length);
    ask(T("org.prog.settle.confirm"), T("org.prog.settle.confirm.text", total, who, dateText(seen.until || until, cur)), T("org.prog.settle.yes"),
      async () => {
        const res = await api<Settlement>(base + "/settlements", "POST", { until, dry_run: false });
        preview.hidden = true;
        const paid = res.merchants.reduce((s, l) => s + l.amount.amount, 0);
        const text = res.run
          ? T("org.prog.settle.done", money(paid, cur), plural("org.prog.merchants", res.merchants.length)) +
            (res.merchants.some((l) => l.status !== "paid") ? " " + T("org.prog.settle.waiting") : "")
          : T("org.prog.settle.empty");
        // The runs' table first, then the news: what the status says is
        // already on the page when it is read.
        await load();
        done.replaceChildren(h("p", { text }));
        done.hidden = false;
        done.tabIndex = -1;
        done.focus();
      });
  });
}
