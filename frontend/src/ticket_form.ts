// The ticket purchase island of an event page. The form is a plain POST to
// /e/{id}/billets that works without JavaScript; with this island it posts
// JSON to /api/v1/checkout instead (one item per ticket type picked, and
// the solidarity ticket), with an Idempotency-Key kept while the request
// stays the same, shows the API's errors next to the right pickers and
// fields, follows the total, then goes to the payment page. As with the
// gift certificates' form, every text comes from the server.
import { parseAmount } from "./amount";
import { lang, money, newKey } from "./org_dom";

type Field = HTMLInputElement | HTMLSelectElement;

interface Answer {
  checkout_url?: string;
  error?: { code?: string; fields?: Record<string, string> };
}

export function initTicketForm(root: Document): void {
  const form = root.querySelector<HTMLFormElement>("form[data-tickets]");
  const submit = form?.querySelector<HTMLButtonElement>("[data-buy-submit]");
  if (!form || !submit || typeof fetch !== "function") return;
  const data = form.dataset;
  const currency = data.currency || "cad";
  const pickers = Array.from(form.querySelectorAll<HTMLSelectElement>("select[data-type]"));
  const solidarity = form.querySelector<HTMLInputElement>("input[name=solidarity_amount]");
  const email = form.querySelector<HTMLInputElement>("input[name=email]");
  const name = form.querySelector<HTMLInputElement>("input[name=name]");
  const summary = form.querySelector<HTMLElement>("[data-buy-errors]");
  const list = form.querySelector<HTMLElement>("[data-buy-error-list]");
  const formError = form.querySelector<HTMLElement>("[data-buy-error]");
  const total = form.querySelector<HTMLElement>("[data-tickets-total]");

  let key = newKey();
  let sent = "";
  let busy = false;

  const amount = () => (solidarity && solidarity.value.trim() !== "" ? parseAmount(solidarity.value) : 0);
  const showTotal = () => {
    let sum = Math.max(amount() ?? 0, 0);
    for (const p of pickers) sum += Number(p.dataset.price) * Number(p.value);
    if (total) total.textContent = sum > 0 ? money(sum, currency) : data.valueNone || "";
  };
  form.addEventListener("change", showTotal);
  solidarity?.addEventListener("input", showTotal);
  showTotal();

  const say = (text: string | undefined) => {
    if (formError) formError.textContent = text || "";
  };
  const fields = (): Field[] => [...pickers, ...[solidarity, email, name].filter((f): f is HTMLInputElement => !!f)];
  const clearErrors = () => {
    for (const el of fields()) {
      el.removeAttribute("aria-invalid");
      const e = root.getElementById(el.id + "-error");
      if (e) {
        e.textContent = "";
        e.hidden = true;
      }
    }
    list?.replaceChildren();
    if (summary) summary.hidden = true;
    say("");
  };
  // showErrors puts the API's field errors next to the fields they name,
  // with the server's messages, and lists them above the form.
  const showErrors = (named: Record<string, string>, names: Map<Field, string[]>) => {
    const bad = fields().filter((el) => (names.get(el) || []).some((n) => n in named));
    if (bad.length === 0 || !summary || !list) {
      say("items" in named ? data.errorNone : data.errorInvalid);
      return;
    }
    for (const el of bad) {
      const text = el.dataset.error || "";
      el.setAttribute("aria-invalid", "true");
      const e = root.getElementById(el.id + "-error");
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
    form.setAttribute("aria-busy", String(on));
  };

  // request is the checkout the form describes, with the API's names of
  // each field's errors: an item is named by its place in items.
  const request = () => {
    const items: Record<string, unknown>[] = [];
    const names = new Map<Field, string[]>();
    const item = (el: Field, it: Record<string, unknown>) => {
      const i = items.length;
      names.set(el, [`items[${i}].quantity`, `items[${i}].ticket_type`, `items[${i}].amount`, `items[${i}].kind`]);
      items.push({ event: data.event, ...it });
    };
    for (const p of pickers) {
      if (Number(p.value) > 0) item(p, { kind: "ticket", ticket_type: p.dataset.type, quantity: Number(p.value) });
    }
    if (solidarity && solidarity.value.trim() !== "") {
      item(solidarity, { kind: "solidarity_ticket", amount: Math.max(amount() ?? 0, 0) });
    }
    if (email) names.set(email, ["buyer.email"]);
    if (name) names.set(name, ["buyer.name"]);
    return { body: { buyer: { email: email?.value.trim() || "", name: name?.value.trim() || "" }, items, lang }, names };
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    clearErrors();
    const { body: req, names } = request();
    if (solidarity && amount() === null) {
      showErrors({ solidarity: "" }, new Map([[solidarity, ["solidarity"]]]));
      return;
    }
    if (req.items.length === 0) {
      say(data.errorNone);
      submit.focus();
      return;
    }
    const body = JSON.stringify(req);
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
        if (code === "event_not_on_sale") say(data.errorNotonsale);
        else if ((res.status === 400 || code === "sold_out") && answer.error?.fields) showErrors(answer.error.fields, names);
        else if (res.status === 429) say(data.errorBusy);
        else if (code === "merchant_not_ready") say(data.errorNotready);
        else if (res.status === 400) say(data.errorInvalid);
        else say(data.errorFailed);
        break;
      }
    } catch {
      say(data.errorFailed); // no answer: the same request, retried, keeps its key
    }
    setBusy(false);
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) setBusy(false);
  });
}
