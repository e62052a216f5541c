// Events are found from the home page: its "Tous les événements" link opens
// /evenements, whose filters work without JavaScript; filtering by city
// keeps that city's events only, with cancelled and postponed ones marked
// in words, and an event opens its own page. On a phone and on a laptop,
// with no console error and no WCAG AA violation.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { base, checkA11y, devices, launch, noHorizontalScroll, shot, withPage } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

for (const device of Object.keys(devices)) {
  describe(device, () => {
    test("events: from the home page, filtered by city, to an event", async () => {
      await withPage(browser, device, {}, async (page) => {
        await page.goto(base + "/");
        await page.getByRole("link", { name: "Tous les événements" }).click();
        await page.waitForURL(base + "/evenements");
        await page.getByRole("heading", { level: 1, name: "Événements à venir" }).waitFor();
        const items = page.locator(".events .event-item");
        assert.ok((await items.count()) >= 5, "the upcoming events are listed");
        assert.equal(await page.locator(".events .badge-cancelled").first().textContent(), "Annulé");
        assert.match(await page.locator(".events .badge-postponed").first().textContent(), /^Reporté au (1er|\d+) [a-zéû]+ \d{4}$/);
        await noHorizontalScroll(page);
        await shot(page, `events-${device}`);
        await checkA11y(page);

        await page.getByRole("combobox", { name: "Ville" }).selectOption("Québec");
        await page.getByRole("button", { name: "Rechercher" }).click();
        await page.waitForURL(/\/evenements\?city=Qu%C3%A9bec/);
        const places = await page.locator(".events .event-item .muted").allInnerTexts();
        assert.ok(places.length > 0, "Québec has events");
        for (const p of places) assert.match(p, /· Québec$/);
        assert.equal(await page.getByRole("combobox", { name: "Ville" }).inputValue(), "Québec");
        await checkA11y(page);

        const link = page.locator(".events .event-title a").first();
        const title = (await link.textContent()).trim();
        await link.click();
        await page.waitForURL(/\/e\/evt_/);
        await page.getByRole("heading", { level: 1, name: new RegExp(title.slice(0, 12)) }).waitFor();
      });
    });
  });
}
