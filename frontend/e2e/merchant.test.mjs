// The merchant side beyond the till, on a phone: the owner's dashboard
// (today's redemptions arriving live from a till in another page, the
// ledger and its CSV, the team, pairing a till device that then redeems
// with its own token, and revoking it), signing in and its errors, a
// business applying, Solidaire's admin approving it and reading the
// outbox, a staff invitation and a password reset followed from the
// mails, and a person who belongs to two merchants picking one.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { base, checkA11y, launch, noHorizontalScroll, plain, shot, withPage } from "./helpers.mjs";
import { bakery, buyVoucher, password, signIn } from "./merchant_helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// redeemAtTill looks a code up in a till page and redeems amount ("7,50").
async function redeemAtTill(till, code, amount) {
  await till.getByLabel("Code du bon ou du billet").fill(code);
  await till.getByRole("button", { name: "Vérifier le code" }).click();
  await till.getByLabel("Montant à encaisser").fill(amount);
  await till.getByRole("button", { name: "Encaisser", exact: true }).click();
  await till.getByRole("button", { name: /^Confirmer : encaisser/ }).click();
  await till.locator("[data-done]").waitFor();
}

test("the dashboard: live redemptions from a till in another page, the ledger and its CSV, the team", async () => {
  await withPage(browser, "phone", {}, async (page, context) => {
    const voucher = await buyVoucher(page.request, 5000);
    await signIn(page, bakery, "/commerce");
    await page.getByText("Compte : Mireille Gagnon").waitFor();
    const live = page.locator("[data-live]");
    await live.waitFor();
    assert.equal(await live.innerText(), "En direct");
    const total = page.locator("[data-today-total]");
    const before = plain(await total.innerText());
    assert.match(before, /\$$/);
    assert.match(plain(await page.locator("[data-liability]").innerText()), /\d+,\d\d \$/);
    assert.match(await page.locator("[data-liability-count]").innerText(), /Sur \d+ bons? en circulation\./);
    assert.match(await page.locator("[data-payments-state]").innerText(), /^Prêt/);
    await checkA11y(page);

    // A till in another page redeems: the row comes without a reload.
    await page.evaluate(() => (window.stillHere = true));
    const till = await context.newPage();
    await till.goto(base + "/caisse");
    await redeemAtTill(till, voucher.code, "7,50");
    const row = page.locator("[data-today-rows] tr", { hasText: "…" + voucher.code.slice(-4) });
    await row.waitFor();
    assert.match(plain(await row.innerText()), /7,50 \$\s+42,50 \$\s+Mireille Gagnon/);
    assert.match(plain(await page.locator("[data-status]").innerText()), new RegExp(`Nouvel encaissement : 7,50 \\$, bon …${voucher.code.slice(-4)}\\.`));
    assert.notEqual(plain(await total.innerText()), before, "today's total follows");
    assert.equal(await page.evaluate(() => window.stillHere), true, "no reload");
    await noHorizontalScroll(page);
    await shot(page, "dashboard-phone");
    await checkA11y(page);

    // Undone at the till: the row says so.
    await till.getByRole("button", { name: "Annuler cet encaissement" }).click();
    await till.getByRole("button", { name: "Oui, annuler l'encaissement" }).click();
    await row.filter({ hasText: /Annulé à \d{1,2} h \d\d/ }).waitFor();
    assert.doesNotMatch(plain(await row.innerText()), /42,50 \$/, "no balance after an undone redemption");
    assert.equal(plain(await total.innerText()), before);
    await till.close();

    // The ledger of the month, here and as CSV.
    await page.getByRole("button", { name: "Afficher" }).click();
    const ledger = page.locator("[data-ledger-result]");
    await ledger.locator("table").waitFor();
    assert.match(await ledger.innerText(), /Encaissement/);
    assert.match(await ledger.innerText(), /Annulation d'encaissement/);
    assert.match(plain(await ledger.innerText()), /Encaissé sur la période : /);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Télécharger (CSV)" }).click()]);
    assert.match(download.suggestedFilename(), /^solidaire-boulangerie-du-quartier-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);
    // For a French spreadsheet: a byte order mark, ";" and a decimal comma.
    const csv = readFileSync(await download.path(), "utf8");
    assert.match(csv.split("\n")[0], /^\ufeffdate;opération;bon;montant/);
    assert.match(csv, new RegExp(`;Encaissement;${voucher.code};-7,50;42,50;CAD;Mireille Gagnon;`));
    const english = await (await page.request.get(base + "/api/v1/merchant/ledger?format=csv&lang=en")).text();
    assert.match(english, new RegExp(`,Redemption,${voucher.code},-7\\.50,42\\.50,CAD,Mireille Gagnon,`));
    await checkA11y(page);

    // The team: the owner, and an invitation.
    const team = page.locator("[data-staff-list]");
    await team.getByText("Mireille Gagnon").waitFor();
    assert.match(await team.innerText(), /Propriétaire · vous/);
    await page.getByLabel("Courriel de la personne à inviter").fill("camille@example.org");
    await page.getByRole("button", { name: "Envoyer l'invitation" }).click();
    await page.getByText("Invitation envoyée à camille@example.org : elle est valable 7 jours.".replace(" :", "\u00a0:")).waitFor();

    // Back from Stripe's onboarding (demo payments: ready at once).
    await page.getByRole("link", { name: "Voir l'état des paiements" }).waitFor();
    await page.goto(base + "/commerce/paiements?retour=1");
    await page.getByRole("status").filter({ hasText: "Vos paiements sont prêts" }).waitFor();
    await checkA11y(page);
  });
});

test("pair a till device from the dashboard; it redeems with its own token, until revoked", async () => {
  const expected = [/HTTP 401/, /status of 401/];
  await withPage(browser, "phone", { allow: expected }, async (page) => {
    await signIn(page, bakery, "/commerce");
    await page.getByLabel("Nom de la nouvelle caisse").fill("Comptoir");
    await page.getByRole("button", { name: "Jumeler une nouvelle caisse" }).click();
    const qr = page.getByRole("img", { name: "Code QR de jumelage : scannez-le avec l'appareil à jumeler".replace(" :", "\u00a0:") });
    await qr.waitFor();
    await page.waitForFunction(() => document.querySelector("[data-pairing-qr]").naturalWidth > 0);
    const pairURL = await page.locator("[data-pairing-url]").getAttribute("href");
    assert.match(pairURL, new RegExp("^" + base + "/caisse/jumeler\\?code=[\\w-]{20,}$"));
    await page.locator("[data-pairing]").scrollIntoViewIfNeeded();
    await shot(page, "dashboard-pairing-phone");
    await checkA11y(page);

    // The device: no one signed in there.
    await withPage(browser, "phone", { allow: expected }, async (device) => {
      const voucher = await buyVoucher(device.request, 2000);
      await device.goto(pairURL);
      await checkA11y(device);
      await device.getByRole("button", { name: "Jumeler cet appareil" }).click();
      await device.waitForURL(base + "/caisse");
      assert.equal(device.url().includes("code="), false);
      await device.getByText("Caisse jumelée : Comptoir").waitFor();
      assert.equal(await device.getByRole("button", { name: "Se déconnecter" }).isVisible(), false);
      await device.getByRole("button", { name: "Dissocier cette caisse" }).waitFor();
      const auth = [];
      device.on("request", (req) => req.url().startsWith(base + "/api/") && auth.push(req.headers().authorization || ""));
      await redeemAtTill(device, voucher.code, "5");
      assert.ok(auth.length >= 2 && auth.every((h) => /^Bearer \S+$/.test(h)), "the till calls the API with its token");
      await shot(device, "till-paired-phone");

      // The dashboard sees the new till, and revokes it.
      const list = page.locator("[data-device-list]");
      await list.getByText("Comptoir").first().waitFor({ timeout: 10000 });
      assert.match(await page.locator("[data-devices-status]").innerText(), /Comptoir/);
      await page.getByRole("button", { name: "Révoquer Comptoir" }).first().click();
      await page.getByRole("button", { name: "Oui, révoquer" }).click();
      await list.getByText("Révoquée").first().waitFor();

      // The till's next call is refused: it is sent to sign in.
      await device.getByRole("button", { name: "Code suivant" }).first().click();
      await device.getByLabel("Code du bon ou du billet").fill(voucher.code);
      await device.getByRole("button", { name: "Vérifier le code" }).click();
      await device.waitForURL(/\/connexion\?next=%2Fcaisse/);
      assert.equal(await device.evaluate(() => localStorage.getItem("solidaire.till")), null, "the revoked token is forgotten");
    });
  });
});

test("sign-in errors, and the forgotten password's same answer for any address", async () => {
  await withPage(browser, "phone", { allow: [/HTTP 401/, /status of 401/] }, async (page) => {
    await page.goto(base + "/connexion");
    await page.getByRole("button", { name: "Se connecter" }).click();
    assert.equal(await page.getByLabel("Courriel").getAttribute("aria-invalid"), "true");
    await page.getByLabel("Courriel").fill(bakery);
    await page.getByLabel("Mot de passe", { exact: true }).fill("pas-le-bon");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByRole("alert").filter({ hasText: "Courriel ou mot de passe incorrect." }).waitFor();
    await shot(page, "signin-error-phone");
    await checkA11y(page);

    await page.getByRole("link", { name: "Mot de passe oublié ?".replace(" ?", "\u202f?") }).click();
    await page.waitForURL(base + "/connexion/oubli");
    await checkA11y(page);
    for (const email of ["personne@example.org", bakery]) {
      await page.goto(base + "/connexion/oubli");
      await page.getByLabel("Courriel").fill(email);
      await page.getByRole("button", { name: "Envoyer le lien" }).click();
      const sent = page.getByRole("status");
      await sent.filter({ hasText: "C'est parti." }).waitFor();
      assert.match(plain(await sent.innerText()), new RegExp(`Si un compte existe à l'adresse ${email.replace(".", "\\.")}, un courriel vient d'y être envoyé`));
    }
    for (const path of ["/connexion/nouveau-mot-de-passe?code=bm90LWEtcmVhbC1jb2RlLWF0LWFsbA", "/connexion/invitation?code=bm90LWEtcmVhbC1jb2RlLWF0LWFsbA"]) {
      await page.goto(base + path);
      await checkA11y(page);
    }
  });
});

test("a business applies, the admin approves it, its owner joins the bakery's team and picks a merchant", async () => {
  const tag = randomUUID().slice(0, 8);
  const owner = `proprio-${tag}@example.org`;
  const name = `Fleurs de Saison ${tag}`;
  const expected = [/HTTP 40[01]/, /status of 40[01]/];
  await withPage(browser, "phone", { allow: expected }, async (page) => {
    // Applying: what is missing is said by its field.
    await page.goto(base + "/commerce/inscription");
    await checkA11y(page);
    await page.getByRole("button", { name: "Envoyer la demande" }).click();
    const errors = page.locator("[data-form-errors]");
    await errors.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.hasAttribute("data-form-errors")), true, "the list of errors takes the focus");
    assert.match(await errors.innerText(), /Indiquez le nom du commerce/);
    assert.match(await errors.innerText(), /Choisissez une catégorie/);
    assert.match(await errors.innerText(), /NEQ ou SIRET/);
    assert.match(await errors.innerText(), /au moins 8 caractères/);
    await shot(page, "apply-errors-phone");
    await checkA11y(page);

    await page.getByLabel("Nom du commerce").fill(name);
    await page.getByLabel("Catégorie").selectOption("fleuriste");
    await page.getByLabel("Ville").fill("Québec");
    await page.getByLabel("Adresse (facultatif)").fill("12, rue Saint-Jean");
    await page.getByLabel("Numéro d'entreprise (NEQ ou SIRET)").fill("1170000000");
    await page.getByLabel("Téléphone (facultatif)").fill("418 555-0100");
    await page.getByLabel("Présentation en une phrase (facultatif)").fill("Fleurs du Québec, coupées le matin même.");
    await page.getByLabel("Votre nom").fill("Léa Tremblay");
    await page.getByLabel("Votre courriel").fill(owner);
    await page.getByLabel("Mot de passe", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Envoyer la demande" }).click();
    await page.getByRole("heading", { name: "Demande reçue !".replace(" !", "\u202f!") }).waitFor();
    await shot(page, "apply-done-phone");
  });

  // Solidaire's admin approves it, and reads the outbox.
  await withPage(browser, "desktop", {}, async (page) => {
    await signIn(page, "admin@demo.solidaire.local", "/admin");
    const item = page.locator("[data-pending-list] li", { hasText: name });
    await item.waitFor();
    assert.match(await item.innerText(), /Fleuriste · Québec · CAD/);
    assert.match(await item.innerText(), /1170000000/);
    await shot(page, "admin-desktop");
    await checkA11y(page);
    await item.getByRole("button", { name: "Approuver" }).click();
    await page.getByRole("button", { name: "Oui, approuver" }).click();
    await page.getByRole("status").filter({ hasText: "est approuvé" }).waitFor();
    await item.waitFor({ state: "detached" });
    const merchant = await (await page.request.get(base + "/api/v1/merchants?q=" + encodeURIComponent(tag))).json();
    assert.equal(merchant.data.length, 1, "listed once approved");
  });

  // The bakery's owner invites the new owner to the team.
  await withPage(browser, "phone", {}, async (page) => {
    await signIn(page, bakery, "/commerce");
    await page.getByLabel("Courriel de la personne à inviter").fill(owner);
    await page.getByRole("button", { name: "Envoyer l'invitation" }).click();
    await page.locator("[data-staff-status]").filter({ hasText: owner }).waitFor();
  });

  // The invitation, read in the outbox, and accepted.
  let invitation;
  await withPage(browser, "desktop", {}, async (page) => {
    await signIn(page, "admin@demo.solidaire.local", "/admin");
    await page.getByLabel("Afficher").selectOption("");
    const mail = page.locator("[data-outbox-list] li", { hasText: `À : ${owner}`.replace(" :", "\u00a0:") }).filter({ hasText: "vous invite" });
    await mail.first().waitFor();
    await mail.first().locator("summary").click();
    invitation = await mail.first().locator("a[href*='/connexion/invitation?code=']").first().getAttribute("href");
    await shot(page, "admin-outbox-desktop");
    await checkA11y(page);
  });
  await withPage(browser, "phone", { allow: expected }, async (page) => {
    await page.goto(invitation);
    await checkA11y(page);
    await page.getByLabel("Votre nom").fill("Léa Tremblay");
    await page.getByLabel("Mot de passe").fill(password);
    await page.getByRole("button", { name: "Rejoindre l'équipe" }).click();
    await page.waitForURL(base + "/caisse");

    // Two merchants now: the till asks which, and says it to the API.
    const pick = page.getByLabel("Commerce");
    await pick.waitFor();
    assert.deepEqual((await pick.locator("option").allInnerTexts()).sort(), ["Boulangerie du Quartier", name].sort());
    await pick.selectOption("boulangerie-du-quartier");
    await page.waitForLoadState("load");
    await page.locator("h1 [data-merchant-name]", { hasText: "Boulangerie du Quartier" }).waitFor();
    const headers = [];
    page.on("request", (req) => req.url().endsWith("/merchant/scan") && headers.push(req.headers()["x-merchant"]));
    const voucher = await buyVoucher(page.request, 1500);
    await page.getByLabel("Code du bon ou du billet").fill(voucher.code);
    await page.getByRole("button", { name: "Vérifier le code" }).click();
    await page.locator("[data-voucher]").waitFor();
    assert.deepEqual(headers, ["boulangerie-du-quartier"]);
    await noHorizontalScroll(page);
    await shot(page, "till-two-merchants-phone");
    await checkA11y(page);

    // On the dashboard, a team member sees today's redemptions only.
    await page.goto(base + "/commerce");
    await page.locator("[data-today-total]").filter({ hasText: "$" }).waitFor();
    assert.equal(await page.getByRole("heading", { name: "Solde à honorer" }).isVisible(), false);
    assert.equal(await page.getByRole("heading", { name: "Équipe" }).isVisible(), false);
    await checkA11y(page);

    // Signing out ends the session.
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await page.waitForURL(base + "/connexion?fin=1");
    await page.getByText("Session fermée.").waitFor();
  });

  // A forgotten password, followed from the mail.
  let reset;
  await withPage(browser, "phone", {}, async (page) => {
    await page.goto(base + "/connexion/oubli");
    await page.getByLabel("Courriel").fill(owner);
    await page.getByRole("button", { name: "Envoyer le lien" }).click();
    await page.getByRole("status").filter({ hasText: "C'est parti." }).waitFor();
  });
  await withPage(browser, "desktop", {}, async (page) => {
    await signIn(page, "admin@demo.solidaire.local", "/admin");
    await page.getByLabel("Afficher").selectOption("");
    const mail = page.locator("[data-outbox-list] li", { hasText: `À : ${owner}`.replace(" :", "\u00a0:") }).filter({ hasText: /mot de passe/i });
    await mail.first().locator("summary").click();
    reset = await mail.first().locator("a[href*='/connexion/nouveau-mot-de-passe?code=']").first().getAttribute("href");
  });
  await withPage(browser, "phone", {}, async (page) => {
    await page.goto(reset);
    await page.getByLabel("Nouveau mot de passe").fill("un autre mot de passe");
    await page.getByLabel("Le même, encore une fois").fill("un autre");
    await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
    assert.match(await page.locator("#nouveau-mdp-bis-error").innerText(), /ne sont pas identiques/);
    await shot(page, "reset-error-phone");
    await checkA11y(page);
    await page.getByLabel("Le même, encore une fois").fill("un autre mot de passe");
    await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
    await page.waitForURL(base + "/connexion?mdp=1");
    await page.getByText("Mot de passe enregistré").waitFor();
    await page.getByLabel("Courriel").fill(owner);
    await page.getByLabel("Mot de passe", { exact: true }).fill("un autre mot de passe");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL(base + "/commerce");
  });

  // The bakery's owner removes the new member, after a confirmation.
  await withPage(browser, "phone", {}, async (page) => {
    await signIn(page, bakery, "/commerce");
    const team = page.locator("[data-staff-list]");
    const member = team.locator("li", { hasText: owner });
    await member.waitFor();
    await member.getByRole("button", { name: "Retirer Léa Tremblay" }).click();
    await page.getByRole("button", { name: "Oui, retirer" }).click();
    await page.locator("[data-staff-status]").filter({ hasText: "Léa Tremblay ne fait plus partie de l'équipe." }).waitFor();
    await member.waitFor({ state: "detached" });
  });
});
