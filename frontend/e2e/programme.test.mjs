// A town's solidarity card, end to end: a citizen buys a Dollars
// solidaires Sherbrooke card on a phone (the bonus computed as the amount
// changes, the shops searched as one types, the demo payment), two shops
// redeem part of it at their tills (the till names the card, its paid
// value and bonus apart; an undo), the organiser settles on a laptop what
// was redeemed (a preview, a confirmation, the run and its CSV), a shop
// leaves the programme and asks to join again from its dashboard and the
// organiser accepts it, an admin creates a programme whose fund is empty,
// and its page sells the card without bonus and takes a waiting list.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { base, checkA11y, launch, noHorizontalScroll, plain, shot, withPage } from "./helpers.mjs";
import { password, typed } from "./merchant_helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const slug = "dollars-solidaires-sherbrooke";
const programme = base + "/p/" + slug;
// Owners of Sherbrooke shops that take the card (see shopOwners in
// site_test.go), and the town's organiser of the demo data set.
const rejeanne = "rejeanne@sherbrooke.test";
const cantons = "cantons@sherbrooke.test";
const bouquinerie = "bouquinerie@sherbrooke.test";
const ville = "ville@demo.solidaire.local";
const admin = "admin@demo.solidaire.local";

// The card bought by the first test, redeemed by the next ones.
let card = "";

