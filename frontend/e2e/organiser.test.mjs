// The organiser's events on a laptop: signed out, the way to sign in; the
// venue's events; an event created, with an error shown by its field,
// edited (a new price category, a capacity), then postponed after a
// preview and a confirmation. Cancelling, the holders' choices and the
// tally are in ticket.test.mjs.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { base, checkA11y, launch, noHorizontalScroll, plain, shot, withPage } from "./helpers.mjs";
import { createEvent, signIn } from "./organiser_helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// local is a datetime-local value days from now, at 19:30.
function local(days) {
  const d = new Date(Date.now() + days * 24 * 3600 * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T19:30`;
}

test("signed out, the organiser's pages say how to sign in", async () => {
  await withPage(browser, "desktop", { allow: [/status of 401/, /HTTP 401/] }, async (page) => {
    for (const path of ["/organisation", "/organisation/campagnes"]) {
      await page.goto(base + path);
      const box = page.locator("[data-org-signin]");
      await box.waitFor();
      assert.match(await box.innerText(), /Connectez-vous pour gérer vos événements et vos campagnes/);
      assert.equal(await box.getByRole("link", { name: "Se connecter" }).getAttribute("href"), "/connexion?next=" + encodeURIComponent(path));
    }
    await checkA11y(page);
  });
});

test("the venue's events, with their status and seats sold", async () => {
  await withPage(browser, "desktop", {}, async (page) => {
    await signIn(page);
    await page.goto(base + "/organisation");
    const venue = page.getByRole("region", { name: "Théâtre du Faubourg" });
    await venue.getByRole("table").waitFor();
    const cabaret = venue.getByRole("row", { name: /Le Cabaret des voisins/ });
    assert.match(plain(await cabaret.innerText()), /\d+ sur 200/);
    assert.match(await venue.getByRole("row", { name: /La Nuit de la poésie/ }).innerText(), /Annulé/);
    await cabaret.getByRole("link", { name: "Gérer — Le Cabaret des voisins" }).waitFor();
    await noHorizontalScroll(page);
    await shot(page, "organiser-events-desktop");
    await checkA11y(page);
  });
});

test("an event created, refused then fixed, edited, then postponed after a preview", async () => {
  const refused = [/status of 400/, /HTTP 400: .*\/api\/v1\/organiser\/events/];
  await withPage(browser, "desktop", { allow: refused }, async (page) => {
    await signIn(page);

    // A date in the past: the API names the field, the form shows it there.
    await page.goto(base + "/organisation/evenements/nouveau");
    await page.getByText("Heure de Montréal.").waitFor();
    await page.getByLabel("Titre", { exact: true }).fill("Soirée des voisins solidaires");
    await page.getByLabel("Date et heure").fill(local(-2));
    await page.getByRole("textbox", { name: "Nom du tarif" }).fill("Admission générale");
    await page.getByRole("textbox", { name: "Prix" }).fill("20");
    await page.getByRole("spinbutton", { name: "Places" }).fill("80");
    await page.getByRole("button", { name: "Créer l'événement" }).click();
    await page.locator("#evenement-date[aria-invalid=true]").waitFor();
    assert.match(await page.locator("#evenement-date-error").innerText(), /Choisissez une date à venir/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "evenement-date");
    await shot(page, "organiser-event-errors");
    await checkA11y(page);

    const title = "Soirée des voisins solidaires";
    const id = await createEvent(page, title, { price: "20", seats: "80" });

    // Edited: a second price category, and more seats in the first.
    await page.getByRole("button", { name: "Ajouter un tarif" }).click();
    await page.getByRole("textbox", { name: "Nom du tarif" }).last().fill("Tarif réduit");
    await page.getByRole("textbox", { name: "Prix" }).fill("15");
    await page.getByRole("spinbutton", { name: "Places" }).last().fill("20");
    await page.getByRole("spinbutton", { name: "Places" }).first().fill("120");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.locator("[data-form-status]").filter({ hasText: "Enregistré." }).waitFor();
    await page.reload();
    await page.getByRole("spinbutton", { name: "Places" }).nth(1).waitFor();
    assert.equal(await page.getByRole("spinbutton", { name: "Places" }).first().inputValue(), "120");
    assert.match(plain(await page.locator("[data-types]").innerText()), /20,00 \$[\s\S]*15,00 \$/);
    await shot(page, "organiser-event-desktop");
    await checkA11y(page);

    // Postponed: a new date, the preview, the confirmation.
    const postpone = page.locator('[data-choices="postpone"]');
    await postpone.getByLabel("Nouvelle date et heure").fill(local(75));
    await postpone.getByRole("button", { name: "Voir l'aperçu" }).click();
    await postpone.locator("[data-preview]").waitFor();
    const facts = plain(await postpone.locator("[data-preview]").innerText());
    assert.match(facts, /Nouvelle date\s+\S+/);
    assert.match(facts, /Billets concernés\s+0/);
    assert.match(facts, /Sans réponse\s+Ils gardent leur billet/);
    await checkA11y(page);
    await postpone.getByRole("button", { name: "Reporter l'événement…" }).click();
    const dialog = page.getByRole("dialog", { name: new RegExp(`^Reporter «\\s${title}\\s»`) });
    await dialog.waitFor();
    assert.match(plain(await dialog.innerText()), /Nouvelle date : /);
    await dialog.getByRole("button", { name: "Oui, reporter l'événement" }).click();
    await page.getByRole("status").filter({ hasText: "L'événement est reporté." }).waitFor();
    assert.equal(await page.locator("h1 .badge-postponed").textContent(), "Reporté");
    await page.locator('[data-tally-row="keep"]').waitFor();
    await shot(page, "organiser-postponed-desktop");
    await checkA11y(page);

    // The public page says so, and still sells.
    await page.goto(base + "/e/" + id);
    assert.match(await page.locator("h1 .badge-postponed").textContent(), /^Reporté au (1er|\d+) [a-zéû]+ \d{4}$/);
    await page.locator("form[data-tickets]").waitFor();
  });
});
