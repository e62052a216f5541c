// Mentions of a campaign's hashtags (#15): the organiser opens the
// #billetsolidaire dashboard, where the demo data's posts wait for
// moderation (recorded public-looking posts, no network read), sees the
// sources and their help, approves a post; the campaign's page shows it on
// its wall on a phone, as text, with a link to the original; "Signaler"
// thanks the visitor. The share kit offers Mastodon (the visitor's own
// instance, remembered), Bluesky and Threads.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { base, checkA11y, launch, noHorizontalScroll, shot, withPage } from "./helpers.mjs";
import { signIn } from "./organiser_helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// approved is the post the first test put on the wall.
let approved;

test("the organiser moderates the mentions of #billetsolidaire", async () => {
  await withPage(browser, "desktop", {}, async (page) => {
    await signIn(page);
    await page.goto(base + "/organisation/campagnes/billetsolidaire");
    const part = page.getByRole("region", { name: "Mentions sur les réseaux" });
    await part.waitFor();

    // Sources: what is read, and how politely.
    const sources = part.getByRole("region", { name: "Sources" });
    await sources.getByText("Solidaire ne lit que les publications publiques").waitFor();
    await sources.getByLabel("Réseau").selectOption("mastodon");
    await sources.getByText("ex. mastodon.social, mstdn.ca").waitFor();
    await sources.getByLabel("Instance Mastodon").fill("pas un serveur");
    await sources.getByRole("button", { name: "Ajouter la source" }).click();
    await sources.getByText("Écrivez le nom d'un serveur, par exemple mastodon.social.").waitFor();
    assert.equal(await sources.getByLabel("Instance Mastodon").getAttribute("aria-invalid"), "true");
    await sources.getByLabel("Réseau").selectOption("feed");
    assert.ok(await sources.getByLabel("Adresse du flux").isVisible(), "a feed asks for its address");
    assert.ok(!(await sources.getByLabel("Instance Mastodon").isVisible()), "and not for an instance");

    // Moderation: the posts waiting, as plain text.
    const moderation = part.getByRole("region", { name: "Modération" });
    assert.equal(await moderation.getByLabel("Statut").inputValue(), "pending");
    const items = moderation.locator("[data-mention]");
    await items.first().waitFor();
    assert.ok((await items.count()) >= 2, "the demo's posts wait for moderation");
    const first = items.first();
    await first.getByText("À modérer", { exact: true }).waitFor();
    const text = first.locator(".mention-text");
    assert.equal(await text.getAttribute("dir"), "auto");
    approved = {
      author: (await first.locator(".mention-author bdi").first().innerText()).trim(),
      text: (await text.innerText()).trim().slice(0, 40),
    };
    assert.ok(approved.author && approved.text, "a post has an author and a text");
    await shot(page, "mentions-dashboard-desktop");
    await checkA11y(page);

    await first.getByRole("button", { name: /^Afficher sur le mur/ }).click();
    await page.locator("[data-org-status]").filter({ hasText: "Publication affichée sur le mur." }).waitFor();
    const done = moderation.locator("[data-mention]").first();
    await done.getByText("Sur le mur", { exact: true }).waitFor();
    assert.equal(await done.getByRole("button", { name: /^Afficher sur le mur/ }).count(), 0, "approved once");
    assert.ok(await page.evaluate(() => document.activeElement?.closest("[data-mention]") !== null), "the focus stays on the post");

    // The shown ones, filtered.
    await moderation.getByLabel("Statut").selectOption("approved");
    await moderation.getByRole("button", { name: "Filtrer" }).click();
    await moderation.locator("[data-mention]").filter({ hasText: approved.text }).waitFor();

    // The export of the filtered list, as a download.
    const [download] = await Promise.all([page.waitForEvent("download"), moderation.getByRole("link", { name: "Exporter (CSV)" }).click()]);
    assert.match(download.suggestedFilename(), /^mentions-billetsolidaire\.csv$/);

    // Mentions beside clicks and sales.
    await page.locator('[data-kpi="mentions"]').filter({ hasText: /[1-9]/ }).waitFor();
    await page.locator('[data-chart="days"] figcaption').filter({ hasText: "Mentions par jour" }).waitFor();
  });
});

