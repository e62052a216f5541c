// The admin's view of an approved merchant's public page (#13), a
// disclosure under the merchant in the admin list: who changed what of
// the page and when (latest first), its visible photos and latest news,
// each of which an admin may hide with a reason the merchant reads (asked
// in a dialog that says what will happen). And the dialog that asks an
// admin for a reason, which refusing an application uses too.
import { Api, ApiError, explain, t } from "./merchant_api";

interface Photo {
  id: string;
  url: string;
  srcset: string;
  width: number;
  height: number;
}

interface Post {
  id: string;
  body: string;
  url: string;
  created_at: string;
}

interface Change {
  who: string;
  what: string;
  detail: string;
  at: string;
}

const make = <K extends keyof HTMLElementTagNameMap>(tag: K, cls = "", text = ""): HTMLElementTagNameMap[K] => {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text) el.textContent = text;
  return el;
};

// changeText says a recorded change in words: page_changes keeps the
// field's API name, or the photo or post with what happened to it.
function changeText(c: Change): string {
  const verb = /^(added|moved|deleted) /.exec(c.detail)?.[1];
  const key = "admin.change." + c.what + (verb ? "." + verb : "");
  let arg = "";
  if (c.what.endsWith("_hidden")) arg = c.detail.slice(c.detail.indexOf(": ") + 2);
  if (c.what === "status") arg = t(c.detail === "cleared" ? "admin.change.cleared" : "status.open." + c.detail);
  const text = t(key, arg);
  return text === key ? (c.what + " " + c.detail).trim() : text;
}

// pagePanel is the disclosure of merchant m's public page; it loads when
// first opened. date formats a time as the rest of the admin page does.
export function pagePanel(api: Api, m: { slug: string; name: string }, date: (iso: string) => string): HTMLDetailsElement {
  const d = make("details", "page-panel");
  const summary = make("summary", "", t("admin.page"));
  summary.append(make("span", "visually-hidden", " — " + m.name));
  const alert = make("p", "form-error");
  alert.setAttribute("role", "alert");
  const status = make("p");
  status.setAttribute("role", "status");
  const see = make("a", "", t("admin.page.see"));
  see.href = "/m/" + encodeURIComponent(m.slug);
  const links = make("p");
  links.append(see);
  const body = make("div", "", t("api.loading"));
  d.append(summary, alert, status, links, body);
  const base = "/admin/merchants/" + encodeURIComponent(m.slug);
  const fail = (e: ApiError) => {
    alert.textContent = [explain(e), ...Object.values(e.fields || {})].join(" ");
  };

  // A titled list, or the sentence that says it is empty.
  const section = (title: string, none: string, items: HTMLElement[], tag: "ol" | "ul" = "ul", cls = "") => {
    const s = make("section", "page-panel-part");
    const h = make("h4", "", t(title));
    const list = make(tag, cls || "rows");
    list.append(...items);
    s.append(h, items.length ? list : make("p", "empty", t(none)));
    return s;
  };

  const changeRow = (c: Change) => {
    const li = make("li");
    const when = make("time", "", date(c.at));
    when.dateTime = c.at;
    const meta = make("p", "note");
    meta.append(when, " · " + t("admin.page.by", c.who || t("admin.page.nobody")));
    li.append(meta, make("p", "", changeText(c)));
    return li;
  };
  let changes = make("section");
  const loadChanges = async () => {
    const res = await api.call<{ data: Change[] }>("GET", base + "/changes");
    if (!res.ok) return fail(res.error);
    const fresh = section("admin.page.changes", "admin.page.changes.none", res.data.data.map(changeRow), "ol");
    changes.replaceWith(fresh);
    changes = fresh;
  };

  // Hides a photo or a post once the admin gave a reason: the row then
  // says it is hidden, and why; the changes show it.
  const hide = async (kind: "photos" | "posts", id: string, title: string, button: HTMLButtonElement) => {
    const reason = await reasonDialog({
      title,
      lead: t("admin.hide." + kind + ".lead"),
      label: t("admin.hide.reason"),
      hint: t("admin.hide.hint"),
      required: t("admin.hide.required"),
      yes: t("admin.hide.yes"),
      max: 300,
    });
    if (reason === null) return;
    alert.textContent = status.textContent = "";
    button.disabled = true;
    const res = await api.call<{ hidden_reason: string }>("POST", `${base}/${kind}/${encodeURIComponent(id)}/hide`, { reason });
    if (!res.ok) {
      button.disabled = false;
      fail(res.error);
      button.focus();
      return;
    }
    const note = make("p", "notice notice-cancelled", t("admin.hidden", res.data.hidden_reason || reason));
    note.tabIndex = -1;
    button.replaceWith(note);
    note.focus();
    status.textContent = t("admin.hidden." + kind);
    await loadChanges();
  };
  const hideButton = (name: string, run: (b: HTMLButtonElement) => void) => {
    const b = make("button", "button button-small button-secondary", t("admin.hide"));
    b.type = "button";
    b.append(make("span", "visually-hidden", " — " + name));
    b.addEventListener("click", () => run(b));
    return b;
  };

  const photoRow = (p: Photo, i: number) => {
    const li = make("li", "photo-item");
    const name = t("admin.page.photo", i + 1);
    const img = make("img");
    img.src = p.url;
    img.srcset = p.srcset;
    img.sizes = "8rem";
    img.width = 128;
    img.height = p.width ? Math.round((128 * p.height) / p.width) : 96;
    img.alt = name;
    img.loading = "lazy";
    li.append(img, make("p", "", name), hideButton(name, (b) => hide("photos", p.id, t("admin.hide.photos.title", i + 1, m.name), b)));
    return li;
  };
  const postRow = (p: Post) => {
    const li = make("li", "post-item");
    const when = date(p.created_at);
    const text = make("div");
    text.append(make("p", "note", when), make("p", "", p.body));
    li.append(text, hideButton(when, (b) => hide("posts", p.id, t("admin.hide.posts.title", when, m.name), b)));
    return li;
  };

  let loaded = false;
  d.addEventListener("toggle", async () => {
    if (!d.open || loaded) return;
    loaded = true;
    const res = await api.call<{ photos: Photo[]; posts: Post[] }>("GET", "/merchants/" + encodeURIComponent(m.slug));
    if (!res.ok) {
      loaded = false;
      body.textContent = "";
      return fail(res.error);
    }
    body.replaceChildren(changes,
      section("admin.page.photos", "admin.page.photos.none", (res.data.photos || []).map(photoRow), "ul", "photos"),
      section("admin.page.posts", "admin.page.posts.none", (res.data.posts || []).map(postRow)));
    await loadChanges();
  });
  return d;
}

