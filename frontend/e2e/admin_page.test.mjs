// Solidaire's team watches the merchants' public pages (#13): the bakery's
// owner posts two news items through the API; the admin opens the
// bakery's "Page publique" panel on /admin, sees the post recorded among
// the page's changes (who, when, what), is told in the panel's alert when
// a post went away meanwhile (the owner deleted it: a 404 in the API's
// words), and hides the other with a reason (required, asked in a dialog
// that says what will happen). The post is then gone from the public page
// and the owner reads the reason on /commerce/nouvelles.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import path from "node:path";
import { base, checkA11y, launch, noHorizontalScroll, plain, resultsDir, shot, withPage } from "./helpers.mjs";
import { bakery, bakerySlug, password, signIn } from "./merchant_helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const admin = "admin@demo.solidaire.local";
const stamp = Date.now().toString(36);
const kept = `Fougasse aux olives ce samedi (${stamp})`;
const gone = `Pain de seigle épuisé (${stamp})`;
const reason = "Une promotion d'alcool n'est pas permise ici.";

// jpeg draws a small photo in the page's canvas and returns it as a JPEG.
async function jpeg(page) {
  const data = await page.evaluate(async () => {
    const c = document.createElement("canvas");
    c.width = 400;
    c.height = 300;
    const g = c.getContext("2d");
    g.fillStyle = "#8a5a2b";
    g.fillRect(0, 0, 400, 300);
    const blob = await new Promise((resolve) => c.toBlob(resolve, "image/jpeg", 0.85));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  });
  return Buffer.from(data, "base64");
}

// owner signs the bakery's owner in through the API, for a bearer token.
async function owner(request) {
  const res = await request.post(base + "/api/v1/auth/login", { data: { email: bakery, password, token: true } });
  assert.equal(res.status(), 200, await res.text());
  const { token } = await res.json();
  assert.ok(token, "a bearer token");
  return { Authorization: "Bearer " + token };
}

