// The organiser side's islands, and the ticket holders': the ticket
// purchase form of an event page, the holder's choice when an event is
// cancelled or postponed, a campaign page's live counter, and the
// organiser pages (events, cancellations, campaigns and their share kit,
// towns' programmes and their settlements),
// which need the API and the visitor's session. Every page that loads this
// bundle works, or says what it needs, without it.
import { initCounter } from "./campaign_live";
import { ApiError, T, api, say } from "./org_dom";
import { campaignsPage, dashboard } from "./organiser_campaigns";
import { type Frame, type Member, eventPage, eventsList } from "./organiser_events";
import { programmeDashboard, programmesList } from "./organiser_programmes";
import { initTicketChoice } from "./ticket_choice";
import { initTicketForm } from "./ticket_form";
import { initWall } from "./wall";

initTicketForm(document);
initTicketChoice(document);
initCounter(document);
initWall(document);

const root = document.querySelector<HTMLElement>("[data-org]");
if (root) void organiser(root);

// organiser asks who is signed in, then fills the page for their venues
// (those they own or organise) and campaigns; without a session it shows
// the way to sign in.
async function organiser(root: HTMLElement): Promise<void> {
  const frame: Frame = {
    root,
    status: root.querySelector("[data-org-status]"),
    signIn: () => {
      say(frame.status, "");
      root.querySelector<HTMLElement>("[data-org-signin]")!.hidden = false;
    },
  };
  say(frame.status, T("org.loading"));
  try {
    const me = await api<{ merchants: Member[] }>("/api/v1/auth/me");
    say(frame.status, "");
    const venues = me.merchants.filter((m) => m.role === "owner" || m.role === "organiser");
    switch (root.dataset.org) {
      case "events":
        return await eventsList(frame, venues);
      case "event":
        return await eventPage(frame, venues);
      case "campaigns":
        return await campaignsPage(frame);
      case "campaign":
        return await dashboard(frame);
      case "programmes":
        return await programmesList(frame);
      case "programme":
        return await programmeDashboard(frame);
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) frame.signIn();
    else say(frame.status, T("org.failed"));
  }
}
