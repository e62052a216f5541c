// The till on a phone, signed in as the bakery's owner: a voucher's code
// typed as a person types it, part of it redeemed with a confirmation, the
// new balance in large type, and the undo; the refusals in plain French
// (too little left, unknown code, spent voucher, rate limit, lost network
// with a retry that reuses the idempotency key); tickets checked in at the
// door; a voucher blocked while its payment is disputed, a bonus shown apart
// from the paid value, a ticket its holder exchanged.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { base, checkA11y, launch, noHorizontalScroll, plain, shot, withPage } from "./helpers.mjs";
import { bakery, bakerySlug, buyTicket, buyVoucher, money, pay, signIn, typed } from "./merchant_helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// redemptionKeys records the Idempotency-Key of every redemption sent.
function redemptionKeys(page) {
  const keys = [];
  page.on("request", (req) => {
    if (req.method() === "POST" && /\/api\/v1\/merchant\/vouchers\/\w+\/redemptions$/.test(req.url())) keys.push(req.headers()["idempotency-key"]);
  });
  return keys;
}

// lookUp types a code in the till's field and checks it.
async function lookUp(page, code) {
  await page.getByLabel("Code du bon ou du billet").fill(code);
  await page.getByRole("button", { name: "Vérifier le code" }).click();
}

