// Money that needs a person: the merchant's payments page (demo payments
// here, and Stripe's answers played by the test for the states the demo
// never reaches: what Stripe still needs, an expired link, a country the
// platform does not cover), and Solidaire's admin deciding on orders in
// review (a payment that did not match its order): one accepted, one
// refunded, one whose seats are gone.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { base, checkA11y, launch, noHorizontalScroll, plain, shot, withPage } from "./helpers.mjs";
import { bakery, bakerySlug, money, signIn, startOrder } from "./merchant_helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const stripePage = "https://connect.stripe.com/setup/e/acct_1Test/onboarding";

// stripe plays Stripe's side of the payments API for a page: GET answers
// state, POST onboarding answers each of onboarding in turn (the last one
// again after). It returns the POSTs seen, and serves Stripe's page.
async function stripe(page, state, ...onboarding) {
  const posts = [];
  await page.route(base + "/api/v1/merchant/payments", (route) =>
    route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(state) }));
  await page.route(base + "/api/v1/merchant/payments/onboarding", async (route) => {
    const answer = onboarding[Math.min(posts.length, onboarding.length - 1)];
    posts.push(route.request().method());
    if (answer.delay) await answer.delay;
    await route.fulfill({ status: answer.status || 200, contentType: "application/json", body: JSON.stringify(answer.body) });
  });
  await page.route(stripePage, (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><html lang=en><title>Stripe</title><p>Stripe</p>" }));
  return posts;
}

const onboarding = {
  status: "onboarding",
  account: "acct_1Test",
  charges_enabled: false,
  payouts_enabled: false,
  due: [
    { key: "external_account", text: "le compte bancaire où recevoir les virements" },
    { key: "individual.verification.document", text: "une pièce d'identité" },
    { key: "person_1AbC.dob", text: "l'identité d'une personne liée à l'entreprise" },
    { key: "something.new", text: "un renseignement demandé par Stripe (something.new)" },
  ],
  disabled_reason: "requirements.past_due",
  explanation: "Stripe attend encore des renseignements avant d'autoriser les paiements.",
  checked_at: new Date().toISOString(),
};

const regionRefusal = {
  status: 403,
  body: { error: { code: "region_not_supported", message: "Ce commerce est en France : les paiements de cette plateforme Solidaire ne couvrent pas ce pays. Un commerce s'inscrit sur la plateforme Solidaire de sa région.", fields: { country: "FR" } } },
};

test("the payments page with demo payments, back from Stripe", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    // Stripe takes its time: the page thanks the owner while it checks.
    let answer;
    const held = new Promise((resolve) => (answer = resolve));
    await page.route(base + "/api/v1/merchant/payments", async (route) => {
      await held;
      await route.continue();
    });
    await signIn(page, bakery, "/commerce/paiements?retour=1");
    const state = page.locator("[data-status]");
    await page.getByText("Compte : Mireille Gagnon".replace(" :", "\u00a0:")).waitFor();
    assert.equal(plain(await state.innerText()), "Merci ! Nous vérifions auprès de Stripe…");
    assert.equal(await state.getAttribute("role"), "status");
    assert.equal(await page.locator("[data-details]").getAttribute("aria-busy"), "true");
    await checkA11y(page);
    answer();

    await page.getByRole("status").filter({ hasText: "Vos paiements sont prêts" }).waitFor();
    assert.equal(plain(await state.innerText()), "Vos paiements sont prêts : vos bons sont en vente.");
    assert.equal(await page.locator("[data-details]").getAttribute("aria-busy"), null);
    assert.match(plain(await page.locator("[data-demo]").innerText()), /^Site de démonstration : les paiements sont simulés/);
    assert.equal(await page.locator("[data-onboard]").isVisible(), false, "nothing to set up");
    assert.equal(await page.locator("[data-due-box]").isVisible(), false);
    await noHorizontalScroll(page);
    await shot(page, "payments-demo-phone");
    await checkA11y(page);

    await page.goto(base + "/commerce/paiements?lang=en");
    await page.getByRole("status").filter({ hasText: "Your payments are ready: your vouchers are on sale." }).waitFor();
    await page.getByText("Demo site: payments are simulated").waitFor();
    await checkA11y(page);
  });
});

