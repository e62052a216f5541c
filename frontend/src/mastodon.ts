// Mastodon has no single share dialog: each instance has its own
// (https://{instance}/share?text=…). The visitor's instance is typed once
// and remembered on this browser; what is typed is read as a host name
// only ("@moi@mstdn.ca" and "https://mstdn.ca/" give mstdn.ca).
const KEY = "solidaire.mastodon";
const HOST = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

// hostOf reads an instance as people type it: its host name, or "" when it
// is not one.
export function hostOf(typed: string): string {
  const s = typed.trim().toLowerCase().replace(/^https?:\/\//, "").replace(/\/.*$/, "").replace(/^@?[^@]*@/, "");
  return HOST.test(s) ? s : "";
}

// savedHost is the instance this browser remembers, mastodon.social else.
export function savedHost(): string {
  try {
    return hostOf(localStorage.getItem(KEY) || "") || "mastodon.social";
  } catch {
    return "mastodon.social";
  }
}

// mastodonShare links a to the share dialog of the instance typed in
// input, for text, as it is typed (the last valid one is remembered).
export function mastodonShare(input: HTMLInputElement, a: HTMLAnchorElement, text: () => string): void {
  if (!input.value || input.value === "mastodon.social") input.value = savedHost();
  const set = () => {
    const host = hostOf(input.value);
    input.setAttribute("aria-invalid", String(!host && input.value.trim() !== ""));
    a.href = `https://${host || "mastodon.social"}/share?text=${encodeURIComponent(text())}`;
    try {
      if (host) localStorage.setItem(KEY, host);
    } catch {
      // Private browsing: nothing remembered, the link still works.
    }
  };
  input.oninput = set;
  set();
}
