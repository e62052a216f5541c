// A campaign's mentions on the organiser's dashboard: the sources read
// for its hashtags (added, removed after a confirmation, each with when it
// was last read and its last error), and the moderation of what they
// found: filters by network and status, each post as plain text (set as
// text, never as HTML) in its own direction, "Afficher sur le mur",
// "Masquer", "Bloquer l'auteur" after a confirmation, "Plus" for the next
// page, and the CSV of the filtered list.
import { ApiError, T, api, clearErrors, dateText, h, num, plural, say, showErrors, whenVisible } from "./org_dom";
import { type Frame, confirmer, failed } from "./organiser_events";
import { hostOf } from "./mastodon";

interface Source {
  id: string;
  network: string;
  instance: string;
  url: string;
  last_read_at: string | null;
  last_error: string;
  mentions: number;
}

// Mention is a post as the API gives it to the campaign's organisers.
export interface Mention {
  id: string;
  network: string;
  url: string;
  author: { handle: string; name: string };
  posted_at: string;
  text: string;
  lang: string;
  media_count: number;
  status: "pending" | "approved" | "hidden";
  share_link: string | null;
  merchant: string | null;
  reports: number;
  gone: boolean;
}

const enc = encodeURIComponent;
const webLink = (u: string) => (/^https?:\/\/[^/@\s]+/i.test(u) ? u : "");

// readText says when a source was last read: "Lu il y a 3 min".
function readText(iso: string | null, cur: string): string {
  if (!iso) return T("mentions.source.never");
  const mins = Math.floor((Date.now() - Date.parse(iso)) / 60000);
  if (mins < 1) return T("mentions.source.now");
  if (mins < 60) return T("mentions.source.min", num(mins));
  if (mins < 1440) return T("mentions.source.hours", num(Math.floor(mins / 60)));
  return T("mentions.source.on", dateText(iso, cur));
}