test("the payments page with Stripe: what it still needs, continuing there once, refusals", async () => {
  const refused = [/HTTP 403/, /status of 403/];
  await withPage(browser, "phone", { allow: refused }, async (page) => {
    let go;
    const slow = new Promise((resolve) => (go = resolve));
    const posts = await stripe(page, onboarding, regionRefusal, { delay: slow, body: { ...onboarding, url: stripePage } });
    await signIn(page, bakery, "/commerce/paiements");
    const state = page.getByRole("status").filter({ hasText: "Stripe a encore besoin" });
    await state.waitFor();
    assert.equal(plain(await state.innerText()), "Stripe a encore besoin de quelques renseignements avant d'autoriser vos ventes.");
    const due = page.getByRole("list", { name: "Ce que Stripe attend encore :".replace(" :", "\u00a0:") });
    assert.deepEqual(await due.locator("li").allInnerTexts(), ["le compte bancaire où recevoir les virements", "une pièce d'identité",
      "l'identité d'une personne liée à l'entreprise", "un renseignement demandé par Stripe (something.new)"]);
    await page.getByText("Stripe attend encore des renseignements avant d'autoriser les paiements.").waitFor();
    await page.getByText("Les virements vers votre compte bancaire ne sont pas encore activés").waitFor();
    await page.getByText(/^Vérifié auprès de Stripe à /).waitFor();
    await noHorizontalScroll(page);
    await shot(page, "payments-onboarding-phone");
    await checkA11y(page);

    // A merchant outside the platform's countries: the refusal, in an alert.
    const button = page.getByRole("button", { name: "Continuer avec Stripe" });
    await button.click();
    const alert = page.getByRole("alert");
    await alert.filter({ hasText: "les paiements de cette plateforme Solidaire ne couvrent pas ce pays" }).waitFor();
    assert.equal(await button.isEnabled(), true, "the button can be tried again");
    assert.equal(await page.evaluate(() => document.activeElement?.hasAttribute("data-onboard")), true, "the focus stays on the button");
    await checkA11y(page);

    // Then Stripe's page: the button waits, disabled, and asks once.
    await button.click();
    await page.getByRole("status").filter({ hasText: "Ouverture de Stripe…" }).waitFor();
    assert.equal(await button.isDisabled(), true);
    assert.equal(await page.locator("[data-alert]").textContent(), "", "the last refusal is gone");
    await button.dispatchEvent("click");
    go();
    await page.waitForURL(stripePage);
    assert.deepEqual(posts, ["POST", "POST"], "one request per click that was taken");
  });

  // In English: the keys Stripe sends, said in English.
  await withPage(browser, "desktop", { allow: refused }, async (page) => {
    await stripe(page, onboarding, regionRefusal);
    await signIn(page, bakery, "/commerce/paiements");
    await page.goto(base + "/commerce/paiements?lang=en");
    await page.getByRole("status").filter({ hasText: "Stripe still needs a few details before it allows your sales." }).waitFor();
    assert.deepEqual(await page.getByRole("list", { name: "What Stripe still needs:" }).locator("li").allInnerTexts(), [
      "the bank account to receive payouts", "an identity document", "the identity of a person linked to the company", "something.new"]);
    await page.getByText("Stripe is still waiting for details before it allows payments.").waitFor();
    await page.getByRole("button", { name: "Continue with Stripe" }).click();
    await page.getByRole("alert").filter({ hasText: "This business is in a country this Solidaire platform's payments do not cover" }).waitFor();
    await checkA11y(page);
  });
});

test("the payments page: not started, and Stripe's expired link followed at once", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    const posts = await stripe(page, { status: "not_started", charges_enabled: false, payouts_enabled: false, due: [] },
      { body: { ...onboarding, url: stripePage } });
    await signIn(page, bakery, "/commerce/paiements");
    await page.getByRole("status").filter({ hasText: "Vos paiements en ligne ne sont pas encore configurés." }).waitFor();
    await page.getByText(/reliez votre compte bancaire avec Stripe/).waitFor();
    const button = page.getByRole("button", { name: "Configurer les paiements avec Stripe" });
    assert.equal(await button.isVisible(), true);
    assert.equal(posts.length, 0, "nothing asked of Stripe before a click");
    await checkA11y(page);

    await page.goto(base + "/commerce/paiements?refresh=1");
    await page.waitForURL(stripePage);
    assert.equal(posts.length, 1, "a new link, asked at once");
  });
});

// review puts an order in review: its payment said paid (minor units),
// which is not its total.
async function review(request, order, paid, note) {
  const res = await request.post(`${base}/test/orders/${order.id}/review`, { form: { paid: String(paid), note } });
  assert.equal(res.status(), 204, await res.text());
}

