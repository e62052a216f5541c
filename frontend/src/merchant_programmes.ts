// The dashboard's programmes: the town's cards the merchant takes (or
// asked to take, or took), the programmes of its city it may ask to join,
// leaving one, and what each programme paid it (its settlement statements,
// here and as CSV). Joining and leaving each ask first.
import { Api, Money, confirmDialog, explain, money, t, when } from "./merchant_api";

interface Membership {
  programme: { slug: string; name: string };
  status: "requested" | "accepted" | "left";
  requested_at: string;
  decided_at?: string;
}

interface Line {
  id: string;
  redemptions: number;
  paid: Money;
  bonus: Money;
  fee: Money;
  amount: Money;
  status: string;
  created_at?: string;
}

const enc = encodeURIComponent;

function el(tag: string, cls = "", text = ""): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
}

function link(href: string, text: string): HTMLAnchorElement {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

// button is a small button whose name ends with what it acts on, for
// screen readers that list buttons out of context.
function button(text: string, what: string, cls: string): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "button button-small " + cls;
  b.textContent = text;
  b.append(el("span", "visually-hidden", " — " + what));
  return b;
}

export function programmesPanel(scope: HTMLElement, api: Api, fail: (text: string) => void): void {
  const list = scope.querySelector<HTMLElement>("[data-prog-list]");
  const open = scope.querySelector<HTMLElement>("[data-prog-open]");
  const openTitle = scope.querySelector<HTMLElement>("[data-prog-open-title]");
  const none = scope.querySelector<HTMLElement>("[data-prog-none]");
  const status = scope.querySelector<HTMLElement>("[data-prog-status]");
  if (!list || !open || !openTitle || !none || !status) return;
  const done = (text: string) => {
    status.textContent = text;
    status.hidden = false;
  };
  const csv = (slug: string) =>
    `/api/v1/merchant/programmes/${enc(slug)}/statements?format=csv` + (api.merchant ? "&merchant=" + enc(api.merchant) : "");

  // statements fills box with the merchant's settlement lines in slug.
  const statements = async (slug: string, name: string, box: HTMLElement) => {
    const res = await api.call<{ data: Line[] }>("GET", `/merchant/programmes/${enc(slug)}/statements`);
    if (!res.ok) return box.replaceChildren(el("p", "form-error", explain(res.error)));
    const lines = res.data.data;
    const download = el("p");
    download.append(link(csv(slug), t("dash.prog.statements.csv")));
    if (lines.length === 0) return box.replaceChildren(el("p", "empty", t("dash.prog.statements.none")), download);
    const table = document.createElement("table");
    table.className = "table";
    table.createCaption().textContent = t("dash.prog.statements.caption", name);
    const head = table.createTHead().insertRow();
    const cols = ["date", "count", "paid", "bonus", "fee", "amount", "status"];
    for (const c of cols) {
      const th = el("th", ["date", "status"].includes(c) ? "" : "num", t("dash.prog.col." + c));
      th.setAttribute("scope", "col");
      head.append(th);
    }
    const body = table.createTBody();
    for (const l of lines) {
      const row = body.insertRow();
      const cells = [l.created_at ? when(l.created_at, l.amount.currency) : "—", String(l.redemptions), money(l.paid), money(l.bonus),
        money(l.fee), money(l.amount), t("dash.prog.line." + (l.status === "paid" ? "paid" : "pending"))];
      cells.forEach((text, i) => {
        const td = row.insertCell();
        td.textContent = text;
        if (i > 0 && i < 6) td.className = "num";
      });
    }
    const wrap = el("div", "table-wrap");
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", table.caption?.textContent || "");
    wrap.append(table);
    box.replaceChildren(wrap, download);
  };

  const act = async (action: "join" | "leave", slug: string, name: string) => {
    const yes = await confirmDialog(t(`dash.prog.${action}.confirm`, name), t(`dash.prog.${action}.yes`));
    if (!yes) return;
    const res = await api.call("POST", `/merchant/programmes/${enc(slug)}/${action}`);
    if (!res.ok) return fail(explain(res.error));
    done(t(action === "join" ? "dash.prog.joined" : "dash.prog.left", name));
    await load();
  };

  const load = async () => {
    const res = await api.call<{ memberships: Membership[]; open: { slug: string; name: string }[] }>("GET", "/merchant/programmes");
    if (!res.ok) return fail(explain(res.error));
    const { memberships, open: others } = res.data;
    none.hidden = memberships.length + others.length > 0;
    list.replaceChildren(...memberships.map((m) => {
      const li = el("li");
      li.dataset.programme = m.programme.slug;
      const who = el("p");
      const name = el("strong");
      name.append(link("/p/" + enc(m.programme.slug), m.programme.name));
      who.append(name, el("span", "note", " " + t("dash.prog.status." + m.status)));
      li.append(who);
      if (m.status === "accepted") {
        const b = button(t("dash.prog.leave"), m.programme.name, "button-secondary");
        b.addEventListener("click", () => act("leave", m.programme.slug, m.programme.name));
        li.append(b);
      }
      if (m.status !== "requested") {
        const details = document.createElement("details");
        const summary = document.createElement("summary");
        summary.textContent = t("dash.prog.statements");
        summary.append(el("span", "visually-hidden", " — " + m.programme.name));
        const box = el("div");
        details.append(summary, box);
        details.addEventListener("toggle", () => {
          if (details.open) void statements(m.programme.slug, m.programme.name, box);
        });
        li.append(details);
      }
      return li;
    }));
    openTitle.hidden = others.length === 0;
    open.replaceChildren(...others.map((p) => {
      const li = el("li");
      li.dataset.programme = p.slug;
      const who = el("p");
      const name = el("strong");
      name.append(link("/p/" + enc(p.slug), p.name));
      who.append(name);
      const b = button(t("dash.prog.join"), p.name, "");
      b.addEventListener("click", () => act("join", p.slug, p.name));
      li.append(who, b);
      return li;
    }));
  };
  void load();
}
