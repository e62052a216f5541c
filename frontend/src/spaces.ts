// The spaces a signed-in person works in (a merchant's dashboard, the
// organisers' pages, the admin page), worked out from GET /auth/me. The
// sign-in page sends each person to theirs, and the header shows them:
// the server renders every page the same for everyone, so the header's
// links are filled in here from a note kept at sign-in, checked against
// the API on each page while it is there.
export type Space = "commerce" | "organisation" | "admin";

export interface Spaces {
  user?: { admin: boolean; organiser?: boolean };
  merchants: { role: string }[];
}

// spaceHome is where each space starts.
export const spaceHome: Record<Space, string> = { commerce: "/commerce", organisation: "/organisation", admin: "/admin" };

const noteKey = "solidaire.spaces";

// spacesOf lists the spaces of a signed-in person, in the header's order.
// A till device has none: it stays on the till.
export function spacesOf(me: Spaces): Space[] {
  if (!me.user) return [];
  const out: Space[] = [];
  if (me.merchants.some((m) => m.role === "owner" || m.role === "staff" || m.role === "community")) out.push("commerce");
  if (me.user.organiser || me.merchants.some((m) => m.role === "organiser")) out.push("organisation");
  if (me.user.admin) out.push("admin");
  return out;
}

// commerceHome is where a merchant's space starts for this person: a
// community manager everywhere they belong runs the page, not the till.
export function commerceHome(me: Spaces): string {
  const roles = me.merchants.map((m) => m.role).filter((r) => r !== "organiser");
  return roles.length > 0 && roles.every((r) => r === "community") ? "/commerce/page" : spaceHome.commerce;
}

// keepSpaces notes the spaces for the header of the pages to come; null
// forgets them (signed out).
export function keepSpaces(spaces: Space[] | null): void {
  try {
    if (spaces === null) localStorage.removeItem(noteKey);
    else localStorage.setItem(noteKey, JSON.stringify(spaces));
  } catch {
    // Without storage the header keeps its generic link.
  }
}

function keptSpaces(): Space[] | null {
  try {
    const v = JSON.parse(localStorage.getItem(noteKey) || "null");
    return Array.isArray(v) ? v.filter((s): s is Space => s in spaceHome) : null;
  } catch {
    return null;
  }
}

// showSpaces shows the header's link to each space in spaces, or the
// generic merchant link when there is none.
function showSpaces(doc: Document, spaces: Space[]): void {
  for (const li of doc.querySelectorAll<HTMLElement>("[data-nav-space]")) {
    const space = li.dataset.navSpace || "";
    li.hidden = space === "generic" ? spaces.length > 0 : !spaces.includes(space as Space);
  }
}

// initSpaces fills the header. Only someone who signed in on this browser
// costs a request: everyone else keeps the generic link.
export function initSpaces(doc: Document): void {
  const kept = keptSpaces();
  if (!kept || !doc.querySelector("[data-nav-space]")) return;
  showSpaces(doc, kept);
  fetch("/api/v1/auth/me", { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
    .then(async (res) => {
      if (res.status === 401) {
        keepSpaces(null);
        showSpaces(doc, []);
        return;
      }
      if (!res.ok) return;
      const spaces = spacesOf((await res.json()) as Spaces);
      keepSpaces(spaces);
      showSpaces(doc, spaces);
    })
    .catch(() => {
      // Offline: the note stands.
    });
}
