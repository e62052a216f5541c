// The admin's form that creates a town's programme: its name and town, its
// fund, its bonus (tiers, or a percentage with a cap), what one person may
// buy, the cards' bounds, when the bonus ends and when the cards sell, the
// waiting list and the organisers. It posts JSON to
// /api/v1/admin/programmes and shows the API's refusals by their fields,
// in the page's words.
import { parseAmount } from "./amount";
import { Api, busy, clearErrors, explain, fieldError, formError, showFieldErrors, t } from "./merchant_api";
import { toISO, zoneOf } from "./org_dom";

export function initProgrammeForm(scope: HTMLElement, api: Api): void {
  const form = scope.querySelector<HTMLFormElement>("form[data-programme-form]");
  const tiers = form?.querySelector<HTMLTableSectionElement>("[data-tiers]");
  const done = scope.querySelector<HTMLElement>("[data-prog-done]");
  if (!form || !tiers || !done) return;
  let rows = 0;

  // A tier: from which amount, what bonus; its inputs named by row for the
  // API's errors (bonus.tiers[0].from).
  const addTier = (from = "", bonus = "") => {
    const i = rows++;
    const tr = tiers.insertRow();
    const cell = (name: string, value: string, label: string) => {
      const td = tr.insertCell();
      const id = `palier-${i}-${name}`;
      const l = document.createElement("label");
      l.className = "visually-hidden";
      l.htmlFor = id;
      l.textContent = `${label} (${t("admin.prog.tier.row", String(i + 1))})`;
      const input = document.createElement("input");
      // The default value too: a reset after a creation brings it back.
      Object.assign(input, { id, defaultValue: value, value, type: "text", inputMode: "decimal", autocomplete: "off" });
      input.dataset.tier = name;
      input.dataset.apiField = `bonus.tiers[${i}].${name} bonus.tiers.${name} bonus.tiers bonus`;
      input.dataset.error = t("admin.prog.error.tier");
      input.setAttribute("aria-describedby", id + "-error");
      const err = document.createElement("span");
      err.className = "field-error";
      err.id = id + "-error";
      err.hidden = true;
      td.append(l, input, err);
    };
    cell("from", from, t("admin.prog.tier.from"));
    cell("bonus", bonus, t("admin.prog.tier.bonus"));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button button-secondary button-small";
    remove.textContent = t("admin.prog.tier.remove");
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " " + t("admin.prog.tier.row", String(i + 1));
    remove.append(hidden);
    remove.addEventListener("click", () => {
      tr.remove();
      form.querySelector<HTMLButtonElement>("[data-add-tier]")?.focus();
    });
    tr.insertCell().append(remove);
  };
  addTier("20", "10");
  addTier("50", "50");
  form.querySelector("[data-add-tier]")?.addEventListener("click", () => {
    addTier();
    tiers.querySelector<HTMLInputElement>("tr:last-child input")?.focus();
  });

  // Tiers or a percentage: only the chosen one shows.
  const kind = () => form.querySelector<HTMLInputElement>("input[name=bonus_kind]:checked")?.value || "tiers";
  const showKind = () => {
    for (const box of form.querySelectorAll<HTMLElement>("[data-bonus]")) box.hidden = box.dataset.bonus !== kind();
  };
  for (const r of form.querySelectorAll<HTMLInputElement>("input[name=bonus_kind]")) r.addEventListener("change", showKind);
  showKind();

  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  const text = (name: string) => field(name)?.value.trim() || "";

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    done.hidden = true;
    const currency = text("currency") || "cad";
    const zone = zoneOf(currency);
    const bad: HTMLInputElement[] = [];
    // money reads an amount field, null when left empty.
    const money = (el: HTMLInputElement | null, required = false) => {
      const v = el?.value.trim() || "";
      if (!el || (v === "" && !required)) return null;
      const amount = parseAmount(v);
      if (amount === null) {
        bad.push(el);
        return null;
      }
      return { amount, currency };
    };
    const count = (name: string) => {
      const v = text(name);
      if (v === "") return 0;
      if (!/^\d+$/.test(v)) bad.push(field(name));
      return Number(v);
    };
    // A day starts, or ends (the day included), in the programme's zone.
    const day = (name: string, end: boolean) => {
      const v = text(name);
      return v ? toISO(v + (end ? "T23:59" : "T00:00"), zone) || undefined : undefined;
    };

    const body: Record<string, unknown> = {
      name: text("name"), city: text("city"), currency, description: (field("description")?.value || "").trim(),
      fund: money(field("fund"), true), waitlist: field("waitlist")?.checked || false,
      caps: { cards_per_buyer: count("cards_per_buyer") },
      organisers: text("organisers").split(/[\s,;]+/).filter(Boolean),
    };
    if (text("slug")) body.slug = text("slug");
    const per = money(field("amount_per_buyer"));
    if (per) (body.caps as Record<string, unknown>).amount_per_buyer = per;
    for (const name of ["min_amount", "max_amount"]) {
      const m = money(field(name));
      if (m) body[name] = m;
    }
    if (kind() === "tiers") {
      const list: { from: unknown; bonus: unknown }[] = [];
      for (const tr of Array.from(tiers.rows)) {
        const [from, bonus] = Array.from(tr.querySelectorAll<HTMLInputElement>("input"));
        if (from.value.trim() === "" && bonus.value.trim() === "") continue;
        list.push({ from: money(from, true), bonus: money(bonus, true) });
      }
      body.bonus = { tiers: list };
    } else {
      const bonus: Record<string, unknown> = { percent: count("percent") };
      const max = money(field("max_per_card"));
      if (max) bonus.max_per_card = max;
      body.bonus = bonus;
    }
    body.bonus_expires_at = day("bonus_expires_at", true);
    const opens = day("sales_open_at", false);
    const closes = day("sales_close_at", true);
    if (opens) body.sales_open_at = opens;
    if (closes) body.sales_close_at = closes;
    if (bad.length > 0) {
      for (const el of bad) fieldError(el, el.dataset.error || t("api.invalid"));
      bad[0].focus();
      return;
    }

    busy(form, true);
    const res = await api.call<{ slug: string; name: string }>("POST", "/admin/programmes", body);
    busy(form, false);
    if (!res.ok) {
      const e = res.error;
      // organisers[2] and bonus.tiers[1] name their list too.
      const named: Record<string, string> = { ...(e.fields || {}) };
      for (const k of Object.keys(named)) named[k.replace(/\[\d+\]/g, "")] = named[k];
      if (e.status === 409) named.slug = "taken";
      // The API's own words name fields in English: the page says it in its own.
      if (!showFieldErrors(form, named)) formError(form, e.status === 400 ? t("api.invalid") : explain(e));
      return;
    }
    const p = res.data;
    const link = (href: string, label: string) => {
      const a = document.createElement("a");
      a.href = href;
      a.textContent = label;
      return a;
    };
    const line = document.createElement("p");
    line.append(link("/p/" + encodeURIComponent(p.slug), t("admin.prog.see")), " · ",
      link("/organisation/programmes/" + encodeURIComponent(p.slug), t("admin.prog.dash")));
    const title = document.createElement("p");
    title.textContent = t("admin.prog.created", p.name);
    done.replaceChildren(title, line);
    done.hidden = false;
    form.reset();
    showKind();
    done.tabIndex = -1;
    done.focus();
  });
}
