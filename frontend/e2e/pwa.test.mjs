// The site is installable: a manifest with its icons, and a service worker
// that takes control.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { base, launch, withPage } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("manifest and icons", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    await page.goto(base + "/");
    const href = await page.getAttribute("link[rel=manifest]", "href");
    const res = await page.request.get(new URL(href, base).href);
    assert.equal(res.status(), 200);
    const manifest = await res.json();
    assert.equal(manifest.start_url, "/");
    assert.equal(manifest.display, "standalone");
    assert.ok(manifest.icons.some((i) => i.sizes === "512x512" && i.purpose === "maskable"));
    for (const icon of manifest.icons) {
      const img = await page.request.get(new URL(icon.src, base).href);
      assert.equal(img.status(), 200, icon.src);
      assert.equal(img.headers()["content-type"], "image/png");
    }
  });
});

test("the service worker installs and serves pages offline", async () => {
  await withPage(browser, "phone", {}, async (page, context) => {
    await page.goto(base + "/m/boulangerie-du-quartier");
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(scope, base + "/");
    // Once the worker controls the page, a reload goes through it and is
    // kept; offline, the kept copy is shown.
    await page.reload();
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), "the worker controls the page");
    await page.waitForTimeout(300);
    await context.setOffline(true);
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Boulangerie du Quartier" }).waitFor();
    await context.setOffline(false);
  });
});
