// What people do on the pages: search and filter (with and without
// JavaScript), switch language, share, and get around with the keyboard.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { base, devices, fold, launch, plain, shot, withPage } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// cardTexts returns the text of every merchant card in the results.
async function cardTexts(page) {
  return page.locator("#resultats .merchant-card").allInnerTexts();
}

for (const device of Object.keys(devices)) {
  describe(device, () => {
    test("search by name updates the results as one types", async () => {
      await withPage(browser, device, {}, async (page) => {
        await page.goto(base + "/");
        const before = await page.locator("#resultats .merchant-card").count();
        await page.getByRole("searchbox", { name: "Nom ou mot-clé" }).fill("librairie");
        await page.waitForURL(/[?&]q=librairie/);
        const texts = await cardTexts(page);
        assert.ok(texts.length > 0 && texts.length < before, `${texts.length} results of ${before}`);
        for (const t of texts) assert.match(fold(t), /librairie/);
        assert.match(await page.locator("[data-results-status]").innerText(), /commerce/);

        await page.getByRole("combobox", { name: "Ville" }).selectOption("Lyon");
        await page.waitForURL(/[?&]city=Lyon/);
        const lyon = await page.locator("#resultats .merchant-card .card-meta").allInnerTexts();
        assert.ok(lyon.length > 0);
        for (const t of lyon) assert.match(t, /Lyon/);
        await shot(page, `search-${device}`);

        await page.getByRole("link", { name: "Tout afficher" }).click();
        await page.waitForURL((url) => url.search === "");
        assert.equal(await page.locator("#resultats .merchant-card").count(), before);
      });
    });

    test("filter by city and category", async () => {
      await withPage(browser, device, {}, async (page) => {
        await page.goto(base + "/");
        await page.getByRole("combobox", { name: "Catégorie" }).selectOption("spectacle");
        await page.waitForURL(/[?&]category=spectacle/);
        const tags = await page.locator("#resultats .merchant-card .tag").allInnerTexts();
        assert.ok(tags.length >= 2);
        for (const t of tags) assert.equal(t, "Salle de spectacle");
        await page.getByRole("link", { name: /Soutenir/ }).first().waitFor();

        await page.getByRole("combobox", { name: "Ville" }).selectOption("Montréal");
        await page.waitForURL(/[?&]city=Montr/);
        const metas = await page.locator("#resultats .merchant-card .card-meta").allInnerTexts();
        assert.ok(metas.length >= 1);
        for (const t of metas) assert.match(t, /Salle de spectacle[\s\S]*Montréal/);
      });
    });

    test("search and filters work without JavaScript", async () => {
      await withPage(browser, device, { javaScriptEnabled: false }, async (page) => {
        await page.goto(base + "/");
        await page.getByRole("searchbox", { name: "Nom ou mot-clé" }).fill("boulangerie");
        await page.getByRole("combobox", { name: "Ville" }).selectOption("Montréal");
        await Promise.all([page.waitForURL(/[?&]q=boulangerie/), page.getByRole("button", { name: "Rechercher" }).click()]);
        assert.match(page.url(), /city=Montr/);
        const texts = await cardTexts(page);
        assert.ok(texts.length >= 1);
        for (const t of texts) {
          assert.match(fold(t), /boulangerie/);
          assert.match(t, /Montréal/);
        }
        // The share links are plain links, there without a script too.
        await page.goto(base + "/m/boulangerie-du-quartier");
        await page.locator("details.share summary").click();
        assert.match(await page.getByRole("link", { name: "WhatsApp" }).getAttribute("href"), /^https:\/\/wa\.me\/\?text=/);
        assert.equal(await page.locator("[data-share-copy]").isVisible(), false, "no copy button without a script");
      });
    });

    test("language: the switch, the cookie, and money in the locale", async () => {
      await withPage(browser, device, {}, async (page, context) => {
        await page.goto(base + "/m/boulangerie-du-quartier");
        assert.equal(await page.getAttribute("html", "lang"), "fr");
        assert.match(plain(await page.locator("#bons").innerText()), /25,00 \$/);

        await page.getByRole("link", { name: "English" }).click();
        await page.waitForURL(/lang=en/);
        assert.equal(await page.getAttribute("html", "lang"), "en");
        assert.match(await page.locator("#bons").innerText(), /\$25\.00/);
        await page.getByRole("heading", { name: "Give a gift certificate" }).waitFor();
        const cookie = (await context.cookies()).find((c) => c.name === "lang");
        assert.equal(cookie?.value, "en");
        assert.equal(cookie?.sameSite, "Lax");

        // The choice follows the visitor to other pages.
        await page.goto(base + "/c/soutiens-ton-commerce");
        assert.equal(await page.getAttribute("html", "lang"), "en");
        assert.match(await page.locator(".counter-panel").innerText(), /€30,000\.00/);
        await shot(page, `campaign-en-${device}`);

        await page.getByRole("link", { name: "Français" }).click();
        await page.waitForURL(/lang=fr/);
        assert.equal(await page.getAttribute("html", "lang"), "fr");
        assert.match(plain(await page.locator(".counter-panel").innerText()), /30 000,00 €/);
      });
    });

    test("language: English from the browser's language", async () => {
      await withPage(browser, device, { locale: "en-US" }, async (page) => {
        await page.goto(base + "/");
        assert.equal(await page.getAttribute("html", "lang"), "en");
        await page.getByRole("heading", { level: 1, name: "Keep our neighbourhood shops open" }).waitFor();
        await page.getByRole("link", { name: "Français" }).waitFor();
      });
    });

    test("share: the copy-link fallback", async () => {
      await withPage(browser, device, { permissions: ["clipboard-read", "clipboard-write"] }, async (page) => {
        // Desktop Chromium on Linux has no Web Share API; make sure of it.
        await page.addInitScript(() => {
          delete Navigator.prototype.share;
          delete Navigator.prototype.canShare;
        });
        await page.goto(base + "/m/boulangerie-du-quartier");
        await page.getByText("Partager", { exact: true }).click();
        const copy = page.getByRole("button", { name: "Copier le lien" });
        await shot(page, `share-open-${device}`);
        await copy.click();
        await page.getByRole("status").filter({ hasText: "Lien copié !" }).waitFor();
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), base + "/m/boulangerie-du-quartier");
        // Escape closes the panel and gives the focus back to its button.
        await page.keyboard.press("Escape");
        assert.equal(await page.locator("details.share").getAttribute("open"), null);
        assert.equal(await page.evaluate(() => document.activeElement.tagName), "SUMMARY");
      });
    });

    test("share: the Web Share API where the phone has one", async () => {
      await withPage(browser, device, {}, async (page) => {
        await page.addInitScript(() => {
          window.__shared = [];
          Navigator.prototype.share = function (data) {
            window.__shared.push(data);
            return Promise.resolve();
          };
          Navigator.prototype.canShare = () => true;
        });
        await page.goto(base + "/c/achatlocal");
        await page.getByText("Partager", { exact: true }).click();
        const shared = await page.evaluate(() => window.__shared);
        assert.equal(shared.length, 1);
        assert.equal(shared[0].url, base + "/c/achatlocal");
        assert.match(shared[0].text, /#achatlocal/);
        assert.equal(await page.locator("details.share").getAttribute("open"), null, "the sheet replaces the links");
      });
    });

    test("keyboard: skip link, visible focus, search without a mouse", async () => {
      await withPage(browser, device, {}, async (page) => {
        await page.goto(base + "/");
        const focused = () =>
          page.evaluate(() => {
            const el = document.activeElement;
            const cs = getComputedStyle(el);
            const r = el.getBoundingClientRect();
            return {
              id: el.id,
              text: el.textContent.trim().slice(0, 40),
              tag: el.tagName,
              outline: cs.outlineStyle,
              outlineWidth: parseFloat(cs.outlineWidth),
              onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight,
            };
          });

        await page.keyboard.press("Tab");
        let f = await focused();
        assert.equal(f.text, "Aller au contenu", "the skip link comes first");
        assert.ok(f.onScreen, "the skip link shows when focused");
        assert.notEqual(f.outline, "none");
        assert.ok(f.outlineWidth >= 2, "a visible focus ring");
        await shot(page, `focus-skip-${device}`);

        await page.keyboard.press("Enter");
        assert.equal((await focused()).id, "main");

        // Every stop on the way to the search box has a visible ring.
        for (let i = 0; i < 40 && (await focused()).id !== "q"; i++) {
          await page.keyboard.press("Tab");
          f = await focused();
          assert.ok(f.onScreen, `${f.tag} "${f.text}" is focused off screen`);
          assert.ok(f.outline !== "none" && f.outlineWidth >= 2, `${f.tag} "${f.text}" has no visible focus`);
        }
        assert.equal((await focused()).id, "q", "the search box is reachable with Tab");
        await shot(page, `focus-search-${device}`);
        await page.keyboard.type("théâtre");
        await page.keyboard.press("Enter");
        await page.waitForURL(/[?&]q=th/);
        const texts = await cardTexts(page);
        assert.ok(texts.length >= 1);
        for (const t of texts) assert.match(fold(t), /theatre/);
      });
    });
  });
}
