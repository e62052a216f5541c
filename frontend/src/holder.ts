// The ticket holders' and visitors' islands only: the ticket purchase form
// of an event page, the holder's choice when an event is cancelled or
// postponed, a campaign page's live counter and its wall's reports, and a
// merchant page's follow form. Phones
// on slow networks load this small bundle, not the organiser pages' one.
import { initCounter } from "./campaign_live";
import { initFollow } from "./follow";
import { initTicketChoice } from "./ticket_choice";
import { initTicketForm } from "./ticket_form";
import { initWall } from "./wall";

initTicketForm(document);
initTicketChoice(document);
initCounter(document);
initWall(document);
initFollow(document);