test("redeem part of a voucher on a phone, see the new balance, then undo", async () => {
  // Before signing in, the till asks who is there: a 401 it expects.
  const signedOut = [/HTTP 401: .*\/auth\/me$/, /status of 401/];
  await withPage(browser, "phone", { allow: signedOut }, async (page) => {
    const voucher = await buyVoucher(page.request, 2500, { name: "Jo", message: "Bon appétit, Jo !" });

    // Signing in leads to the till.
    await page.goto(base + "/caisse");
    await page.waitForURL(base + "/connexion?next=%2Fcaisse");
    await checkA11y(page);
    await shot(page, "merchant-signin-phone");
    await signIn(page, bakery);
    await page.getByText("Compte : Mireille Gagnon").waitFor();
    assert.match(await page.locator("h1").innerText(), /Boulangerie du Quartier/);
    assert.equal(await page.evaluate(() => document.activeElement.id), "code", "the code field is ready for a scanner");
    await noHorizontalScroll(page);
    await shot(page, "till-ready-phone");
    await checkA11y(page);

    // The code as a person types it: lower case, with dashes.
    const keys = redemptionKeys(page);
    await lookUp(page, typed(voucher.code));
    const panel = page.locator("[data-voucher]");
    await panel.waitFor();
    assert.match(plain(await panel.innerText()), /Bon solidaire pour Jo/);
    assert.match(plain(await panel.innerText()), /Bon appétit, Jo !/);
    assert.equal(plain(await panel.locator("[data-v-balance]").innerText()), plain(money(2500)));
    assert.equal(await page.evaluate(() => document.activeElement.id), "montant", "the amount is next");
    await shot(page, "till-voucher-phone");
    await checkA11y(page);

    // Part of it, typed the French way, then confirmed.
    await page.getByLabel("Montant à encaisser").fill("12,50");
    await page.getByRole("button", { name: "Encaisser", exact: true }).click();
    assert.equal(plain(await page.locator("[data-confirm-text]").innerText()), "Encaisser 12,50 $ sur ce bon ?");
    await shot(page, "till-confirm-phone");
    await page.getByRole("button", { name: "Confirmer : encaisser 12,50 $" }).click();
    const done = page.locator("[data-done]");
    await done.waitFor();
    assert.equal(plain(await done.locator("h2").innerText()), "Encaissé : 12,50 $");
    assert.equal(plain(await done.locator("[data-done-balance]").innerText()), "12,50 $");
    const size = await done.locator(".till-balance").evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(size >= 32, `the new balance is in large type (${size}px)`);
    assert.equal(keys.length, 1);
    assert.match(keys[0], /^[0-9a-f-]{32,36}$/);
    await noHorizontalScroll(page);
    await shot(page, "till-redeemed-phone");
    await checkA11y(page);

    // The undo asks first; "no" keeps the redemption.
    await page.getByRole("button", { name: "Annuler cet encaissement" }).click();
    const dialog = page.getByRole("dialog");
    assert.match(plain(await dialog.innerText()), /Annuler l'encaissement de 12,50 \$ \?/);
    await shot(page, "till-undo-confirm-phone");
    await checkA11y(page);
    await dialog.getByRole("button", { name: "Non, revenir" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Annuler cet encaissement" }).click();
    await page.getByRole("button", { name: "Oui, annuler l'encaissement" }).click();
    await page.getByRole("status").filter({ hasText: "Encaissement annulé" }).waitFor();
    assert.match(plain(await page.locator("[data-status]").innerText()), /12,50 \$ retourne sur le bon\. Solde : 25,00 \$\./);
    assert.equal(plain(await panel.locator("[data-v-balance]").innerText()), "25,00 $");
    const api = await (await page.request.get(`${base}/api/v1/vouchers/${voucher.code}`)).json();
    assert.equal(api.balance?.amount ?? api.voucher?.balance?.amount, 2500, "the amount went back");

    // All of it with the "Tout" button.
    await page.getByRole("button", { name: "Tout le solde" }).click();
    await page.getByRole("button", { name: "Confirmer : encaisser 25,00 $" }).click();
    await done.waitFor();
    assert.equal(plain(await done.locator("[data-done-balance]").innerText()), "0,00 $");

    // The next code: the field is empty and ready.
    await page.getByRole("button", { name: "Code suivant" }).first().click();
    assert.equal(await page.getByLabel("Code du bon ou du billet").inputValue(), "");
    assert.equal(await page.evaluate(() => document.activeElement.id), "code");

    // A barcode scanner types the code and Enter wherever the focus is;
    // the code field takes it. Spent now: the till says so.
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.type(voucher.code.toLowerCase());
    await page.keyboard.press("Enter");
    await page.getByRole("alert").filter({ hasText: "Ce bon est entièrement utilisé" }).waitFor();
  });
});

test("the refusals: too little left, unknown code, a wrong amount", async () => {
  const expected = [/HTTP 409: .*\/redemptions$/, /HTTP 404: .*\/merchant\/scan$/, /status of 40[49]/];
  await withPage(browser, "phone", { allow: expected }, async (page) => {
    const voucher = await buyVoucher(page.request, 2000);
    await signIn(page, bakery);
    await lookUp(page, voucher.code);
    await page.locator("[data-voucher]").waitFor();

    // More than the balance is refused before it leaves the till.
    await page.getByLabel("Montant à encaisser").fill("30");
    await page.getByRole("button", { name: "Encaisser", exact: true }).click();
    assert.match(plain(await page.locator("#montant-error").innerText()), /dépasse le solde du bon \(20,00 \$\)/);
    assert.equal(await page.getByLabel("Montant à encaisser").getAttribute("aria-invalid"), "true");
    await page.getByLabel("Montant à encaisser").fill("abc");
    await page.getByRole("button", { name: "Encaisser", exact: true }).click();
    assert.match(plain(await page.locator("#montant-error").innerText()), /Saisissez un montant/);

    // Another till spends 15 $ meanwhile: the API refuses 10 $, nothing is
    // debited, and the till says what is left.
    const spent = await page.request.post(`${base}/api/v1/merchant/vouchers/${voucher.code}/redemptions`, {
      headers: { "Idempotency-Key": crypto.randomUUID(), Origin: base }, data: { amount: 1500 },
    });
    assert.equal(spent.status(), 201);
    await page.getByLabel("Montant à encaisser").fill("10");
    await page.getByRole("button", { name: "Encaisser", exact: true }).click();
    await page.getByRole("button", { name: "Confirmer : encaisser 10,00 $" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "Solde insuffisant" });
    await alert.waitFor();
    assert.equal(plain(await alert.innerText()), "Solde insuffisant : il ne reste que 5,00 $ sur ce bon. Rien n'a été encaissé.");
    assert.equal(plain(await page.locator("[data-v-balance]").innerText()), "5,00 $");
    await shot(page, "till-insufficient-phone");
    await checkA11y(page);

    // An unknown code, or another merchant's.
    await lookUp(page, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ");
    await page.getByRole("alert").filter({ hasText: "Code inconnu, ou bon d'un autre commerce" }).waitFor();
    assert.equal(await page.locator("[data-voucher]").isVisible(), false);
  });
});

test("a lost answer is retried with the same key; a rate limit says how long to wait", async () => {
  await withPage(browser, "phone", { allow: [/ERR_FAILED/, /HTTP 429/, /status of 429/, /redemptions/] }, async (page) => {
    const voucher = await buyVoucher(page.request, 3000);
    await signIn(page, bakery);
    const keys = redemptionKeys(page);
    let calls = 0;
    await page.route(/\/redemptions$/, async (route) => {
      // The day's list (a GET) goes through; the redemption is the one.
      if (route.request().method() !== "POST") return route.continue();
      calls++;
      if (calls === 1) return route.abort("failed");
      if (calls === 2) {
        return route.fulfill({ status: 429, headers: { "Retry-After": "7", "Content-Type": "application/json" },
          body: JSON.stringify({ error: { code: "rate_limited", message: "Trop de requêtes." } }) });
      }
      return route.continue();
    });
    await lookUp(page, voucher.code);
    await page.getByLabel("Montant à encaisser").fill("8");
    await page.getByRole("button", { name: "Encaisser", exact: true }).click();
    await page.getByRole("button", { name: "Confirmer : encaisser 8,00 $" }).click();
    await page.getByRole("alert").filter({ hasText: "La connexion a été perdue" }).waitFor();
    await shot(page, "till-network-phone");
    await page.getByRole("button", { name: "Réessayer" }).click();
    await page.getByRole("alert").filter({ hasText: "attendez 7 secondes" }).waitFor();
    await page.getByRole("button", { name: "Réessayer" }).click();
    await page.locator("[data-done]").waitFor();
    assert.equal(plain(await page.locator("[data-done-balance]").innerText()), "22,00 $");
    assert.equal(keys.length, 3);
    assert.equal(new Set(keys).size, 1, "one key for the three tries of one redemption");
  });
});

test("tickets at the door: check in, already in, undo", async () => {
  await withPage(browser, "phone", { allow: [/HTTP 409: .*\/checkin$/, /status of 409/] }, async (page) => {
    const { ticket, event } = await buyTicket(page.request);
    await signIn(page, "organisateur@demo.solidaire.local");
    await lookUp(page, ticket.code.toLowerCase());
    const panel = page.locator("[data-ticket]");
    await panel.waitFor();
    assert.match(await panel.innerText(), new RegExp(event.title));
    await page.getByRole("button", { name: "Valider l'entrée" }).click();
    await panel.getByText("Entrée validée").waitFor();
    await shot(page, "till-ticket-phone");
    await checkA11y(page);

    // Scanned again: when, and by whom.
    await page.getByRole("button", { name: "Code suivant" }).last().click();
    await lookUp(page, ticket.code);
    await panel.getByText(/Entrée déjà validée/).waitFor();
    assert.match(plain(await panel.innerText()), /Entrée déjà validée : billet scanné le .+ par Isabelle Lachance\./);
    assert.equal(await page.getByRole("button", { name: "Valider l'entrée" }).isVisible(), false);

    // A mistake: the check-in is undone, after a confirmation.
    await page.getByRole("button", { name: "Annuler l'entrée" }).click();
    await page.getByRole("button", { name: "Oui, annuler l'entrée" }).click();
    await panel.getByText("Entrée annulée").waitFor();
    await page.getByRole("button", { name: "Valider l'entrée" }).click();
    await panel.getByText("Entrée validée").waitFor();
  });
});

// dispute opens a dispute on a paid order, as Stripe's webhook would.
async function dispute(request, order) {
  const res = await request.post(`${base}/test/orders/${order.id}/dispute`);
  assert.equal(res.status(), 204, await res.text());
}

test("a disputed voucher is blocked: no redemption form, and a redemption refused if it comes between", async () => {
  await withPage(browser, "phone", { allow: [/HTTP 409: .*\/redemptions$/, /status of 409/] }, async (page) => {
    const order = await pay(page.request, [{ kind: "gift_certificate", merchant: bakerySlug, amount: 4000 }]);
    await dispute(page.request, order);
    await signIn(page, bakery);
    await lookUp(page, order.vouchers[0].code);
    const panel = page.locator("[data-voucher]");
    const blocked = panel.locator("[data-v-blocked]");
    await blocked.waitFor();
    assert.match(plain(await blocked.innerText()),
      /^Bon bloqué : paiement contesté\s+Le paiement de ce bon est contesté auprès de la banque : il ne peut pas être encaissé pour l'instant\.$/);
    assert.equal(await page.getByLabel("Montant à encaisser").isVisible(), false, "no amount to type");
    assert.equal(await page.getByRole("button", { name: "Encaisser", exact: true }).isVisible(), false);
    assert.equal(await page.getByRole("button", { name: "Tout le solde" }).isVisible(), false);
    assert.equal(await panel.locator("[data-v-balance-box]").isVisible(), false);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "bon-titre", "the focus is on the voucher");
    assert.match(plain(await page.locator("[data-announce]").textContent()), /^Bon bloqué : paiement contesté\. /);
    await noHorizontalScroll(page);
    await shot(page, "till-disputed-phone");
    await checkA11y(page);

    // Contested after the scan: the redemption is refused, nothing taken.
    const other = await pay(page.request, [{ kind: "gift_certificate", merchant: bakerySlug, amount: 3000 }]);
    await lookUp(page, other.vouchers[0].code);
    await blocked.waitFor({ state: "hidden" });
    await page.getByLabel("Montant à encaisser").fill("10");
    await page.getByRole("button", { name: "Encaisser", exact: true }).click();
    await dispute(page.request, other);
    await page.getByRole("button", { name: "Confirmer : encaisser 10,00 $" }).click();
    await page.getByRole("alert").filter({ hasText: "Rien n'a été encaissé" }).waitFor();
    assert.equal(plain(await page.locator("[data-alert]").innerText()), "Bon bloqué : paiement contesté. Rien n'a été encaissé.");
    await blocked.waitFor();
    assert.equal(await page.getByLabel("Montant à encaisser").isVisible(), false);
    const api = await (await page.request.get(`${base}/api/v1/vouchers/${other.vouchers[0].code}`)).json();
    assert.equal(api.balance?.amount ?? api.voucher?.balance?.amount, 3000, "nothing was debited");
    await checkA11y(page);
  });
});

test("a bonus is shown apart from the paid value, before and after a redemption", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    // A credit from a cancelled show, with its bonus: the API's answers
    // played by the test (such a voucher takes an event's cancellation).
    const code = "BQNS0NUSCREDIT2031ZZ";
    const cad = (amount) => ({ amount, currency: "cad" });
    await page.route(base + "/api/v1/merchant/scan", (route) => route.fulfill({ json: {
      kind: "voucher", code, display_code: "BQNS-0NUS-CRED-IT20-31ZZ", balance: cad(5000), paid: cad(3000), bonus: cad(2000),
      bonus_expires_at: "2031-03-01T17:00:00Z", initial: cad(3000), status: "active", issued_at: "2026-01-01T12:00:00Z" } }));
    await page.route(base + `/api/v1/merchant/vouchers/${code}/redemptions`, (route) => route.fulfill({ status: 201, json: {
      redemption: { id: "red_bonus", amount: cad(2500), from_bonus: cad(2000), balance_after: cad(2500), bonus_after: cad(0) } } }));
    await signIn(page, bakery);
    await lookUp(page, code);
    const bonus = page.locator("[data-v-bonus]");
    await bonus.waitFor();
    assert.equal(plain(await page.locator("[data-v-balance]").innerText()), "50,00 $");
    assert.equal(plain(await bonus.innerText()), "Dont 20,00 $ de bonus, valable jusqu'au 1 mars 2031. La valeur payée (30,00 $) n'expire jamais.");
    await checkA11y(page);
    await page.getByLabel("Montant à encaisser").fill("25");
    await page.getByRole("button", { name: "Encaisser", exact: true }).click();
    await page.getByRole("button", { name: /^Confirmer : encaisser 25,00/ }).click();
    const done = page.locator("[data-done]");
    await done.waitFor();
    assert.equal(plain(await done.locator("[data-done-bonus]").innerText()), "Dont 20,00 $ pris sur le bonus.");
    assert.equal(plain(await done.locator("[data-done-balance]").innerText()), "25,00 $");
  });
});

test("a ticket its holder exchanged does not open the door", async () => {
  await withPage(browser, "phone", { allow: [/HTTP 409: .*\/checkin$/, /status of 409/] }, async (page) => {
    const { ticket } = await buyTicket(page.request);
    // The holder chooses a refund on their phone while the ticket is on
    // the door's screen: the API refuses the check-in.
    await page.route(base + `/api/v1/merchant/tickets/${ticket.code}/checkin`, (route) => route.fulfill({ status: 409, json: {
      error: { code: "ticket_exchanged", message: "Ce billet a été échangé (remboursement) : il ne donne plus accès à l'événement." } } }));
    await signIn(page, "organisateur@demo.solidaire.local");
    await lookUp(page, ticket.code);
    const panel = page.locator("[data-ticket]");
    await panel.waitFor();
    await page.getByRole("button", { name: "Valider l'entrée" }).click();
    const state = panel.locator("[data-t-state]");
    await state.filter({ hasText: "Billet échangé" }).waitFor();
    assert.equal(plain(await state.innerText()),
      "Billet échangé : son détenteur a choisi un remboursement, un crédit ou un don. Il ne donne plus accès à la salle.");
    assert.equal(await page.getByRole("button", { name: "Valider l'entrée" }).isVisible(), false);
    await checkA11y(page);
  });
});

test("the holder's pages say a disputed voucher and ticket are blocked", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    const order = await pay(page.request, [{ kind: "gift_certificate", merchant: bakerySlug, amount: 2000 }]);
    await dispute(page.request, order);
    await page.goto(`${base}/v/${order.vouchers[0].code}`);
    await page.getByText("Ce bon est bloqué : son paiement est contesté auprès de la banque. Il ne peut pas être utilisé pour l'instant."
      .replace(" :", "\u00a0:")).waitFor();
    assert.match(plain(await page.locator(".facts").innerText()), /Bloqué \(paiement contesté\)/);
    await noHorizontalScroll(page);
    await shot(page, "voucher-disputed-phone");
    await checkA11y(page);

    const { event } = await buyTicket(page.request);
    const type = event.ticket_types.find((t) => t.seats_left > 0);
    const seats = await pay(page.request, [{ kind: "ticket", event: event.id, ticket_type: type.id, quantity: 1 }]);
    await dispute(page.request, seats);
    await page.goto(`${base}/billet/${seats.tickets[0].code}`);
    await page.getByText(/^Ce billet est bloqué/).waitFor();
    assert.equal(await page.locator("img[src*='/qr.png']").count(), 0, "no QR code to show at the door");
    await shot(page, "ticket-disputed-phone");
    await checkA11y(page);
  });
});

