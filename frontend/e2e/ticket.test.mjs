// Tickets, from the sale to the holder's choice (#billetsolidaire): an
// organiser creates an event on a laptop; a citizen buys two tickets on a
// phone; the organiser previews then cancels the event, and follows the
// holders' choices live; the holder opens the ticket on a phone and takes
// a credit, then sees the voucher; the other ticket is given to the venue
// without JavaScript. The event is the test's own: the demo data set's
// events stay as the other tests expect them.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { base, checkA11y, launch, noHorizontalScroll, plain, shot, withPage } from "./helpers.mjs";
import { createEvent, payDemo, signIn } from "./organiser_helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const title = "Concert de soutien du Faubourg";
let eventId;
let codes = [];

test("an organiser creates an event on a laptop", async () => {
  await withPage(browser, "desktop", {}, async (page) => {
    await signIn(page);
    eventId = await createEvent(page, title);
    await page.getByRole("heading", { level: 1, name: title }).waitFor();
    assert.match(await page.locator("[data-event-when]").innerText(), /\d/);
    assert.equal(await page.getByLabel("Titre", { exact: true }).inputValue(), title);
    assert.ok(await page.getByRole("heading", { name: "Annuler l'événement" }).isVisible());
    assert.ok(await page.getByRole("heading", { name: "Reporter l'événement" }).isVisible());
  });
});

test("a citizen buys two tickets on a phone", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    await page.goto(base + "/e/" + eventId);
    await page.getByRole("heading", { level: 1, name: title }).waitFor();
    await page.getByRole("link", { name: "Voir les billets" }).click();
    const seats = page.getByRole("combobox", { name: "Admission générale — nombre de billets" });
    assert.match(await page.locator(".ticket-pick").innerText(), /100 places restantes/);
    assert.equal(plain(await page.locator("[data-tickets-total]").innerText()), "Selon vos choix");
    await seats.selectOption("2");
    assert.equal(plain(await page.locator("[data-tickets-total]").innerText()), "50,00 $");
    await page.getByLabel("Votre courriel", { exact: true }).fill("awa@example.org");
    await page.getByLabel("Votre nom (facultatif)").fill("Awa Diallo");
    assert.match(await page.locator(".recap").innerText(), /remboursement \(toujours possible\)/);
    await noHorizontalScroll(page);
    await page.locator("#billets").scrollIntoViewIfNeeded();
    await shot(page, "tickets-form-phone");
    await checkA11y(page);

    const keys = [];
    page.on("request", (req) => {
      if (req.method() === "POST" && req.url() === base + "/api/v1/checkout") keys.push(req.headers()["idempotency-key"]);
    });
    await page.getByRole("button", { name: "Passer au paiement" }).click();
    await payDemo(page);
    assert.equal(keys.length, 1);
    assert.match(keys[0], /^[0-9a-f-]{32,36}$/);

    await page.getByRole("heading", { level: 1, name: /Vos billets sont prêts/ }).waitFor();
    const tickets = page.locator(".ticket-card");
    assert.equal(await tickets.count(), 2);
    const qr = page.getByRole("img", { name: `Code QR du billet pour ${title}, à présenter à l'entrée` }).first();
    await qr.waitFor();
    await page.waitForFunction((img) => img.complete && img.naturalWidth >= 200, await qr.elementHandle());
    codes = await page.locator(".ticket-card a").evaluateAll((as) => as.map((a) => new URL(a.href).pathname.split("/").pop()));
    assert.equal(codes.length, 2);
    await noHorizontalScroll(page);
    await shot(page, "order-tickets-phone");
    await checkA11y(page);

    // The event page now says there are 98 seats left.
    await page.goto(base + "/e/" + eventId);
    assert.match(await page.locator(".ticket-pick").innerText(), /98 places restantes/);
  });
});

