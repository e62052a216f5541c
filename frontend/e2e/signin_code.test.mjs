// Signing in to an account that had too many failed sign-ins, on a phone:
// the API asks for the code it mailed (signin_code_required), the page
// shows the code field with the French message, and the code goes with
// the next try. The API's side is tested in api (TestSignInCode); here the
// first answer is the API's as it would be under attack, the rest is real.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { base, checkA11y, launch, plain, shot, withPage } from "./helpers.mjs";
import { bakery, password } from "./merchant_helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("an account under attack asks for the mailed code, and the code signs in", async () => {
  await withPage(browser, "phone", { allow: [/HTTP 401/, /status of 401/] }, async (page) => {
    const sent = [];
    await page.route("**/api/v1/auth/login", async (route) => {
      const body = JSON.parse(route.request().postData() || "{}");
      sent.push(body);
      if (!body.code) {
        await route.fulfill({
          status: 401,
          contentType: "application/json",
          body: JSON.stringify({ error: { code: "signin_code_required", message: "Trop d'essais : nous vous avons envoyé un code par courriel." } }),
        });
        return;
      }
      // The real server, which has no attack going on, signs in with the
      // password alone.
      const { code, ...rest } = body;
      await route.continue({ postData: JSON.stringify(rest) });
    });

    await page.goto(base + "/connexion?next=/commerce");
    const codeField = page.getByLabel("Code de connexion");
    assert.equal(await codeField.isVisible(), false, "no code field before the API asks");
    await page.getByLabel("Courriel").fill(bakery);
    await page.getByLabel("Mot de passe", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Se connecter" }).click();

    const alert = page.getByRole("alert").filter({ hasText: "nous vous avons envoyé un code" });
    await alert.waitFor();
    assert.equal(plain(await alert.innerText()), "Trop d'essais : nous vous avons envoyé un code par courriel.");
    await codeField.waitFor();
    assert.equal(await codeField.getAttribute("autocomplete"), "one-time-code");
    assert.equal(await codeField.getAttribute("inputmode"), "numeric");
    assert.ok(await codeField.evaluate((el) => el === document.activeElement), "the code field has the focus");
    await shot(page, "signin-code-phone");
    await checkA11y(page);

    await codeField.fill("123 456");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL(base + "/commerce");
    assert.equal(sent.length, 2);
    assert.equal(sent[0].code, "");
    assert.equal(sent[1].code, "123 456");
    assert.equal(sent[1].email, bakery);
    assert.equal(sent[1].lang, "fr");
  });
});