// mentionsPanel fills the dashboard's mentions part for the campaign slug,
// whose money is in cur.
export async function mentionsPanel(frame: Frame, slug: string, cur: string): Promise<void> {
  const root = frame.root.querySelector<HTMLElement>("[data-mentions]");
  if (!root) return;
  const base = `/api/v1/organiser/campaigns/${enc(slug)}`;
  const dialog = root.querySelector<HTMLDialogElement>("dialog[data-mentions-confirm]")!;
  const live = root.querySelector("[data-mentions-live]");

  // ask shows the confirmation dialog; run does what was confirmed (its
  // refusal is said in the dialog, which then stays open).
  const ask = confirmer(frame, dialog);

  // Sources.
  const sourceList = root.querySelector<HTMLElement>("[data-source-list]")!;
  const sourceHeading = root.querySelector<HTMLElement>("#sources-titre");
  const where = (s: Source) => s.instance || s.url || T("mentions.source.bluesky");
  const loadSources = async () => {
    const { data } = await api<{ data: Source[] }>(`${base}/sources`);
    root.querySelector<HTMLElement>("[data-sources-empty]")!.hidden = data.length > 0;
    sourceList.replaceChildren(...data.map((s) => h("li", { class: "source" },
      h("p", {}, h("strong", { text: T("network." + s.network) }), " ", h("span", { class: "code", text: where(s) })),
      h("p", { class: "note" }, h("time", { datetime: s.last_read_at || false, text: readText(s.last_read_at, cur) }),
        " · " + plural("mentions.source.count", s.mentions)),
      s.last_error ? h("p", { class: "notice notice-postponed", text: T("mentions.source.error", s.last_error) }) : null,
      h("p", {}, h("button", { type: "button", class: "button button-secondary button-small", "data-source-remove": s.id, "data-name": where(s) },
        T("mentions.source.remove"), h("span", { class: "visually-hidden", text: " — " + where(s) }))))));
  };
  sourceList.addEventListener("click", (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLElement>("[data-source-remove]");
    if (!b) return;
    const name = b.dataset.name || "";
    ask(T("mentions.source.remove.confirm", name), T("mentions.source.remove.text"), T("mentions.source.remove"), async () => {
      await api(`${base}/sources/${enc(b.dataset.sourceRemove || "")}`, "DELETE");
      await loadSources();
      say(frame.status, T("mentions.source.removed"));
      sourceHeading?.focus();
    });
  });

  const form = root.querySelector<HTMLFormElement>("form[data-source-form]")!;
  const network = form.querySelector<HTMLSelectElement>("[name=network]")!;
  const part = (n: string) => form.querySelector<HTMLElement>(`[data-source-for="${n}"]`)!;
  const input = (n: string) => part(n).querySelector("input")!;
  const showPart = () => {
    for (const n of ["mastodon", "bluesky", "feed"]) part(n).hidden = n !== network.value;
  };
  network.addEventListener("change", () => {
    clearErrors(form);
    showPart();
  });
  showPart();
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const n = network.value;
    const typed = input(n).value.trim();
    const body: Record<string, string> = { network: n };
    if (n === "feed") {
      if (!/^https?:\/\/\S+$/i.test(typed)) return void showErrors(part(n), { url: "" });
      body.url = typed;
    } else if (n === "mastodon" || typed) {
      const host = hostOf(typed);
      if (!host) return void showErrors(part(n), { instance: "" });
      body.instance = host;
    }
    try {
      await api(`${base}/sources`, "POST", body);
      input(n).value = "";
      say(frame.status, T("mentions.source.added"));
      await loadSources();
    } catch (err) {
      const line = form.querySelector("[data-form-error]");
      if (err instanceof ApiError && err.status === 409) say(line, T("mentions.source.error.duplicate"));
      else if (err instanceof ApiError && err.status === 400 && showErrors(part(n), err.fields)) say(line, T("org.errors"));
      else failed(frame, form, err);
    }
  });

  // Moderation.
  const list = root.querySelector<HTMLElement>("[data-mention-list]")!;
  const filters = root.querySelector<HTMLFormElement>("form[data-mention-filters]")!;
  const more = root.querySelector<HTMLButtonElement>("[data-mentions-more]")!;
  const listHeading = root.querySelector<HTMLElement>("#moderation-titre");
  const csv = root.querySelector<HTMLAnchorElement>("[data-mentions-csv]")!;
  const shown = new Map<string, Mention>();
  let cursor = "";

  const query = () => {
    const q = new URLSearchParams();
    for (const n of ["network", "status"]) {
      const v = filters.querySelector<HTMLSelectElement>(`[name=${n}]`)?.value;
      if (v) q.set(n, v);
    }
    return q;
  };
  const item = (m: Mention): HTMLElement => {
    const who = m.author.name || m.author.handle;
    const link = webLink(m.url);
    const facts = [
      m.media_count > 0 ? plural("mentions.media", m.media_count) : "",
      m.share_link ? T("mentions.link", m.share_link) : "",
      m.merchant ? T("mentions.merchant", m.merchant) : "",
    ].filter(Boolean);
    const button = (action: string, cls = "button-secondary") =>
      h("button", { type: "button", class: `button ${cls} button-small`, "data-mention-action": action, "data-id": m.id },
        T("mentions." + action), h("span", { class: "visually-hidden", text: " — " + who }));
    return h("li", { class: "mention", tabindex: -1, "data-mention": m.id },
      h("p", { class: "mention-author" }, h("strong", {}, h("bdi", { text: who })), " ",
        m.author.name && m.author.handle && m.author.handle !== m.author.name ? h("span", { class: "muted" }, h("bdi", { text: m.author.handle })) : null),
      h("p", { class: "note" }, T("network." + m.network), m.posted_at ? " · " : "",
        m.posted_at ? h("time", { datetime: m.posted_at, text: dateText(m.posted_at, cur) }) : null),
      h("p", { class: "mention-badges" },
        h("span", { class: "badge" + (m.status === "hidden" ? " badge-cancelled" : ""), text: T("mentions.state." + m.status) }),
        m.gone ? h("span", { class: "badge badge-cancelled", text: T("mentions.gone") }) : null,
        m.reports > 0 ? h("span", { class: "badge badge-postponed", text: plural("mentions.reports", m.reports) }) : null),
      h("p", { class: "mention-text", dir: "auto", lang: m.lang || false, text: m.text }),
      facts.length ? h("p", { class: "note", text: facts.join(" · ") }) : null,
      h("p", { class: "dialog-actions" },
        link ? h("a", { href: link, target: "_blank", rel: "nofollow noopener ugc" }, T("mentions.original"),
          h("span", { class: "visually-hidden", text: " — " + who })) : null,
        m.status !== "approved" && !m.gone ? button("approve", "") : null,
        m.status !== "hidden" ? button("hide") : null,
        m.author.handle ? button("block", "button-danger") : null));
  };
  const load = async (next = false) => {
    const q = query();
    q.set("limit", "20");
    if (next && cursor) q.set("cursor", cursor);
    const res = await api<{ data: Mention[]; next_cursor?: string | null }>(`${base}/mentions?${q}`);
    if (!next) {
      shown.clear();
      list.replaceChildren();
    }
    const items = res.data.map((m) => {
      shown.set(m.id, m);
      return item(m);
    });
    list.append(...items);
    cursor = res.next_cursor || "";
    more.hidden = !cursor;
    root.querySelector<HTMLElement>("[data-mentions-empty]")!.hidden = shown.size > 0;
    say(live, plural("mentions.found", shown.size));
    return items;
  };
  const safely = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) frame.signIn();
      else say(frame.status, T("mentions.failed"));
    }
  };
  filters.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void safely(async () => void (await load()));
  });
  more.addEventListener("click", () => safely(async () => (await load(true))[0]?.focus()));
  list.addEventListener("click", (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLElement>("[data-mention-action]");
    const m = b && shown.get(b.dataset.id || "");
    if (!b || !m) return;
    const action = b.dataset.mentionAction;
    if (action === "block") {
      const who = m.author.name ? `${m.author.name} (${m.author.handle})` : m.author.handle;
      return ask(T("mentions.block.confirm", who), T("mentions.block.text"), T("mentions.block.yes"), async () => {
        await api(`${base}/blocked-authors`, "POST", { network: m.network, handle: m.author.handle });
        await load();
        say(frame.status, T("mentions.blocked", who));
        listHeading?.focus();
      });
    }
    void safely(async () => {
      const done = await api<Mention>(`${base}/mentions/${enc(m.id)}/${action}`, "POST");
      shown.set(done.id, done);
      const li = item(done);
      b.closest("li")?.replaceWith(li);
      say(frame.status, T(action === "approve" ? "mentions.approved" : "mentions.hidden"));
      (li.querySelector<HTMLElement>("[data-mention-action]") || li).focus();
    });
  });
  csv.addEventListener("click", (ev) => {
    ev.preventDefault();
    void (async () => {
      try {
        const res = await fetch(`${base}/mentions?${query()}`, { headers: { Accept: "text/csv" }, cache: "no-store" });
        if (!res.ok) throw new Error(String(res.status));
        const url = URL.createObjectURL(await res.blob());
        const a = h("a", { href: url, download: `mentions-${slug}.csv`, hidden: true });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
        say(live, T("mentions.csv.done"));
      } catch {
        say(frame.status, T("mentions.csv.failed"));
      }
    })();
  });

  await Promise.all([loadSources(), load()]);
  root.hidden = false;
  whenVisible(() => void loadSources().catch(() => undefined), 30000);
}
