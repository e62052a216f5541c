// The till reads a voucher's QR code through the camera. Chromium's fake
// camera plays a video made here from the voucher's own QR image (the
// API's qr.png): a Y4M file, a plain header then raw YUV 4:2:0 frames.
// Chromium on Linux has no BarcodeDetector, so this goes through the
// decoder that the till loads on first use (dist/till-qr.js).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { base, checkA11y, devices, launch, plain, shot } from "./helpers.mjs";
import { bakery, buyVoucher, signIn } from "./merchant_helpers.mjs";

const width = 640;
const height = 480;
let dir;
let browser;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "solidaire-camera-"));
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

// frame draws the QR image at url in the middle of a white camera frame,
// a little turned and smaller than the frame, as a phone held over a
// voucher sees it, and returns the frame's luma plane (BT.601, limited
// range) in base64.
async function frame(page, url) {
  return page.evaluate(async ({ url, width, height }) => {
    const img = new Image();
    if (url) {
      img.src = url;
      await img.decode();
    }
    const c = document.createElement("canvas");
    c.width = width;
    c.height = height;
    const ctx = c.getContext("2d");
    ctx.fillStyle = "#f4f1ec";
    ctx.fillRect(0, 0, width, height);
    ctx.translate(width / 2, height / 2);
    ctx.rotate(0.08);
    ctx.imageSmoothingEnabled = false;
    const side = 300;
    if (url) ctx.drawImage(img, -side / 2, -side / 2, side, side);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const y = new Uint8Array(width * height);
    for (let i = 0; i < y.length; i++) {
      const lum = 0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2];
      y[i] = Math.round(16 + (219 * lum) / 255);
    }
    let s = "";
    for (let i = 0; i < y.length; i += 0x8000) s += String.fromCharCode(...y.subarray(i, i + 0x8000));
    return btoa(s);
  }, { url, width, height });
}

// writeY4M writes grey frames (their chroma planes flat), ten a second, as
// a Y4M video that Chromium's fake camera plays in a loop.
function writeY4M(file, frames) {
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  const parts = [Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`)];
  for (const luma of frames) parts.push(Buffer.from("FRAME\n"), luma, chroma, chroma);
  writeFileSync(file, Buffer.concat(parts));
}

test("scan a voucher's QR code with the camera, then redeem", async () => {
  // The QR code of a paid voucher, as a video.
  const maker = await launch();
  let voucher;
  try {
    const page = await maker.newPage();
    voucher = await buyVoucher(page.request, 4000);
    await page.goto(base + "/");
    const blank = Buffer.from(await frame(page, ""), "base64");
    const luma = Buffer.from(await frame(page, voucher.qr_url), "base64");
    writeY4M(path.join(dir, "qr.y4m"), [...Array(10).fill(blank), ...Array(10).fill(luma)]);
  } finally {
    await maker.close();
  }

  browser = await chromium.launch({
    executablePath: process.env.SOLIDAIRE_CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
      "--use-file-for-fake-video-capture=" + path.join(dir, "qr.y4m")],
  });
  const context = await browser.newContext({ ...devices.phone, locale: "fr-CA", reducedMotion: "reduce", permissions: ["camera"] });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (m) => m.type() === "error" && !/status of 401/.test(m.text()) && problems.push(m.text()));
  const decoder = [];
  page.on("request", (req) => /\/static\/till-qr\.js/.test(req.url()) && decoder.push(req.url()));
  try {
    await signIn(page, bakery);
    const detector = await page.evaluate(() => "BarcodeDetector" in window);
    assert.equal(decoder.length, 0, "the decoder is loaded only when the camera opens");
    await page.getByRole("button", { name: "Scanner le code QR" }).click();
    await page.locator("video[data-video]").waitFor();
    // The first second of the video shows the counter without a voucher.
    await page.waitForFunction(() => document.querySelector("video[data-video]").currentTime > 0.2);
    await shot(page, "till-camera-phone");
    await checkA11y(page);

    // The till reads the code, stops the camera and shows the voucher.
    const panel = page.locator("[data-voucher]");
    await panel.waitFor({ timeout: 15000 });
    assert.equal(await panel.locator("[data-v-code]").innerText(), "Code " + voucher.display_code);
    assert.equal(plain(await panel.locator("[data-v-balance]").innerText()), "40,00 $");
    assert.equal(await page.locator("[data-camera]").isVisible(), false, "the camera is off once the code is read");
    if (!detector) assert.equal(decoder.length, 1, "without BarcodeDetector the decoder was loaded, once");

    await page.getByLabel("Montant à encaisser").fill("15");
    await page.getByRole("button", { name: "Encaisser", exact: true }).click();
    await page.getByRole("button", { name: "Confirmer : encaisser 15,00 $" }).click();
    await page.locator("[data-done]").waitFor();
    assert.equal(plain(await page.locator("[data-done-balance]").innerText()), "25,00 $");

    // The next code opens the camera again: it came through it.
    await page.getByRole("button", { name: "Code suivant" }).first().click();
    assert.equal(await panel.isVisible(), false);
    await page.locator("video[data-video]").waitFor();
    await panel.waitFor({ timeout: 15000 });
    assert.equal(plain(await panel.locator("[data-v-balance]").innerText()), "25,00 $");
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
