// A merchant runs its own page from a phone (#13): its owner, on a 360 px
// screen, says it is takeout only today with one tap and uploads a photo
// from the phone (a small JPEG drawn here); the public page shows the
// badge and the photo, and the directory's "Pour emporter" chip finds it,
// with and without JavaScript. Then a citizen follows it, reads the
// confirmation link from the outbox (the test route /test/mails), whose
// page only shows a button, and confirms.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { base, checkA11y, launch, noHorizontalScroll, plain, shot, withPage } from "./helpers.mjs";
import { signIn } from "./merchant_helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const owner = "cantons@sherbrooke.test";
const slug = "cafe-des-cantons";
const follower = "suiveuse.cantons@example.org";

// jpeg draws a small photo in the page's canvas and returns it as a JPEG.
async function jpeg(page) {
  const data = await page.evaluate(async () => {
    const c = document.createElement("canvas");
    c.width = 480;
    c.height = 360;
    const g = c.getContext("2d");
    g.fillStyle = "#b3261e";
    g.fillRect(0, 0, 480, 360);
    g.fillStyle = "#fbf7f2";
    g.fillRect(60, 60, 360, 240);
    const blob = await new Promise((resolve) => c.toBlob(resolve, "image/jpeg", 0.85));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  });
  return Buffer.from(data, "base64");
}

test("a merchant on a phone says it is takeout only and adds a photo; the page and the directory show it", async () => {
  // The wrong web address below is refused on purpose (400 with its field).
  await withPage(browser, "phone", { allow: [/HTTP 400: .*\/api\/v1\/merchant\/profile/, /status of 400/] }, async (page) => {
    await signIn(page, owner, "/commerce/page");
    await page.getByRole("heading", { level: 1, name: /Ma page/ }).waitFor();
    await page.getByRole("heading", { level: 2, name: "Statut du jour" }).waitFor();
    await noHorizontalScroll(page);

    // One tap.
    const takeout = page.getByRole("button", { name: "Pour emporter", exact: true });
    await takeout.click();
    await page.getByText("Statut enregistré : Pour emporter.").waitFor();
    assert.equal(await takeout.getAttribute("aria-pressed"), "true");
    assert.match(plain(await page.locator("[data-status-now]").innerText()), /Affiché : Pour emporter/);

    // A photo from the phone, with its progress, becomes the main photo.
    const input = page.getByLabel("Ajouter une photo");
    assert.equal(await input.getAttribute("capture"), null, "the camera roll is offered");
    await input.setInputFiles({ name: "vitrine.jpg", mimeType: "image/jpeg", buffer: await jpeg(page) });
    await page.getByText("Photo ajoutée.").waitFor();
    await page.locator("[data-photos] li").first().locator(".photo-cover", { hasText: "Photo principale" }).waitFor();
    await shot(page, "merchant-page-phone");
    await checkA11y(page);

    // The text: a field error in French by its field, then saved.
    await page.getByLabel("Site web").fill("pas une adresse");
    await page.getByRole("button", { name: "Enregistrer ma page" }).click();
    await page.locator("#page-site-error").getByText("Entrez une adresse web complète").waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), "page-site");
    await page.getByLabel("Site web").fill("https://cafe-des-cantons.example");
    await page.getByRole("button", { name: "Enregistrer ma page" }).click();
    await page.getByText("Page enregistrée").waitFor();
    await page.getByRole("link", { name: "Voir ma page" }).click();
    await page.waitForURL(base + "/m/" + slug);

    // The public page: the badge in words, the photo in several widths.
    const badge = page.locator(".open-status .badge-takeout");
    assert.equal(plain(await badge.innerText()), "Pour emporter");
    const photo = page.locator(".gallery img").first();
    assert.match(await photo.getAttribute("srcset"), /\/media\/photos\/.+-\d+\.jpg \d+w/);
    assert.ok(await photo.evaluate((img) => img.complete && img.naturalWidth > 0), "the photo loads");
    await checkA11y(page);

    // The directory: the chip, with JavaScript.
    await page.goto(base + "/?city=Sherbrooke#commerces");
    await page.getByText("Pour emporter", { exact: true }).first().click();
    await page.waitForURL(/statut=emporter/);
    const card = page.locator(".merchant-card", { has: page.getByRole("link", { name: "Café des Cantons", exact: true }) });
    await card.locator(".badge-takeout").waitFor();
    await card.locator("img.card-cover").waitFor();
    assert.equal(await card.locator("img.card-cover").getAttribute("loading"), "lazy");
  });
  // Without JavaScript, the same chip is a GET parameter.
  await withPage(browser, "phone", { javaScriptEnabled: false }, async (page) => {
    await page.goto(base + "/?statut=emporter#commerces");
    await page.locator(".merchant-card").getByRole("link", { name: "Café des Cantons", exact: true }).waitFor();
    const names = await page.locator(".merchant-card .card-title").allInnerTexts();
    assert.ok(names.length >= 1);
  });
});

test("a citizen follows the merchant and confirms from the mail's link", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    await page.goto(base + "/m/" + slug);
    const form = page.locator("form[data-follow]");
    await form.getByLabel("Votre adresse courriel").fill(follower);
    await form.getByRole("button", { name: "Suivre" }).click();
    // The consent is asked first, in the words the backend records.
    await form.getByText("Cochez la case").waitFor();
    await form.getByLabel(/^J'accepte de recevoir par courriel les nouvelles et les offres de ce commerce/).check();
    await form.getByRole("button", { name: "Suivre" }).click();
    await form.getByText("Vérifiez vos courriels pour confirmer.").waitFor();
    await checkA11y(page);

    // The link, from the outbox: its page only shows a button.
    let link = "";
    for (let i = 0; i < 20 && !link; i++) {
      const res = await page.request.get(base + "/test/mails?to=" + encodeURIComponent(follower));
      assert.equal(res.status(), 200);
      for (const m of await res.json()) {
        const found = /https?:\/\/\S+\/suivre\/confirmer\?token=[A-Za-z0-9_-]+/.exec(m.text);
        if (found) link = found[0];
      }
      if (!link) await page.waitForTimeout(250);
    }
    assert.ok(link, "the confirmation was mailed");
    const res = await page.goto(link);
    assert.equal(res.headers()["cache-control"], "no-store");
    await page.getByRole("heading", { level: 1, name: "Confirmer l'abonnement" }).waitFor();
    await checkA11y(page);
    await page.getByRole("button", { name: "Confirmer mon abonnement" }).click();
    await page.getByRole("heading", { level: 1, name: "Abonnement confirmé" }).waitFor();
    assert.match(plain(await page.locator("main").innerText()), /vous recevrez les nouvelles de Café des Cantons/);
  });
});
