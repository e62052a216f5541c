// The account forms: signing in, asking for a reset link, choosing a new
// password, joining a merchant's team, and a business applying to sell.
// Each posts JSON to the API and shows its errors by the fields it names.
import { Api, Me, busy, clearErrors, explain, fieldError, formError, lang, showFieldErrors, t, value } from "./merchant_api";
import { Space, commerceHome, keepSpaces, spaceHome, spacesOf } from "./spaces";

export function initAccount(scope: HTMLElement): void {
  const form = scope.querySelector<HTMLFormElement>("form[data-form]");
  if (!form) return;
  const api = new Api();
  const mode = form.dataset.form || "";
  const code = scope.dataset.code || "";
  const status = scope.querySelector<HTMLElement>("[data-status]");
  const input = (name: string) => form.elements.namedItem(name) as HTMLInputElement;

  // notice puts a message in the page's live region.
  const notice = (text: string, kind: string) => {
    if (!status) return;
    const p = document.createElement("p");
    p.className = "notice notice-" + kind;
    p.textContent = text;
    status.replaceChildren(p);
  };

  // missing marks the required fields left empty; true when there is one.
  const missing = (names: string[], text?: string): boolean => {
    const empty = names.map(input).filter((el) => el && el.value.trim() === "");
    for (const el of empty) fieldError(el, text || el.dataset.error || t("api.required"));
    empty[0]?.focus();
    return empty.length > 0;
  };

  const submit = async (): Promise<void> => {
    switch (mode) {
      case "signin": {
        if (missing(["email", "password"], t("signin.missing"))) return;
        // The code field shows once the account asks for its mailed code;
        // sent empty, the API mails a new one.
        const codeField = scope.querySelector<HTMLElement>("[data-code-field]");
        const code = codeField && !codeField.hidden ? value(form, "code") : "";
        const res = await api.call<Me>("POST", "/auth/login", { email: value(form, "email"), password: input("password").value, code, lang });
        if (!res.ok && res.error.code === "signin_code_required" && codeField) {
          codeField.hidden = false;
          formError(form, t(code ? "signin.code.wrong" : "signin.code.sent"));
          input("code").value = "";
          input("code").focus();
          return;
        }
        if (res.ok) {
          const spaces = spacesOf(res.data);
          keepSpaces(spaces);
          // The page that sent here comes first; else each person's space,
          // or a choice between them; a team member of no space, the till.
          if (form.dataset.next) location.assign(form.dataset.next);
          else if (spaces.length === 1 && spaces[0] === "organisation" && !res.data.merchants.some((m) => m.role === "organiser")) {
            // A town's organiser, who belongs to no shop: their programmes.
            const mine = await api.call<{ data: unknown[] }>("GET", "/organiser/programmes");
            location.assign(mine.ok && mine.data.data.length > 0 ? "/organisation/programmes" : spaceHome.organisation);
          } else if (spaces.length === 1) location.assign(spaces[0] === "commerce" ? commerceHome(res.data) : spaceHome[spaces[0]]);
          else if (spaces.length > 1) choose(spaces);
          else location.assign(res.data.merchants.length > 0 ? "/caisse" : "/commerce");
          return;
        }
        if (res.error.status === 401) {
          formError(form, t("signin.wrong"));
          input("password").select();
          input("password").focus();
          return;
        }
        formError(form, explain(res.error));
        return;
      }
      case "forgot": {
        if (missing(["email"])) return;
        const email = value(form, "email");
        const res = await api.call("POST", "/auth/password-reset", { email, lang });
        if (res.ok) {
          form.hidden = true;
          notice(t("forgot.sent", email), "success");
          return;
        }
        if (!showFieldErrors(form, res.error.fields)) formError(form, explain(res.error));
        return;
      }
      case "reset": {
        const password = input("password");
        if (password.value.length < 8) {
          fieldError(password, t("reset.short"));
          password.focus();
          return;
        }
        if (input("again").value !== password.value) {
          fieldError(input("again"), t("reset.mismatch"));
          input("again").focus();
          return;
        }
        const res = await api.call("POST", "/auth/password-reset/confirm", { code, password: password.value });
        if (res.ok) {
          location.assign("/connexion?mdp=1");
          return;
        }
        if (res.error.status === 404) {
          form.hidden = true;
          notice(t("reset.expired"), "cancelled");
          const again = document.createElement("a");
          again.className = "button";
          again.href = "/connexion/oubli";
          again.textContent = t("reset.ask");
          status?.append(again);
          return;
        }
        if (!showFieldErrors(form, res.error.fields)) formError(form, explain(res.error));
        return;
      }
      case "invite": {
        const password = input("password");
        if (password.value.length < 8) {
          fieldError(password, t("reset.short"));
          password.focus();
          return;
        }
        const res = await api.call("POST", "/auth/invitations/accept", { code, name: value(form, "name"), password: password.value });
        if (res.ok) {
          // A community manager runs the page; the rest of the team, the till.
          const me = await api.call<Me>("GET", "/auth/me");
          if (me.ok) keepSpaces(spacesOf(me.data));
          location.assign(me.ok && commerceHome(me.data) !== spaceHome.commerce ? commerceHome(me.data) : "/caisse");
          return;
        }
        if (res.error.status === 401) {
          // The API spends the invitation before it checks the password
          // of an existing account: say so, rather than invite a retry.
          form.hidden = true;
          notice(t("invite.existing"), "cancelled");
          return;
        }
        if (res.error.status === 404) {
          form.hidden = true;
          notice(t("invite.expired"), "cancelled");
          return;
        }
        if (!showFieldErrors(form, res.error.fields)) formError(form, explain(res.error));
        return;
      }
      case "apply":
        return apply();
    }
  };

  const apply = async (): Promise<void> => {
    // What the API would refuse, said before the round trip.
    const named: Record<string, string> = {};
    const need: [string, string][] = [["name", "business.name"], ["category", "business.category"], ["city", "business.city"],
      ["registration", "business.registration"], ["owner_name", "owner.name"], ["email", "owner.email"]];
    for (const [name, api] of need) if (value(form, name) === "") named[api] = "required";
    if (input("password").value.length < 8) named["owner.password"] = "too short";
    if (showFieldErrors(form, named)) return;
    const checked = form.querySelector<HTMLInputElement>("input[name=currency]:checked");
    const res = await api.call<{ merchant: { slug: string } }>("POST", "/merchant-applications", {
      business: {
        name: value(form, "name"),
        category: value(form, "category"),
        city: value(form, "city"),
        address: value(form, "address"),
        registration: value(form, "registration"),
        phone: value(form, "phone"),
        currency: checked?.value || "cad",
        summary: value(form, "summary"),
      },
      owner: { name: value(form, "owner_name"), email: value(form, "email"), password: input("password").value },
    });
    if (res.ok) {
      form.hidden = true;
      const done = scope.querySelector<HTMLElement>("[data-done]");
      if (done) {
        done.hidden = false;
        done.focus();
      }
      return;
    }
    if (res.error.status === 409) {
      formError(form, t("apply.error.taken"));
      return;
    }
    if (!showFieldErrors(form, res.error.fields)) formError(form, explain(res.error));
  };

  // choose replaces the form by the links to the person's spaces.
  const choose = (spaces: Space[]) => {
    const chooser = scope.querySelector<HTMLElement>("[data-spaces]");
    if (!chooser) return location.assign(spaceHome[spaces[0]]);
    for (const li of chooser.querySelectorAll<HTMLElement>("[data-space]")) li.hidden = !spaces.includes(li.dataset.space as Space);
    form.hidden = true;
    scope.querySelector<HTMLElement>(".account-apply")?.setAttribute("hidden", "");
    chooser.hidden = false;
    chooser.querySelector<HTMLElement>("h2")?.focus();
  };

  let sending = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sending) return;
    sending = true;
    clearErrors(form);
    busy(form, true);
    try {
      await submit();
    } finally {
      sending = false;
      busy(form, false);
    }
  });
}
