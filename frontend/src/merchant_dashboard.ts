// The owner's dashboard: today's redemptions, which arrive as they happen
// (server-sent events from /merchant/live, reconnecting by themselves and
// catching up on what was missed), what the merchant's vouchers still owe,
// the ledger by period with its CSV, the team, the paired tills (with the
// QR code that pairs a new one), payments onboarding and the town's
// programmes (see merchant_programmes.ts). A member who may not manage
// sees today's redemptions only.
import {
  Api, Member, Money, Session, busy, clearErrors, confirmDialog, explain, fieldError, lang, may, money, plural, showFieldErrors,
  showNeeds, startSession, t, time, value, when,
} from "./merchant_api";
import { refusal, startOnboarding } from "./merchant_payments";
import { campaignsPanel } from "./merchant_campaigns";
import { programmesPanel } from "./merchant_programmes";
import { DayList, DayRedemption } from "./day_list";
import { stepsPanel } from "./merchant_steps";
import { StatusState, statusPanel } from "./merchant_status";

interface LiveEvent {
  type: "redemption" | "reversal";
  id: string;
  code: string;
  amount: Money;
  balance_after: Money;
  by: string;
  at: string;
}

interface Summary {
  liability: { amount: Money; vouchers: number };
  payments_ok: boolean;
}

// manager reports whether the member may see the ledger and manage: an
// owner, or Solidaire's admin.
function manager(s: Session, m: Member): boolean {
  return m.role === "owner" || !!s.me.user?.admin;
}

