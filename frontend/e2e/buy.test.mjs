// Buying a gift certificate on a phone, with the demo payment provider:
// from the home page to the voucher's page, with and without JavaScript;
// the errors the form shows; the idempotency key that makes a double click
// or a retry harmless; the confirmation page that follows a payment.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { base, checkA11y, launch, noHorizontalScroll, plain, shot, withPage } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const merchant = base + "/m/boulangerie-du-quartier";
const grouped = /^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/;

// keysOf records the Idempotency-Key of every checkout the page sends.
function keysOf(page) {
  const keys = [];
  page.on("request", (req) => {
    if (req.method() === "POST" && req.url() === base + "/api/v1/checkout") keys.push(req.headers()["idempotency-key"]);
  });
  return keys;
}

// focused returns the id (or data- marker) of the focused element.
function focused(page) {
  return page.evaluate(() => document.activeElement.id || Object.keys(document.activeElement.dataset).join(","));
}

// qrLoaded checks that a QR code image is there, named, and drawn.
async function qrLoaded(page) {
  const qr = page.getByRole("img", { name: /^Code QR du bon d'achat chez Boulangerie du Quartier/ }).first();
  await qr.waitFor();
  // Polled from here: waitForFunction needs the page's JavaScript, which
  // some of these tests turn off.
  let width = 0;
  for (let i = 0; i < 50 && !width; i++) {
    width = await qr.evaluate((img) => (img.complete ? img.naturalWidth : 0));
    if (!width) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(width >= 200, `the QR code is drawn and big enough to scan (${width} px)`);
}

test("a gift of 25 $ with a message, from the home page to the voucher's page", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    await page.goto(base + "/");
    await page.getByRole("link", { name: "Offrir un bon — Boulangerie du Quartier" }).click();
    await page.waitForURL(merchant + "#bons");

    // The summary follows the amount; without one it says so.
    const total = page.locator(".facts-total dd");
    assert.equal(await total.innerText(), "Le montant choisi");
    await page.getByRole("radio", { name: /^25,00/ }).check();
    assert.equal(plain(await total.innerText()), "25,00 $");

    // A gift: its fields appear only then.
    const name = page.getByLabel("Son nom");
    assert.equal(await name.isVisible(), false, "no recipient for oneself");
    await page.getByRole("radio", { name: "À offrir" }).check();
    await name.fill("Jo");
    await page.getByLabel("Son courriel (facultatif)").fill("jo@example.org");
    const text = "Bon appétit, Jo !\nÀ très vite.";
    await page.getByLabel("Votre message (facultatif)").fill(text);
    assert.equal(await page.locator("#message-count").innerText(), `${500 - text.length} caractères restants`);
    await page.getByLabel("Votre courriel", { exact: true }).fill("awa@example.org");
    await page.getByLabel("Votre nom (facultatif)").fill("Awa");

    // What the law asks to show before paying is there.
    const recap = plain(await page.locator(".recap").innerText());
    assert.match(recap, /Boulangerie du Quartier, Montréal/);
    assert.match(recap, /n'expire jamais et ne comporte aucuns frais/);
    assert.match(recap, /Aucuns frais pour vous/);
    assert.match(recap, /page du bon/);
    await noHorizontalScroll(page);
    await page.locator("#bons").scrollIntoViewIfNeeded();
    await shot(page, "buy-form-phone");
    await checkA11y(page);

    const keys = keysOf(page);
    await page.getByRole("button", { name: "Passer au paiement" }).click();
    await page.waitForURL(/\/demo\/checkout\/demo_cs_\w+\?next=/);
    assert.equal(keys.length, 1);
    assert.match(keys[0], /^[0-9a-f-]{32,36}$/);

    // The demo payment page says what it is, and what is being paid.
    await page.getByText("Paiement de démonstration — aucun argent réel n'est prélevé.").waitFor();
    const summary = plain(await page.locator(".facts").innerText());
    assert.match(summary, /Boulangerie du Quartier/);
    assert.match(summary, /25,00 \$/);
    assert.match(summary, /Jo/);
    await noHorizontalScroll(page);
    await shot(page, "demo-checkout-phone");
    await checkA11y(page);
    await page.getByRole("button", { name: "Payer (démo)" }).click();

    // The confirmation shows the voucher, its QR code and its code.
    await page.waitForURL(/\/commande\/ord_\w+\?token=[\w-]+$/);
    await page.getByRole("heading", { level: 1, name: /Votre bon est prêt/ }).waitFor();
    assert.match(await page.getByRole("status").innerText(), /Paiement confirmé/);
    await qrLoaded(page);
    const code = await page.locator(".voucher .code").innerText();
    assert.match(code, grouped);
    const voucher = plain(await page.locator(".voucher").innerText());
    assert.match(voucher, /Solde\s+25,00 \$/);
    assert.match(voucher, /Pour Jo/);
    assert.match(voucher, /aussi été envoyé par courriel à jo@example\.org/);
    assert.match(await page.locator("main").innerText(), /Un courriel vous a été envoyé à awa@example\.org/);
    await noHorizontalScroll(page);
    await shot(page, "order-paid-phone");
    await checkA11y(page);

    // The voucher's page: the balance, the message, the terms.
    await page.getByRole("link", { name: "Ouvrir la page du bon" }).click();
    await page.waitForURL(base + "/v/" + code.replaceAll("-", ""));
    assert.match(plain(await page.locator(".balance").innerText()), /Solde\s+25,00 \$/);
    assert.equal(await page.locator("blockquote").innerText(), text);
    assert.match(await page.locator(".terms").innerText(), /n'expire jamais/);
    assert.equal(await page.locator(".voucher .code").innerText(), code);
    await qrLoaded(page);
    await page.getByRole("button", { name: "Imprimer le bon" }).waitFor();
    await noHorizontalScroll(page);
    await shot(page, "voucher-phone");
    await checkA11y(page);

    // Printed, it is the voucher alone.
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.locator(".site-header").isVisible(), false);
    assert.equal(await page.locator(".site-footer").isVisible(), false);
    assert.equal(await page.getByRole("button", { name: "Imprimer le bon" }).isVisible(), false);
    await shot(page, "voucher-print-phone");
    await page.emulateMedia({ media: "screen" });

    // The code as a person types it, and as the QR code holds it.
    for (const path of ["/v/" + code.toLowerCase(), "/V/" + code.replaceAll("-", "")]) {
      const res = await page.goto(base + path);
      assert.equal(res.status(), 200, path);
      assert.match(plain(await page.locator(".balance").innerText()), /25,00 \$/);
    }
  });
});

test("field errors next to their fields, then a corrected purchase", async () => {
  // The refusals are answers the page expects (and Chromium logs them).
  const refused = [/HTTP 400: .*\/api\/v1\/checkout$/, /status of 400/];
  await withPage(browser, "phone", { allow: refused }, async (page) => {
    await page.goto(merchant);
    const keys = keysOf(page);
    const pay = page.getByRole("button", { name: "Passer au paiement" });
    const amount = page.getByLabel("Autre montant");
    const email = page.getByLabel("Votre courriel", { exact: true });

    // A wrong email first: the API names it, the form shows it there.
    await page.getByRole("radio", { name: /^50,00/ }).check();
    await email.fill("awa@");
    await pay.click();
    await page.locator("#courriel[aria-invalid=true]").waitFor();
    assert.match(await page.locator("#courriel-error").innerText(), /Saisissez votre adresse courriel/);
    assert.match(await email.getAttribute("aria-describedby"), /\bcourriel-error\b/);
    assert.equal(await focused(page), "buyErrors", "the list of errors takes the focus");

    // Then an amount under the minimum, typed: the email's error goes,
    // the amount's comes, with the summary's link to the field.
    await email.fill("awa@example.org");
    await amount.fill("5");
    assert.equal(await page.getByRole("radio", { name: /^50,00/ }).isChecked(), false, "typing an amount drops the pick");
    assert.equal(plain(await page.locator(".facts-total dd").innerText()), "5,00 $");
    await pay.click();
    await page.locator("#montant-autre[aria-invalid=true]").waitFor();
    assert.equal(await email.getAttribute("aria-invalid"), null);
    const error = page.locator("#montant-autre-error");
    assert.match(plain(await error.innerText()), /Choisissez un montant de 10,00 \$ à 200,00 \$/);
    assert.ok(await error.isVisible());
    assert.match(await amount.getAttribute("aria-describedby"), /\bmontant-autre-error\b/);
    assert.equal(page.url(), merchant, "no page load");
    await shot(page, "buy-errors-phone");
    await checkA11y(page);
    await page.locator("[data-buy-errors] a").click();
    assert.equal(await focused(page), "montant-autre");

    // Corrected, it goes through, with a new key: the API refuses a key
    // reused for another request.
    await amount.fill("25,50");
    assert.equal(plain(await page.locator(".facts-total dd").innerText()), "25,50 $");
    await pay.click();
    await page.waitForURL(/\/demo\/checkout\//);
    assert.match(plain(await page.locator(".facts").innerText()), /25,50 \$/);
    assert.equal(keys.length, 3);
    assert.equal(new Set(keys).size, 3, "one key per different request");
  });
});

test("a double click and a retry reuse the idempotency key", async () => {
  await withPage(browser, "phone", { allow: [/ERR_FAILED/, /api\/v1\/checkout/] }, async (page) => {
    await page.goto(merchant);
    const keys = keysOf(page);
    await page.getByRole("radio", { name: /^15,00/ }).check();
    await page.getByLabel("Votre courriel", { exact: true }).fill("awa@example.org");

    // The network fails once: the form says so, and the retry sends the
    // same request with the same key.
    let failed = false;
    await page.route(base + "/api/v1/checkout", async (route) => {
      if (!failed) {
        failed = true;
        await route.abort("failed");
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500)); // a slow answer
      await route.continue();
    });
    const pay = page.getByRole("button", { name: "Passer au paiement" });
    await pay.click();
    await page.getByRole("alert").filter({ hasText: "Le paiement n'a pas pu commencer" }).waitFor();
    assert.equal(await pay.isEnabled(), true);

    // Two quick submissions: the button is disabled while waiting, and
    // only one request leaves.
    await page.evaluate(() => {
      const form = document.querySelector("form[data-buy]");
      form.requestSubmit();
      form.requestSubmit();
    });
    assert.equal(await pay.isDisabled(), true);
    assert.equal(await page.locator("form[data-buy]").getAttribute("aria-busy"), "true");
    await page.waitForURL(/\/demo\/checkout\//);
    assert.equal(keys.length, 2);
    assert.equal(keys[0], keys[1]);

    // Cancelling the payment goes back to the merchant, which says so.
    await page.getByRole("link", { name: "Annuler et revenir au commerce" }).click();
    await page.waitForURL(merchant + "?annule=1");
    await page.getByRole("status").filter({ hasText: "Paiement annulé" }).waitFor();
  });
});

test("amounts in English", async () => {
  await withPage(browser, "phone", { locale: "en-CA" }, async (page) => {
    await page.goto(merchant);
    await page.getByLabel("Another amount").fill("$30.25");
    assert.equal(await page.locator(".facts-total dd").innerText(), "$30.25");
    await page.getByLabel("Another amount").fill("1,000");
    assert.equal(await page.locator(".facts-total dd").innerText(), "$1,000.00");
  });
});

test("the confirmation page follows a payment made elsewhere", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    const res = await page.request.post(base + "/api/v1/checkout", {
      headers: { "Idempotency-Key": randomUUID() },
      data: { buyer: { email: "awa@example.org" }, items: [{ kind: "gift_certificate", merchant: "boulangerie-du-quartier", amount: 2500 }] },
    });
    assert.equal(res.status(), 201);
    const { order, checkout_url } = await res.json();
    await page.goto(`${base}/commande/${order.id}?token=${order.access_token}`);
    const status = page.getByRole("status");
    assert.match(await status.innerText(), /Paiement en cours de confirmation…/);
    await page.evaluate(() => (window.stillHere = true));
    await shot(page, "order-pending-phone");
    await checkA11y(page);

    const session = new URL(checkout_url).pathname.split("/").pop();
    const paid = await page.request.post(`${base}/api/v1/demo/checkout/${session}/complete`);
    assert.equal(paid.status(), 200);
    await status.filter({ hasText: "Paiement confirmé." }).waitFor({ timeout: 10000 });
    await qrLoaded(page);
    assert.match(await page.locator(".voucher .code").innerText(), grouped);
    assert.equal(await page.evaluate(() => window.stillHere), true, "the page was updated, not reloaded");
    await page.getByRole("heading", { level: 1, name: /Votre bon est prêt/ }).waitFor();
    await checkA11y(page);
  });
});

