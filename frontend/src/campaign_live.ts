// The live solidarity counter of a campaign page: every 15 seconds while
// the page is shown, it asks the API for the campaign's counter and, when
// it moved, updates the figures and the progress bar, and says so once in
// a polite live region (the figures themselves change silently, so that a
// screen reader is not interrupted by every number).
import { format, money, num, plural, whenVisible } from "./org_dom";

interface CampaignJSON {
  counter?: { supporters: number; raised: { amount: number; currency: string } };
  goal?: { amount: number } | null;
}

export function initCounter(root: Document): void {
  const box = root.querySelector<HTMLElement>("[data-counter][data-poll]");
  const poll = box?.dataset.poll;
  if (!box || !poll || typeof fetch !== "function") return;
  const d = box.dataset;
  const supporters = box.querySelector("[data-counter-supporters]");
  const raised = box.querySelector("[data-counter-raised]");
  const progress = box.querySelector<HTMLProgressElement>("progress");
  const label = box.querySelector(".counter-label");
  const live = box.querySelector("[data-counter-live]");
  let last = `${d.raised}|${d.supporters}`;

  const tick = async () => {
    try {
      const res = await fetch(poll, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (!res.ok) return;
      const c: CampaignJSON = await res.json();
      if (!c.counter) return;
      const cur = c.counter.raised.currency || d.currency || "cad";
      const now = `${c.counter.raised.amount}|${c.counter.supporters}`;
      if (now === last) return;
      last = now;
      const sum = money(c.counter.raised.amount, cur);
      const people = num(c.counter.supporters);
      if (raised) raised.textContent = sum;
      if (supporters) supporters.textContent = people;
      const goal = c.goal?.amount || 0;
      if (goal > 0) {
        const pct = Math.min(Math.floor((Math.max(c.counter.raised.amount, 0) * 100) / goal), 100);
        if (progress) {
          progress.value = pct;
          progress.textContent = pct + " %";
        }
        if (label) label.textContent = format(d.progress || "", pct, money(goal, cur));
      }
      const who = plural("supporters", c.counter.supporters, { "supporters.one": d.supportersOne || "", "supporters.other": d.supportersOther || "" });
      if (live) live.textContent = format(d.live || "", who, sum);
    } catch {
      // A phone's network comes and goes: the next tick asks again.
    }
  };
  whenVisible(tick, 15000);
}
