// The public pages render on a phone and on a laptop: content, share tags,
// status badges, the counter, the 404 page; no console error and no WCAG AA
// violation on any of them. Screenshots land in test-results/.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { base, checkA11y, checkShareTags, devices, launch, noHorizontalScroll, plain, shot, withPage } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

for (const device of Object.keys(devices)) {
  describe(device, () => {
    test("home: what Solidaire is, running campaigns, merchant cards", async () => {
      await withPage(browser, device, {}, async (page) => {
        const res = await page.goto(base + "/");
        assert.equal(res.status(), 200);
        assert.equal(await page.getAttribute("html", "lang"), "fr");
        await page.getByRole("heading", { level: 1, name: "Gardons nos commerces de quartier ouverts" }).waitFor();
        const campaigns = page.locator("#campagnes .campaign-card");
        assert.ok((await campaigns.count()) >= 2, "running campaigns are listed");
        const cards = page.locator("#resultats .merchant-card");
        assert.ok((await cards.count()) >= 10, "merchant cards are listed");
        const first = cards.first();
        assert.ok(await first.locator(".card-title a").isVisible());
        assert.ok(await first.locator(".tag").isVisible(), "the category is shown");
        assert.match(await first.getByRole("link", { name: /Offrir un bon/ }).getAttribute("href"), /^\/m\/.+#bons$/);
        await page.getByRole("searchbox", { name: "Nom ou mot-clé" }).waitFor();
        await page.getByRole("combobox", { name: "Ville" }).waitFor();
        await page.getByRole("combobox", { name: "Catégorie" }).waitFor();
        await noHorizontalScroll(page);
        await checkShareTags(page);
        await shot(page, `home-${device}`);
        await checkA11y(page);
      });
    });

    test("merchant: who, where, amounts in the locale, share tags", async () => {
      await withPage(browser, device, {}, async (page) => {
        const res = await page.goto(base + "/m/boulangerie-du-quartier");
        assert.equal(res.status(), 200);
        await page.getByRole("heading", { level: 1, name: "Boulangerie du Quartier" }).waitFor();
        assert.match(await page.locator("address").innerText(), /Mont-Royal/);
        const amounts = (await page.locator("#bons .amount").allInnerTexts()).map(plain);
        assert.deepEqual(amounts, ["15,00 $", "25,00 $", "50,00 $"]);
        assert.match(plain(await page.locator("#bons").innerText()), /de 10,00 \$ à 200,00 \$/);
        const tags = await checkShareTags(page);
        assert.match(tags["og:image"], /\/og\/m\/boulangerie-du-quartier\.png$/);
        assert.equal(tags["og:url"], base + "/m/boulangerie-du-quartier");
        assert.equal(tags["twitter:card"], "summary_large_image");
        await noHorizontalScroll(page);
        await shot(page, `merchant-${device}`);
        await checkA11y(page);
      });
    });

    test("merchant in euros: Lyon", async () => {
      await withPage(browser, device, {}, async (page) => {
        await page.goto(base + "/m/librairie-des-possibles");
        const amounts = (await page.locator("#bons .amount").allInnerTexts()).map(plain);
        assert.ok(amounts.length > 0 && amounts.every((a) => /^\d+,00 €$/.test(a)), `amounts ${amounts}`);
      });
    });

    test("venues mark cancelled and postponed events clearly", async () => {
      await withPage(browser, device, {}, async (page) => {
        await page.goto(base + "/m/theatre-du-faubourg");
        const events = page.locator("#evenements .event-item");
        assert.ok((await events.count()) >= 3);
        const cancelled = page.locator(".event-item.is-cancelled");
        assert.equal(await cancelled.locator(".badge-cancelled").textContent(), "Annulé");
        assert.match(await events.first().innerText(), /places? restantes?|Complet|Aucun billet/);
        await shot(page, `venue-${device}`);
        await checkA11y(page);

        await page.goto(base + "/m/quai-des-chansons");
        assert.match(await page.locator(".badge-postponed").first().textContent(), /^Reporté au (1er|\d+) [a-zéû]+ \d{4}$/);
      });
    });

    test("event: date, tickets with seats left, status and its reason", async () => {
      await withPage(browser, device, {}, async (page) => {
        await page.goto(base + "/e/evt_cabaret-des-voisins");
        await page.getByRole("heading", { level: 1, name: /Le Cabaret des voisins/ }).waitFor();
        const tickets = plain(await page.locator("#billets").innerText());
        assert.match(tickets, /28,00 \$/);
        assert.match(tickets, /\d+ places restantes/);
        assert.match(await page.locator(".event-when time").innerText(), /à 20 h$/);
        await checkShareTags(page);
        await noHorizontalScroll(page);
        await shot(page, `event-${device}`);
        await checkA11y(page);

        await page.goto(base + "/e/evt_nuit-de-la-poesie");
        assert.equal(await page.locator("h1 .badge-cancelled").textContent(), "Annulé");
        assert.match(await page.locator(".notice-cancelled").innerText(), /Annulée/);
        assert.equal(await page.locator("#billets .ticket").count(), 0, "a cancelled event sells nothing");
        await shot(page, `event-cancelled-${device}`);
        await checkA11y(page);
      });
    });

    test("campaign: hashtags, counter with a labelled progress bar, featured items", async () => {
      await withPage(browser, device, {}, async (page) => {
        const res = await page.goto(base + "/c/billetsolidaire");
        assert.equal(res.status(), 200);
        assert.match(await page.locator(".campaign-header .hashtags").innerText(), /#billetsolidaire/);
        const bar = page.getByRole("progressbar", { name: /de l'objectif de 50 000,00 \$ atteint/ });
        await bar.waitFor();
        assert.equal(await bar.getAttribute("max"), "100");
        assert.match(plain(await page.locator(".counter-panel").innerText()), /Personnes solidaires[\s\S]*Amassé[\s\S]*Objectif/);
        assert.ok((await page.locator(".event-item").count()) >= 3, "featured events");
        assert.ok((await page.locator(".merchant-card").count()) >= 1, "featured merchants");
        const tags = await checkShareTags(page);
        assert.match(tags["og:image"], /\/og\/c\/billetsolidaire\.png$/);
        await noHorizontalScroll(page);
        await shot(page, `campaign-${device}`);
        await checkA11y(page);
      });
    });

    test("404: a friendly page in French, with the 404 status", async () => {
      // Chromium logs every 404 in the console, the page's own included.
      await withPage(browser, device, { allow: [/status of 404/] }, async (page) => {
        const res = await page.goto(base + "/cette-page-n-existe-pas");
        assert.equal(res.status(), 404);
        await page.getByRole("heading", { level: 1, name: "Page introuvable" }).waitFor();
        await shot(page, `notfound-${device}`);
        await checkA11y(page);
        await page.getByRole("link", { name: "Retour à l'accueil" }).click();
        await page.waitForURL(base + "/");
        assert.equal(await page.getAttribute("html", "lang"), "fr");
      });
    });
  });
}
