// The buy island. The purchase form is a plain POST form that works
// without JavaScript (the server answers with the payment page, or the
// form again with its errors). With this island the form posts JSON to
// /api/v1/checkout instead, shows the API's errors next to the right
// fields without a page load, follows the amount in the summary, counts
// the message's characters, and then goes to the payment page.
//
// Every checkout carries an Idempotency-Key, made once per form and kept
// while the request stays the same: a double click or a retry after a lost
// answer gets the first answer (the same order), never a second order. A
// request that changed (a field corrected after an error) gets a new key,
// since the API refuses a key reused with another body.
//
// The same island buys a town's card (a programme_card item, data-kind),
// with or without its bonus: once the fund cannot cover it, the form says
// so and offers the card without bonus.
//
// Every text comes from the server in data- attributes: all of the
// interface's strings live in the Go translations table.
import { parseAmount } from "./amount";
import { withOffset } from "./zone";

type Field = HTMLInputElement | HTMLTextAreaElement;

interface Answer {
  checkout_url?: string;
  error?: { code?: string; fields?: Record<string, string> };
}

export function initBuy(root: Document): void {
  const form = root.querySelector<HTMLFormElement>("form[data-buy]");
  const submit = form?.querySelector<HTMLButtonElement>("[data-buy-submit]");
  if (!form || !submit || typeof fetch !== "function") return;
  const data = form.dataset;
  const lang = root.documentElement.lang === "en" ? "en" : "fr";
  const money = new Intl.NumberFormat(lang + "-CA", { style: "currency", currency: (data.currency || "cad").toUpperCase() });
  const other = form.querySelector<HTMLInputElement>("input[name=amount_other]");
  const radios = Array.from(form.querySelectorAll<HTMLInputElement>("input[name=amount]"));
  const fields = Array.from(form.querySelectorAll<Field>("[data-api-field]"));
  const summary = form.querySelector<HTMLElement>("[data-buy-errors]");
  const list = form.querySelector<HTMLElement>("[data-buy-error-list]");
  const formError = form.querySelector<HTMLElement>("[data-buy-error]");
  const value = (name: string) => (form.querySelector<Field>(`[name=${name}]`)?.value || "").trim();

  let key = newKey();
  let sent = "";
  let busy = false;

  // The amount in minor units: the one typed, else the one picked; -1 when
  // what is typed is not an amount.
  const amount = (): number => {
    if (other && other.value.trim() !== "") return parseAmount(other.value) ?? -1;
    const picked = radios.find((r) => r.checked);
    return picked ? Number(picked.value) : 0;
  };
  const showAmount = () => {
    const a = amount();
    const text = a > 0 ? money.format(a / 100) : data.valueNone || "";
    for (const el of form.querySelectorAll<HTMLElement>("[data-buy-value]")) el.textContent = text;
  };
  // One amount at a time: typing one drops the pick, picking one clears
  // what was typed.
  other?.addEventListener("input", () => {
    if (other.value.trim() !== "") for (const r of radios) r.checked = false;
    showAmount();
  });
  for (const r of radios) {
    r.addEventListener("change", () => {
      if (other) other.value = "";
      showAmount();
    });
  }
  showAmount();
  initCounter(form, lang);

  const errorOf = (el: Field) => root.getElementById(el.id + "-error");
  const clearErrors = () => {
    for (const el of fields) {
      el.removeAttribute("aria-invalid");
      const e = errorOf(el);
      if (e) {
        e.textContent = "";
        e.hidden = true;
      }
    }
    list?.replaceChildren();
    if (summary) summary.hidden = true;
    say("");
  };
  const say = (text: string | undefined) => {
    if (formError) formError.textContent = text || "";
  };
  // showErrors puts the API's field errors next to their inputs, with the
  // message the server wrote for each, and lists them above the form.
  const showErrors = (named: Record<string, string>) => {
    const bad = fields.filter((el) => (el.dataset.apiField || "").split(" ").some((n) => n in named));
    if (bad.length === 0 || !summary || !list) {
      say(data.errorInvalid);
      return;
    }
    for (const el of bad) {
      const text = el.dataset.error || "";
      el.setAttribute("aria-invalid", "true");
      const e = errorOf(el);
      if (e) {
        e.textContent = text;
        e.hidden = false;
      }
      const link = root.createElement("a");
      link.href = "#" + el.id;
      link.textContent = text;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        el.focus();
      });
      const item = root.createElement("li");
      item.append(link);
      list.append(item);
    }
    summary.hidden = false;
    summary.focus();
  };
  const setBusy = (on: boolean) => {
    busy = on;
    submit.disabled = on;
    const other = form.querySelector<HTMLButtonElement>("[data-buy-nobonus]");
    if (other) other.disabled = on;
    form.setAttribute("aria-busy", String(on));
  };

  const nobonus = form.querySelector<HTMLElement>("[data-buy-nobonus-box]");
  const request = (without: boolean) => {
    const kind = data.kind || "gift_certificate";
    const item: Record<string, unknown> = { kind, amount: Math.max(amount(), 0) };
    if (kind === "programme_card") {
      item.programme = data.programme;
      if (without || form.querySelector("input[type=hidden][name=without_bonus]")) item.without_bonus = true;
    } else item.merchant = data.merchant;
    if (form.querySelector<HTMLInputElement>("input[name=for][value=gift]")?.checked) {
      const recipient: Record<string, string> = { name: value("recipient_name"), email: value("recipient_email"), message: value("message") };
      // A day to send it on, typed in the phone's time, with its offset.
      if (value("deliver_at")) recipient.deliver_at = withOffset(value("deliver_at"));
      item.recipient = recipient;
    }
    return { buyer: { email: value("email"), name: value("name") }, items: [item], lang };
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    clearErrors();
    const body = JSON.stringify(request((event.submitter as HTMLButtonElement | null)?.name === "without_bonus"));
    if (body !== sent) {
      if (sent !== "") key = newKey();
      sent = body;
    }
    setBusy(true);
    try {
      for (let attempt = 0; ; attempt++) {
        const res = await fetch("/api/v1/checkout", {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json", "Idempotency-Key": key },
          body,
        });
        const answer: Answer = await res.json().catch(() => ({}));
        if (res.ok && answer.checkout_url) {
          location.assign(answer.checkout_url);
          return; // the button stays disabled while the payment page loads
        }
        const code = answer.error?.code;
        if (code === "request_in_progress" && attempt < 5) {
          await new Promise((resolve) => window.setTimeout(resolve, 1000));
          continue;
        }
        if (res.status === 400 && answer.error?.fields) showErrors(answer.error.fields);
        else if (res.status === 429) say(data.errorBusy);
        else if (code === "merchant_not_ready") say(data.errorNotready);
        else if (code === "fund_exhausted") {
          say(data.errorFund);
          if (nobonus) nobonus.hidden = false;
          root.querySelector<HTMLElement>("[data-waitlist-box]")?.removeAttribute("hidden");
        } else if (code === "cap_reached") say(data.errorCap);
        else if (code === "programme_closed") say(data.errorClosed);
        else if (res.status === 400) say(data.errorInvalid);
        else say(data.errorFailed);
        break;
      }
    } catch {
      say(data.errorFailed); // no answer: the same request, retried, keeps its key
    }
    setBusy(false);
  });
  // Back from the payment page, the browser may show this page as it was
  // left: with its button still disabled.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) setBusy(false);
  });
}

// newKey returns a fresh idempotency key. crypto.randomUUID exists only on
// secure origins; getRandomValues everywhere.
function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// initCounter shows how many characters the message may still take. The
// visible count follows every key; screen readers hear it once typing
// pauses, not at every key.
function initCounter(form: HTMLFormElement, lang: string): void {
  const box = form.querySelector<HTMLTextAreaElement>("textarea[maxlength]");
  const count = form.querySelector<HTMLElement>("[data-count]");
  if (!box || !count) return;
  const live = document.createElement("span");
  live.className = "visually-hidden";
  live.setAttribute("aria-live", "polite");
  count.after(live);
  let timer: number | undefined;
  const update = () => {
    const left = Math.max(box.maxLength - box.value.length, 0);
    const one = lang === "en" ? left === 1 : left <= 1;
    const text = ((one ? form.dataset.countOne : form.dataset.countOther) || "%s").replace("%s", String(left));
    count.textContent = text;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => (live.textContent = text), 800);
  };
  count.hidden = false;
  box.addEventListener("input", update);
  update();
  window.clearTimeout(timer);
  live.textContent = "";
}