test("the admin sees a page's changes and hides a post with a reason the merchant reads", async () => {
  const ids = {};
  await withPage(browser, "desktop", {}, async (page) => {
    const headers = await owner(page.request);
    await page.goto(base + "/");
    const photo = await page.request.post(base + "/api/v1/merchant/photos", {
      headers,
      multipart: { photo: { name: "vitrine.jpg", mimeType: "image/jpeg", buffer: await jpeg(page) } },
    });
    assert.equal(photo.status(), 201, await photo.text());
    ids.photo = (await photo.json()).id;
    for (const [name, body] of [["kept", kept], ["gone", gone]]) {
      const res = await page.request.post(base + "/api/v1/merchant/posts", { headers, data: { body } });
      assert.equal(res.status(), 201, await res.text());
      ids[name] = (await res.json()).id;
    }
    ids.headers = headers;
  });

  // The admin opens the bakery's panel: the changes, newest first, say
  // who posted, and when.
  await withPage(browser, "desktop", { allow: [/HTTP 404: .*\/posts\/.*\/hide/, /status of 404/] }, async (page) => {
    await signIn(page, admin, "/admin");
    await page.locator("#commerces-etat").selectOption("approved");
    const item = page.locator("[data-pending-list] > li", { has: page.getByRole("heading", { name: "Boulangerie du Quartier", exact: true }) });
    await item.waitFor();
    const summary = item.locator("summary", { hasText: "Page publique" });
    // A disclosure, opened from the keyboard.
    await summary.focus();
    await page.keyboard.press("Enter");
    const panel = item.locator("details.page-panel");
    assert.equal(await panel.getAttribute("open"), "");
    const changes = panel.locator("section", { has: page.getByRole("heading", { name: "Modifications, les plus récentes d'abord" }) });
    const first = changes.locator("li").first();
    await first.waitFor();
    assert.match(plain(await first.innerText()), /par Mireille Gagnon\s+Nouvelle publiée/);
    assert.ok(await first.locator("time[datetime]").count(), "the date is a <time>");
    const news = panel.locator("section", { has: page.getByRole("heading", { name: "Dernières nouvelles" }) });
    await news.locator("li", { hasText: kept }).waitFor();
    // The photos, as thumbnails in several widths.
    const thumb = panel.locator(".photos img").last();
    await thumb.waitFor();
    assert.match(await thumb.getAttribute("srcset"), /\/media\/photos\/.+ \d+w/);
    assert.ok(await thumb.evaluate((img) => img.complete && img.naturalWidth > 0), "the thumbnail loads");
    await shot(page, "admin-page-panel-desktop");
    await checkA11y(page);

    // The owner deletes a post meanwhile: hiding it tells why it failed.
    const del = await page.request.delete(`${base}/api/v1/merchant/posts/${ids.gone}`, { headers: ids.headers });
    assert.equal(del.status(), 204, await del.text());
    const goneRow = news.locator("li", { hasText: gone });
    await goneRow.getByRole("button", { name: /^Masquer/ }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Motif (le commerce le lira)").fill("Doublon.");
    await dialog.getByRole("button", { name: "Oui, masquer" }).click();
    await panel.getByRole("alert").filter({ hasText: "Nouvelle introuvable." }).waitFor();

    // The reason is required, and the dialog says what will happen.
    const row = news.locator("li", { hasText: kept });
    const hide = row.getByRole("button", { name: /^Masquer/ });
    await hide.click();
    await dialog.waitFor();
    assert.match(plain(await dialog.innerText()), /La nouvelle disparaîtra de la page publique/);
    assert.match(await dialog.getAttribute("aria-labelledby"), /.+/);
    await dialog.getByRole("button", { name: "Oui, masquer" }).click();
    await dialog.getByText("Écrivez le motif.").waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), "motif");
    await checkA11y(page);
    // Cancelled, nothing happens, and the focus comes back.
    await dialog.getByRole("button", { name: "Annuler" }).click();
    await dialog.waitFor({ state: "detached" });
    assert.equal(await hide.evaluate((b) => b === document.activeElement), true);

    await hide.click();
    await dialog.getByLabel("Motif (le commerce le lira)").fill(reason);
    await dialog.getByRole("button", { name: "Oui, masquer" }).click();
    await row.locator(".notice").filter({ hasText: reason }).waitFor();
    assert.equal(plain(await row.locator(".notice").innerText()), "Masquée : " + reason);
    await panel.getByRole("status").filter({ hasText: "Nouvelle masquée ; le commerce lit le motif." }).waitFor();
    await changes.locator("li").first().filter({ hasText: "Nouvelle masquée" }).waitFor();
    assert.match(plain(await changes.locator("li").first().innerText()), /par Équipe Solidaire\s+Nouvelle masquée : Une promotion/);

    // A photo, likewise.
    const photoRow = panel.locator(".photos li").last();
    await photoRow.getByRole("button", { name: /^Masquer/ }).click();
    assert.match(plain(await dialog.innerText()), /La photo disparaîtra de la page publique/);
    await dialog.getByLabel("Motif (le commerce le lira)").fill("Photo floue.");
    await dialog.getByRole("button", { name: "Oui, masquer" }).click();
    await photoRow.locator(".notice").filter({ hasText: "Photo floue." }).waitFor();
    await panel.getByRole("status").filter({ hasText: "Photo masquée" }).waitFor();
    await changes.locator("li").first().filter({ hasText: "Photo masquée : Photo floue." }).waitFor();
    await shot(page, "admin-page-hidden-desktop");
    await item.screenshot({ path: path.join(resultsDir, "admin-page-panel-hidden.png") });
    await checkA11y(page);
  });

  // The public page no longer shows it, nor the API.
  await withPage(browser, "phone", {}, async (page) => {
    await page.goto(base + "/m/" + bakerySlug);
    await page.getByRole("heading", { level: 1, name: "Boulangerie du Quartier" }).waitFor();
    assert.doesNotMatch(await page.locator("main").innerText(), new RegExp(stamp));
    const res = await page.request.get(base + "/api/v1/merchants/" + bakerySlug);
    const posts = (await res.json()).posts.map((p) => p.id);
    assert.ok(!posts.includes(ids.kept), "the hidden post is out of the API");
    assert.ok(!(await res.json()).photos.some((p) => p.id === ids.photo), "the hidden photo is out of the API");
  });

  // The owner reads why on its news page.
  await withPage(browser, "phone", {}, async (page) => {
    await signIn(page, bakery, "/commerce/nouvelles");
    const row = page.locator("[data-posts] li", { hasText: kept });
    await row.waitFor();
    assert.equal(plain(await row.locator(".notice").innerText()), "Masquée par l'équipe Solidaire : " + reason);
    await noHorizontalScroll(page);
  });
});

test("the admin page's panel reads in English", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    await signIn(page, admin, "/admin");
    await page.goto(base + "/admin?lang=en");
    await page.getByLabel("Status", { exact: true }).selectOption("approved");
    const item = page.locator("[data-pending-list] > li", { has: page.getByRole("heading", { name: "Boulangerie du Quartier", exact: true }) });
    await item.locator("summary", { hasText: "Public page" }).click();
    await item.getByRole("heading", { name: "Changes, latest first" }).waitFor();
    const first = item.locator("details ol li").first();
    await first.waitFor();
    assert.match(plain(await first.innerText()), /by Équipe Solidaire\s+Photo hidden: Photo floue\./);
    await item.getByText(/News hidden: Une promotion/).waitFor();
    await item.screenshot({ path: path.join(resultsDir, "admin-page-panel-en-phone.png") });
    await noHorizontalScroll(page);
    await checkA11y(page);
  });
});
