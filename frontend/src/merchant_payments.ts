// Payments: where the merchant's Stripe account stands, asked of Stripe as
// the page opens (GET /merchant/payments), so that an owner back from
// Stripe's pages sees the truth without waiting for a webhook; what Stripe
// still needs, in plain words; and the button that starts or resumes
// Stripe's onboarding (POST /merchant/payments/onboarding, then Stripe's
// page). Stripe comes back to /commerce/paiements?retour=1 when done, and
// to ?refresh=1 when its link expired: a new one is asked for at once.
import { Api, ApiError, Result, explain, lang, startSession, t } from "./merchant_api";

// PaymentsState is the API's answer.
export interface PaymentsState {
  status: "ready" | "onboarding" | "not_started";
  demo?: boolean;
  url?: string;
  account?: string;
  charges_enabled: boolean;
  payouts_enabled: boolean;
  due: { key: string; text: string }[];
  disabled_reason?: string;
  explanation?: string;
  checked_at?: string;
}

// startOnboarding asks for Stripe's onboarding page; the API answers with
// its link while the account still needs something, or the state at once
// (ready, or demo payments).
export function startOnboarding(api: Api): Promise<Result<PaymentsState>> {
  return api.call<PaymentsState>("POST", "/merchant/payments/onboarding");
}

// refusal says why onboarding could not start: the platform's payments do
// not cover the merchant's country (the API words it in French), or what
// any call may meet.
export function refusal(e: ApiError): string {
  if (e.code === "region_not_supported") return lang === "fr" && e.message ? e.message : t("payments.region");
  return explain(e);
}

// dueText says what a Stripe requirement asks for: the API's words in
// French; in English the longest key of the table that matches, else the
// key itself. A person's requirements are keyed by the person's id.
function dueText(d: { key: string; text: string }): string {
  if (lang === "fr" && d.text) return d.text;
  const parts = (d.key.startsWith("person_") ? "person" : d.key).split(".");
  for (let n = parts.length; n > 0; n--) {
    const key = "payments.due." + parts.slice(0, n).join(".");
    const text = t(key);
    if (text !== key) return text;
  }
  return d.key;
}

// reasonText says why Stripe does not allow payments yet.
function reasonText(st: PaymentsState): string {
  const r = st.disabled_reason || "";
  if (!r) return "";
  if (lang === "fr" && st.explanation) return st.explanation;
  const kind = r.startsWith("requirements.") ? "requirements" : r.startsWith("rejected.") ? "rejected" : r;
  const key = "payments.reason." + kind;
  const text = t(key);
  return text !== key ? text : t("payments.reason.other", r);
}

export function initPayments(scope: HTMLElement): void {
  const $ = <T extends HTMLElement = HTMLElement>(sel: string) => scope.querySelector<T>(sel)!;
  const api = new Api();
  const alert = $("[data-alert]");
  const state = $("[data-status]");
  const details = $("[data-details]");
  const button = $<HTMLButtonElement>("[data-onboard]");
  const arrival = scope.dataset.arrival || "";
  let last: PaymentsState | null = null;
  let polls = 0;

  const say = (text: string, kind: string) => {
    state.textContent = text;
    state.className = "notice notice-" + kind + " payments-state";
  };
  const waiting = (text: string) => {
    say(text, "info");
    details.setAttribute("aria-busy", "true");
  };
  const show = (el: HTMLElement, text: string) => {
    el.textContent = text;
    el.hidden = !text;
  };

  const render = (st: PaymentsState) => {
    last = st;
    details.removeAttribute("aria-busy");
    const ready = st.status === "ready" || !!st.demo;
    const verifying = st.status === "onboarding" && st.due.length === 0 && !st.charges_enabled;
    if (ready) say(t("payments.ready"), "success");
    else if (st.status === "onboarding") say(t(verifying ? "payments.verifying" : "payments.onboarding"), "postponed");
    else say(t("payments.notstarted"), "info");
    show($("[data-state-text]"), st.status === "not_started" && !st.demo ? t("payments.notstarted.text") : "");
    const list = $("[data-due]");
    list.replaceChildren(...(st.demo ? [] : st.due).map((d) => {
      const li = document.createElement("li");
      li.textContent = dueText(d);
      return li;
    }));
    $("[data-due-box]").hidden = list.children.length === 0;
    show($("[data-explanation]"), st.demo ? "" : reasonText(st));
    show($("[data-payouts]"), st.demo || st.status === "not_started" ? "" : t(st.payouts_enabled ? "payments.payouts.on" : "payments.payouts.off"));
    $("[data-demo]").hidden = !st.demo;
    show($("[data-checked]"), st.checked_at && !st.demo
      ? t("payments.checked", new Intl.DateTimeFormat(lang + "-CA", { timeStyle: "short" }).format(new Date(st.checked_at)))
      : "");
    button.hidden = ready;
    button.disabled = false;
    button.textContent = t(st.status === "onboarding" ? "payments.continue" : "payments.start");
    // Stripe checks what the owner just sent: the page follows it, a
    // while, without asking Stripe too often.
    if (verifying && arrival === "retour" && polls < 12) {
      polls++;
      window.setTimeout(check, 10_000);
    }
  };

  const check = async () => {
    const res = await api.call<PaymentsState>("GET", "/merchant/payments");
    if (!res.ok) {
      details.removeAttribute("aria-busy");
      state.textContent = "";
      alert.textContent = explain(res.error);
      return;
    }
    render(res.data);
  };

  // onboard asks Stripe's page and goes there; the button stays disabled
  // until the answer, so that a double click asks once.
  const onboard = async () => {
    if (button.disabled) return;
    button.disabled = true;
    alert.textContent = "";
    waiting(t("payments.going"));
    const res = await startOnboarding(api);
    if (res.ok && res.data.url) {
      location.assign(res.data.url);
      return;
    }
    if (res.ok) return render(res.data);
    alert.textContent = refusal(res.error);
    if (last) render(last);
    else await check();
    button.focus();
  };
  button.addEventListener("click", onboard);

  startSession(api, scope, (text) => {
    details.removeAttribute("aria-busy");
    alert.textContent = text;
  }, false).then(async (s) => {
    if (!s) return;
    if (!s.member) {
      details.removeAttribute("aria-busy");
      alert.textContent = t("session.none");
      return;
    }
    // Stripe's expired link: a new one at once, without a click.
    if (arrival === "refresh") {
      history.replaceState(null, "", location.pathname);
      waiting(t("payments.refresh"));
      const res = await startOnboarding(api);
      if (res.ok && res.data.url) {
        location.assign(res.data.url);
        return;
      }
      if (res.ok) return render(res.data);
      alert.textContent = refusal(res.error);
    }
    await check();
  });
}
