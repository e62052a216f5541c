// A new merchant's first steps on its dashboard: its review (an
// application waiting for an admin comes first), payments connected, its
// page completed, its till ready. Each step is ticked from what the API
// says; the list hides once every step is done.
import { Api, Member, t, tillUsed } from "./merchant_api";

interface Payments {
  status: string;
  demo?: boolean;
  merchant_status?: string;
}

export async function stepsPanel(scope: HTMLElement, api: Api, member: Member): Promise<void> {
  const panel = scope.querySelector<HTMLElement>("[data-steps]");
  if (!panel) return;
  const [payments, devices] = await Promise.all([
    api.call<Payments>("GET", "/merchant/payments"),
    api.call<{ data: { revoked: boolean; last_seen_at: string | null }[] }>("GET", "/merchant/devices"),
  ]);
  const review = payments.ok ? payments.data.merchant_status || "approved" : "";
  const reviewing = review !== "" && review !== "approved" && review !== "programme";
  // The public page, which exists once the merchant is approved.
  const page = review !== "approved"
    ? null
    : await api.call<{ summary: string; description: string }>("GET", "/merchants/" + encodeURIComponent(member.slug));
  const done: Record<string, boolean> = {
    payments: payments.ok && payments.data.status === "ready",
    page: !!page?.ok && page.data.summary.trim() !== "" && page.data.description.trim() !== "",
    till: tillUsed(member.slug) || (devices.ok && devices.data.data.some((d) => !d.revoked && d.last_seen_at !== null)),
  };
  for (const p of panel.querySelectorAll<HTMLElement>("[data-steps-review]")) p.hidden = p.dataset.stepsReview !== review;
  for (const li of panel.querySelectorAll<HTMLElement>("[data-step]")) {
    const ok = done[li.dataset.step || ""];
    li.classList.toggle("is-done", ok);
    const state = li.querySelector<HTMLElement>("[data-step-state]");
    if (state) state.textContent = t(ok ? "dash.steps.done" : "dash.steps.todo");
  }
  const link = panel.querySelector<HTMLAnchorElement>("[data-step-link]");
  if (link && page?.ok) {
    link.href = "/m/" + encodeURIComponent(member.slug);
    link.hidden = false;
  }
  panel.hidden = !reviewing && Object.values(done).every(Boolean);
}