test("the wall on the campaign's page, and Signaler, on a phone", async () => {
  assert.ok(approved, "the moderation test ran first");
  await withPage(browser, "phone", {}, async (page) => {
    await page.goto(base + "/c/billetsolidaire");
    const wall = page.getByRole("region", { name: "Sur les réseaux" });
    await wall.waitFor();
    const post = wall.getByRole("listitem").filter({ hasText: approved.text });
    await post.getByText(approved.author).first().waitFor();
    assert.equal(await post.locator("p[dir=auto] bdi").count(), 1, "the text is isolated");
    const original = post.getByRole("link", { name: /^Voir la publication originale/ });
    assert.equal(await original.getAttribute("rel"), "nofollow noopener ugc");
    assert.equal(await original.getAttribute("target"), "_blank");
    assert.match(await original.getAttribute("href"), /^https:\/\//);
    assert.equal(await wall.locator("img, video").count(), 0, "never media");
    await noHorizontalScroll(page);
    await shot(page, "mentions-wall-phone");
    await checkA11y(page);

    const report = post.getByRole("button", { name: /^Signaler/ });
    await report.click();
    await wall.getByRole("status").filter({ hasText: "Merci, l'équipe de la campagne va vérifier." }).waitFor();
    await post.getByRole("button", { name: /^Signalé/ }).waitFor();
    assert.equal(await post.getByRole("button", { name: /^Signalé/ }).getAttribute("aria-disabled"), "true");
  });
});

test("the share buttons lead to Bluesky, Threads and the visitor's Mastodon", async () => {
  await withPage(browser, "phone", {}, async (page) => {
    await page.goto(base + "/c/billetsolidaire");
    const share = page.locator("details[data-share]");
    // On a phone with the Web Share API the summary opens the sheet: open
    // the links as a browser without it would.
    await share.evaluate((d) => (d.open = true));
    assert.match(await share.getByRole("link", { name: "Bluesky" }).getAttribute("href"), /^https:\/\/bsky\.app\/intent\/compose\?text=.*billetsolidaire/);
    assert.match(await share.getByRole("link", { name: "Threads" }).getAttribute("href"), /^https:\/\/www\.threads\.net\/intent\/post\?text=/);
    const instance = share.getByLabel("Votre instance Mastodon");
    assert.equal(await instance.inputValue(), "mastodon.social");
    await instance.fill("@lucie@mstdn.ca");
    assert.match(await share.getByRole("link", { name: "Mastodon" }).getAttribute("href"), /^https:\/\/mstdn\.ca\/share\?text=/);
    await instance.fill("javascript:alert(1)");
    assert.equal(await instance.getAttribute("aria-invalid"), "true");
    assert.match(await share.getByRole("link", { name: "Mastodon" }).getAttribute("href"), /^https:\/\/mastodon\.social\/share\?text=/);

    // Remembered on this browser.
    await page.reload();
    await share.evaluate((d) => (d.open = true));
    assert.equal(await share.getByLabel("Votre instance Mastodon").inputValue(), "mstdn.ca");
  });
});

test("the share kit makes links for Mastodon, Bluesky and Threads", async () => {
  await withPage(browser, "desktop", {}, async (page) => {
    await signIn(page);
    await page.goto(base + "/organisation/campagnes/billetsolidaire");
    const kit = page.getByRole("region", { name: "Kit de partage" });
    await page.getByRole("heading", { level: 1, name: /#billetsolidaire/ }).waitFor();
    await kit.getByLabel("Canal").selectOption("bluesky");
    await kit.getByRole("button", { name: "Créer le lien" }).click();
    const result = kit.locator("[data-share-result]");
    await result.getByRole("heading", { name: "Bluesky" }).waitFor();
    const text = await result.getByLabel("Texte prêt à publier").inputValue();
    assert.equal(await result.getByRole("link", { name: "Bluesky" }).getAttribute("href"), "https://bsky.app/intent/compose?text=" + encodeURIComponent(text));
    assert.equal(await result.getByRole("link", { name: "Threads" }).getAttribute("href"), "https://www.threads.net/intent/post?text=" + encodeURIComponent(text));
    await result.getByLabel("Votre instance Mastodon").fill("mastodon.online");
    assert.equal(await result.getByRole("link", { name: "Mastodon" }).getAttribute("href"), "https://mastodon.online/share?text=" + encodeURIComponent(text));
    await page.locator("[data-links]").getByText("Bluesky").first().waitFor();
  });
});
