// The merchant's own page, from a phone (/commerce/page): today's status,
// photos (uploaded with their progress, reordered, the first one the
// cover, deleted after a confirmation), the text, the opening hours by
// day, the links and the amounts. GET and PATCH /merchant/profile.
import {
  Api, busy, clearErrors, confirmDialog, explain, fieldError, formError, may, showFieldErrors, showNeeds, startSession, t, value,
} from "./merchant_api";
import { parseAmount } from "./amount";
import { StatusState, statusPanel } from "./merchant_status";

export interface Photo {
  id: string;
  url: string;
  srcset: string;
  width: number;
  height: number;
  position: number;
  cover: boolean;
  hidden: boolean;
  hidden_reason: string;
}

interface Hours {
  day: number;
  opens: string;
  closes: string;
}

interface Profile extends StatusState {
  slug: string;
  name: string;
  summary: string;
  description: string;
  description_en: string;
  address: string;
  hours: Hours[];
  links: { website: string; facebook: string; instagram: string };
  suggested_amounts: number[];
  min_amount: number;
  max_amount: number;
  currency: string;
  photos: Photo[];
  followers: number;
}

const maxPhotos = 6;
const maxSpans = 3;

// decimal writes minor units as the merchant types them: "25", "25,50".
function decimal(n: number, fr: boolean): string {
  const s = n % 100 === 0 ? String(n / 100) : (n / 100).toFixed(2);
  return fr ? s.replace(".", ",") : s;
}

