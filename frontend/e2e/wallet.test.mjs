// "Mes bons" on a phone, in French: a citizen who bought two vouchers and
// received a third asks for a link on /mes-bons, opens it from the outbox
// with its button, sees the three vouchers, has one sent again; then gives
// a voucher from the purchase form with a day to send it on, and finds it
// in the wallet, waiting for that day. The wallet's heading in English,
// and signing out. TestWalletBrowser (wallet_test.go) runs this on a site
// of its own, and then checks that the gift's mail leaves the outbox on
// its day and not before: keep `friend` in step with it.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { base, checkA11y, launch, noHorizontalScroll, plain, shot, withPage } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const holder = "lea.martin@example.org";
const friend = "sam.ami@example.org";

// bought buys a voucher at the bakery through the API as buyer, pays it
// with the demo provider, and returns its code.
async function bought(request, buyer, amount, recipient) {
  const item = { kind: "gift_certificate", merchant: "boulangerie-du-quartier", amount };
  if (recipient) item.recipient = recipient;
  const res = await request.post(base + "/api/v1/checkout", {
    headers: { "Idempotency-Key": randomUUID() },
    data: { buyer, items: [item] },
  });
  assert.equal(res.status(), 201, await res.text());
  const { order, checkout_url } = await res.json();
  const session = new URL(checkout_url).pathname.split("/").pop();
  const paid = await request.post(`${base}/api/v1/demo/checkout/${session}/complete`);
  assert.equal(paid.status(), 200, await paid.text());
  const got = await (await request.get(`${base}/api/v1/orders/${order.id}?token=${order.access_token}`)).json();
  assert.equal(got.vouchers.length, 1);
  return got.vouchers[0].code;
}

// mails reads the outbox's mails to an address (a test-only route of the
// site under test), newest first.
async function mails(request, to) {
  const res = await request.get(base + "/test/mails?to=" + encodeURIComponent(to));
  assert.equal(res.status(), 200);
  return res.json();
}