test("the admin accepts one order in review, refunds another, and is told when seats are gone", async () => {
  const tag = randomUUID().slice(0, 8);
  const buyer = (name, key) => ({ email: `${key}-${tag}@example.org`, name: `${name} ${tag}` });
  const admin = "admin@demo.solidaire.local";
  await withPage(browser, "desktop", { allow: [/HTTP 409/, /status of 409/] }, async (page) => {
    const accepted = await startOrder(page.request, [{ kind: "gift_certificate", merchant: bakerySlug, amount: 5000 }], buyer("Awa", "awa"));
    await review(page.request, accepted.order, 4500, "Montant payé différent du total de la commande.");
    const refunded = await startOrder(page.request, [{ kind: "gift_certificate", merchant: bakerySlug, amount: 3000 }], buyer("Jo", "jo"));
    await review(page.request, refunded.order, 3500, "Montant payé différent du total de la commande.");
    const events = await (await page.request.get(base + "/api/v1/events?merchant=theatre-du-faubourg")).json();
    const event = events.data.find((e) => e.status === "scheduled" && e.ticket_types.some((t) => t.seats_left > 0));
    const type = event.ticket_types.find((t) => t.seats_left > 0);
    const seats = await startOrder(page.request, [{ kind: "ticket", event: event.id, ticket_type: type.id, quantity: 1 }], buyer("Léa", "lea"));
    await review(page.request, seats.order, type.price.amount, "Paiement arrivé après l'expiration de la commande.");

    await signIn(page, admin, "/admin");
    const list = page.locator("[data-review-list]");
    const row = (o) => list.locator(`li[data-order="${o.order.id}"]`);
    await row(accepted).waitFor();
    const text = plain(await row(accepted).innerText());
    assert.match(text, /Boulangerie du Quartier/);
    assert.match(text, new RegExp(`Commande ${accepted.order.id} · `));
    assert.match(text, new RegExp(`Awa ${tag} \\(awa-${tag}@example\\.org\\)`));
    assert.match(text, /Total de la commande\s+50,00 \$/);
    assert.match(text, /Payé\s+45,00 \$ 5,00 \$ de moins que le total/);
    assert.match(text, /Motif\s+Montant payé différent du total de la commande\./);
    assert.match(text, /1 × bon d'achat de 50,00 \$/);
    assert.match(plain(await row(refunded).innerText()), /35,00 \$ 5,00 \$ de plus que le total/);
    assert.match(plain(await row(seats).innerText()), /1 × billet à \d+,\d\d \$/);
    await noHorizontalScroll(page);
    await shot(page, "admin-review-desktop");
    await checkA11y(page);

    // Accept: the dialog says what will happen; "no" changes nothing.
    await row(accepted).getByRole("button", { name: "Accepter et émettre" }).click();
    const dialog = page.getByRole("dialog");
    assert.equal(plain(await dialog.locator("p").first().innerText()),
      `Accepter la commande de Awa ${tag} chez Boulangerie du Quartier ? Ses bons ou billets seront émis et envoyés par courriel à awa-${tag}@example.org, et le commerce garde les 45,00 $ payés.`);
    await checkA11y(page);
    await dialog.getByRole("button", { name: "Non, revenir" }).click();
    await dialog.waitFor({ state: "detached" });
    assert.equal(await row(accepted).isVisible(), true);
    await row(accepted).getByRole("button", { name: "Accepter et émettre" }).click();
    await page.getByRole("button", { name: "Oui, accepter et émettre" }).click();
    await page.getByRole("status").filter({ hasText: "Commande acceptée" }).waitFor();
    assert.equal(plain(await page.locator("[data-status]").innerText()),
      `Commande acceptée : ses bons ou billets sont émis et envoyés à awa-${tag}@example.org.`);
    await row(accepted).waitFor({ state: "detached" });
    assert.equal(await page.evaluate(() => document.activeElement?.id), "a-examiner", "the focus goes to the list");
    const paid = await (await page.request.get(`${base}/api/v1/orders/${accepted.order.id}?token=${accepted.order.access_token}`)).json();
    assert.equal(paid.status, "paid");
    assert.equal(paid.vouchers.length, 1, "the voucher is issued");

    // The seats are gone: said in French, the order stays.
    await page.route(`${base}/api/v1/admin/orders/${seats.order.id}/accept`, (route) => route.fulfill({ status: 409, contentType: "application/json",
      body: JSON.stringify({ error: { code: "sold_out", message: "Plus assez de places." } }) }));
    await row(seats).getByRole("button", { name: "Accepter et émettre" }).click();
    await page.getByRole("button", { name: "Oui, accepter et émettre" }).click();
    await page.getByRole("alert").filter({ hasText: "Les places ne sont plus disponibles : remboursez la commande.".replace(" :", "\u00a0:") }).waitFor();
    assert.equal(await row(seats).isVisible(), true);
    assert.equal(await row(seats).getByRole("button", { name: "Rembourser" }).isEnabled(), true);
    await checkA11y(page);

    // Refund: the whole payment back through Stripe, the buyer told.
    for (const o of [refunded, seats]) {
      await row(o).getByRole("button", { name: "Rembourser" }).click();
      const words = plain(await page.getByRole("dialog").locator("p").first().innerText());
      assert.match(words, /^Rembourser la commande de (Jo|Léa) \w+ chez (Boulangerie du Quartier|Théâtre du Faubourg) \?/);
      assert.match(words, /seront rendus en entier par Stripe, sur la carte qui a payé, et repris sur le compte de /);
      assert.match(words, /L'acheteur en sera averti par courriel\. Aucun bon ni billet ne sera émis\./);
      await page.getByRole("button", { name: "Oui, rembourser" }).click();
      await page.getByRole("status").filter({ hasText: "Commande remboursée" }).waitFor();
      await row(o).waitFor({ state: "detached" });
    }
    assert.equal(plain(await page.locator("[data-status]").innerText()),
      `Commande remboursée : ${plain(money(type.price.amount))} rendus à lea-${tag}@example.org, averti par courriel.`);
    const back = await (await page.request.get(`${base}/api/v1/orders/${refunded.order.id}?token=${refunded.order.access_token}`)).json();
    assert.equal(back.status, "refunded");
    await page.getByText("Aucune commande à examiner.").waitFor();
    await shot(page, "admin-review-done-desktop");
    await checkA11y(page);
  });
});
