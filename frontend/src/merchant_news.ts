// The merchant's news (/commerce/nouvelles): write a post (500 characters,
// counted as one types; a photo of the page, if any), the posts with their
// share link and its copy button, deleting one after a confirmation, the
// reason of a post the admin hid, and how many people follow (never who).
import { Api, busy, clearErrors, confirmDialog, explain, fieldError, formError, lang, may, plural, showFieldErrors, showNeeds, startSession, t } from "./merchant_api";
import type { Photo } from "./merchant_page";

interface Post {
  id: string;
  body: string;
  photo: Photo | null;
  url: string;
  created_at: string;
  hidden: boolean;
  hidden_reason: string;
}

const maxBody = 500;

export function initNews(scope: HTMLElement): void {
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
  const form = $<HTMLFormElement>("[data-news-form]");
  const body = form.elements.namedItem("body") as HTMLTextAreaElement;
  const count = $("#" + body.id + "-count");
  const counter = () => {
    count.textContent = t("news.count", maxBody - Array.from(body.value).length);
  };
  count.hidden = false;
  count.setAttribute("aria-live", "polite");
  body.addEventListener("input", counter);
  counter();

  startSession(api, scope, fail, false).then(async (s) => {
    $("[data-loading]").hidden = true;
    if (!s) return;
    if (!s.member) return fail(t("session.none"));
    showNeeds(scope, s);
    if (!may(s, "page")) return fail(t("api.forbidden"));
    const res = await api.call<{ followers: number; photos: Photo[] }>("GET", "/merchant/profile");
    if (!res.ok) return fail(explain(res.error));
    $("[data-body]").hidden = false;
    $("[data-followers]").textContent = plural("news.followers", res.data.followers || 0);
    choices(res.data.photos || []);
    load();
  });

  // The photo, chosen among the page's visible photos.
  const choices = (photos: Photo[]) => {
    const visible = photos.filter((p) => !p.hidden);
    const box = $("[data-news-photo-list]");
    $("[data-news-photos]").hidden = visible.length === 0;
    const radio = (v: string, label: string, photo?: Photo) => {
      const l = document.createElement("label");
      l.className = "choice photo-choice";
      const r = document.createElement("input");
      r.type = "radio";
      r.name = "photo";
      r.value = v;
      r.checked = v === "";
      l.append(r);
      if (photo) {
        const img = document.createElement("img");
        img.src = photo.url;
        img.width = 96;
        img.height = photo.width ? Math.round((96 * photo.height) / photo.width) : 72;
        img.alt = "";
        l.append(img);
      }
      l.append(label);
      return l;
    };
    box.replaceChildren(radio("", t("news.photo.none")), ...visible.map((p, i) => radio(p.id, i === 0 ? t("page.photo.cover") : t("page.photo.n", i + 1), p)));
  };

  const list = $("[data-posts]");
  const load = async () => {
    const res = await api.call<{ data: Post[] }>("GET", "/merchant/posts");
    if (!res.ok) return fail(explain(res.error));
    $("[data-posts-none]").hidden = res.data.data.length > 0;
    list.replaceChildren(...res.data.data.map(row));
  };
  const row = (p: Post, i: number): HTMLLIElement => {
    const li = document.createElement("li");
    li.className = "post-admin";
    const when = document.createElement("p");
    when.className = "note";
    when.textContent = new Intl.DateTimeFormat(lang + "-CA", { dateStyle: "long", timeStyle: "short" }).format(new Date(p.created_at));
    const text = document.createElement("p");
    text.textContent = p.body;
    li.append(when, text);
    if (p.hidden) {
      const why = document.createElement("p");
      why.className = "notice notice-cancelled";
      why.textContent = t("news.hidden", p.hidden_reason || "");
      li.append(why);
    }
    const link = location.origin + p.url;
    const share = document.createElement("p");
    share.className = "share-copy";
    const id = "lien-" + i;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = t("news.link");
    const input = document.createElement("input");
    input.id = id;
    input.type = "url";
    input.readOnly = true;
    input.value = link;
    const copy = document.createElement("button");
    copy.type = "button";
    copy.className = "button button-small";
    copy.textContent = t("news.copy");
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(link);
      } catch {
        input.select();
      }
      say(t("news.copied"));
    });
    share.append(label, input, copy);
    const del = document.createElement("button");
    del.type = "button";
    del.className = "button button-small button-secondary";
    del.textContent = t("news.delete");
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " — " + when.textContent;
    del.append(hidden);
    del.addEventListener("click", async () => {
      if (!(await confirmDialog(t("news.confirm"), t("news.yes")))) return;
      const res = await api.call("DELETE", "/merchant/posts/" + encodeURIComponent(p.id));
      if (!res.ok) return fail(explain(res.error));
      say(t("news.deleted"));
      await load();
      body.focus();
    });
    li.append(share, del);
    return li;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    news.hidden = true;
    const text = body.value.trim();
    if (!text || Array.from(text).length > maxBody) {
      fieldError(body, body.dataset.error || t("api.invalid"));
      body.focus();
      return;
    }
    const picked = form.querySelector<HTMLInputElement>("input[name=photo]:checked")?.value || "";
    busy(form, true);
    const res = await api.call<Post>("POST", "/merchant/posts", { body: text, photo: picked || null });
    busy(form, false);
    if (!res.ok) {
      if (!showFieldErrors(form, res.error.fields)) formError(form, explain(res.error));
      return;
    }
    form.reset();
    counter();
    say(t("news.published"));
    await load();
  });
}
