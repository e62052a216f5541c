// Shared by the organiser side's browser tests: signing in (through the
// API, from a page of the site, as the sign-in page does), creating an
// event through the organiser's form, and paying with the demo provider.
import assert from "node:assert/strict";
import { base } from "./helpers.mjs";

export const organiser = "organisateur@demo.solidaire.local";

// signIn opens a session for email in the page's browser context.
export async function signIn(page, email = organiser) {
  await page.goto(base + "/");
  const status = await page.evaluate(async (email) => {
    const res = await fetch("/api/v1/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password: "solidaire-demo" }),
    });
    return res.status;
  }, email);
  assert.equal(status, 200, "signed in");
}

// createEvent creates an event of the Théâtre du Faubourg through the
// organiser's form, with one price category, and returns its id.
export async function createEvent(page, title, { price = "25", seats = "100", solidarity = "10" } = {}) {
  await page.goto(base + "/organisation/evenements/nouveau");
  await page.getByRole("heading", { level: 1, name: "Nouvel événement" }).waitFor();
  await page.getByText("Heure de Montréal.").waitFor();
  await page.getByLabel("Titre", { exact: true }).fill(title);
  await page.getByLabel("Résumé (facultatif)").fill("Une soirée pour garder la salle ouverte.");
  await page.getByLabel(/^Billet solidaire.*montant minimum/).fill(solidarity);
  await page.getByRole("textbox", { name: "Nom du tarif" }).fill("Admission générale");
  await page.getByRole("textbox", { name: "Prix" }).fill(price);
  await page.getByRole("spinbutton", { name: "Places" }).fill(seats);
  await page.getByRole("button", { name: "Créer l'événement" }).click();
  await page.waitForURL(/\/organisation\/evenements\/evt_[\w-]+\?cree=1$/);
  await page.getByRole("status").filter({ hasText: "Événement créé." }).waitFor();
  return new URL(page.url()).pathname.split("/").pop();
}

// payDemo pays on the demo provider's page and waits for the confirmation.
export async function payDemo(page) {
  await page.waitForURL(/\/demo\/checkout\/demo_cs_\w+\?next=/);
  await page.getByRole("button", { name: "Payer (démo)" }).click();
  await page.waitForURL(/\/commande\/ord_\w+\?token=[\w-]+$/);
}
