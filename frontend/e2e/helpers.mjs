// Shared by the browser tests: the server under test, the browser, the two
// screen sizes, and the checks every page must pass (no console error, no
// failed request, no axe violation of WCAG 2.1 A and AA).
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium } from "playwright-core";

export const base = process.env.SOLIDAIRE_E2E_BASE_URL;
if (!base) {
  throw new Error("SOLIDAIRE_E2E_BASE_URL is not set: the browser tests run from go test ./frontend, which starts the server");
}
export const resultsDir = process.env.SOLIDAIRE_E2E_RESULTS || path.resolve("test-results");
mkdirSync(resultsDir, { recursive: true });

// The two screens the site is designed for: a small phone and a laptop.
export const devices = {
  phone: { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1280, height: 800 } },
};

// launch starts the system's Chromium (Playwright cannot download its own
// here) with the flags that keep it quiet and off the network.
export function launch() {
  return chromium.launch({
    executablePath: process.env.SOLIDAIRE_CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

// withPage runs fn with a fresh page on device, then fails on any console
// error, uncaught exception or failed request the page met, except those
// matching options.allow (regular expressions). The other options go to
// browser.newContext (locale, javaScriptEnabled, permissions…). The default
// visitor reads French (Québec) and asks for reduced motion, so that focus
// moves without smooth scrolling and screenshots are steady.
export async function withPage(browser, device, options, fn) {
  const { allow = [], ...contextOptions } = options;
  const context = await browser.newContext({ ...devices[device], locale: "fr-CA", reducedMotion: "reduce", ...contextOptions });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`uncaught: ${err.message}`));
  page.on("requestfailed", (req) => {
    // A search replaced by a newer one is aborted on purpose.
    if (req.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400 && res.request().resourceType() !== "document") problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  try {
    await fn(page, context);
  } finally {
    await context.close();
  }
  assert.deepEqual(
    problems.filter((p) => !allow.some((re) => re.test(p))),
    [],
    "the page met problems",
  );
}

// shot saves a full-page screenshot under test-results/.
export async function shot(page, name) {
  await page.screenshot({ path: path.join(resultsDir, `${name}.png`), fullPage: true });
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

// checkA11y runs axe-core on the page for WCAG 2.1 A and AA (contrast,
// labels, names, landmarks, language) and fails on any violation. It is
// evaluated through the DevTools protocol, which the page's CSP does not
// govern, so the policy stays as strict as in production.
export async function checkA11y(page) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return result.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
  });
  assert.deepEqual(violations, [], `accessibility violations on ${page.url()}`);
}

// checkShareTags checks the Open Graph and Twitter card tags that a link
// preview needs, rendered by the server, and that the share image loads.
export async function checkShareTags(page) {
  const tags = await page.evaluate(() => {
    const out = {};
    for (const m of document.querySelectorAll("meta[property^='og:'], meta[name^='twitter:']")) {
      out[m.getAttribute("property") || m.getAttribute("name")] = m.getAttribute("content");
    }
    out.canonical = document.querySelector("link[rel=canonical]")?.href;
    return out;
  });
  for (const name of ["og:title", "og:description", "og:image", "og:url", "twitter:card", "twitter:title", "twitter:description", "twitter:image", "canonical"]) {
    assert.ok(tags[name], `${name} is missing`);
  }
  assert.match(tags["og:image"], /^https?:\/\//, "og:image must be absolute");
  assert.equal(tags["og:url"], tags.canonical);
  const image = await page.request.get(tags["og:image"]);
  assert.equal(image.status(), 200, `og:image ${tags["og:image"]}`);
  assert.equal(image.headers()["content-type"], "image/png");
  return tags;
}

// noHorizontalScroll checks that nothing is wider than the screen.
export async function noHorizontalScroll(page) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width, `the page is ${scroll}px wide on a ${width}px screen`);
}

// plain turns no-break spaces into spaces, so that French amounts
// ("25,00 $" with U+00A0) compare with readable strings.
export function plain(s) {
  return s.replace(/[\u00a0\u202f]/g, " ");
}

// fold lower-cases and strips accents, as the server's search does.
export function fold(s) {
  return s.normalize("NFD").replace(/\p{Mn}/gu, "").toLowerCase();
}
