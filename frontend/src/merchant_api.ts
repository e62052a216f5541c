// What the merchant side's islands share: the page's strings, money and
// dates in the page's language, calls to the JSON API (with the session
// cookie, or a paired till's bearer token), who is signed in, the
// confirmation dialog, and the errors of a form's fields.
//
// Every string comes from the Go messages table, in the page's JSON
// (#side-messages): the islands carry none of their own.

import { keepSpaces, spacesOf } from "./spaces";

export interface Money {
  amount: number;
  currency: string;
}

export interface ApiError {
  status: number; // 0 when the network failed
  code: string;
  message: string;
  fields?: Record<string, string>;
  retryAfter: number; // seconds, for 429
}

export type Result<T> = { ok: true; status: number; data: T } | { ok: false; error: ApiError };

const root = document;
export const lang = root.documentElement.lang === "en" ? "en" : "fr";
const strings: Record<string, string> = JSON.parse(root.getElementById("side-messages")?.textContent || "{}");

// t returns the message for key, its %s filled with args in order.
export function t(key: string, ...args: (string | number)[]): string {
  let i = 0;
  return (strings[key] ?? key).replace(/%s/g, () => String(args[i++] ?? ""));
}

// plural picks key.one or key.other: French uses the singular for 0 and 1.
export function plural(key: string, n: number): string {
  const one = lang === "fr" ? n <= 1 : n === 1;
  return t(key + (one ? ".one" : ".other"), new Intl.NumberFormat(lang + "-CA").format(n));
}

const formats = new Map<string, Intl.NumberFormat>();

// money formats minor units as the server does: "12,50 $", "$12.50".
export function money(m: Money): string {
  const cur = (m.currency || "cad").toUpperCase();
  let f = formats.get(cur);
  if (!f) {
    f = new Intl.NumberFormat(lang + "-CA", { style: "currency", currency: cur });
    formats.set(cur, f);
  }
  return f.format(m.amount / 100);
}

// zoneOf is the time zone of a merchant that sells in currency, as the
// server's zoneOf: Québec's for dollars, France's for euros.
export function zoneOf(currency: string): string {
  return currency === "eur" ? "Europe/Paris" : "America/Toronto";
}

// time is "14 h 05" / "2:05 p.m."; when with the date too.
export function time(iso: string, currency: string): string {
  return new Intl.DateTimeFormat(lang + "-CA", { timeStyle: "short", timeZone: zoneOf(currency) }).format(new Date(iso));
}
export function when(iso: string, currency: string): string {
  return new Intl.DateTimeFormat(lang + "-CA", { dateStyle: "medium", timeStyle: "short", timeZone: zoneOf(currency) }).format(new Date(iso));
}

// newKey is an Idempotency-Key: a UUID, from the browser's generator when
// the page is in a secure context, else from its random bytes.
export function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

// The till's own token, once paired: it then acts without anyone signed in.
const deviceKey = "solidaire.till";
const merchantKey = "solidaire.merchant";

export interface Device {
  token: string;
  device: { id: string; name: string };
  merchant: { slug: string; name: string };
}

export function pairedDevice(): Device | null {
  try {
    const d = JSON.parse(localStorage.getItem(deviceKey) || "null");
    return d && typeof d.token === "string" ? d : null;
  } catch {
    return null;
  }
}
export function savePairing(d: Device): boolean {
  try {
    localStorage.setItem(deviceKey, JSON.stringify(d));
    return pairedDevice()?.token === d.token;
  } catch {
    return false;
  }
}
export function forgetPairing(): void {
  try {
    localStorage.removeItem(deviceKey);
  } catch {
    // Nothing kept, nothing to forget.
  }
}

// Api calls /api/v1 with the session cookie, or the till's bearer token.
export class Api {
  token = "";
  merchant = ""; // X-Merchant, for a person who belongs to several
  onUnauthorized: (() => void) | null = null;

