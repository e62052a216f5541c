// Every role finds its way: after signing in on /connexion (no next) each
// demo person lands where their role works, the header shows their spaces,
// someone with several spaces chooses one; on a 360 px phone the header is
// one line with a menu, and the organiser's pages fit the screen.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { base, checkA11y, launch, noHorizontalScroll, plain, shot, withPage } from "./helpers.mjs";
import { password } from "./merchant_helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// signInAs signs in on /connexion as a person does, without a next page.
async function signInAs(page, email) {
  await page.goto(base + "/connexion");
  await page.getByLabel("Courriel").fill(email);
  await page.getByLabel("Mot de passe", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
}

// headerLinks are the header's visible links, by name.
async function headerLinks(page) {
  return page.locator("header.site-header nav a:visible").allInnerTexts();
}

const roles = [
  { email: "admin@demo.solidaire.local", landing: "/admin", space: "Administration" },
  { email: "boulangerie@demo.solidaire.local", landing: "/commerce", space: "Mon commerce" },
  { email: "organisateur@demo.solidaire.local", landing: "/organisation", space: "Organisation" },
];

for (const { email, landing, space } of roles) {
  test(`${email} lands on ${landing}, and the header shows that space`, async () => {
    await withPage(browser, "desktop", {}, async (page) => {
      await signInAs(page, email);
      await page.waitForURL(base + landing);
      const nav = page.getByRole("navigation", { name: "Navigation principale" });
      await nav.getByRole("link", { name: space, exact: true }).waitFor();
      const links = await headerLinks(page);
      assert.ok(!links.includes("Espace commerçant"), `the generic link is replaced: ${links}`);
      assert.ok(links.includes("Événements"), `the events are in the menu: ${links}`);
      // The header stays filled on a public page, and signing out forgets it.
      await page.goto(base + "/");
      await nav.getByRole("link", { name: space, exact: true }).waitFor();
    });
  });
}

test("someone with several spaces chooses one after signing in", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    // The bakery's owner, made an admin for this page only.
    await page.route("**/api/v1/auth/login", async (route) => {
      const res = await route.fetch();
      const me = await res.json();
      me.user.admin = true;
      await route.fulfill({ response: res, json: me });
    });
    await signInAs(page, "boulangerie@demo.solidaire.local");
    const chooser = page.getByRole("navigation", { name: "Où voulez-vous aller ?" });
    await chooser.waitFor();
    assert.equal(page.url(), base + "/connexion");
    assert.deepEqual((await chooser.getByRole("link").allInnerTexts()).map(plain), ["Mon commerce : tableau de bord et caisse", "Administration de Solidaire"]);
    await shot(page, "landing-chooser-phone");
    await checkA11y(page);
    await chooser.getByRole("link", { name: /Mon commerce/ }).click();
    await page.waitForURL(base + "/commerce");
  });
});

test("a next page still wins over the role's space", async () => {
  await withPage(browser, "desktop", {}, async (page) => {
    await page.goto(base + "/connexion?next=" + encodeURIComponent("/caisse"));
    await page.getByLabel("Courriel").fill("admin@demo.solidaire.local");
    await page.getByLabel("Mot de passe", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL(base + "/caisse");
  });
});

test("the new merchant's first steps on its dashboard", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    await signInAs(page, "boulangerie@demo.solidaire.local");
    await page.waitForURL(base + "/commerce");
    await page.locator("[data-body]").waitFor();
    // The demo bakery is approved with payments connected: that step is
    // ticked, and each step says done or to do.
    const steps = page.locator("[data-steps]");
    await page.waitForFunction(() => document.querySelector("[data-step='payments'] [data-step-state]")?.textContent === "Fait"
      || document.querySelector("[data-steps]")?.hidden === true);
    if (await steps.isVisible()) {
      assert.equal(await steps.locator("[data-step='payments'] [data-step-state]").innerText(), "Fait");
      assert.ok(await steps.getByText("En attente d'approbation").isHidden());
      await shot(page, "landing-steps-phone");
      await checkA11y(page);
    }
    await noHorizontalScroll(page);
  });
});

test("at 360 px the header is one line with a menu, and the organiser's pages fit", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    const header = page.locator("header.site-header");
    const oneLine = async () => {
      const box = await header.boundingBox();
      assert.ok(box && box.height < 80, `the header is ${box?.height}px high on ${page.url()}`);
    };
    await page.goto(base + "/");
    await oneLine();
    await noHorizontalScroll(page);
    // The menu opens (a <details>, no script needed) over the page.
    await page.getByText("Menu", { exact: true }).click();
    const menu = page.locator(".site-menu nav");
    await menu.getByRole("link", { name: "Événements" }).waitFor();
    assert.deepEqual(await menu.locator("a:visible").allInnerTexts(), ["Commerces", "Événements", "Campagnes", "Mes bons", "Espace commerçant"]);
    await oneLine();
    await shot(page, "landing-menu-phone");
    await checkA11y(page);

    await signInAs(page, "organisateur@demo.solidaire.local");
    await page.waitForURL(base + "/organisation");
    const pages = ["/organisation", "/organisation/campagnes", "/organisation/campagnes/billetsolidaire", "/organisation/evenements/nouveau"];
    await page.locator("main table, main [data-org-empty]").first().waitFor();
    const manage = await page.locator("main a[href^='/organisation/evenements/evt_']").first().getAttribute("href");
    if (manage) pages.push(manage);
    for (const path of pages) {
      await page.goto(base + path);
      await page.waitForLoadState("networkidle");
      await oneLine();
      const over = await page.evaluate(() => {
        // What sticks out of the screen, unless inside a box that scrolls
        // sideways and itself fits (a wide table's wrapper).
        const width = document.documentElement.clientWidth;
        const scrolls = (el) => {
          for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            if (/auto|scroll/.test(getComputedStyle(p).overflowX) && p.getBoundingClientRect().right <= width + 1) return true;
          }
          return false;
        };
        const out = [];
        for (const el of document.querySelectorAll("main *")) {
          const r = el.getBoundingClientRect();
          if (r.width > 0 && r.right > width + 1 && !el.closest("[hidden]") && !scrolls(el)) {
            const path = [];
            for (let p = el; p && p !== document.body; p = p.parentElement) path.unshift(p.tagName.toLowerCase() + (p.className ? "." + String(p.className).split(" ")[0] : ""));
            out.push(`${path.slice(-4).join(" > ")} ${Math.round(r.right)}`);
          }
        }
        return { scroll: document.documentElement.scrollWidth, over: out.slice(0, 5) };
      });
      assert.ok(over.scroll <= 360, `${path} is ${over.scroll}px wide: ${over.over}`);
      assert.deepEqual(over.over, [], `${path}: elements cut off`);
      await shot(page, "landing-360" + path.replaceAll("/", "-"));
    }
  });
});
