// A supporter who shares: after a purchase with the demo payment provider,
// the confirmation offers "J'ai soutenu … #achatlocal": the share card
// follows the first name typed, the copy button says "Lien copié" in a live
// region, and the profile frame is drawn over a photo picked on the phone
// (a PNG made here) and downloaded as a PNG, the photo sent nowhere.
import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { after, before, test } from "node:test";
import { base, checkA11y, launch, noHorizontalScroll, shot, withPage } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// crc32 of a PNG chunk.
function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

// photoPNG makes a w×h PNG of diagonal stripes: a photo from the phone.
function photoPNG(w, h) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      const stripe = ((x + y) >> 4) & 1;
      raw[o] = stripe ? 30 : 240;
      raw[o + 1] = 120;
      raw[o + 2] = stripe ? 200 : 60;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

test("a buyer shares their support and frames their profile picture", async () => {
  await withPage(browser, "phone", { permissions: ["clipboard-read", "clipboard-write"] }, async (page) => {
    // The purchase, as buy.test.mjs makes it.
    await page.goto(base + "/m/boulangerie-du-quartier#bons");
    await page.getByRole("radio", { name: /^25,00/ }).check();
    await page.getByLabel("Votre courriel", { exact: true }).fill("soutien@example.org");
    await page.getByLabel("Votre nom (facultatif)").fill("Awa Diallo");
    await page.getByRole("button", { name: "Passer au paiement" }).click();
    await page.waitForURL(/\/demo\/checkout\//);
    await page.getByRole("button", { name: "Payer (démo)" }).click();
    await page.waitForURL(/\/commande\/ord_\w+\?token=/);

    // The share section, with neither the amount nor the buyer's name.
    const section = page.getByRole("region", { name: /J'ai soutenu Boulangerie du Quartier #achatlocal/ });
    await section.waitFor();
    const text = await section.innerText();
    assert.doesNotMatch(text, /25,00|Awa|soutien@example/);
    const card = section.getByRole("img", { name: /Image à partager/ });
    assert.ok(await card.evaluate((img) => img.complete && img.naturalWidth === 1200), "the card is drawn");
    assert.match(await section.getByText("Votre photo reste sur votre appareil").innerText(), /envoyée nulle part/);

    // A first name changes the card's address, nothing else.
    await section.getByLabel("Votre prénom sur l'image (facultatif)").fill("Awa");
    await section.getByRole("button", { name: "Mettre à jour l'image" }).click();
    await page.waitForFunction(() => document.querySelector("img[data-support-card]")?.getAttribute("src")?.endsWith("?nom=Awa"));
    assert.match(page.url(), /\/commande\//, "the page stays");
    assert.ok(await card.evaluate((img) => new Promise((ok) => (img.complete ? ok(img.naturalWidth === 1200) : (img.onload = () => ok(img.naturalWidth === 1200))))));
    assert.match(await section.getByRole("link", { name: "Télécharger l'image", exact: true }).getAttribute("href"), /\?nom=Awa$/);

    // Copy the link: the live region says so.
    const link = await section.getByLabel("Lien à partager").inputValue();
    assert.match(link, /\/m\/boulangerie-du-quartier\?utm_campaign=soutien/);
    await section.getByRole("button", { name: "Copier le lien" }).click();
    await section.getByRole("status").filter({ hasText: "Lien copié" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);

    // The frame: a photo picked, no upload, a preview, a PNG download.
    const uploads = [];
    page.on("request", (req) => {
      if (req.method() !== "GET") uploads.push(req.url());
    });
    await section.getByLabel("Votre photo", { exact: true }).setInputFiles({ name: "moi.png", mimeType: "image/png", buffer: photoPNG(320, 240) });
    const preview = section.getByRole("img", { name: /Aperçu de votre photo dans le cadre/ });
    await preview.waitFor();
    await section.getByRole("status").filter({ hasText: "Aperçu prêt" }).waitFor();
    // The photo in the middle, the ring around it.
    const [middle, ring] = await preview.evaluate((c) => {
      const ctx = c.getContext("2d");
      return [Array.from(ctx.getImageData(540, 540, 1, 1).data), Array.from(ctx.getImageData(540, 1070, 1, 1).data)];
    });
    assert.equal(middle[3], 255, "the photo fills the middle");
    assert.deepEqual(ring.slice(0, 3), [0xb3, 0x26, 0x1e], "the brand's ring frames it");
    await noHorizontalScroll(page);
    await shot(page, "support-frame-phone");
    await checkA11y(page);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      section.getByRole("button", { name: "Télécharger", exact: true }).click(),
    ]);
    assert.match(download.suggestedFilename(), /\.png$/);
    const stream = await download.createReadStream();
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const file = Buffer.concat(chunks);
    assert.ok(file.length > 0, "the download is not empty");
    assert.deepEqual([...file.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "the download is a PNG");
    assert.deepEqual(uploads, [], "nothing was sent");
  });
});