// ReasonAsk is what a reason dialog says: its title, what will happen,
// the field's label and hint, the error when left empty, the button that
// confirms, and the most characters the reason may have.
export interface ReasonAsk {
  title: string;
  lead?: string;
  label: string;
  hint: string;
  required: string;
  yes: string;
  max: number;
}

// reasonDialog asks for a reason (required) in a modal dialog, whose
// button confirms the action; null when the admin cancels.
export function reasonDialog(ask: ReasonAsk): Promise<string | null> {
  return new Promise((resolve) => {
    const d = make("dialog", "confirm");
    const form = make("form");
    form.method = "dialog";
    form.noValidate = true;
    const h = make("h2", "", ask.title);
    h.id = "motif-titre";
    d.setAttribute("aria-labelledby", h.id);
    const field = make("p", "field");
    const label = make("label", "", ask.label);
    label.htmlFor = "motif";
    const hint = make("span", "hint", ask.hint);
    hint.id = "motif-aide";
    const area = make("textarea");
    area.id = "motif";
    area.name = "reason";
    area.maxLength = ask.max;
    area.rows = 4;
    area.required = true;
    area.setAttribute("aria-describedby", hint.id + " motif-erreur");
    const error = make("span", "field-error");
    error.id = "motif-erreur";
    error.hidden = true;
    field.append(label, hint, area, error);
    const actions = make("p", "confirm-actions");
    const yes = make("button", "button button-large", ask.yes);
    yes.type = "submit";
    const no = make("button", "button button-secondary", t("admin.refuse.no"));
    no.type = "button";
    no.addEventListener("click", () => d.close("no"));
    actions.append(yes, no);
    form.append(h);
    if (ask.lead) {
      const lead = make("p", "", ask.lead);
      lead.id = "motif-effet";
      d.setAttribute("aria-describedby", lead.id);
      form.append(lead);
    }
    form.append(field, actions);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!area.value.trim()) {
        error.textContent = ask.required;
        error.hidden = false;
        area.setAttribute("aria-invalid", "true");
        area.focus();
        return;
      }
      d.close("yes");
    });
    d.append(form);
    const back = document.activeElement as HTMLElement | null;
    d.addEventListener("close", () => {
      d.remove();
      back?.focus();
      resolve(d.returnValue === "yes" ? area.value.trim() : null);
    });
    document.body.append(d);
    d.showModal();
    area.focus();
  });
}
