// "Suivre ce commerce": the merchant page's form posts to the API instead
// of the page's own route, and says in place to check the mail. Without
// this island, the form posts to /m/{slug}/suivre.
export function initFollow(root: Document): void {
  const form = root.querySelector<HTMLFormElement>("form[data-follow]");
  if (!form || typeof fetch !== "function") return;
  const email = form.elements.namedItem("email") as HTMLInputElement;
  const consent = form.elements.namedItem("consent") as HTMLInputElement;
  const error = form.querySelector<HTMLElement>("[data-follow-error]")!;
  const status = form.querySelector<HTMLElement>("[data-follow-status]")!;
  const emailError = root.getElementById(email.id + "-error")!;
  const d = form.dataset;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    emailError.hidden = true;
    email.removeAttribute("aria-invalid");
    consent.removeAttribute("aria-invalid");
    if (!email.value.trim() || !email.checkValidity()) {
      emailError.textContent = email.dataset.error || "";
      emailError.hidden = false;
      email.setAttribute("aria-invalid", "true");
      email.focus();
      return;
    }
    if (!consent.checked) {
      error.textContent = d.errorConsent || "";
      consent.setAttribute("aria-invalid", "true");
      consent.focus();
      return;
    }
    let res: Response;
    try {
      res = await fetch(`/api/v1/merchants/${encodeURIComponent(d.slug || "")}/followers`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ email: email.value.trim(), lang: root.documentElement.lang }),
      });
    } catch {
      error.textContent = d.errorFailed || "";
      return;
    }
    if (res.status === 202) {
      status.textContent = d.sent || "";
      status.hidden = false;
      form.reset();
      return;
    }
    if (res.status === 400) {
      emailError.textContent = email.dataset.error || "";
      emailError.hidden = false;
      email.setAttribute("aria-invalid", "true");
      email.focus();
      return;
    }
    error.textContent = res.status === 429 ? d.errorBusy || "" : d.errorFailed || "";
  });
}
