// What the organiser side's islands share: the page's language and its
// strings (the server hands them in a JSON script element: every text of
// the interface lives in the Go translations table), formats of money,
// numbers and dates in the venue's zone, a small element builder, calls
// to the API, and field errors shown next to their inputs.
import { parseAmount } from "./amount";

export const lang = document.documentElement.lang === "en" ? "en" : "fr";
const locale = lang + "-CA";

let strings: Record<string, string> | undefined;

// T returns the string for key from the page's org-text, formatted with
// args as the Go side's %s and %d would be.
export function T(key: string, ...args: (string | number)[]): string {
  if (!strings) {
    try {
      strings = JSON.parse(document.getElementById("org-text")?.textContent || "{}");
    } catch {
      strings = {};
    }
  }
  return format(strings?.[key] ?? key, ...args);
}

// format replaces %s and %d with args in order, and %% with %.
export function format(f: string, ...args: (string | number)[]): string {
  let i = 0;
  return f.replace(/%[sd%]/g, (m) => (m === "%%" ? "%" : String(args[i++] ?? "")));
}

// plural formats key.one or key.other with n: French uses the singular
// for 0 and 1, English for 1 only.
export function plural(key: string, n: number, words?: Record<string, string>): string {
  const one = lang === "fr" ? n <= 1 : n === 1;
  const k = key + (one ? ".one" : ".other");
  return words ? format(words[k] || "%s", num(n)) : T(k, num(n));
}

export function num(n: number): string {
  return new Intl.NumberFormat(locale).format(n);
}

export function money(amount: number, currency = "cad"): string {
  return new Intl.NumberFormat(locale, { style: "currency", currency: currency.toUpperCase() }).format(amount / 100);
}

// zoneOf is the time zone of a venue that sells in currency, as the
// server's zoneOf: Québec for dollars, France for euros.
export function zoneOf(currency: string): string {
  return currency === "eur" ? "Europe/Paris" : "America/Toronto";
}

export function dateText(iso: string, currency: string, withTime = true): string {
  const opts: Intl.DateTimeFormatOptions = { dateStyle: "full", timeZone: zoneOf(currency) };
  if (withTime) opts.timeStyle = "short";
  return new Intl.DateTimeFormat(locale, opts).format(new Date(iso));
}

function wall(d: Date, zone: string): Record<string, number> {
  const f = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });
  const p: Record<string, number> = {};
  for (const x of f.formatToParts(d)) p[x.type] = Number(x.value);
  return p;
}

const pad = (n: number) => String(n).padStart(2, "0");

// toLocal writes an instant as a datetime-local value in zone.
export function toLocal(iso: string | Date, zone: string): string {
  const p = wall(new Date(iso), zone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

// toISO reads a datetime-local value as a wall time in zone (the venue's,
// whatever the laptop's own), or "" when it is not one.
export function toISO(local: string, zone: string): string {
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d))?/.exec(local);
  if (!m) return "";
  const want = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0));
  let guess = want;
  for (let i = 0; i < 3; i++) {
    const p = wall(new Date(guess), zone);
    guess += want - Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  }
  return new Date(guess).toISOString();
}

type Child = Node | string | null | undefined | false;

// h builds an element: attributes (a false or null one is left out,
// "text" sets the text), then children.
export function h(tag: string, attrs: Record<string, string | number | boolean | null | undefined> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === "text") el.textContent = String(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c) el.append(c);
  return el;
}

// newKey returns a fresh idempotency key. crypto.randomUUID exists only on
// secure origins; getRandomValues everywhere.
export function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// ApiError is an API's refusal: its status, code and the fields it names.
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    public fields: Record<string, string>,
  ) {
    super(code);
  }
}

// api calls the API with the page's session cookie (same origin): JSON in,
// JSON out; a refusal is an ApiError, a network failure an Error.
export async function api<T>(path: string, method = "GET", body?: unknown, key?: string): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (key) headers["Idempotency-Key"] = key;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data?.error?.code || "", data?.error?.fields || {});
  return data as T;
}

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
const isControl = (el: Element): el is Control => /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName);

export function clearErrors(form: ParentNode): void {
  for (const el of form.querySelectorAll<HTMLElement>("[data-api-field]")) {
    el.removeAttribute("aria-invalid");
    const e = isControl(el) ? document.getElementById(el.id + "-error") : el;
    if (e) {
      e.textContent = "";
      e.hidden = true;
    }
  }
  const f = form.querySelector("[data-form-error]");
  if (f) f.textContent = "";
}

// showErrors puts the API's field errors next to the inputs (or the
// fieldsets' error lines) that name them, with the messages the server
// wrote in data-error, and focuses the first; it reports whether any was
// shown.
export function showErrors(form: ParentNode, fields: Record<string, string>): boolean {
  let first: HTMLElement | undefined;
  for (const el of form.querySelectorAll<HTMLElement>("[data-api-field]")) {
    if (!(el.dataset.apiField || "").split(" ").some((n) => n in fields)) continue;
    const e = isControl(el) ? document.getElementById(el.id + "-error") : el;
    if (isControl(el)) el.setAttribute("aria-invalid", "true");
    if (e) {
      e.textContent = el.dataset.error || "";
      e.hidden = false;
    }
    first ??= isControl(el) ? el : (el.closest("fieldset")?.querySelector<HTMLElement>("input, select, textarea") ?? undefined);
  }
  first?.focus();
  return first !== undefined;
}

// say writes text in the element (a live region, most often).
export function say(el: Element | null | undefined, text: string): void {
  if (el) el.textContent = text;
}

// amountOf reads an amount typed in either language ("12", "12,50") in
// minor units, as the purchase form does; null when it is not one, 0 when
// empty.
export function amountOf(s: string): number | null {
  return s.trim() === "" ? 0 : parseAmount(s);
}

// whenVisible runs fn every ms while the page is shown, and at once when
// it is shown again.
export function whenVisible(fn: () => void, ms: number): void {
  window.setInterval(() => {
    if (document.visibilityState === "visible") fn();
  }, ms);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") fn();
  });
}

// copyFrom copies a field's text, or selects it when the clipboard is
// refused, and says which in status.
export async function copyFrom(field: HTMLInputElement | HTMLTextAreaElement, status: Element | null, ok: string, failed: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(field.value);
    say(status, ok);
  } catch {
    field.focus();
    field.select();
    say(status, failed);
  }
}
