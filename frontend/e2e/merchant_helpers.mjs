// Shared by the merchant side's browser tests: paid vouchers and tickets
// bought through the API with the demo payment provider, and signing in.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { base } from "./helpers.mjs";

export const password = "solidaire-demo";
export const bakery = "boulangerie@demo.solidaire.local";
export const bakerySlug = "boulangerie-du-quartier";

// startOrder starts buying items from the API as a citizen would, and
// returns the pending order (with its access_token) and its payment page.
export async function startOrder(request, items, buyer = { email: "awa@example.org", name: "Awa" }) {
  const res = await request.post(base + "/api/v1/checkout", {
    headers: { "Idempotency-Key": randomUUID() },
    data: { buyer, items },
  });
  assert.equal(res.status(), 201, await res.text());
  return res.json();
}

// pay buys items from the API as a citizen would, pays with the demo
// provider, and returns the paid order (with its vouchers and tickets).
export async function pay(request, items) {
  const { order, checkout_url } = await startOrder(request, items);
  const session = new URL(checkout_url).pathname.split("/").pop();
  const paid = await request.post(`${base}/api/v1/demo/checkout/${session}/complete`);
  assert.equal(paid.status(), 200, await paid.text());
  const got = await request.get(`${base}/api/v1/orders/${order.id}?token=${order.access_token}`);
  assert.equal(got.status(), 200);
  const body = await got.json();
  assert.equal(body.status, "paid");
  return body;
}

// buyVoucher returns a paid voucher of amount (minor units) at the bakery.
export async function buyVoucher(request, amount, recipient) {
  const item = { kind: "gift_certificate", merchant: bakerySlug, amount };
  if (recipient) item.recipient = recipient;
  const order = await pay(request, [item]);
  assert.equal(order.vouchers.length, 1);
  return order.vouchers[0];
}

// buyTicket returns a paid seat ticket to one of the Théâtre du Faubourg's
// scheduled events.
export async function buyTicket(request) {
  const res = await request.get(base + "/api/v1/events?merchant=theatre-du-faubourg");
  const { data } = await res.json();
  const event = data.find((e) => e.status === "scheduled" && e.ticket_types.some((t) => t.seats_left > 0));
  assert.ok(event, "a scheduled event with seats");
  const type = event.ticket_types.find((t) => t.seats_left > 0);
  const order = await pay(request, [{ kind: "ticket", event: event.id, ticket_type: type.id, quantity: 1 }]);
  assert.equal(order.tickets.length, 1);
  return { ticket: order.tickets[0], event };
}

// signIn signs in on /connexion?next=, as a person does, and waits for
// where it leads: the till unless told (landing.test.mjs checks where
// each role lands without next).
export async function signIn(page, email, next = "/caisse") {
  await page.goto(base + "/connexion?next=" + encodeURIComponent(next));
  await page.getByLabel("Courriel").fill(email);
  await page.getByLabel("Mot de passe", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(base + next);
}

// money is how the pages write an amount in French: "12,50 $".
export function money(minor, currency = "cad") {
  return new Intl.NumberFormat("fr-CA", { style: "currency", currency: currency.toUpperCase() }).format(minor / 100);
}

// grouped is a code as a person types it from the voucher: lower case,
// in groups of four.
export function typed(code) {
  return code.toLowerCase().match(/.{1,4}/g).join("-");
}
