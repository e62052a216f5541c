// The programme island, on a town's card page (/p/{slug}). The page works
// without it: the server shows the bonus of the amount sent, searches the
// shops with a plain GET form, and takes the waiting list's form. With it,
// the bonus of the amount being chosen shows as it changes (from the rule
// the page carries, as the server computes it), the shops are searched as
// one types, and the waiting list answers without a page load.
import { parseAmount } from "./amount";

interface Rule {
  percent: number;
  max: number;
  tiers: [number, number][];
}

// bonusFor is market.BonusRule.BonusFor: the highest tier the amount
// reaches, or a percent of it capped per card.
export function bonusFor(rule: Rule, amount: number): number {
  if (rule.tiers.length > 0) {
    let bonus = 0;
    for (const [from, b] of rule.tiers) if (amount >= from) bonus = b;
    return bonus;
  }
  const b = Math.floor((amount * rule.percent) / 100);
  return rule.max > 0 && b > rule.max ? rule.max : b;
}

const fill = (f: string | undefined, v: string) => (f || "%s").replace("%s", v);

export function initProgramme(root: Document): void {
  initCardBonus(root);
  initShops(root);
  initWaitlist(root);
}

// initCardBonus shows what the amount chosen gets, wherever the form says
// it (data-card-bonus, data-card-spend, data-card-total).
function initCardBonus(root: Document): void {
  const form = root.querySelector<HTMLFormElement>("form[data-buy][data-rule]");
  if (!form) return;
  const data = form.dataset;
  let rule: Rule;
  try {
    rule = JSON.parse(data.rule || "");
  } catch {
    return;
  }
  const lang = root.documentElement.lang === "en" ? "en" : "fr";
  const money = new Intl.NumberFormat(lang + "-CA", { style: "currency", currency: (data.currency || "cad").toUpperCase() });
  const other = form.querySelector<HTMLInputElement>("input[name=amount_other]");
  const without = () => !!form.querySelector("input[type=hidden][name=without_bonus]");
  const show = () => {
    const typed = other?.value.trim() || "";
    const picked = form.querySelector<HTMLInputElement>("input[name=amount]:checked");
    const amount = typed !== "" ? parseAmount(typed) ?? 0 : Number(picked?.value || 0);
    const min = Number(data.min || 0);
    const max = Number(data.max || Infinity);
    let text = data.bonusPick || "";
    let spend = "";
    if (amount > 0 && amount >= min && amount <= max) {
      const bonus = without() ? 0 : bonusFor(rule, amount);
      text = without() ? data.bonusWithout || "" : bonus > 0 ? fill(data.bonusSome, money.format(bonus / 100)) : data.bonusNone || "";
      spend = money.format((amount + bonus) / 100);
    }
    for (const el of form.querySelectorAll<HTMLElement>("[data-card-bonus]")) el.textContent = text;
    for (const el of form.querySelectorAll<HTMLElement>("[data-card-spend]")) el.textContent = spend ? fill(data.spend, spend) : "";
    for (const el of form.querySelectorAll<HTMLElement>("[data-card-total]")) el.textContent = spend || data.valueNone || "";
  };
  form.addEventListener("input", show);
  form.addEventListener("change", show);
  show();
}

// fold is the server's market.Fold: lower case, without accents.
const fold = (s: string) => s.normalize("NFD").replace(/\p{Mn}/gu, "").toLowerCase().trim();

// initShops searches the participating shops in the page as one types or
// picks a category; the address follows, so a search can be shared.
function initShops(root: Document): void {
  const form = root.querySelector<HTMLFormElement>("form[data-shop-filters]");
  const list = root.querySelector<HTMLElement>("[data-shops]");
  const summary = root.querySelector<HTMLElement>("[data-shops-summary]");
  if (!form || !list || !summary) return;
  const q = form.querySelector<HTMLInputElement>("[name=q]");
  const cat = form.querySelector<HTMLSelectElement>("[name=categorie]");
  const lang = root.documentElement.lang === "en" ? "en" : "fr";
  let timer: number | undefined;
  const update = () => {
    const words = fold(q?.value || "");
    const category = cat?.value || "";
    let shown = 0;
    const items = Array.from(list.children) as HTMLElement[];
    for (const li of items) {
      const hide = (category !== "" && li.dataset.category !== category) || !(li.dataset.name || "").includes(words);
      li.hidden = hide;
      if (!hide) shown++;
    }
    const d = summary.dataset;
    const one = lang === "fr" ? shown <= 1 : shown === 1;
    const text = shown === 0 ? d.none : shown === items.length ? d.all : fill(one ? d.one : d.other, String(shown));
    window.clearTimeout(timer);
    // Said once typing pauses, not at every key.
    timer = window.setTimeout(() => (summary.textContent = text || ""), 400);
    const params = new URLSearchParams();
    if (q?.value.trim()) params.set("q", q.value.trim());
    if (category) params.set("categorie", category);
    const query = params.toString();
    history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + "#commerces");
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    update();
  });
  form.addEventListener("input", update);
  form.addEventListener("change", update);
}

// initWaitlist joins the waiting list through the API.
function initWaitlist(root: Document): void {
  const form = root.querySelector<HTMLFormElement>("form[data-waitlist]");
  const input = form?.querySelector<HTMLInputElement>("input[name=email]");
  const done = root.querySelector<HTMLElement>("[data-waitlist-done]");
  const alert = form?.querySelector<HTMLElement>("[data-waitlist-error]");
  if (!form || !input || !done || !alert || typeof fetch !== "function") return;
  const error = root.getElementById(input.id + "-error");
  const button = form.querySelector<HTMLButtonElement>("button[type=submit]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    input.removeAttribute("aria-invalid");
    if (error) error.hidden = true;
    alert.textContent = "";
    if (button) button.disabled = true;
    form.setAttribute("aria-busy", "true");
    let status = 0;
    try {
      const res = await fetch(`/api/v1/programmes/${encodeURIComponent(form.dataset.waitlist || "")}/waitlist`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ email: input.value.trim(), lang: root.documentElement.lang === "en" ? "en" : "fr" }),
      });
      status = res.status;
    } catch {
      status = 0;
    }
    if (button) button.disabled = false;
    form.removeAttribute("aria-busy");
    if (status === 202) {
      form.hidden = true;
      done.hidden = false;
      done.tabIndex = -1;
      done.focus();
      return;
    }
    if (status === 400) {
      input.setAttribute("aria-invalid", "true");
      if (error) {
        error.textContent = input.dataset.error || "";
        error.hidden = false;
      }
      input.focus();
      return;
    }
    alert.textContent = (status === 429 ? form.dataset.errorBusy : form.dataset.errorFailed) || "";
  });
}