// signIn signs in on /connexion and waits for where it leads: the till
// is asked for, the other spaces are where their people land.
async function signIn(page, email, landing) {
  await page.goto(base + "/connexion" + (landing === "/caisse" ? "?next=%2Fcaisse" : ""));
  await page.getByLabel("Courriel").fill(email);
  await page.getByLabel("Mot de passe", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(base + landing);
}

test("a citizen buys a card on a phone: the bonus as the amount changes, the shops, the payment", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    // From the home page, and from a shop's page.
    await page.goto(base + "/m/cafe-des-cantons");
    await page.getByRole("link", { name: "Ce commerce accepte la carte Dollars solidaires Sherbrooke" }).click();
    await page.waitForURL(programme);
    await page.goto(base + "/");
    await page.getByRole("heading", { name: "Cartes solidaires de votre ville" }).waitFor();
    await page.getByRole("link", { name: "Acheter une carte — Dollars solidaires Sherbrooke" }).click();
    await page.waitForURL(programme + "#carte");
    await page.getByRole("heading", { level: 1, name: "Dollars solidaires Sherbrooke" }).waitFor();

    // What the card gives, the fund left, the caps, the law's terms.
    const main = plain(await page.locator("main").innerText());
    assert.match(main, /Il reste [\d ]+,\d\d \$ de bonification/);
    assert.match(main, /Carte de 20,00 \$ à 49,99 \$\s+\+10,00 \$ de bonus/);
    assert.match(main, /Carte de 50,00 \$ et plus\s+\+50,00 \$ de bonus/);
    assert.match(main, /2 cartes et 200,00 \$ au plus par personne\./);
    assert.match(main, /En vente du .+ au .+\./);
    assert.match(main, /La valeur payée n'expire jamais et ne comporte aucuns frais/);
    assert.match(main, /Le bonus expire le \d+(er)? \S+ \d{4} : ce qu'il en reste/);
    assert.match(main, /commerces participants de Sherbrooke/);
    assert.match(main, /Le solde \(valeur payée et bonus à part\) se consulte en tout temps/);
    await noHorizontalScroll(page);
    await checkA11y(page);

    // The shops, searched as one types, and by category.
    const shops = page.locator("[data-shops] > li:visible");
    assert.equal(await shops.count(), 5);
    await page.getByLabel("Nom du commerce").fill("cafe");
    await page.getByRole("status").filter({ hasText: "1 commerce trouvé" }).waitFor();
    assert.equal(await shops.count(), 1);
    assert.equal(await shops.getByRole("link").innerText(), "Café des Cantons");
    assert.match(page.url(), /\?q=cafe#commerces$/);
    await page.getByLabel("Nom du commerce").fill("");
    await page.getByLabel("Catégorie").selectOption({ label: "Librairie" });
    await page.getByRole("status").filter({ hasText: "1 commerce trouvé" }).waitFor();
    assert.equal(await shops.getByRole("link").innerText(), "Bouquinerie du Lac-des-Nations");
    await page.getByLabel("Catégorie").selectOption({ label: "Toutes les catégories" });
    await page.getByRole("status").filter({ hasText: "5 commerces participants" }).waitFor();
    await shot(page, "programme-shops-phone");

    // The bonus of the amount chosen, as it changes.
    const bonus = page.locator("fieldset [data-card-bonus]");
    const spend = page.locator("fieldset [data-card-spend]");
    assert.equal(plain(await bonus.innerText()), "Choisissez un montant : votre bonus s'affiche ici.");
    await page.getByRole("radio", { name: /^20,00/ }).check();
    assert.equal(plain(await bonus.innerText()), "+10,00 $ de bonus");
    assert.equal(plain(await spend.innerText()), "30,00 $ à dépenser");
    await page.getByLabel("Autre montant").fill("60");
    assert.equal(plain(await bonus.innerText()), "+50,00 $ de bonus");
    assert.equal(plain(await spend.innerText()), "110,00 $ à dépenser");
    await page.getByLabel("Autre montant").fill("");
    await page.getByRole("radio", { name: /^50,00/ }).check();
    assert.equal(plain(await spend.innerText()), "100,00 $ à dépenser");
    await page.getByLabel("Votre courriel", { exact: true }).fill("citoyenne@example.org");
    await page.getByLabel("Votre nom (facultatif)").fill("Maude");
    const recap = plain(await page.locator(".recap").innerText());
    assert.match(recap, /Valeur payée\s+50,00 \$/);
    assert.match(recap, /Bonus\s+\+50,00 \$ de bonus/);
    assert.match(recap, /À dépenser\s+100,00 \$/);
    assert.match(recap, /Le bonus expire le/);
    assert.match(recap, /Aucuns frais pour vous/);
    await page.locator("#carte").scrollIntoViewIfNeeded();
    await shot(page, "programme-form-phone");
    await checkA11y(page);

    // The demo payment, then the card.
    await page.getByRole("button", { name: "Passer au paiement" }).click();
    await page.waitForURL(/\/demo\/checkout\/demo_cs_\w+\?next=/);
    const facts = plain(await page.locator(".facts").innerText());
    assert.match(facts, /Carte solidaire\s+Dollars solidaires Sherbrooke/);
    assert.match(facts, /50,00 \$/);
    await page.getByRole("link", { name: "Annuler et revenir au programme" }).waitFor();
    await checkA11y(page);
    await page.getByRole("button", { name: "Payer (démo)" }).click();
    await page.waitForURL(/\/commande\/ord_\w+\?token=[\w-]+$/);
    await page.getByRole("heading", { level: 1, name: "Merci ! Votre carte est prête" }).waitFor();
    const voucher = plain(await page.locator(".voucher").innerText());
    assert.match(voucher, /Carte solidaire/);
    assert.match(voucher, /Solde\s+100,00 \$/);
    assert.match(voucher, /Valable dans les commerces participants/);
    assert.match(voucher, /Valeur payée\s+50,00 \$/);
    assert.match(voucher, /Bonus\s+50,00 \$, jusqu'au \d+(er)? \S+ \d{4}/);
    const shopsLink = page.getByRole("link", { name: "Voir les commerces participants" });
    assert.equal(await shopsLink.getAttribute("href"), `/p/${slug}#commerces`);
    card = (await page.locator(".voucher .code").innerText()).replaceAll("-", "");
    assert.match(card, /^[0-9A-Z]{20}$/);
    await noHorizontalScroll(page);
    await shot(page, "programme-order-phone");
    await checkA11y(page);

    await page.getByRole("link", { name: "Ouvrir la page de la carte" }).click();
    await page.waitForURL(base + "/v/" + card);
    const full = plain(await page.locator(".voucher").innerText());
    assert.match(full, /Dollars solidaires Sherbrooke/);
    assert.match(full, /Valable dans les commerces participants/);
    assert.match(full, /À utiliser dans les commerces participants de la carte Dollars solidaires Sherbrooke/);
    await shot(page, "programme-card-phone");
    await checkA11y(page);
  });
});

test("two shops redeem part of the card at their tills; another shop does not take it", async () => {
  assert.ok(card, "a card was bought");
  await withPage(browser, "phone", { allow: [/HTTP 404: .*\/merchant\/scan$/, /status of 404/] }, async (page) => {
    const lookUp = async () => {
      await page.getByLabel("Code du bon ou du billet").fill(typed(card));
      await page.getByRole("button", { name: "Vérifier le code" }).click();
    };
    const redeem = async (amount) => {
      await page.getByLabel("Montant à encaisser").fill(amount);
      await page.getByRole("button", { name: "Encaisser", exact: true }).click();
      await page.getByRole("button", { name: /^Confirmer : encaisser/ }).click();
      await page.locator("[data-done]").waitFor();
    };

    // Chez Réjeanne: the card, its two parts, part of it, an undo, again.
    await signIn(page, rejeanne, "/caisse");
    await lookUp();
    const panel = page.locator("[data-voucher]");
    await panel.waitFor();
    assert.equal(await panel.getByRole("heading").innerText(), "Carte Dollars solidaires Sherbrooke");
    const text = plain(await panel.innerText());
    assert.match(text, /Carte d'un programme : le programme vous verse ce que vous encaissez/);
    assert.equal(plain(await panel.locator("[data-v-balance]").innerText()), "100,00 $");
    assert.match(text, /Dont 50,00 \$ de bonus, valable jusqu'au .+\. La valeur payée \(50,00 \$\) n'expire jamais\./);
    await noHorizontalScroll(page);
    await shot(page, "programme-till-phone");
    await checkA11y(page);
    await redeem("30");
    const done = page.locator("[data-done]");
    assert.equal(plain(await done.locator("h2").innerText()), "Encaissé : 30,00 $");
    assert.equal(plain(await done.locator("[data-done-balance]").innerText()), "70,00 $");
    assert.equal(plain(await done.locator("[data-done-bonus]").innerText()), "Dont 30,00 $ pris sur le bonus. Bonus restant : 20,00 $.");
    await page.getByRole("button", { name: "Annuler cet encaissement" }).click();
    await page.getByRole("button", { name: "Oui, annuler l'encaissement" }).click();
    await page.getByRole("status").filter({ hasText: "Encaissement annulé" }).waitFor();
    assert.equal(plain(await panel.locator("[data-v-balance]").innerText()), "100,00 $");
    await redeem("30");
    await checkA11y(page);
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await page.waitForURL(base + "/connexion?fin=1");

    // Au Café des Cantons: the rest of the bonus, then paid value.
    await signIn(page, cantons, "/caisse");
    await lookUp();
    await panel.waitFor();
    assert.equal(plain(await panel.locator("[data-v-balance]").innerText()), "70,00 $");
    await redeem("25");
    assert.equal(plain(await done.locator("[data-done-balance]").innerText()), "45,00 $");
    assert.equal(plain(await done.locator("[data-done-bonus]").innerText()), "Dont 20,00 $ pris sur le bonus.");
    await shot(page, "programme-till-redeemed-phone");
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await page.waitForURL(base + "/connexion?fin=1");

    // The bakery is in Montréal, not in the programme: the card is unknown there.
    await signIn(page, "boulangerie@demo.solidaire.local", "/caisse");
    await lookUp();
    await page.getByRole("alert").filter({ hasText: "Code inconnu, ou bon d'un autre commerce" }).waitFor();

    // The card's page says what is left, its bonus apart.
    await page.goto(base + "/v/" + card);
    const full = plain(await page.locator(".voucher").innerText());
    assert.match(full, /Solde\s+45,00 \$/);
    assert.match(full, /Valeur payée\s+45,00 \$/);
    assert.match(full, /Bonus\s+Aucun/);
  });
});

test("the organiser follows the programme on a laptop and settles what was redeemed", async () => {
  await withPage(browser, "desktop", {}, async (page) => {
    // A town's organiser, who belongs to no shop, lands on their programmes.
    await signIn(page, ville, "/organisation/programmes");
    await page.getByRole("link", { name: "Programmes", exact: true }).waitFor();
    await page.getByRole("link", { name: "Ouvrir le tableau de bord — Dollars solidaires Sherbrooke" }).click();
    await page.waitForURL(base + "/organisation/programmes/" + slug);
    await page.getByRole("heading", { level: 1, name: "Dollars solidaires Sherbrooke" }).waitFor();
    const kpi = async (k) => plain(await page.locator(`[data-kpi="${k}"]`).innerText());
    assert.ok(Number(await kpi("sold")) >= 1);
    assert.equal(await kpi("spent"), "55,00 $");
    const byMerchant = plain(await page.locator("[data-by-merchant]").innerText());
    assert.match(byMerchant, /Casse-croûte chez Réjeanne\s+30,00 \$/);
    assert.match(byMerchant, /Café des Cantons\s+25,00 \$/);
    assert.match(plain(await page.locator("[data-by-category]").innerText()), /Restaurant\s+30,00 \$/);
    assert.match(plain(await page.locator("[data-fund]").innerText()), /Total\s+5 000,00 \$/);
    assert.match(plain(await page.locator("[data-members]").innerText()), /Épicerie du Vieux-Nord\s+Épicerie\s+Participant/);
    await shot(page, "programme-dashboard-desktop");
    await checkA11y(page);

    // The preview: what each shop gets, paid part and bonus part apart.
    await page.getByRole("button", { name: "Aperçu" }).click();
    const preview = page.locator("[data-settle-preview]");
    await preview.waitFor();
    const rows = plain(await preview.locator("table").innerText());
    assert.match(rows, /Casse-croûte chez Réjeanne\s+1\s+0,00 \$\s+30,00 \$\s+0,00 \$\s+30,00 \$/);
    assert.match(rows, /Café des Cantons\s+1\s+5,00 \$\s+20,00 \$\s+0,00 \$\s+25,00 \$/);
    assert.match(plain(await preview.innerText()), /Total à verser : 55,00 \$, à 2 commerces\./);
    await noHorizontalScroll(page);
    await shot(page, "programme-settle-preview-desktop");
    await checkA11y(page);

    // The run, after a confirmation that says what it does.
    await page.getByRole("button", { name: "Lancer le règlement" }).click();
    const dialog = page.getByRole("dialog");
    assert.match(plain(await dialog.innerText()), /55,00 \$ seront versés à 2 commerces par virement, pour les encaissements jusqu'au .+ ne peut pas être annulé\./);
    await checkA11y(page);
    await dialog.getByRole("button", { name: "Non, revenir" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByRole("button", { name: "Lancer le règlement" }).click();
    await page.getByRole("button", { name: "Oui, lancer le règlement" }).click();
    await page.getByRole("status").filter({ hasText: "Règlement lancé : 55,00 $ versés à 2 commerces." }).waitFor();
    const runs = plain(await page.locator("[data-runs]").innerText());
    assert.match(runs, /Casse-croûte chez Réjeanne\s+1\s+0,00 \$\s+30,00 \$\s+0,00 \$\s+30,00 \$\s+Viré/);
    assert.match(runs, /Café des Cantons\s+1\s+5,00 \$\s+20,00 \$\s+0,00 \$\s+25,00 \$\s+Viré/);
    await shot(page, "programme-settled-desktop");
    await checkA11y(page);
    const csv = await (await page.request.get(`${base}/api/v1/organiser/programmes/${slug}/settlements?format=csv`)).text();
    assert.match(csv.split("\n")[0], /^reglement,jusqu_au,commerce/);
    assert.match(csv, /Casse-croûte chez Réjeanne,1,0\.00,30\.00,0\.00,30\.00,CAD,paid/);

    // Settled: nothing is owed any more.
    await page.getByRole("button", { name: "Aperçu" }).click();
    await preview.getByText("Rien à régler pour l'instant").waitFor();
    assert.equal(await page.getByRole("button", { name: "Lancer le règlement" }).isVisible(), false);
  });
});

test("a shop sees its statement, leaves the programme, asks to join again; the organiser accepts it", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    // Réjeanne's statement of the run.
    await signIn(page, rejeanne, "/caisse");
    await page.goto(base + "/commerce");
    const panel = page.locator('section[aria-labelledby="programmes"]');
    await panel.getByText("Participant : votre caisse accepte ses cartes.").waitFor();
    await panel.getByText("Relevés de règlement").click();
    const statement = panel.locator("table");
    await statement.waitFor();
    assert.match(plain(await statement.innerText()), /1\s+0,00 \$\s+30,00 \$\s+0,00 \$\s+30,00 \$\s+Virement fait/);
    const csv = await (await page.request.get(`${base}/api/v1/merchant/programmes/${slug}/statements?format=csv`)).text();
    assert.match(csv, /30\.00,0\.00,30\.00,CAD/);
    await checkA11y(page);
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await page.waitForURL(base + "/connexion?fin=1");

    // The bookshop leaves, after a confirmation that says what it means.
    await signIn(page, bouquinerie, "/caisse");
    await page.goto(base + "/commerce");
    await panel.getByText("Participant : votre caisse accepte ses cartes.").waitFor();
    await panel.getByRole("button", { name: "Quitter — Dollars solidaires Sherbrooke" }).click();
    const dialog = page.getByRole("dialog");
    assert.match(plain(await dialog.innerText()), /Votre caisse n'acceptera plus ses cartes dès maintenant\. Ce que le programme vous doit .+ vous sera quand même versé au prochain règlement\./);
    await checkA11y(page);
    await dialog.getByRole("button", { name: "Oui, quitter le programme" }).click();
    await panel.getByText("Vous avez quitté ce programme.").waitFor();
    await page.goto(base + "/m/bouquinerie-du-lac-des-nations");
    assert.equal(await page.getByRole("link", { name: /accepte la carte/ }).count(), 0);

    // Then asks to join again.
    await page.goto(base + "/commerce");
    await panel.getByRole("button", { name: "Demander à participer — Dollars solidaires Sherbrooke" }).click();
    assert.match(plain(await dialog.innerText()), /L'organisateur examinera votre demande/);
    await dialog.getByRole("button", { name: "Oui, demander à participer" }).click();
    await panel.getByText("Demande envoyée : en attente de l'organisateur.").waitFor();
    await noHorizontalScroll(page);
    await shot(page, "programme-merchant-dashboard-phone");
    await checkA11y(page);
  });

  await withPage(browser, "desktop", {}, async (page) => {
    await signIn(page, ville, "/organisation/programmes");
    await page.goto(base + "/organisation/programmes/" + slug);
    const row = page.locator("[data-members] tr", { hasText: "Bouquinerie du Lac-des-Nations" });
    await row.getByText("Demande à participer").waitFor();
    await row.getByRole("button", { name: "Accepter — Bouquinerie du Lac-des-Nations" }).click();
    const dialog = page.getByRole("dialog");
    assert.match(plain(await dialog.innerText()), /Accepter « Bouquinerie du Lac-des-Nations » dans le programme \?/);
    await dialog.getByRole("button", { name: "Oui, accepter" }).click();
    await page.getByRole("status").filter({ hasText: "« Bouquinerie du Lac-des-Nations » participe au programme." }).waitFor();
    await row.getByText("Participant").waitFor();
    // Taking a shop out asks first; "no" keeps it.
    await row.getByRole("button", { name: "Retirer — Bouquinerie du Lac-des-Nations" }).click();
    assert.match(plain(await dialog.innerText()), /Ce que le programme lui doit .+ lui sera quand même versé au prochain règlement\./);
    await dialog.getByRole("button", { name: "Non, revenir" }).click();
    await row.getByText("Participant").waitFor();
    await checkA11y(page);
  });

  await withPage(browser, "phone", {}, async (page) => {
    await page.goto(base + "/m/bouquinerie-du-lac-des-nations");
    await page.getByRole("link", { name: "Ce commerce accepte la carte Dollars solidaires Sherbrooke" }).waitFor();
  });
});

test("an admin creates a programme whose fund is empty; its page sells the card without bonus and takes a waiting list", async () => {
  const expires = new Date(Date.now() + 180 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  await withPage(browser, "desktop", { allow: [/HTTP 400: .*\/admin\/programmes$/, /status of 400/] }, async (page) => {
    await signIn(page, admin, "/admin");
    const form = page.locator("form[data-programme-form]");
    await form.getByLabel("Nom du programme").fill("Carte solidaire de Magog");
    await form.getByLabel("Fonds de bonification").fill("0");
    await form.getByLabel("Fin du bonus").fill(expires);
    await form.getByLabel("Organisateurs (facultatif)").fill("personne@example.org");
    await form.getByRole("button", { name: "Créer le programme" }).click();
    // The API names the first wrong field: the town, then the organiser.
    await form.getByText("Indiquez la ville du programme.").first().waitFor();
    assert.equal(await form.getByLabel("Ville").getAttribute("aria-invalid"), "true");
    await checkA11y(page);
    await form.getByLabel("Ville").fill("Magog");
    await form.getByRole("button", { name: "Créer le programme" }).click();
    await form.getByText("Un de ces courriels n'a pas de compte Solidaire").first().waitFor();
    await form.getByLabel("Organisateurs (facultatif)").fill(ville);
    await form.getByRole("button", { name: "Créer le programme" }).click();
    await page.getByRole("status").filter({ hasText: "Programme « Carte solidaire de Magog » créé." }).waitFor();
    await shot(page, "programme-admin-created-desktop");
    await page.getByRole("link", { name: "Voir sa page" }).click();
    await page.waitForURL(base + "/p/carte-solidaire-de-magog");
  });

  await withPage(browser, "phone", { allow: [/HTTP 409: .*\/api\/v1\/checkout$/, /status of 409/] }, async (page) => {
    await page.goto(base + "/p/carte-solidaire-de-magog");
    const spent = page.locator("#fonds-epuise");
    assert.match(plain(await spent.innerText()), /Le fonds de bonification est épuisé\s+Toutes les bonifications ont été distribuées\. La carte reste en vente, sans bonus/);
    await page.getByRole("radio", { name: /^20,00/ }).check();
    assert.equal(plain(await page.locator("fieldset [data-card-bonus]").innerText()), "Sans bonus");
    assert.equal(plain(await page.locator("fieldset [data-card-spend]").innerText()), "20,00 $ à dépenser");
    await noHorizontalScroll(page);
    await shot(page, "programme-fund-spent-phone");
    await checkA11y(page);

    // A page from before the fund was spent asks for the bonus: the
    // checkout refuses, and the form offers the card without it.
    await page.evaluate(() => document.querySelector("input[type=hidden][name=without_bonus]").remove());
    await page.getByLabel("Votre courriel", { exact: true }).fill("tardif@example.org");
    await page.getByRole("button", { name: "Passer au paiement" }).click();
    await page.getByRole("alert").filter({ hasText: "Le fonds de bonification ne peut plus couvrir le bonus de ce montant." }).waitFor();
    await checkA11y(page);
    await page.getByRole("button", { name: "Acheter la carte sans bonus" }).click();
    await page.waitForURL(/\/demo\/checkout\/demo_cs_\w+\?next=/);
    assert.match(plain(await page.locator(".facts").innerText()), /Carte solidaire\s+Carte solidaire de Magog/);

    // The waiting list.
    await page.goto(base + "/p/carte-solidaire-de-magog");
    await page.getByRole("heading", { name: "Être prévenu si le fonds est renfloué" }).waitFor();
    await page.getByLabel("Courriel où vous prévenir").fill("attente@example.org");
    await page.getByRole("button", { name: "M'inscrire sur la liste d'attente" }).click();
    await page.getByRole("status").filter({ hasText: "vous êtes sur la liste d'attente" }).waitFor();
    await checkA11y(page);
  });
});

test("the card's page in English, and without JavaScript", async () => {
  await withPage(browser, "phone", { locale: "en-CA" }, async (page) => {
    await page.goto(programme);
    const main = plain(await page.locator("main").innerText());
    assert.match(main, /\$[\d,]+\.\d\d of bonus left to give/);
    assert.match(main, /At most 2 cards and \$200\.00 per person\./);
    // With the keyboard: the amounts are radios, the arrows pick one.
    await page.getByRole("radio", { name: /^\$20\.00/ }).focus();
    await page.keyboard.press("Space");
    assert.equal(await page.locator("fieldset [data-card-bonus]").innerText(), "+$10.00 bonus");
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.getByRole("radio", { name: /^\$50\.00/ }).isChecked(), true);
    assert.equal(await page.locator("fieldset [data-card-bonus]").innerText(), "+$50.00 bonus");
    const ring = await page.evaluate(() => getComputedStyle(document.activeElement.closest(".choice")).outlineStyle);
    assert.notEqual(ring, "none", "the amount picked with the keyboard shows its focus");
    await checkA11y(page);
  });
  await withPage(browser, "phone", { javaScriptEnabled: false }, async (page) => {
    await page.goto(programme + "?q=bouquinerie#commerces");
    assert.equal(await page.locator("[data-shops] > li:visible").count(), 1);
    await page.goto(programme);
    await page.getByRole("radio", { name: /^20,00/ }).check();
    await page.getByLabel("Votre courriel", { exact: true }).fill("sansjs@example.org");
    await page.getByRole("button", { name: "Passer au paiement" }).click();
    await page.waitForURL(/\/demo\/checkout\/demo_cs_\w+\?next=/);
    await page.getByRole("button", { name: "Payer (démo)" }).click();
    await page.waitForURL(/\/commande\/ord_\w+\?token=[\w-]+$/);
    assert.match(plain(await page.locator(".voucher").innerText()), /Solde\s+30,00 \$/);
  });
});
