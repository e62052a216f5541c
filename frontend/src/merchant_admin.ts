// The admin page: orders in review (a payment that did not match its
// order, or came after its seats were gone), which an admin accepts (the
// vouchers or tickets issued and mailed) or refunds (the whole payment,
// through Stripe), each after a confirmation that says what will happen;
// merchants by status (waiting for approval, approved, refused, closed),
// which an admin approves, refuses with a reason mailed to the applicant,
// or closes (out of the directory, its vouchers still taken); and the outbox, where mails wait (held)
// when no SMTP server is configured, readable here with their links; and
// the form that creates a town's programme (admin_programme.ts); and, under
// an approved merchant, its public page: who changed what, and hiding a
// photo or a post with a reason (admin_page.ts).
import { pagePanel, reasonDialog } from "./admin_page";
import { initProgrammeForm } from "./admin_programme";
import { Api, Money, busy, confirmDialog, explain, lang, money, newKey, startSession, t } from "./merchant_api";

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
  status: string;
  refused_reason?: string;
  created_at: string;
}

interface ReviewOrder {
  id: string;
  merchant: { slug: string; name: string };
  total: Money;
  paid: Money;
  review_note?: string;
  buyer_email: string;
  buyer_name?: string;
  payment_intent?: string;
  items: { kind: string; amount: Money; quantity: number }[];
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
    review();
    const which = $<HTMLSelectElement>("#commerces-etat");
    which.addEventListener("change", () => pending());
    $<HTMLFormElement>("[data-merchants-form]").addEventListener("submit", (event) => {
      event.preventDefault();
      pending();
    });
    pending();
    const select = $<HTMLSelectElement>("#courriels-etat");
    select.addEventListener("change", () => outbox(select.value));
    $<HTMLFormElement>("[data-outbox-form]").addEventListener("submit", (event) => {
      event.preventDefault();
      outbox(select.value);
    });
    outbox(select.value);
    initProgrammeForm(scope, api);
  });

  // facts is a list of terms and what they say, the empty ones left out.
  const facts = (pairs: [string, string | Node][]): HTMLElement => {
    const dl = document.createElement("dl");
    dl.className = "facts";
    for (const [key, text] of pairs) {
      if (!text) continue;
      const div = document.createElement("div");
      const dt = document.createElement("dt");
      dt.textContent = t(key);
      const dd = document.createElement("dd");
      dd.append(text);
      div.append(dt, dd);
      dl.append(div);
    }
    return dl;
  };
  const hiddenName = (text: string) => {
    const span = document.createElement("span");
    span.className = "visually-hidden";
    span.textContent = text;
    return span;
  };

  // Orders in review, oldest first.
  const review = async () => {
    const res = await api.call<{ data: ReviewOrder[] }>("GET", "/admin/orders?status=review");
    if (!res.ok) return fail(explain(res.error));
    $("[data-review-none]").hidden = res.data.data.length > 0;
    $("[data-review-list]").replaceChildren(...res.data.data.map(reviewRow));
  };

  const reviewRow = (o: ReviewOrder): HTMLLIElement => {
    const li = document.createElement("li");
    li.dataset.order = o.id;
    const info = document.createElement("div");
    const h = document.createElement("h3");
    h.textContent = o.merchant.name;
    const meta = document.createElement("p");
    meta.className = "note";
    meta.textContent = t("admin.review.order", o.id) + " · " + date(o.created_at);
    // What was paid, against the total: the difference stands out, in words.
    const paid = document.createDocumentFragment();
    paid.append(money(o.paid));
    const diff = o.paid.amount - o.total.amount;
    if (diff !== 0) {
      const badge = document.createElement("strong");
      badge.className = "badge " + (diff < 0 ? "badge-cancelled" : "badge-postponed");
      badge.textContent = t(diff < 0 ? "admin.review.less" : "admin.review.more", money({ amount: Math.abs(diff), currency: o.paid.currency }));
      paid.append(" ", badge);
    }
    const buyer = o.buyer_name ? `${o.buyer_name} (${o.buyer_email})` : o.buyer_email;
    info.append(h, meta, facts([
      ["admin.review.buyer", buyer],
      ["admin.review.total", money(o.total)],
      ["admin.review.paid", paid],
      ["admin.review.note", o.review_note || ""],
      ["admin.review.items", o.items.map((it) => t("admin.item." + it.kind, it.quantity, money(it.amount))).join(", ")],
      ["admin.review.payment", o.payment_intent || ""],
    ]));
    const actions = document.createElement("p");
    actions.className = "inline-actions";
    const who = o.buyer_name || o.buyer_email;
    for (const action of ["accept", "refund"] as const) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = action === "accept" ? "button" : "button button-secondary";
      b.textContent = t("admin." + action);
      b.append(hiddenName(" — " + t("admin.review.order", o.id) + ", " + who));
      b.addEventListener("click", () => decide(o, action, li, b));
      actions.append(b);
    }
    li.append(info, actions);
    return li;
  };

  // One Idempotency-Key per decision, kept for its retries while its
  // outcome is unknown (the network, the server): it is never made twice.
  const keys = new Map<string, string>();
  const decide = async (o: ReviewOrder, action: "accept" | "refund", row: HTMLElement, button: HTMLButtonElement) => {
    const who = o.buyer_name || o.buyer_email;
    const yes = action === "accept"
      ? await confirmDialog(t("admin.accept.confirm", who, o.merchant.name, o.buyer_email, money(o.paid)), t("admin.accept.yes"))
      : await confirmDialog(t("admin.refund.confirm", who, o.merchant.name, money(o.paid), o.merchant.name), t("admin.refund.yes"));
    if (!yes) return;
    const slot = o.id + " " + action;
    const key = keys.get(slot) || newKey();
    keys.set(slot, key);
    alert.textContent = "";
    status.textContent = t("admin.review.going");
    busy(row, true);
    const res = await api.call<{ order: ReviewOrder }>("POST", `/admin/orders/${encodeURIComponent(o.id)}/${action}`, undefined,
      { "Idempotency-Key": key });
    if (!res.ok) {
      const e = res.error;
      if (e.status !== 0 && e.status < 500) keys.delete(slot);
      busy(row, false);
      status.textContent = "";
      if (e.code === "conflict") {
        fail(t("admin.review.gone"));
        await review();
        $("#a-examiner").focus();
        return;
      }
      fail(e.code === "sold_out" ? t("admin.soldout") : explain(e));
      button.focus();
      return;
    }
    keys.delete(slot);
    status.textContent = action === "accept" ? t("admin.accepted", o.buyer_email) : t("admin.refunded", money(res.data.order.paid), o.buyer_email);
    await review();
    $("#a-examiner").focus();
  };

  // Merchants of the status chosen, oldest first, with what an admin may
  // do to each: approve a pending, refused or closed one; refuse a pending
  // one (with a reason); close an approved one.
  const pending = async () => {
    const which = $<HTMLSelectElement>("#commerces-etat").value;
    const res = await api.call<{ data: Pending[] }>("GET", "/admin/merchants?status=" + encodeURIComponent(which));
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
      info.append(h, meta, facts([
        ["admin.registration", m.registration],
        ["admin.contact", [m.contact_email, m.contact_phone].filter(Boolean).join(" · ")],
        ["admin.address", m.address],
        ["admin.applied", date(m.created_at)],
        ["admin.refused.reason", m.refused_reason || ""],
      ]));
      const actions = document.createElement("p");
      actions.className = "inline-actions";
      const action = (label: string, cls: string, run: () => Promise<unknown>) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = cls;
        b.textContent = t(label);
        b.append(hiddenName(" " + m.name));
        b.addEventListener("click", run);
        actions.append(b);
      };
      const done = async (text: string) => {
        status.textContent = text;
        await pending();
        $("#en-attente").focus();
      };
      if (m.status !== "approved") {
        action("admin.approve", "button", async () => {
          if (!(await confirmDialog(t("admin.approve.confirm", m.name), t("admin.approve.yes")))) return;
          const res = await api.call("POST", `/admin/merchants/${encodeURIComponent(m.slug)}/approve`);
          if (!res.ok) return fail(explain(res.error));
          await done(t("admin.approved", m.name));
        });
      }
      if (m.status === "pending") {
        action("admin.refuse", "button button-secondary", async () => {
          const reason = await reasonDialog({ title: t("admin.refuse.title", m.name), label: t("admin.refuse.reason"), hint: t("admin.refuse.hint"),
            required: t("admin.refuse.required"), yes: t("admin.refuse.yes"), max: 500 });
          if (reason === null) return;
          const res = await api.call("POST", `/admin/merchants/${encodeURIComponent(m.slug)}/refuse`, { reason });
          if (!res.ok) return fail(explain(res.error));
          await done(t("admin.refused", m.name));
        });
      }
      if (m.status === "approved") {
        action("admin.close", "button button-secondary", async () => {
          if (!(await confirmDialog(t("admin.close.confirm"), t("admin.close.yes")))) return;
          const res = await api.call("POST", `/admin/merchants/${encodeURIComponent(m.slug)}/close`);
          if (!res.ok) return fail(explain(res.error));
          await done(t("admin.closed", m.name));
        });
      }
      li.append(info, actions);
      if (m.status === "approved") li.append(pagePanel(api, m, date));
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