export function initPage(scope: HTMLElement): void {
  const $ = <T extends HTMLElement = HTMLElement>(sel: string) => scope.querySelector<T>(sel)!;
  const api = new Api();
  const alert = $("[data-alert]");
  const news = $("[data-status]");
  const fail = (text: string) => {
    alert.textContent = text;
  };
  const say = (text: string) => {
    alert.textContent = "";
    news.textContent = text;
    news.hidden = false;
  };
  const fr = document.documentElement.lang !== "en";
  let profile: Profile;

  startSession(api, scope, fail, false).then(async (s) => {
    $("[data-loading]").hidden = true;
    if (!s) return;
    if (!s.member) return fail(t("session.none"));
    showNeeds(scope, s);
    if (!may(s, "page")) return fail(t("api.forbidden"));
    const res = await api.call<Profile>("GET", "/merchant/profile");
    if (!res.ok) return fail(explain(res.error));
    profile = res.data;
    $("[data-body]").hidden = false;
    const see = $<HTMLAnchorElement>("[data-see-link]");
    see.href = "/m/" + encodeURIComponent(profile.slug);
    $("[data-see-page]").hidden = false;
    statusPanel(scope, api, profile, profile.currency, fail, say);
    fill();
    photos(profile.photos);
  });

  // The form, filled from the profile.
  const form = $<HTMLFormElement>("[data-page-form]");
  const set = (name: string, v: string) => {
    const el = form.elements.namedItem(name) as HTMLInputElement | null;
    if (el) el.value = v;
  };
  const fill = () => {
    set("summary", profile.summary);
    set("description", profile.description);
    set("description_en", profile.description_en);
    set("address", profile.address);
    set("website", profile.links?.website || "");
    set("facebook", profile.links?.facebook || "");
    set("instagram", profile.links?.instagram || "");
    set("suggested_amounts", (profile.suggested_amounts || []).map((n) => decimal(n, fr)).join(fr ? " ; " : "; "));
    set("min_amount", profile.min_amount ? decimal(profile.min_amount, fr) : "");
    set("max_amount", profile.max_amount ? decimal(profile.max_amount, fr) : "");
    for (const day of scope.querySelectorAll<HTMLElement>("[data-day]")) {
      const d = Number(day.dataset.day);
      const spans = (profile.hours || []).filter((h) => h.day === d);
      day.querySelector("[data-spans]")!.replaceChildren();
      for (const h of spans) addSpan(day, h.opens, h.closes);
      (day.querySelector("[data-day-closed]") as HTMLInputElement).checked = spans.length === 0 && (profile.hours || []).length > 0;
      dayState(day);
    }
  };

  // Opening hours: up to three spans a day, or closed.
  const template = $<HTMLTemplateElement>("[data-span-template]");
  const addSpan = (day: HTMLElement, opens = "", closes = ""): HTMLInputElement => {
    const li = template.content.firstElementChild!.cloneNode(true) as HTMLElement;
    const o = li.querySelector<HTMLInputElement>("[data-opens]")!;
    const c = li.querySelector<HTMLInputElement>("[data-closes]")!;
    o.value = opens;
    c.value = closes;
    li.querySelector("[data-remove-span]")!.addEventListener("click", () => {
      li.remove();
      dayState(day);
      day.querySelector<HTMLButtonElement>("[data-add-span]")?.focus();
    });
    day.querySelector("[data-spans]")!.append(li);
    dayState(day);
    return o;
  };
  const dayState = (day: HTMLElement) => {
    const closed = (day.querySelector("[data-day-closed]") as HTMLInputElement).checked;
    const n = day.querySelectorAll("[data-spans] > li").length;
    const add = day.querySelector<HTMLButtonElement>("[data-add-span]")!;
    add.hidden = closed || n >= maxSpans;
    (day.querySelector("[data-spans]") as HTMLElement).hidden = closed;
  };
  for (const day of scope.querySelectorAll<HTMLElement>("[data-day]")) {
    day.querySelector("[data-add-span]")!.addEventListener("click", () => addSpan(day).focus());
    day.querySelector("[data-day-closed]")!.addEventListener("change", () => dayState(day));
  }
  const hours = (): Hours[] => {
    const out: Hours[] = [];
    for (const day of scope.querySelectorAll<HTMLElement>("[data-day]")) {
      if ((day.querySelector("[data-day-closed]") as HTMLInputElement).checked) continue;
      for (const li of day.querySelectorAll("[data-spans] > li")) {
        const opens = li.querySelector<HTMLInputElement>("[data-opens]")!.value;
        const closes = li.querySelector<HTMLInputElement>("[data-closes]")!.value;
        if (opens || closes) out.push({ day: Number(day.dataset.day), opens, closes });
      }
    }
    return out;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    news.hidden = true;
    // Amounts are read here, as the purchase form reads them.
    const bad: HTMLInputElement[] = [];
    const amount = (name: string): number | null => {
      const text = value(form, name);
      if (!text) return 0;
      const n = parseAmount(text);
      if (n === null) bad.push(form.elements.namedItem(name) as HTMLInputElement);
      return n;
    };
    const suggested = value(form, "suggested_amounts").split(/[;\s]+/).filter(Boolean).map((s) => parseAmount(s));
    if (suggested.some((n) => n === null)) bad.push(form.elements.namedItem("suggested_amounts") as HTMLInputElement);
    const min = amount("min_amount");
    const max = amount("max_amount");
    if (bad.length) {
      for (const el of bad) fieldError(el, el.dataset.error || t("api.invalid"));
      bad[0].focus();
      return;
    }
    const body: Record<string, unknown> = {
      summary: value(form, "summary"),
      description: value(form, "description"),
      description_en: value(form, "description_en"),
      address: value(form, "address"),
      hours: hours(),
      links: { website: value(form, "website"), facebook: value(form, "facebook"), instagram: value(form, "instagram") },
      suggested_amounts: suggested,
    };
    if (min) body.min_amount = min;
    if (max) body.max_amount = max;
    busy(form, true);
    const res = await api.call<Profile>("PATCH", "/merchant/profile", body);
    busy(form, false);
    if (!res.ok) {
      if (showFieldErrors(form, res.error.fields)) {
        // The hours' marker is no input: focus the first span instead.
        if (!form.contains(document.activeElement) || document.activeElement === form.querySelector("#page-heures")) {
          form.querySelector<HTMLInputElement>("[data-opens]")?.focus();
        }
        formError(form, t("api.errors"));
      } else formError(form, explain(res.error));
      return;
    }
    profile = res.data;
    fill();
    say(t("page.saved"));
  });

  // Photos: the list, its order and the upload.
  const list = $<HTMLOListElement>("[data-photos]");
  const none = $("[data-photos-none]");
  const input = $<HTMLInputElement>("[data-photo-input]");
  const add = $("[data-photo-add]");
  const full = $("[data-photo-full]");
  const progress = $("[data-photo-progress]");
  const bar = progress.querySelector("progress")!;
  const photoError = $("#page-photo-error");

  const reload = async (focus?: string) => {
    const res = await api.call<Profile>("GET", "/merchant/profile");
    if (!res.ok) return fail(explain(res.error));
    profile = res.data;
    photos(profile.photos);
    if (focus) list.querySelector<HTMLElement>(focus)?.focus();
  };

  const photos = (ps: Photo[]) => {
    ps = [...(ps || [])].sort((a, b) => a.position - b.position);
    none.hidden = ps.length > 0;
    add.hidden = ps.length >= maxPhotos;
    full.hidden = ps.length < maxPhotos;
    list.replaceChildren(...ps.map((p, i) => {
      const li = document.createElement("li");
      li.className = "photo-item";
      const img = document.createElement("img");
      img.src = p.url;
      img.srcset = p.srcset;
      img.sizes = "8rem";
      img.width = 128;
      img.height = p.width ? Math.round((128 * p.height) / p.width) : 96;
      img.alt = "";
      const label = document.createElement("p");
      const name = i === 0 ? t("page.photo.cover") : t("page.photo.n", i + 1);
      label.textContent = name;
      if (i === 0) label.className = "photo-cover";
      li.append(img, label);
      if (p.hidden) {
        const why = document.createElement("p");
        why.className = "notice notice-cancelled";
        why.textContent = t("page.photo.hidden", p.hidden_reason || "");
        li.append(why);
      }
      const actions = document.createElement("p");
      actions.className = "photo-actions";
      const button = (text: string, key: string, fn: () => void) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "button button-small button-secondary";
        b.textContent = text;
        b.dataset.photoAction = key;
        b.dataset.photo = p.id;
        const hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = " — " + name;
        b.append(hidden);
        b.addEventListener("click", fn);
        actions.append(b);
      };
      const move = (to: number, key: string) => async () => {
        const res = await api.call("PATCH", "/merchant/photos/" + encodeURIComponent(p.id), { position: to });
        if (!res.ok) return fail(explain(res.error));
        say(t("page.photo.moved", to + 1));
        await reload(`[data-photo="${p.id}"][data-photo-action="${key}"]`);
      };
      if (i > 0) button(t("page.photo.up"), "up", move(i - 1, "up"));
      if (i < ps.length - 1) button(t("page.photo.down"), "down", move(i + 1, "down"));
      button(t("page.photo.delete"), "delete", async () => {
        if (!(await confirmDialog(t("page.photo.confirm"), t("page.photo.yes")))) return;
        const res = await api.call("DELETE", "/merchant/photos/" + encodeURIComponent(p.id));
        if (!res.ok) return fail(explain(res.error));
        say(t("page.photo.deleted"));
        await reload();
        input.focus();
      });
      li.append(actions);
      return li;
    }));
  };

  // The upload: XMLHttpRequest, for its progress events.
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (!file) return;
    photoError.hidden = true;
    input.removeAttribute("aria-invalid");
    const data = new FormData();
    data.append("photo", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/merchant/photos");
    xhr.setRequestHeader("Accept", "application/json");
    if (api.merchant) xhr.setRequestHeader("X-Merchant", api.merchant);
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    const done = (text: string) => {
      progress.hidden = true;
      input.value = "";
      input.disabled = false;
      if (text) {
        fieldError(input, text);
        input.focus();
      }
    };
    xhr.addEventListener("load", async () => {
      if (xhr.status === 201) {
        done("");
        say(t("page.photo.sent"));
        await reload();
        return;
      }
      let message = "";
      try {
        message = JSON.parse(xhr.responseText)?.error?.message || "";
      } catch {
        message = "";
      }
      if (xhr.status === 415) done(t("page.photo.kind"));
      else if (xhr.status === 413 || xhr.status === 400) done(t("page.photo.big"));
      else if (xhr.status === 409) done(t("page.photo.full"));
      else done(explain({ status: xhr.status, code: "", message, retryAfter: Number(xhr.getResponseHeader("Retry-After")) || 0 }));
    });
    xhr.addEventListener("error", () => done(t("api.network")));
    bar.value = 0;
    progress.hidden = false;
    input.disabled = true;
    xhr.send(data);
  });
}