test("without JavaScript: errors, then the whole purchase", async () => {
  // Chromium logs the 400 of a form shown again in the console.
  await withPage(browser, "phone", { javaScriptEnabled: false, allow: [/status of 400/] }, async (page) => {
    await page.goto(merchant);
    await page.getByLabel("Autre montant").fill("5");
    await page.getByRole("radio", { name: "À offrir" }).check();
    await page.getByLabel("Son nom").fill("Jo");
    await page.getByLabel("Votre message (facultatif)").fill("Pour toi <3");
    await page.getByLabel("Votre courriel", { exact: true }).fill("awa@example.org");
    const [res] = await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Passer au paiement" }).click()]);
    assert.equal(res.status(), 400);

    // The page comes back with the error by the field, which has the
    // focus, and everything typed.
    assert.equal(await focused(page), "montant-autre");
    assert.equal(await page.getByLabel("Autre montant").getAttribute("aria-invalid"), "true");
    assert.match(plain(await page.locator("#montant-autre-error").innerText()), /Choisissez un montant de 10,00 \$/);
    assert.equal(await page.getByLabel("Autre montant").inputValue(), "5");
    assert.equal(await page.getByLabel("Son nom").inputValue(), "Jo");
    assert.equal(await page.getByLabel("Votre message (facultatif)").inputValue(), "Pour toi <3");
    assert.equal(await page.getByLabel("Votre courriel", { exact: true }).inputValue(), "awa@example.org");
    await shot(page, "buy-errors-nojs-phone");

    await page.getByLabel("Autre montant").fill("30");
    await page.getByRole("button", { name: "Passer au paiement" }).click();
    await page.waitForURL(/\/demo\/checkout\//);
    assert.match(plain(await page.locator(".facts").innerText()), /30,00 \$/);
    await page.getByRole("button", { name: "Payer (démo)" }).click();
    await page.waitForURL(/\/commande\/ord_/);
    await qrLoaded(page);
    assert.match(await page.locator(".voucher .code").innerText(), grouped);
    await shot(page, "order-paid-nojs-phone");
  });
});

test("the form shown again with its errors is accessible", async () => {
  // axe needs the page's JavaScript: here the page has it, but not the
  // islands, so the form posts itself as it does without JavaScript.
  await withPage(browser, "phone", { allow: [/status of 400/] }, async (page) => {
    await page.route(/\/static\/app\.js/, (route) => route.fulfill({ contentType: "text/javascript", body: "" }));
    await page.goto(merchant);
    await page.getByLabel("Votre courriel", { exact: true }).fill("awa@");
    await page.getByRole("radio", { name: /^25,00/ }).check();
    const [res] = await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Passer au paiement" }).click()]);
    assert.equal(res.status(), 400);
    assert.equal(await focused(page), "courriel");
    assert.equal(plain(await page.locator(".facts-total dd").innerText()), "25,00 $");
    assert.equal(await page.getByRole("radio", { name: /^25,00/ }).isChecked(), true);
    await checkA11y(page);
  });
});
