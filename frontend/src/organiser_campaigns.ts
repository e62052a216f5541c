// The organiser's campaigns: the list and the form of a new one, and a
// campaign's dashboard (totals, days, channels, links, ambassadors, asked
// of the API every 15 seconds and on demand, with the CSV export a plain
// link) with its share kit: a short link per channel or ambassador, its
// ready-to-post text, the networks' share dialogs, the phone's share sheet
// and the printable poster. Beside clicks and sales, the mentions of its
// hashtags on the networks (organiser_mentions.ts moderates them).
import { ApiError, T, amountOf, api, clearErrors, copyFrom, h, lang, money, num, plural, say, showErrors, toISO, whenVisible, zoneOf } from "./org_dom";
import { type Frame, failed } from "./organiser_events";
import { mastodonShare } from "./mastodon";
import { mentionsPanel } from "./organiser_mentions";
import { bars, columns, type Datum } from "./share_charts";

interface Money {
  amount: number;
  currency: string;
}

interface Campaign {
  slug: string;
  title: string;
  hashtags: string[];
  currency: string;
  goal: Money | null;
  counter: { supporters: number; raised: Money };
  merchants?: { slug: string; name: string }[];
  events?: { id: string; title: string; merchant: { slug: string } }[];
}

interface Group {
  key: string;
  clicks: number;
  visitors: number;
  orders: number;
  raised: Money;
  conversion: number;
}

interface Link extends Omit<Group, "key"> {
  code: string;
  url: string;
  channel: string;
  label: string;
  ambassador?: string;
  target: string;
  mentions?: number;
}

interface MentionStats {
  total: number;
  by_network: Record<string, number>;
  by_day: { day: string; total: number; by_network: Record<string, number> }[];
  top_authors: { network: string; handle: string; name: string; posts: number }[];
}

interface Stats {
  campaign: Campaign;
  totals: Group;
  links: Link[];
  by_channel: Group[];
  by_day: Group[];
  ambassadors: Group[];
  mentions?: MentionStats;
}

const networks = ["mastodon", "bluesky", "feed"];

const enc = encodeURIComponent;
const tags = (c: Campaign) => c.hashtags.map((t) => "#" + t).join(" ");
const pct = (x: number) => new Intl.NumberFormat(lang + "-CA", { style: "percent", maximumFractionDigits: 1 }).format(x);