  async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Result<T>> {
    const h: Record<string, string> = { Accept: "application/json", ...headers };
    if (body !== undefined) h["Content-Type"] = "application/json";
    if (this.token) h.Authorization = "Bearer " + this.token;
    if (this.merchant) h["X-Merchant"] = this.merchant;
    let res: Response;
    try {
      res = await fetch("/api/v1" + path, {
        method,
        headers: h,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch {
      return { ok: false, error: { status: 0, code: "network", message: t("api.network"), retryAfter: 0 } };
    }
    let data: any = null;
    if (res.status !== 204) {
      try {
        data = await res.json();
      } catch {
        data = null;
      }
    }
    if (res.ok) return { ok: true, status: res.status, data: data as T };
    const e = data?.error || {};
    const error: ApiError = {
      status: res.status,
      code: e.code || "http_" + res.status,
      message: e.message || "",
      fields: e.fields,
      retryAfter: Number(res.headers.get("Retry-After")) || 0,
    };
    if (res.status === 401 && this.onUnauthorized) this.onUnauthorized();
    return { ok: false, error };
  }
}

// explain says what went wrong in plain words, for the errors any call
// may meet; the caller handles the ones that mean something to it first.
// notApproved are the 403 codes of a merchant or organiser Solidaire's team
// has not approved: the server's message says what to do.
const notApproved = new Set(["merchant_pending", "merchant_refused", "merchant_closed", "organiser_not_approved", "region_not_supported"]);

export function explain(e: ApiError): string {
  if (e.status === 0 || e.status >= 500) return e.status === 0 ? t("api.network") : t("api.failed");
  if (e.status === 429) return t("api.busy", Math.max(1, e.retryAfter || 30));
  // A merchant not (or no longer) approved is told why, in the server's words.
  if (e.status === 403) return notApproved.has(e.code) && e.message ? e.message : t("api.forbidden");
  return e.message || t("api.invalid");
}

export interface Member {
  slug: string;
  name: string;
  role: string;
}

export interface Me {
  user?: { id: string; email: string; name: string; admin: boolean; organiser?: boolean };
  device?: { id: string; name: string };
  merchants: Member[];
}

export interface Session {
  me: Me;
  member: Member | null; // the merchant the page acts for
}

const tillKey = "solidaire.till.";

// tillUsed reports whether a person opened the merchant's till on this
// browser.
export function tillUsed(slug: string): boolean {
  try {
    return localStorage.getItem(tillKey + slug) === "1";
  } catch {
    return false;
  }
}

// signInURL is the sign-in page that comes back here afterwards.
export function signInURL(): string {
  return "/connexion?next=" + encodeURIComponent(location.pathname + location.search);
}

// startSession asks who is signed in (a paired till first, when the page
// takes one), fills the page's session bar and merchant picker, and sends
// whoever is not signed in to the sign-in page. It returns null when the
// page cannot go on.
export async function startSession(api: Api, scope: HTMLElement, say: (text: string) => void, allowDevice: boolean): Promise<Session | null> {
  const device = allowDevice ? pairedDevice() : null;
  if (device) api.token = device.token;
  const res = await api.call<Me>("GET", "/auth/me");
  if (!res.ok) {
    if (res.error.status === 401 && device) {
      forgetPairing();
      say(t("session.revoked"));
      const link = root.createElement("a");
      link.href = signInURL();
      link.textContent = t("session.signin");
      scope.querySelector("[data-alert]")?.append(" ", link);
      return null;
    }
    if (res.error.status === 401) {
      location.assign(signInURL());
      return null;
    }
    say(explain(res.error));
    return null;
  }
  // From here a lost session (expired, revoked) goes back to the sign-in.
  api.onUnauthorized = () => {
    if (api.token) forgetPairing();
    location.assign(signInURL());
  };
  const me = res.data;
  if (me.user) keepSpaces(spacesOf(me));
  const bar = scope.querySelector<HTMLElement>("[data-session]");
  const who = scope.querySelector<HTMLElement>("[data-session-who]");
  if (who) who.textContent = me.device ? t("session.device", me.device.name) : t("session.account", me.user?.name || me.user?.email || "");
  let member: Member | null = me.merchants[0] || null;
  if (me.merchants.length > 1) {
    let kept = "";
    try {
      kept = localStorage.getItem(merchantKey) || "";
    } catch {
      kept = "";
    }
    member = me.merchants.find((m) => m.slug === kept) || member;
    const pick = scope.querySelector<HTMLElement>("[data-merchant-pick]");
    const select = scope.querySelector<HTMLSelectElement>("[data-merchant-select]");
    if (pick && select) {
      for (const m of me.merchants) select.add(new Option(m.name, m.slug, false, m.slug === member?.slug));
      pick.hidden = false;
      select.addEventListener("change", () => {
        try {
          localStorage.setItem(merchantKey, select.value);
        } catch {
          // The choice then lasts for this page only.
        }
        location.reload();
      });
    }
    if (member) api.merchant = member.slug;
  }
  for (const el of scope.querySelectorAll<HTMLElement>("[data-merchant-name]")) el.textContent = member?.name || "";
  // The till opened by a person (not a paired device) on this browser:
  // one of the dashboard's first steps (tillUsed).
  if (allowDevice && me.user && member) {
    try {
      localStorage.setItem(tillKey + member.slug, "1");
    } catch {
      // The dashboard then counts on paired devices only.
    }
  }
  const signout = scope.querySelector<HTMLButtonElement>("[data-signout]");
  const unpair = scope.querySelector<HTMLButtonElement>("[data-unpair]");
  if (me.device && unpair) {
    unpair.hidden = false;
    unpair.addEventListener("click", async () => {
      if (!(await confirmDialog(t("session.unpair.confirm"), t("session.unpair.yes")))) return;
      forgetPairing();
      location.assign("/connexion?next=/caisse");
    });
  } else if (signout) {
    signout.hidden = false;
    signout.addEventListener("click", async () => {
      signout.disabled = true;
      await api.call("POST", "/auth/logout");
      keepSpaces(null);
      location.assign("/connexion?fin=1");
    });
  }
  if (bar) bar.hidden = false;
  return { me, member };
}

// confirmDialog asks a yes-or-no question in a modal dialog, which keeps
// the focus inside it and closes with Escape (a no).
export function confirmDialog(text: string, yes: string): Promise<boolean> {
  return new Promise((resolve) => {
    const d = root.createElement("dialog");
    d.className = "confirm";
    const p = root.createElement("p");
    p.id = "confirm-" + Date.now();
    p.textContent = text;
    d.setAttribute("aria-labelledby", p.id);
    const actions = root.createElement("p");
    actions.className = "confirm-actions";
    const button = (label: string, value: string, cls: string) => {
      const b = root.createElement("button");
      b.type = "button";
      b.className = cls;
      b.textContent = label;
      b.addEventListener("click", () => d.close(value));
      actions.append(b);
      return b;
    };
    button(yes, "yes", "button button-large");
    button(t("api.confirm.no"), "no", "button button-secondary");
    d.append(p, actions);
    const back = root.activeElement as HTMLElement | null;
    d.addEventListener("close", () => {
      d.remove();
      back?.focus();
      resolve(d.returnValue === "yes");
    });
    root.body.append(d);
    d.showModal();
  });
}

type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

// clearErrors hides the errors of a form's fields and of the form.
export function clearErrors(form: HTMLFormElement): void {
  for (const el of form.querySelectorAll<Field>("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of form.querySelectorAll<HTMLElement>(".field-error")) {
    el.textContent = "";
    el.hidden = true;
  }
  const list = form.querySelector("[data-form-error-list]");
  list?.replaceChildren();
  const summary = form.querySelector<HTMLElement>("[data-form-errors]");
  if (summary) summary.hidden = true;
  formError(form, "");
}

// formError says what went wrong with the whole form (a live region).
export function formError(form: HTMLFormElement, text: string): void {
  const el = form.querySelector<HTMLElement>("[data-form-error]");
  if (el) el.textContent = text;
}

// fieldError shows text next to a field and marks it invalid.
export function fieldError(el: Field, text: string): void {
  el.setAttribute("aria-invalid", "true");
  const e = root.getElementById(el.id + "-error");
  if (e) {
    e.textContent = text;
    e.hidden = false;
  }
}

// showFieldErrors shows the fields the API named, each with the message
// the server wrote for it (data-error), lists them above the form when it
// has a list, and focuses the list or the first field. It returns false
// when the API named no field of the form.
export function showFieldErrors(form: HTMLFormElement, named: Record<string, string> | undefined): boolean {
  if (!named) return false;
  const bad = Array.from(form.querySelectorAll<Field>("[data-api-field]")).filter((el) =>
    (el.dataset.apiField || "").split(" ").some((n) => n in named),
  );
  if (bad.length === 0) return false;
  const list = form.querySelector<HTMLElement>("[data-form-error-list]");
  for (const el of bad) {
    fieldError(el, el.dataset.error || t("api.invalid"));
    if (list) {
      const a = root.createElement("a");
      a.href = "#" + el.id;
      a.textContent = el.dataset.error || t("api.invalid");
      a.addEventListener("click", (event) => {
        event.preventDefault();
        el.focus();
      });
      const li = root.createElement("li");
      li.append(a);
      list.append(li);
    }
  }
  const summary = form.querySelector<HTMLElement>("[data-form-errors]");
  if (summary && list) {
    summary.hidden = false;
    summary.focus();
  } else {
    bad[0].focus();
  }
  return true;
}

// busy disables a form's buttons while its request is out.
export function busy(form: HTMLElement, on: boolean): void {
  form.setAttribute("aria-busy", String(on));
  for (const b of form.querySelectorAll<HTMLButtonElement>("button")) b.disabled = on;
}

// value is a form field's trimmed value.
export function value(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name);
  return el && "value" in el ? String((el as unknown as { value: string }).value).trim() : "";
}

// grants mirrors the API's roles table (market/auth.go) for what the pages
// show: the API still checks every call.
const grants: Record<string, string[]> = {
  owner: ["dashboard", "ledger", "manage", "page"],
  staff: ["dashboard"],
  organiser: ["dashboard"],
  community: ["page"],
};

// may reports whether the member the page acts for may do need (an admin
// may do everything).
export function may(s: Session, need: string): boolean {
  if (s.me.user?.admin) return true;
  return !!s.member && (grants[s.member.role] || []).includes(need);
}

// showNeeds shows the parts of the page (data-need) and the entries of the
// side's menu that the member's role may use.
export function showNeeds(scope: HTMLElement, s: Session): void {
  for (const el of scope.querySelectorAll<HTMLElement>("[data-need]")) el.hidden = !may(s, el.dataset.need || "");
  const nav = scope.querySelector<HTMLElement>("[data-side-nav]");
  if (nav) nav.hidden = false;
}
