// The share island. The server renders a <details> with plain share links
// and the page's URL, which works everywhere. Where the browser has the Web
// Share API (most phones), the button opens the phone's share sheet instead,
// which knows the apps people actually use (WhatsApp, Messenger, SMS).
// Elsewhere a copy button appears next to the link. The Mastodon link
// leads to the visitor's own instance, typed once and remembered.
//
// The strings come from the server in data- attributes: all of the
// interface's text lives in the Go translations table.

import { mastodonShare } from "./mastodon";

export function initShare(root: ParentNode): void {
  for (const box of root.querySelectorAll<HTMLDetailsElement>("details[data-share]")) {
    const data: ShareData = {
      url: box.dataset.url || location.href,
      title: box.dataset.title || document.title,
      text: box.dataset.text || "",
    };
    const summary = box.querySelector("summary");
    // The links open as a panel over the page: Escape closes it, as it
    // closes any popup.
    box.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && box.open) {
        box.open = false;
        summary?.focus();
      }
    });
    if (summary && typeof navigator.share === "function" && (!navigator.canShare || navigator.canShare(data))) {
      summary.addEventListener("click", (event) => {
        event.preventDefault();
        navigator.share(data).catch((err: unknown) => {
          // Closing the sheet is not a failure; anything else shows the links.
          if (!(err instanceof DOMException && err.name === "AbortError")) box.open = true;
        });
      });
    }
    const mastodon = box.querySelector<HTMLAnchorElement>("[data-share-mastodon]");
    const instance = box.querySelector<HTMLElement>("[data-mastodon-instance]");
    const host = instance?.querySelector("input");
    if (mastodon && instance && host) {
      instance.hidden = false;
      mastodonShare(host, mastodon, () => mastodon.dataset.post || "");
    }
    const copy = box.querySelector<HTMLButtonElement>("[data-share-copy]");
    const input = box.querySelector<HTMLInputElement>("[data-share-input]");
    const status = box.querySelector<HTMLElement>("[data-share-status]");
    if (!copy || !input) continue;
    const say = (text: string | undefined) => {
      if (status) status.textContent = text || "";
    };
    copy.hidden = false;
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(input.value);
        say(box.dataset.copied);
      } catch {
        // No clipboard (an insecure origin, a refused permission): select
        // the link so that one more gesture copies it.
        input.focus();
        input.select();
        say(box.dataset.copyFailed);
      }
    });
    input.addEventListener("focus", () => input.select());
  }
}
