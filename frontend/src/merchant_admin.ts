// The admin page: merchants waiting for approval, and the outbox, where
// mails wait (held) when no SMTP server is configured, readable here with
// their links.
import { Api, confirmDialog, explain, lang, startSession, t } from "./merchant_api";

interface Pending {
  slug: string;
  name: string;
  category: string;
  city: string;
  summary: string;
  currency: string;
  registration: string;
  contact_email: string;
  contact_phone: string;
  address: string;
  created_at: string;
}

interface Mail {
  id: string;
  to: string;
  subject: string;
  text: string;
  status: string;
  created_at: string;
}

export function initAdmin(scope: HTMLElement): void {
  const $ = <T extends HTMLElement = HTMLElement>(sel: string) => scope.querySelector<T>(sel)!;
  const api = new Api();
  const alert = $("[data-alert]");
  const status = $("[data-status]");
  const fail = (text: string) => (alert.textContent = text);
  const date = (iso: string) => new Intl.DateTimeFormat(lang + "-CA", { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));

  startSession(api, scope, fail, false).then((s) => {
    $("[data-loading]").hidden = true;
    if (!s) return;
    if (!s.me.user?.admin) return fail(t("admin.forbidden"));
    $("[data-body]").hidden = false;
    pending();
    const select = $<HTMLSelectElement>("#courriels-etat");
    select.addEventListener("change", () => outbox(select.value));
    $<HTMLFormElement>("[data-outbox-form]").addEventListener("submit", (event) => {
      event.preventDefault();
      outbox(select.value);
    });
    outbox(select.value);
  });

  const pending = async () => {
    const res = await api.call<{ data: Pending[] }>("GET", "/admin/merchants?status=pending");
    if (!res.ok) return fail(explain(res.error));
    const list = $("[data-pending-list]");
    $("[data-pending-none]").hidden = res.data.data.length > 0;
    list.replaceChildren(...res.data.data.map((m) => {
      const li = document.createElement("li");
      const info = document.createElement("div");
      const h = document.createElement("h3");
      h.textContent = m.name;
      const meta = document.createElement("p");
      meta.className = "note";
      meta.textContent = [t("category." + m.category), m.city, m.currency.toUpperCase()].join(" · ");
      const facts = document.createElement("dl");
      facts.className = "facts";
      for (const [key, text] of [["admin.registration", m.registration], ["admin.contact", [m.contact_email, m.contact_phone].filter(Boolean).join(" · ")],
        ["admin.address", m.address], ["admin.applied", date(m.created_at)]]) {
        if (!text) continue;
        const div = document.createElement("div");
        const dt = document.createElement("dt");
        dt.textContent = t(key);
        const dd = document.createElement("dd");
        dd.textContent = text;
        div.append(dt, dd);
        facts.append(div);
      }
      info.append(h, meta, facts);
      const b = document.createElement("button");
      b.type = "button";
      b.className = "button";
      b.textContent = t("admin.approve");
      const hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + m.name;
      b.append(hidden);
      b.addEventListener("click", async () => {
        if (!(await confirmDialog(t("admin.approve.confirm", m.name), t("admin.approve.yes")))) return;
        const res = await api.call("POST", `/admin/merchants/${encodeURIComponent(m.slug)}/approve`);
        if (!res.ok) return fail(explain(res.error));
        status.textContent = t("admin.approved", m.name);
        pending();
      });
      li.append(info, b);
      return li;
    }));
  };

  const outbox = async (which: string) => {
    const res = await api.call<{ data: Mail[] }>("GET", "/admin/outbox?status=" + encodeURIComponent(which));
    if (!res.ok) return fail(explain(res.error));
    $("[data-outbox-none]").hidden = res.data.data.length > 0;
    $("[data-outbox-list]").replaceChildren(...res.data.data.map((m) => {
      const li = document.createElement("li");
      const details = document.createElement("details");
      const summary = document.createElement("summary");
      summary.textContent = m.subject;
      const meta = document.createElement("span");
      meta.className = "note";
      meta.textContent = " — " + t("admin.outbox.to", m.to) + " · " + date(m.created_at);
      summary.append(meta);
      details.append(summary, linkify(m.text));
      li.append(details);
      return li;
    }));
  };
}

// linkify shows a mail's text with its web addresses as links, built as
// DOM nodes: the text is never parsed as HTML.
function linkify(text: string): HTMLElement {
  const pre = document.createElement("pre");
  let at = 0;
  for (const m of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    pre.append(text.slice(at, m.index));
    const a = document.createElement("a");
    a.href = m[0];
    a.textContent = m[0];
    pre.append(a);
    at = (m.index || 0) + m[0].length;
  }
  pre.append(text.slice(at));
  return pre;
}