export function initDashboard(scope: HTMLElement): void {
  const $ = <T extends HTMLElement = HTMLElement>(sel: string) => scope.querySelector<T>(sel)!;
  const api = new Api();
  const alert = $("[data-alert]");
  const news = $("[data-status]");
  const fail = (text: string) => {
    alert.textContent = text;
  };
  let currency = "cad";
  let mayUndo = false;

  startSession(api, scope, fail, false).then((s) => {
    $("[data-loading]").hidden = true;
    if (!s) return;
    if (!s.member) return fail(t("session.none"));
    $("[data-body]").hidden = false;
    const can = manager(s, s.member);
    mayUndo = can || s.member.role === "staff";
    showNeeds(scope, s);
    $<HTMLInputElement>("[data-merchant-input]").value = api.merchant;
    if (may(s, "page")) {
      // Today's status, one tap away (merchant_status.ts).
      api.call<StatusState & { currency: string }>("GET", "/merchant/profile").then((res) => {
        if (res.ok) statusPanel(scope, api, res.data, res.data.currency, fail, (text) => (news.textContent = text));
      });
    }
    if (may(s, "dashboard")) today().then(live);
    if (!can) {
      // A community manager runs the page and the campaigns, nothing else.
      if (may(s, "page")) campaignsPanel(scope, api, fail);
      return;
    }
    stepsPanel(scope, api, s.member);
    summary();
    ledger();
    staff(s);
    devices();
    programmesPanel(scope, api, fail);
    campaignsPanel(scope, api, fail);
  });

  // Today's redemptions, newest first, each undoable from the list for
  // its 30 minutes (see day_list.ts).
  const rows = $<HTMLTableSectionElement>("[data-today-rows]");
  const day = new DayList(rows, api, false);
  day.onError = fail;
  day.onUndone = (r, text) => {
    total -= r.amount.amount;
    count--;
    news.textContent = text;
    figures();
  };
  let total = 0;
  let count = 0;
  const figures = () => {
    $("[data-today-total]").textContent = money({ amount: total, currency });
    $("[data-today-count]").textContent = new Intl.NumberFormat(lang + "-CA").format(count);
    $("[data-today-none]").hidden = rows.children.length > 0;
    $("[data-today-table]").hidden = rows.children.length === 0;
  };
  const today = async () => {
    const res = await api.call<{ data: DayRedemption[]; total: Money }>("GET", "/merchant/redemptions");
    if (!res.ok) return fail(explain(res.error));
    currency = res.data.total.currency;
    total = res.data.total.amount;
    count = res.data.data.filter((r) => !r.reversed_at).length;
    day.show(res.data.data, currency);
    figures();
  };

  // The live feed: every redemption and reversal of the merchant, from any
  // till. EventSource reconnects by itself (the server asks for 3 s); on
  // each reconnection the list is read again, for what came meanwhile.
  const live = () => {
    if (typeof EventSource !== "function") return;
    const url = "/api/v1/merchant/live" + (api.merchant ? "?merchant=" + encodeURIComponent(api.merchant) : "");
    const source = new EventSource(url);
    let opened = false;
    const on = $("[data-live]");
    const off = $("[data-live-off]");
    source.addEventListener("ready", () => {
      on.hidden = false;
      off.hidden = true;
      if (opened) today();
      opened = true;
    });
    source.addEventListener("error", () => {
      on.hidden = true;
      off.hidden = source.readyState === EventSource.CLOSED;
    });
    source.addEventListener("redemption", (event) => {
      let e: LiveEvent;
      try {
        e = JSON.parse((event as MessageEvent).data);
      } catch {
        return;
      }
      const tr = day.find(e.id);
      if (e.type === "reversal") {
        if (tr && day.undone(tr, e.at, currency)) {
          total -= e.amount.amount;
          count--;
        }
        news.textContent = t("dash.live.reversed", money(e.amount), e.code);
      } else if (!tr) {
        for (const old of rows.querySelectorAll(".is-new")) old.classList.remove("is-new");
        // Undoable by whoever may redeem here: the API says so on the next read.
        rows.prepend(day.row({ id: e.id, code: e.code, amount: e.amount, balance_after: e.balance_after, by: e.by, created_at: e.at, reversed_at: null,
          undoable: mayUndo }, currency, true));
        total += e.amount.amount;
        count++;
        news.textContent = t("dash.live.new", money(e.amount), e.code);
      }
      figures();
    });
    window.addEventListener("pagehide", () => source.close());
  };

  // What the merchant's vouchers still owe, and whether it can sell.
  const summary = async () => {
    const res = await api.call<Summary>("GET", "/merchant/summary");
    if (!res.ok) return fail(explain(res.error));
    const l = res.data.liability;
    $("[data-liability]").textContent = money(l.amount);
    $("[data-liability-count]").textContent = plural("dash.liability", l.vouchers);
    payments($("[data-payments-state]"), $<HTMLButtonElement>("[data-onboard]"), res.data.payments_ok, api);
  };

  // The ledger: shown here, or downloaded as CSV by the form itself (a
  // plain GET, which works without this script).
  const ledger = () => {
    const form = $<HTMLFormElement>("[data-ledger]");
    const from = form.elements.namedItem("from") as HTMLInputElement;
    const to = form.elements.namedItem("to") as HTMLInputElement;
    const now = new Date();
    const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
    if (!from.value) from.value = iso(new Date(now.getFullYear(), now.getMonth(), 1));
    if (!to.value) to.value = iso(now);
    const out = $("[data-ledger-result]");
    $("[data-ledger-show]").addEventListener("click", async () => {
      clearErrors(form);
      busy(form, true);
      const q = new URLSearchParams({ from: from.value, to: to.value });
      const res = await api.call<{ data: { at: string; kind: string; voucher: string; amount: Money; balance_after: Money; by?: string }[]; redeemed: Money }>(
        "GET", "/merchant/ledger?" + q);
      busy(form, false);
      if (!res.ok) {
        if (!showFieldErrors(form, res.error.fields)) fail(explain(res.error));
        return;
      }
      const lines = res.data.data;
      const p = document.createElement("p");
      p.setAttribute("role", "status");
      if (lines.length === 0) {
        p.textContent = t("dash.ledger.none");
        out.replaceChildren(p);
        return;
      }
      p.textContent = t("dash.ledger.redeemed", money(res.data.redeemed));
      // A table on a wide screen, a card per line on a phone (amount first).
      const table = document.createElement("table");
      table.className = "table table-cards";
      table.createCaption().textContent = t("dash.ledger.caption", from.value, to.value);
      const head = table.createTHead().insertRow();
      const columns = [["dash.col.date", ""], ["dash.col.kind", ""], ["dash.col.voucher", ""], ["dash.col.amount", "num day-amount"],
        ["dash.col.balance", "num"], ["dash.col.by", ""]] as const;
      for (const [key, cls] of columns) {
        const th = document.createElement("th");
        th.scope = "col";
        th.textContent = t(key);
        if (cls) th.className = "num";
        head.append(th);
      }
      const tbody = table.createTBody();
      for (const l of lines) {
        const tr = tbody.insertRow();
        [when(l.at, currency), t("dash.kind." + l.kind), l.voucher, money(l.amount), money(l.balance_after), l.by || ""].forEach((text, i) => {
          const td = tr.insertCell();
          td.textContent = text;
          td.dataset.label = t(columns[i][0]);
          if (columns[i][1]) td.className = columns[i][1];
        });
      }
      const wrap = document.createElement("div");
      wrap.className = "table-wrap";
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", table.caption?.textContent || "");
      wrap.append(table);
      out.replaceChildren(p, wrap);
    });
  };

  // The team: who may redeem, invitations, removal.
  const staff = (s: Session) => {
    const list = $("[data-staff-list]");
    const status = $("[data-staff-status]");
    const done = (text: string) => {
      status.textContent = text;
      status.hidden = false;
    };
    const load = async () => {
      const res = await api.call<{ data: { id: string; email: string; name: string; role: string }[] }>("GET", "/merchant/staff");
      if (!res.ok) return fail(explain(res.error));
      list.replaceChildren(...res.data.data.map((m) => {
        const li = document.createElement("li");
        const who = document.createElement("p");
        const name = document.createElement("strong");
        name.textContent = m.name || m.email;
        const detail = document.createElement("span");
        detail.className = "note";
        detail.textContent = " " + [m.name ? m.email : "", t("dash.role." + m.role)].filter(Boolean).join(" · ");
        who.append(name, detail);
        li.append(who);
        if (m.id === s.me.user?.id) {
          detail.textContent += " · " + t("dash.staff.you");
        } else {
          const b = document.createElement("button");
          b.type = "button";
          b.className = "button button-small button-secondary";
          b.textContent = t("dash.staff.remove");
          const hidden = document.createElement("span");
          hidden.className = "visually-hidden";
          hidden.textContent = " " + (m.name || m.email);
          b.append(hidden);
          b.addEventListener("click", async () => {
            if (!(await confirmDialog(t("dash.staff.confirm", m.name || m.email), t("dash.staff.yes")))) return;
            const res = await api.call("DELETE", "/merchant/staff/" + encodeURIComponent(m.id));
            if (!res.ok) return fail(explain(res.error));
            done(t("dash.staff.removed", m.name || m.email));
            load();
          });
          li.append(b);
        }
        return li;
      }));
    };
    load();
    const form = $<HTMLFormElement>("[data-invite]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      const email = value(form, "email");
      const input = form.elements.namedItem("email") as HTMLInputElement;
      if (!email) {
        fieldError(input, input.dataset.error || "");
        input.focus();
        return;
      }
      const role = form.querySelector<HTMLInputElement>("input[name=role]:checked")?.value || "staff";
      busy(form, true);
      const res = await api.call("POST", "/merchant/staff/invitations", { email, lang, role });
      busy(form, false);
      if (!res.ok) {
        if (!showFieldErrors(form, res.error.fields)) fail(explain(res.error));
        return;
      }
      form.reset();
      done(t(role === "community" ? "dash.staff.invited.community" : "dash.staff.invited", email));
    });
  };

  // The tills: list, revoke, and pair a new one with a QR code.
  const devices = () => {
    const list = $("[data-device-list]");
    const status = $("[data-devices-status]");
    const box = $("[data-pairing]");
    let known = -1;
    let watch = 0;
    const load = async (): Promise<{ name: string; revoked: boolean }[]> => {
      const res = await api.call<{ data: { id: string; name: string; created_at: string; last_seen_at: string | null; revoked: boolean }[] }>(
        "GET", "/merchant/devices");
      if (!res.ok) {
        fail(explain(res.error));
        return [];
      }
      const ds = res.data.data;
      $("[data-devices-none]").hidden = ds.length > 0;
      list.replaceChildren(...ds.map((d) => {
        const li = document.createElement("li");
        const p = document.createElement("p");
        const name = document.createElement("strong");
        name.textContent = d.name;
        const note = document.createElement("span");
        note.className = "note";
        note.textContent = " " + (d.last_seen_at ? t("dash.devices.seen", when(d.last_seen_at, currency)) : t("dash.devices.never"));
        p.append(name, note);
        li.append(p);
        if (d.revoked) {
          const badge = document.createElement("span");
          badge.className = "badge badge-cancelled";
          badge.textContent = t("dash.devices.revoked");
          li.append(badge);
        } else {
          const b = document.createElement("button");
          b.type = "button";
          b.className = "button button-small button-secondary";
          b.textContent = t("dash.devices.revoke");
          const hidden = document.createElement("span");
          hidden.className = "visually-hidden";
          hidden.textContent = " " + d.name;
          b.append(hidden);
          b.addEventListener("click", async () => {
            if (!(await confirmDialog(t("dash.devices.confirm", d.name), t("dash.devices.yes")))) return;
            const res = await api.call("POST", `/merchant/devices/${encodeURIComponent(d.id)}/revoke`);
            if (!res.ok) return fail(explain(res.error));
            load();
          });
          li.append(b);
        }
        return li;
      }));
      return ds;
    };
    load().then((ds) => (known = ds.length));
    const form = $<HTMLFormElement>("[data-pairing-form]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      busy(form, true);
      const res = await api.call<{ code: string; expires_at: string; pair_url: string }>("POST", "/merchant/devices/pairing", { name: value(form, "name") });
      busy(form, false);
      if (!res.ok) {
        if (!showFieldErrors(form, res.error.fields)) fail(explain(res.error));
        return;
      }
      const { code, expires_at, pair_url } = res.data;
      $<HTMLImageElement>("[data-pairing-qr]").src = "/caisse/jumeler/qr.png?code=" + encodeURIComponent(code);
      const link = $<HTMLAnchorElement>("[data-pairing-url]");
      link.href = pair_url;
      link.textContent = pair_url;
      $("[data-pairing-expires]").textContent = t("dash.devices.expires", time(expires_at, currency));
      status.hidden = true;
      box.hidden = false;
      box.focus();
      // The new till shows up in the list once it has paired.
      window.clearInterval(watch);
      const end = new Date(expires_at).getTime();
      watch = window.setInterval(async () => {
        if (Date.now() > end) {
          window.clearInterval(watch);
          box.hidden = true;
          return;
        }
        const ds = await load();
        if (ds.length > known) {
          window.clearInterval(watch);
          known = ds.length;
          box.hidden = true;
          status.textContent = t("dash.devices.paired", ds[0]?.name || "");
          status.hidden = false;
          form.reset();
        }
      }, 3000);
    });
  };
}

// payments shows whether the merchant can sell online, and the button
// that starts (or resumes) Stripe's onboarding: the API answers with
// Stripe's link, or "ready" at once with demo payments.
function payments(state: HTMLElement, button: HTMLButtonElement, ok: boolean, api: Api): void {
  state.textContent = ok ? t("dash.payments.ready") : t("dash.payments.todo");
  button.hidden = ok;
  if (button.dataset.ready) return;
  button.dataset.ready = "1";
  button.addEventListener("click", async () => {
    if (button.disabled) return;
    button.disabled = true;
    state.textContent = t("dash.payments.going");
    const res = await startOnboarding(api);
    if (res.ok && res.data.url) {
      location.assign(res.data.url);
      return;
    }
    button.disabled = false;
    if (!res.ok) {
      state.textContent = refusal(res.error);
      return;
    }
    state.textContent = res.data.demo ? t("dash.payments.demo") : res.data.status === "ready" ? t("dash.payments.ready") : t("dash.payments.todo");
    button.hidden = res.data.status === "ready" || !!res.data.demo;
  });
}