// campaignsPage fills /organisation/campagnes: the campaigns as cards, and
// the form of a new one with the merchants and events it may feature.
export async function campaignsPage(frame: Frame): Promise<void> {
  const root = frame.root;
  const list = root.querySelector<HTMLElement>("[data-campaign-list]")!;
  const form = root.querySelector<HTMLFormElement>("form[data-campaign-form]")!;
  const { data } = await api<{ data: Campaign[] }>("/api/v1/organiser/campaigns");
  root.querySelector<HTMLElement>("[data-campaigns]")!.hidden = false;
  root.querySelector<HTMLElement>("[data-campaign-empty]")!.hidden = data.length > 0;
  for (const c of data) {
    const href = `/organisation/campagnes/${enc(c.slug)}`;
    const goal = c.goal?.amount || 0;
    const done = goal ? Math.min(Math.floor((c.counter.raised.amount * 100) / goal), 100) : 0;
    list.append(
      h(
        "li",
        {},
        h(
          "article",
          { class: "card campaign-card" },
          h("p", { class: "hashtags", text: tags(c) }),
          h("h3", { class: "card-title" }, h("a", { href, text: c.title })),
          h("div", { class: "counter counter-short" },
            h("p", {}, h("strong", { text: money(c.counter.raised.amount, c.currency) }), goal ? " / " + money(goal, c.currency) : ""),
            goal ? h("progress", { max: 100, value: done, "aria-label": pct(done / 100) }) : null,
            h("p", { class: "note", text: plural("supporters", c.counter.supporters) })),
          h("p", { class: "card-actions" }, h("a", { class: "button", href }, T("org.campaigns.open"), h("span", { class: "visually-hidden", text: " — " + c.title }))),
        ),
      ),
    );
  }

  const pick = (name: string, items: { value: string; label: string }[]) => {
    const box = form.querySelector(`[data-pick="${name}"]`);
    box?.replaceChildren(...items.map((it) => h("li", {}, h("label", { class: "check" }, h("input", { type: "checkbox", name, value: it.value }), " " + it.label))));
  };
  const [merchants, events] = await Promise.all([
    api<{ data: { slug: string; name: string; city: string }[] }>("/api/v1/merchants?limit=100"),
    api<{ data: { id: string; title: string; merchant: { name: string }; status: string }[] }>("/api/v1/events?limit=100"),
  ]);
  pick("merchants", merchants.data.map((m) => ({ value: m.slug, label: `${m.name} (${m.city})` })));
  pick("events", events.data.filter((e) => e.status !== "cancelled").map((e) => ({ value: e.id, label: `${e.title} — ${e.merchant.name}` })));

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const v = (n: string) => form.querySelector<HTMLInputElement>(`[name=${n}]`)?.value.trim() || "";
    const currency = v("currency") || "cad";
    const goal = amountOf(v("goal"));
    if (goal === null) return void showErrors(form, { goal: "" });
    const checked = (n: string) => Array.from(form.querySelectorAll<HTMLInputElement>(`[name=${n}]:checked`), (i) => i.value);
    const body: Record<string, unknown> = {
      title: v("title"), description: form.querySelector<HTMLTextAreaElement>("[name=description]")?.value || "",
      hashtags: v("hashtags").split(/[\s,]+/).filter(Boolean), currency, goal,
      merchants: checked("merchants"), events: checked("events"),
    };
    if (v("slug")) body.slug = v("slug");
    if (v("starts_at")) body.starts_at = toISO(v("starts_at"), zoneOf(currency));
    if (v("ends_at")) body.ends_at = toISO(v("ends_at") + "T23:59", zoneOf(currency));
    try {
      const c = await api<Campaign>("/api/v1/organiser/campaigns", "POST", body);
      location.assign(`/organisation/campagnes/${enc(c.slug)}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) showErrors(form, { slug: "" });
      else failed(frame, form, err);
    }
  });
}

// composeKey is the message of a link's ready-to-post text: it speaks of
// tickets when the link leads to an event or the campaign is a ticket
// campaign (events, and merchants only as their venues), of certificates
// and tickets when it features both, of certificates otherwise
// (api/share.go writes a new link's text by the same rule).
function composeKey(c: Campaign, target: string): string {
  const venues = new Set((c.events || []).map((e) => e.merchant.slug));
  const tickets = venues.size > 0 && (c.merchants || []).every((m) => venues.has(m.slug));
  const merchant = target.startsWith("/m/") ? target.slice(3) : "";
  if (target.startsWith("/e/") || (tickets && (!merchant || venues.has(merchant)))) return "share.kit.compose.tickets";
  if (venues.size > 0 && !merchant) return "share.kit.compose.both";
  return "share.kit.compose";
}

// shareURLs are the networks' share dialogs for a link and its text.
function shareURLs(url: string, text: string, title: string): Record<string, string> {
  return {
    facebook: `https://www.facebook.com/sharer/sharer.php?u=${enc(url)}`,
    x: `https://twitter.com/intent/tweet?text=${enc(text)}`,
    whatsapp: `https://wa.me/?text=${enc(text)}`,
    linkedin: `https://www.linkedin.com/sharing/share-offsite/?url=${enc(url)}`,
    bluesky: `https://bsky.app/intent/compose?text=${enc(text)}`,
    threads: `https://www.threads.net/intent/post?text=${enc(text)}`,
    email: `mailto:?subject=${enc(title)}&body=${enc(text)}`,
    sms: `sms:?&body=${enc(text)}`,
  };
}

const dayLabel = (day: string) =>
  new Intl.DateTimeFormat(lang + "-CA", { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(day + "T12:00:00Z"));

// dashboard fills /organisation/campagnes/{slug}.
export async function dashboard(frame: Frame): Promise<void> {
  const root = frame.root;
  const slug = root.dataset.id || "";
  const dash = root.querySelector<HTMLElement>("[data-dash]")!;
  const kit = root.querySelector<HTMLFormElement>("form[data-link-form]")!;
  const result = root.querySelector<HTMLElement>("[data-share-result]")!;
  let campaign: Campaign;
  try {
    campaign = await api<Campaign>(`/api/v1/campaigns/${enc(slug)}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return say(frame.status, T("org.campaign.notfound"));
    throw err;
  }
  const cur = campaign.currency;
  say(root.querySelector("[data-dash-tags]"), tags(campaign));
  say(root.querySelector("[data-dash-title]"), campaign.title);
  document.title = campaign.title + " — " + document.title.split(" — ").slice(1).join(" — ");
  const target = kit.querySelector<HTMLSelectElement>("[name=target]")!;
  for (const m of campaign.merchants || []) target.append(h("option", { value: "/m/" + m.slug, text: m.name }));
  for (const e of campaign.events || []) target.append(h("option", { value: "/e/" + e.id, text: e.title }));

  const showShare = (link: Link, text: string) => {
    const name = T("channel." + link.channel);
    say(result.querySelector("[data-share-heading]"), [name, link.label, link.ambassador].filter(Boolean).join(" — "));
    result.querySelector<HTMLInputElement>("[data-share-url]")!.value = link.url;
    result.querySelector<HTMLTextAreaElement>("[data-share-text]")!.value = text;
    result.querySelector<HTMLElement>("[data-share-instagram]")!.hidden = link.channel !== "instagram";
    const urls = shareURLs(link.url, text, campaign.title);
    for (const a of result.querySelectorAll<HTMLAnchorElement>("[data-share-to]")) a.href = urls[a.dataset.shareTo || ""] || "";
    mastodonShare(result.querySelector<HTMLInputElement>("[data-mastodon-host]")!, result.querySelector<HTMLAnchorElement>('[data-share-to="mastodon"]')!, () => text);
    result.querySelector<HTMLAnchorElement>("[data-share-poster]")!.href = `/organisation/affiche/${enc(link.code)}.png`;
    const native = result.querySelector<HTMLButtonElement>("[data-share-native]")!;
    native.hidden = typeof navigator.share !== "function";
    native.onclick = () => navigator.share({ title: campaign.title, text, url: link.url }).catch(() => undefined);
    say(result.querySelector("[data-copy-status]"), "");
    result.hidden = false;
    result.focus();
  };
  result.addEventListener("click", (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLButtonElement>("[data-copy]");
    const field = b && root.querySelector<HTMLInputElement>("#" + b.dataset.copy);
    if (field) void copyFrom(field, result.querySelector("[data-copy-status]"), T("share.kit.copied"), T("share.kit.copy.failed"));
  });

  let links: Link[] = [];
  const render = (st: Stats) => {
    links = st.links;
    const t = st.totals;
    const kpi = (k: string, v: string) => say(root.querySelector(`[data-kpi="${k}"]`), v);
    kpi("clicks", num(t.clicks));
    kpi("visitors", num(t.visitors));
    kpi("orders", num(t.orders));
    kpi("raised", money(t.raised.amount, cur));
    kpi("conversion", pct(t.conversion));
    const men = st.mentions;
    kpi("mentions", num(men?.total || 0));

    const days = root.querySelector<HTMLElement>('[data-chart="days"]')!;
    const none = () => h("p", { class: "empty", text: T("org.dash.none") });
    const figures: HTMLElement[] = [];
    if (st.by_day.length) {
      const first = dayLabel(st.by_day[0].key), lastDay = dayLabel(st.by_day[st.by_day.length - 1].key);
      const clicks: Datum[] = st.by_day.map((d) => ({ label: dayLabel(d.key), value: d.clicks, text: num(d.clicks) }));
      const raised: Datum[] = st.by_day.map((d) => ({ label: dayLabel(d.key), value: d.raised.amount, text: money(d.raised.amount, cur) }));
      figures.push(
        columns(T("org.dash.days.clicks"), T("org.dash.chart", T("org.dash.days.clicks"), num(t.clicks), first, lastDay), T("org.dash.col.day"), clicks),
        columns(T("org.dash.days.raised"), T("org.dash.chart", T("org.dash.days.raised"), money(t.raised.amount, cur), first, lastDay), T("org.dash.col.day"), raised),
      );
    }
    const mdays = men?.by_day || [];
    if (mdays.length) {
      // The mentions' table says each network's share of each day.
      const data: Datum[] = mdays.map((d) => ({ label: dayLabel(d.day), value: d.total, text: num(d.total) }));
      const more = networks.map((n) => ({ head: T("network." + n), cells: mdays.map((d) => num(d.by_network?.[n] || 0)) }));
      figures.push(columns(T("mentions.days"),
        T("mentions.days.chart", T("mentions.days"), num(men?.total || 0), dayLabel(mdays[0].day), dayLabel(mdays[mdays.length - 1].day)),
        T("org.dash.col.day"), data, more));
    }
    days.replaceChildren(...(figures.length ? figures : [none()]));

    const channels = root.querySelector<HTMLElement>('[data-chart="channels"]')!;
    const byChannel = [...st.by_channel].sort((a, b) => b.clicks - a.clicks);
    channels.replaceChildren(byChannel.length
      ? bars(T("org.dash.clicks"), byChannel.map((g) => `${T("channel." + g.key)} : ${num(g.clicks)}`).join(", "), T("org.dash.col.channel"),
        byChannel.map((g) => ({ label: T("channel." + g.key), value: g.clicks, text: `${num(g.clicks)} · ${money(g.raised.amount, cur)}` })))
      : none());

    const th = (k: string) => h("th", { scope: "col", text: T(k) });
    const table = root.querySelector<HTMLElement>("[data-links]")!;
    table.replaceChildren(st.links.length
      ? h("table", { class: "org-table org-links" },
        h("thead", {}, h("tr", {}, th("org.dash.col.link"), th("org.dash.clicks"), th("org.dash.visitors"), th("org.dash.orders"),
          th("org.dash.raised"), th("org.dash.conversion"), th("mentions.col"))),
        h("tbody", {}, ...st.links.map((l, i) => h("tr", {},
          h("th", { scope: "row" }, h("strong", { text: [T("channel." + l.channel), l.label, l.ambassador].filter(Boolean).join(" — ") }),
            h("br"), h("span", { class: "code", text: l.url.replace(/^https?:\/\//, "") }), " ",
            h("button", { type: "button", class: "button button-secondary button-small", "data-share-link": i },
              T("org.dash.share"), h("span", { class: "visually-hidden", text: " — " + l.url }))),
          h("td", { text: num(l.clicks) }), h("td", { text: num(l.visitors) }), h("td", { text: num(l.orders) }),
          h("td", { text: money(l.raised.amount, cur) }), h("td", { text: pct(l.conversion) }), h("td", { text: num(l.mentions || 0) })))))
      : none());

    const board = root.querySelector<HTMLElement>("[data-board]")!;
    board.replaceChildren(...st.ambassadors.map((a) => h("li", {}, h("strong", { text: a.key }), " ",
      h("span", { class: "muted", text: T("org.dash.rank", money(a.raised.amount, cur), plural("orders", a.orders), plural("clicks", a.clicks)) }))));
    root.querySelector<HTMLElement>("[data-board-empty]")!.hidden = st.ambassadors.length > 0;

    const authors = men?.top_authors || [];
    root.querySelector<HTMLElement>("[data-authors]")!.replaceChildren(...authors.map((a) => h("li", {},
      h("strong", {}, h("bdi", { text: a.name || a.handle })), " ",
      h("span", { class: "muted" }, a.name ? h("bdi", { text: a.handle }) : null, ` · ${T("network." + a.network)} · ${plural("mentions.top.posts", a.posts)}`))));
    root.querySelector<HTMLElement>("[data-authors-empty]")!.hidden = authors.length > 0;
    dash.hidden = false;
  };
  root.querySelector("[data-links]")?.addEventListener("click", (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLElement>("[data-share-link]");
    const l = b && links[Number(b.dataset.shareLink)];
    if (l) showShare(l, T(composeKey(campaign, l.target), campaign.title, tags(campaign), l.url));
  });

  const load = async () => {
    try {
      render(await api<Stats>(`/api/v1/organiser/campaigns/${enc(slug)}/stats`));
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) frame.signIn();
      else if (err instanceof ApiError && err.status === 404) say(frame.status, T("org.campaign.notfound"));
      return false;
    }
  };
  if (!(await load())) return;
  whenVisible(load, 15000);
  // Mentions need their own API: until it answers, that part stays hidden.
  mentionsPanel(frame, slug, cur).catch((err) => {
    if (err instanceof ApiError && err.status === 401) frame.signIn();
  });
  root.querySelector("[data-dash-refresh]")?.addEventListener("click", async () => {
    say(frame.status, "");
    if (await load()) say(frame.status, T("org.dash.updated"));
  });

  kit.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(kit);
    const v = (n: string) => kit.querySelector<HTMLInputElement>(`[name=${n}]`)?.value.trim() || "";
    try {
      const res = await api<{ link: Link; text: string }>(`/api/v1/organiser/campaigns/${enc(slug)}/links`, "POST",
        { channel: v("channel"), label: v("label"), ambassador: v("ambassador"), target: v("target") });
      say(frame.status, T("share.kit.created"));
      showShare(res.link, res.text);
      void load();
    } catch (err) {
      failed(frame, kit, err);
    }
  });
}