test("Mes bons on a phone: a link from the outbox, three vouchers, one sent again, a gift on its day", async () => {
  // A buyer in Montréal: the day typed in the form is read in that zone.
  await withPage(browser, "phone", { timezoneId: "America/Toronto" }, async (page) => {
    const request = page.request;
    const mine = [
      await bought(request, { email: holder, name: "Léa" }, 2000),
      await bought(request, { email: holder, name: "Léa" }, 3500),
    ];
    const given = await bought(request, { email: "awa@example.org", name: "Awa" }, 4000, { name: "Léa", email: holder });

    // From the menu (folded on a phone), the address form.
    await page.goto(base + "/");
    await page.getByText("Menu", { exact: true }).click();
    await page.getByRole("navigation", { name: "Navigation principale" }).getByRole("link", { name: "Mes bons" }).click();
    await page.waitForURL(base + "/mes-bons");
    await page.getByRole("heading", { level: 1, name: "Mes bons" }).waitFor();
    assert.match(plain(await page.locator("main").innerText()), /Nous vous envoyons un lien par courriel, valable 30 minutes\. Aucun mot de passe\./);
    await noHorizontalScroll(page);
    await shot(page, "wallet-ask-phone");
    await checkA11y(page);
    await page.getByLabel("Votre adresse courriel").fill(holder);
    await page.getByRole("button", { name: "M'envoyer le lien" }).click();
    await page.getByRole("heading", { level: 1, name: "Vérifiez vos courriels" }).waitFor();
    assert.match(plain(await page.locator("main").innerText()), /Si des bons ont été achetés ou offerts à cette adresse \(lea\.martin@example\.org\), un lien vient d'y être envoyé/);
    await checkA11y(page);

    // The link, from the outbox: its page only shows a button.
    const [mail] = (await mails(request, holder)).filter((m) => m.subject === "Vos bons Solidaire");
    assert.ok(mail, "the wallet link was mailed");
    const link = mail.text.match(/https?:\/\/\S+\/mes-bons\?jeton=[\w-]+/)?.[0];
    assert.ok(link, mail.text);
    await page.goto(link);
    await page.getByRole("heading", { level: 1, name: "Ouvrir mes bons" }).waitFor();
    await checkA11y(page);
    await page.getByRole("button", { name: "Ouvrir mes bons" }).click();
    await page.waitForURL(base + "/mes-bons");

    // The wallet: the three vouchers, each with its balance and state.
    const vouchers = page.getByRole("region", { name: "Bons et cartes" }).getByRole("article");
    assert.equal(await vouchers.count(), 3);
    const text = plain(await page.locator("main").innerText());
    assert.match(text, /Les bons de lea\.martin@example\.org, sur cet appareil\./);
    for (const amount of ["20,00 \\$", "35,00 \\$", "40,00 \\$"]) assert.match(text, new RegExp(`Solde\\s+${amount}`));
    assert.match(text, /Reçu de Awa/);
    assert.equal(await vouchers.getByText("Actif", { exact: true }).count(), 3);
    for (const code of [...mine, given]) {
      assert.equal(await page.locator(`a[href="/v/${code}"]`).count(), 1, `a link to ${code}`);
    }
    assert.match(text, /Aucun billet pour cette adresse\./);
    const history = vouchers.first().locator("details", { hasText: "Historique" });
    await history.locator("summary").click();
    assert.match(plain(await history.innerText()), /Bon émis \+40,00 \$/);
    await noHorizontalScroll(page);
    await shot(page, "wallet-phone");
    await checkA11y(page);

    // One voucher sent again, and the page says where.
    const before = (await mails(request, holder)).length;
    await page.getByRole("button", { name: "M'envoyer ce bon à nouveau" }).first().click();
    await page.waitForURL(/\/mes-bons\?renvoye=\w+$/);
    assert.match(plain(await page.getByRole("status").innerText()), /^Envoyé à lea\.martin@example\.org : le bon \(Boulangerie du Quartier\) arrive dans quelques minutes\.$/);
    assert.equal((await mails(request, holder)).length, before + 1);

    // A gift from the purchase form, sent on a day: the island sends the
    // day with the phone's offset.
    const sent = [];
    page.on("request", (req) => {
      if (req.method() === "POST" && req.url() === base + "/api/v1/checkout") sent.push(req.postDataJSON());
    });
    await page.goto(base + "/m/boulangerie-du-quartier#bons");
    await page.getByRole("radio", { name: /^25,00/ }).check();
    await page.getByRole("radio", { name: "À offrir" }).check();
    await page.getByLabel("Son nom").fill("Sam");
    await page.getByLabel("Son courriel (facultatif)").fill(friend);
    const day = await page.evaluate(() => {
      const d = new Date(Date.now() + 2 * 86400000);
      const p = (n) => String(n).padStart(2, "0");
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T10:00`;
    });
    await page.getByLabel("Envoyer le courriel au destinataire le… (facultatif)").fill(day);
    assert.equal(await page.locator("form[data-buy] input[name=tz]").inputValue(), "America/Toronto");
    await page.getByLabel("Votre courriel", { exact: true }).fill(holder);
    await page.getByLabel("Votre nom (facultatif)").fill("Léa");
    await noHorizontalScroll(page);
    await page.getByRole("button", { name: "Passer au paiement" }).click();
    await page.waitForURL(/\/demo\/checkout\//);
    assert.equal(sent.length, 1);
    assert.match(sent[0].items[0].recipient.deliver_at, new RegExp(`^${day}:00-0[45]:00$`));
    await page.getByRole("button", { name: "Payer (démo)" }).click();
    await page.waitForURL(/\/commande\/ord_\w+\?token=[\w-]+$/);
    await page.getByRole("heading", { level: 1, name: /Votre bon est prêt/ }).waitFor();
    assert.match(plain(await page.locator(".voucher").innerText()), /Le bon sera envoyé par courriel à sam\.ami@example\.org le .+ à 10 h\./);

    // In the wallet, the gift waits for its day, which can still change.
    await page.getByRole("link", { name: "Mes bons", exact: true }).last().click();
    await page.waitForURL(base + "/mes-bons");
    assert.equal(await vouchers.count(), 4);
    const gift = vouchers.filter({ hasText: "Offert à Sam" });
    assert.match(plain(await gift.innerText()), /Sera envoyé à sam\.ami@example\.org le \S+ \d+(er)? \S+ à 10 h\./);
    await gift.getByText("Changer la date ou l'adresse").click();
    assert.equal(await gift.getByLabel("Date et heure d'envoi").inputValue(), day);
    assert.equal(await gift.getByLabel("Courriel du destinataire").inputValue(), friend);
    await noHorizontalScroll(page);
    await shot(page, "wallet-gift-phone");
    await checkA11y(page);

    // In English.
    await page.goto(base + "/mes-bons?lang=en");
    await page.getByRole("heading", { level: 1, name: "My vouchers" }).waitFor();

    // Signing out of this device: the address form again.
    await page.goto(base + "/mes-bons?lang=fr");
    await page.getByRole("button", { name: "Me déconnecter de cet appareil" }).click();
    await page.waitForURL(base + "/mes-bons?deconnecte=1");
    assert.match(await page.getByRole("status").innerText(), /Vous êtes déconnecté de vos bons sur cet appareil\./);
    await page.goto(base + "/mes-bons");
    await page.getByRole("heading", { name: "Retrouver mes bons" }).waitFor();
    assert.equal(await page.locator(`a[href="/v/${given}"]`).count(), 0);
  });
});
