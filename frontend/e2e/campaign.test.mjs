// Campaigns (#billetsolidaire): the organiser's list and a new campaign;
// the dashboard, where a share link is made with its ready-to-post text,
// followed by someone else (a click), who buys: the click and the sale are
// counted for the link, its channel and its ambassador; the public page's
// counter follows live; a dead share link says so.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { base, checkA11y, launch, noHorizontalScroll, plain, shot, withPage } from "./helpers.mjs";
import { payDemo, signIn } from "./organiser_helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// flushClicks rolls the click counter up now (a test-only route of the
// test server; in production it rolls up every 10 seconds).
async function flushClicks(page) {
  const res = await page.request.post(base + "/test/clicks/flush");
  assert.equal(res.status(), 204);
}

test("the organiser's campaigns, and a new one", async () => {
  await withPage(browser, "desktop", {}, async (page) => {
    await signIn(page);
    await page.goto(base + "/organisation/campagnes");
    const card = page.locator(".campaign-card").filter({ hasText: "#billetsolidaire" });
    await card.waitFor();
    assert.equal(await card.getByRole("link", { name: /Tableau de bord/ }).getAttribute("href"), "/organisation/campagnes/billetsolidaire");
    await page.locator('[data-pick="merchants"] input').first().waitFor();
    await noHorizontalScroll(page);
    await shot(page, "organiser-campaigns-desktop");
    await checkA11y(page);

    await page.getByLabel("Titre", { exact: true }).fill("#soutiensmasalle : le printemps des salles");
    await page.getByLabel("Mots-clics").fill("#soutiensmasalle, #culturequebec");
    await page.getByLabel("Objectif (facultatif)").fill("5 000");
    await page.getByLabel("Le Cabaret des voisins — Théâtre du Faubourg").check();
    await page.getByRole("button", { name: "Créer la campagne" }).click();
    await page.waitForURL(base + "/organisation/campagnes/soutiensmasalle-le-printemps-des-salles");
    await page.getByRole("heading", { level: 1, name: "#soutiensmasalle : le printemps des salles" }).waitFor();
    assert.match(await page.locator("[data-dash-tags]").innerText(), /#soutiensmasalle #culturequebec/);
    await page.getByText("Pas encore de données : créez un lien et partagez-le.").first().waitFor();
    assert.ok(await page.getByRole("option", { name: "Le Cabaret des voisins" }).count(), "featured events are link targets");
  });
});

test("a share link made, clicked, followed by a sale, counted on the dashboard", async () => {
  await withPage(browser, "desktop", { permissions: ["clipboard-read", "clipboard-write"] }, async (page) => {
    await signIn(page);
    await page.goto(base + "/organisation/campagnes/billetsolidaire");
    await page.getByRole("heading", { level: 1, name: /#billetsolidaire/ }).waitFor();
    const before = Number((await page.locator('[data-kpi="orders"]').innerText()).replace(/\D/g, ""));

    // The share kit: a link for a channel and an ambassador.
    const kit = page.getByRole("region", { name: "Kit de partage" });
    await kit.getByLabel("Canal").selectOption("whatsapp");
    await kit.getByLabel("Libellé (facultatif)").fill("Groupe du Centre-Sud");
    await kit.getByLabel("Ambassadeur (facultatif)").fill("Lucie Bérubé");
    await kit.getByRole("button", { name: "Créer le lien" }).click();
    const result = kit.locator("[data-share-result]");
    await result.getByRole("heading", { name: "WhatsApp — Groupe du Centre-Sud — Lucie Bérubé" }).waitFor();
    const url = await result.getByLabel("Lien court").inputValue();
    assert.match(url, new RegExp(`^${base}/s/[0-9a-z]{12}$`));
    const text = await result.getByLabel("Texte prêt à publier").inputValue();
    assert.match(text, /#billetsolidaire/);
    assert.ok(text.endsWith(url), "the text ends with the link");
    assert.equal(await result.getByRole("link", { name: "WhatsApp" }).getAttribute("href"), "https://wa.me/?text=" + encodeURIComponent(text));
    assert.equal(await result.getByRole("link", { name: "Facebook" }).getAttribute("href"),
      "https://www.facebook.com/sharer/sharer.php?u=" + encodeURIComponent(url));
    assert.match(await result.getByRole("link", { name: "X" }).getAttribute("href"), /^https:\/\/twitter\.com\/intent\/tweet\?text=/);
    assert.match(await result.getByRole("link", { name: "LinkedIn" }).getAttribute("href"), /^https:\/\/www\.linkedin\.com\/sharing\/share-offsite\/\?url=/);
    assert.match(await result.getByRole("link", { name: "Courriel" }).getAttribute("href"), /^mailto:\?subject=/);
    assert.match(await result.getByRole("link", { name: "SMS" }).getAttribute("href"), /^sms:\?&body=/);
    await result.getByRole("button", { name: "Copier le lien" }).click();
    await result.locator("[data-copy-status]").filter({ hasText: /^Copié/ }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);

    // The printable poster of the link.
    const poster = await result.getByRole("link", { name: "Affiche à imprimer" }).getAttribute("href");
    const png = await page.request.get(base + poster);
    assert.equal(png.status(), 200);
    assert.equal(png.headers()["content-type"], "image/png");
    await noHorizontalScroll(page);
    await shot(page, "campaign-dashboard-link");
    await checkA11y(page);

    // Someone follows the link on a phone (a click), and buys a solidarity
    // ticket: the sale is the link's.
    await withPage(browser, "phone", {}, async (phone) => {
      await phone.goto(url);
      await phone.waitForURL(/\/c\/billetsolidaire\?/);
      assert.match(phone.url(), /utm_source=whatsapp/);
      await phone.goto(base + "/e/evt_cabaret-des-voisins");
      await phone.getByLabel("Montant de votre billet solidaire (facultatif)").fill("20");
      await phone.getByLabel("Votre courriel", { exact: true }).fill("jo@example.org");
      await phone.getByRole("button", { name: "Passer au paiement" }).click();
      await payDemo(phone);
      await phone.getByRole("heading", { level: 1, name: /Vos billets sont prêts/ }).waitFor();
      assert.match(plain(await phone.locator("main").innerText()), /Votre billet solidaire de 20,00 \$ soutient Théâtre du Faubourg/);
    });

    // The dashboard counts the click and the sale.
    await flushClicks(page);
    await page.getByRole("button", { name: "Rafraîchir" }).click();
    await page.getByRole("status").filter({ hasText: "Chiffres à jour." }).waitFor();
    assert.equal(Number((await page.locator('[data-kpi="orders"]').innerText()).replace(/\D/g, "")), before + 1);
    const row = page.getByRole("row", { name: /WhatsApp — Groupe du Centre-Sud — Lucie Bérubé/ });
    const cells = (await row.getByRole("cell").allInnerTexts()).map(plain);
    assert.deepEqual(cells.slice(0, 4), ["1", "1", "1", "20,00 $"], "clicks, visitors, orders, raised of the link");
    assert.match(plain(await page.locator("[data-board]").innerText()), /Lucie Bérubé\s+20,00 \$ · 1 commande · 1 clic/);
    await page.getByRole("img", { name: /^Clics par jour/ }).waitFor();
    await page.getByRole("img", { name: /WhatsApp : 1/ }).waitFor();
    await page.getByRole("heading", { name: "Par canal" }).scrollIntoViewIfNeeded();
    await shot(page, "campaign-dashboard");
    await checkA11y(page);

    // An existing link is shared again from its row.
    await row.getByRole("button", { name: /Partager/ }).click();
    assert.equal(await result.getByLabel("Lien court").inputValue(), url);
  });
});

test("the public counter follows the sales live; a dead share link says so", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    await page.clock.install();
    await page.goto(base + "/c/billetsolidaire");
    const raised = page.locator("[data-counter-raised]");
    const start = plain(await raised.innerText());
    const res = await page.request.post(base + "/api/v1/checkout", {
      headers: { "Idempotency-Key": crypto.randomUUID() },
      data: { buyer: { email: "sam@example.org" }, items: [{ kind: "solidarity_ticket", event: "evt_cabaret-des-voisins", amount: 5000 }] },
    });
    assert.equal(res.status(), 201);
    const session = new URL((await res.json()).checkout_url).pathname.split("/").pop();
    assert.equal((await page.request.post(`${base}/api/v1/demo/checkout/${session}/complete`)).status(), 200);
    await page.clock.runFor(16000);
    let now = start;
    for (let i = 0; i < 50 && now === start; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      now = plain(await raised.innerText());
    }
    assert.notEqual(now, start, "the counter moved");
    assert.match(await page.locator("[data-counter-live]").innerText(), /Compteur à jour/);
    await checkA11y(page);
  });
  await withPage(browser, "phone", { allow: [/status of 404/] }, async (page) => {
    const res = await page.goto(base + "/s/zzzzzzzzzzzz");
    assert.equal(res.status(), 404);
    await page.getByRole("heading", { level: 1, name: "Ce lien de partage n'existe pas" }).waitFor();
    await page.getByRole("link", { name: "Voir les campagnes" }).waitFor();
    await shot(page, "share-notfound-phone");
    await checkA11y(page);
  });
});