test("undo a redemption from the day's list, then read the ledger as cards on a phone", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    const voucher = await buyVoucher(page.request, 3000);
    const last4 = "…" + voucher.code.slice(-4);
    await signIn(page, bakery);
    await lookUp(page, voucher.code);
    await page.getByLabel("Montant à encaisser").fill("12");
    await page.getByRole("button", { name: "Encaisser", exact: true }).click();
    await page.getByRole("button", { name: "Confirmer : encaisser 12,00 $" }).click();
    await page.locator("[data-done]").waitFor();
    // Away from the result screen: the next customer.
    await page.getByRole("button", { name: "Code suivant" }).first().click();
    assert.equal(await page.locator("[data-done]").isVisible(), false);

    // The day's list, a card per redemption, with its undo button.
    const list = page.locator("[data-day]");
    const row = list.locator("tr", { hasText: last4 });
    await row.waitFor();
    assert.match(plain(await row.innerText()), /12,00 \$[\s\S]*18,00 \$[\s\S]*Mireille Gagnon/);
    assert.equal(await row.evaluate((tr) => getComputedStyle(tr).display), "flex", "a card, not a table row");
    await noHorizontalScroll(page);
    await shot(page, "till-day-list-phone");
    await checkA11y(page);
    await row.getByRole("button", { name: /^Annuler/ }).click();
    const dialog = page.getByRole("dialog");
    assert.equal(plain(await dialog.locator("p").first().innerText()), "Annuler cet encaissement de 12,00 $ ? Le montant retourne sur le bon.");
    await dialog.getByRole("button", { name: "Oui, annuler l'encaissement" }).click();
    await row.filter({ hasText: /Annulé à \d{1,2} h \d\d/ }).waitFor();
    assert.equal(await row.getByRole("button").count(), 0, "no undo left on an undone row");
    assert.doesNotMatch(plain(await row.innerText()), /18,00 \$/, "no balance after an undone redemption");
    assert.match(plain(await page.locator("[data-status]").innerText()), new RegExp(`Encaissement de 12,00 \\$ annulé \\(bon ${last4}\\)`));
    const api = await (await page.request.get(`${base}/api/v1/vouchers/${voucher.code}`)).json();
    assert.equal(api.balance?.amount ?? api.voucher?.balance?.amount, 3000, "the amount went back");
    await shot(page, "till-day-undone-phone");
    await checkA11y(page);

    // The dashboard on the same phone: the day's list says it is undone,
    // and the month's ledger is a card per line, amounts in sight.
    await page.goto(base + "/commerce");
    const dash = page.locator("[data-today-rows] tr", { hasText: last4 });
    await dash.filter({ hasText: /Annulé à/ }).waitFor();
    await page.getByRole("button", { name: "Afficher" }).click();
    const ledger = page.locator("[data-ledger-result] table");
    await ledger.waitFor();
    const cards = ledger.locator("tbody tr", { hasText: voucher.code.slice(-4) });
    assert.ok(await cards.count() >= 3, "sale, redemption and its undo");
    for (const card of await cards.all()) {
      assert.equal(await card.evaluate((tr) => getComputedStyle(tr).display), "flex");
      const amount = card.locator(".day-amount");
      assert.match(plain(await amount.innerText()), /\d+,\d\d \$/);
      const box = await amount.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 360, `the amount is on the screen: ${JSON.stringify(box)}`);
    }
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), "nothing scrolls sideways");
    await noHorizontalScroll(page);
    await shot(page, "dashboard-ledger-phone");
    await checkA11y(page);
  });
});
