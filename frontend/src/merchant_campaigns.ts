// The dashboard's campaigns: the campaigns that feature the merchant (or
// its events), and the owner's agreement. A campaign shows a merchant on its
// public page only once the merchant agreed; agreeing asks first.
import { Api, confirmDialog, explain, t } from "./merchant_api";

interface Invitation {
  slug: string;
  title: string;
  hashtags: string[];
  accepted: boolean;
}

const enc = encodeURIComponent;

export function campaignsPanel(scope: HTMLElement, api: Api, fail: (text: string) => void): void {
  const list = scope.querySelector<HTMLElement>("[data-camp-list]");
  const none = scope.querySelector<HTMLElement>("[data-camp-none]");
  const status = scope.querySelector<HTMLElement>("[data-camp-status]");
  if (!list || !none || !status) return;

  const load = async () => {
    const res = await api.call<{ data: Invitation[] }>("GET", "/merchant/campaigns");
    if (!res.ok) return fail(explain(res.error));
    none.hidden = res.data.data.length > 0;
    list.replaceChildren(...res.data.data.map(row));
  };

  const row = (c: Invitation): HTMLLIElement => {
    const li = document.createElement("li");
    const info = document.createElement("div");
    const h = document.createElement("h3");
    const a = document.createElement("a");
    a.href = "/c/" + enc(c.slug);
    a.textContent = c.title;
    h.append(a);
    const meta = document.createElement("p");
    meta.className = "note";
    meta.textContent = c.hashtags.map((x) => "#" + x).join(" ") + " · " + t(c.accepted ? "dash.camp.accepted" : "dash.camp.waiting");
    info.append(h, meta);
    li.append(info);
    if (!c.accepted) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "button button-small";
      b.textContent = t("dash.camp.accept");
      const hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " — " + c.title;
      b.append(hidden);
      b.addEventListener("click", async () => {
        if (!(await confirmDialog(t("dash.camp.accept.confirm", c.title), t("dash.camp.accept.yes")))) return;
        const res = await api.call("POST", `/merchant/campaigns/${enc(c.slug)}/accept`);
        if (!res.ok) return fail(explain(res.error));
        status.textContent = t("dash.camp.done", c.title);
        status.hidden = false;
        await load();
      });
      li.append(b);
    }
    return li;
  };

  load();
}