test("the organiser previews and cancels; the holder takes a credit on a phone; the tally follows", async () => {
  await withPage(browser, "desktop", {}, async (org) => {
    await signIn(org);
    await org.goto(base + "/organisation/evenements/" + eventId);
    const cancel = org.locator('[data-choices="cancel"]');
    await cancel.getByRole("heading", { name: "Annuler l'événement" }).waitFor();
    assert.equal(await cancel.getByLabel("Bonus du crédit, en %").inputValue(), "10");
    await cancel.getByLabel("Motif, dit aux détenteurs").fill("L'artiste invitée est malade.");
    await cancel.getByRole("button", { name: "Voir l'aperçu" }).click();

    // The preview: who is told, how many tickets, what is at stake.
    const preview = cancel.locator("[data-preview]");
    await preview.waitFor();
    const facts = plain(await preview.innerText());
    assert.match(facts, /Détenteurs prévenus par courriel\s+1\b/);
    assert.match(facts, /Billets concernés\s+2\b/);
    assert.match(facts, /Montant payé pour ces billets\s+50,00 \$/);
    assert.match(facts, /Remboursement, Crédit chez la salle \(\+10 %\), Don à la salle/);
    assert.match(facts, /Sans réponse\s+Rembourser/);
    assert.equal(await org.evaluate(() => document.activeElement?.hasAttribute("data-preview")), true, "the preview takes the focus");
    await shot(org, "organiser-cancel-preview");
    await checkA11y(org);

    // The confirmation says what will happen; nothing is cancelled before.
    await cancel.getByRole("button", { name: "Annuler l'événement…" }).click();
    const dialog = org.getByRole("dialog", { name: new RegExp(`^Annuler «\\s${title}\\s»`) });
    await dialog.waitFor();
    assert.match(plain(await dialog.innerText()), /1 détenteur et 2 billets : chacun sera prévenu par courriel/);
    await shot(org, "organiser-cancel-confirm");
    await checkA11y(org);
    await dialog.getByRole("button", { name: "Oui, annuler l'événement" }).click();

    // Then the progress of the notices and the live tally.
    await org.getByRole("status").filter({ hasText: "L'événement est annulé." }).waitFor();
    const tally = org.locator("[data-tally]");
    await tally.getByRole("heading", { name: "Choix des détenteurs" }).waitFor();
    await org.locator("[data-tally-notified]").filter({ hasText: "2 sur 2 billets" }).waitFor({ timeout: 15000 });
    assert.equal(await org.locator("h1 .badge-cancelled").textContent(), "Annulé");
    assert.match(plain(await tally.locator('[data-tally-row="pending"]').innerText()), /Sans réponse\s+2 billets/);
    assert.equal(await tally.getByRole("meter", { name: "Remboursement" }).getAttribute("value"), "0");
    assert.equal(await cancel.isVisible(), false, "a cancelled event cannot be cancelled again");
    await shot(org, "organiser-tally");
    await checkA11y(org);

    // The holder, on a phone.
    await withPage(browser, "phone", {}, async (page) => {
      await page.goto(base + "/billet/" + codes[0]);
      await page.getByRole("heading", { name: /^Que voulez-vous faire de votre billet/ }).waitFor();
      assert.match(await page.locator(".notice-cancelled").innerText(), /L'artiste invitée est malade/);
      const choices = page.locator(".ticket-choices");
      const text = plain(await choices.innerText());
      assert.match(text, /Répondez d'ici le /);
      assert.match(text, /Le remboursement reste possible en tout temps/);
      for (const name of ["Me faire rembourser", /^Recevoir un crédit \(\+10\s%\)$/, "Faire un don à la salle"]) {
        const b = page.getByRole("button", { name });
        await b.waitFor();
        const box = await b.boundingBox();
        assert.ok(box.height >= 48 && box.width >= 300, `${name} is a big button (${box.width}×${box.height})`);
      }
      assert.equal(await page.getByRole("button", { name: "Garder mon billet" }).count(), 0);
      await noHorizontalScroll(page);
      await shot(page, "ticket-choice-phone");
      await checkA11y(page);

      // A choice asks for its confirmation, which says what happens.
      await page.getByRole("button", { name: "Faire un don à la salle" }).click();
      const donate = page.getByRole("dialog", { name: /Donner 25,00/ });
      await donate.waitFor();
      assert.match(await donate.innerText(), /Un don est définitif/);
      await donate.getByRole("button", { name: "Revenir aux choix" }).click();
      await donate.waitFor({ state: "hidden" });
      assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), "Faire un don à la salle", "the focus comes back");

      await page.getByRole("button", { name: /^Recevoir un crédit \(\+10\s%\)$/ }).click();
      const credit = page.getByRole("dialog", { name: /Recevoir un crédit de 27,50/ });
      await credit.waitFor();
      assert.match(plain(await credit.innerText()), /le prix de votre billet, 25,00 \$, plus 2,50 \$ de bonus/);
      await shot(page, "ticket-choice-confirm-phone");
      await checkA11y(page);
      await credit.getByRole("button", { name: "Confirmer mon choix" }).click();

      // The outcome, with the credit voucher.
      const outcome = page.locator("[data-ticket-outcome]");
      await outcome.getByRole("heading", { name: "Votre crédit est prêt" }).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.hasAttribute("data-ticket-outcome")), true, "the outcome takes the focus");
      assert.equal(await page.getByRole("button", { name: "Faire un don à la salle" }).count(), 0);
      assert.match(await page.locator(".ticket-card").innerText(), /Converti en crédit/);
      await noHorizontalScroll(page);
      await shot(page, "ticket-credit-phone");
      await checkA11y(page);
      await page.getByRole("link", { name: "Voir mon bon d'achat" }).click();
      await page.waitForURL(/\/v\/[0-9A-Z]+$/);
      assert.match(plain(await page.locator(".balance").innerText()), /27,50 \$/);
      assert.match(plain(await page.locator("main").innerText()), /Dont 2,50 \$ de bonus/);
    });

    // The organiser's tally follows, within a few seconds.
    await tally.locator('[data-tally-row="credit"]').filter({ hasText: "1 billet · 25,00 $" }).waitFor({ timeout: 12000 });
    assert.equal(await tally.getByRole("meter", { name: "Crédit" }).getAttribute("value"), "1");
    assert.match(plain(await tally.locator('[data-tally-row="pending"]').innerText()), /1 billet/);
    assert.match(plain(await tally.locator("[data-tally-solidarity]").innerText()), /25,00 \$/);
    assert.match(plain(await tally.locator("[data-tally-live]").innerText()), /remboursement : 0, crédit : 1, don : 0, sans réponse : 1/);
  });
});

test("a ticket used at the door meanwhile: the choice is refused, and the page says why", async () => {
  await withPage(browser, "phone", { allow: [/HTTP 409/, /status of 409/] }, async (page) => {
    // The door checks the ticket in while its page is open on the phone:
    // the API's refusal is played by the test (the ticket is donated next).
    await page.route(`${base}/api/v1/tickets/${codes[1]}/choice`, (route) => route.fulfill({ status: 409, json: {
      error: { code: "ticket_checked_in", message: "Ce billet a servi à l'entrée : il ne peut être ni remboursé, ni converti, ni donné." } } }));
    await page.goto(base + "/billet/" + codes[1]);
    await page.getByRole("button", { name: "Faire un don à la salle" }).click();
    await page.getByRole("dialog", { name: /Donner 25,00/ }).getByRole("button", { name: "Confirmer mon choix" }).click();
    const why = page.getByRole("alert").filter({ hasText: "Ce billet a servi" });
    await why.waitFor();
    assert.equal(plain(await why.innerText()), "Ce billet a servi à l'entrée : il ne peut être ni remboursé, ni converti en crédit, ni donné.");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("role")), "alert", "the reason takes the focus");
    await shot(page, "ticket-checked-in-phone");
    await checkA11y(page);
  });
});

test("without JavaScript, the other ticket is given to the venue after a confirmation page", async () => {
  await withPage(browser, "phone", { javaScriptEnabled: false }, async (page) => {
    await page.goto(base + "/T/" + codes[1].toUpperCase());
    await page.getByRole("button", { name: "Faire un don à la salle" }).click();
    await page.getByRole("heading", { name: /Donner 25,00 .* à Théâtre du Faubourg/ }).waitFor();
    assert.match(await page.locator(".choice-confirm").innerText(), /Un don est définitif/);
    // (axe needs the page's JavaScript: the same markup is checked above.)
    await shot(page, "ticket-confirm-nojs-phone");
    await page.getByRole("button", { name: "Confirmer mon choix" }).click();
    await page.waitForURL(base + "/billet/" + codes[1]);
    await page.getByRole("heading", { name: /^Merci pour votre don/ }).waitFor();
    assert.match(await page.locator(".ticket-card").innerText(), /Donné à la salle/);
  });
  // The event page counts what was left to the venue.
  await withPage(browser, "phone", {}, async (page) => {
    await page.goto(base + "/e/" + eventId);
    assert.equal(await page.locator("h1 .badge-cancelled").textContent(), "Annulé");
    assert.match(plain(await page.locator(".solidarity-total").innerText()), /50,00 \$\s+laissés à la salle par solidarité/);
    assert.equal(await page.locator("form[data-tickets]").count(), 0);
  });
});
