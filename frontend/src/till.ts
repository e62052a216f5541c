// The till: a code comes in (the camera reads a QR code, a person types
// it, or a barcode scanner types it and presses Enter), the API says what
// it is, and the cashier redeems all or part of a voucher, or checks a
// ticket in, in a few taps, with big type and plain words for every
// refusal. A redemption carries an Idempotency-Key made when it is first
// confirmed and kept for its retries, so a lost answer never debits twice;
// the last one can be undone (within the API's 30 minutes), and so can each
// of the day's redemptions from the list under the form. A voucher whose
// payment is contested is shown blocked, without the redemption form; a
// bonus is shown apart from the paid value, with its end.
//
// A paired till (see initPair) calls the API with its own bearer token; a
// person with the session cookie, for the merchant picked in the session
// bar when they belong to several.
import { parseAmount } from "./amount";
import {
  Api, ApiError, Device, Money, confirmDialog, explain, fieldError, lang, money, newKey, savePairing, startSession, t, when, zoneOf,
} from "./merchant_api";
import { Camera } from "./till_camera";
import { DayList, DayRedemption } from "./day_list";

interface Ticket {
  code: string;
  display_code: string;
  kind: string;
  event: { id: string; title: string };
  ticket_type?: string;
  status: string;
  price: Money;
  checked_in_at: string | null;
  choice?: string;
}

// A voucher as the till sees it: balance is what it can pay now, paid (never
// expires) and bonus (spent first, until bonus_expires_at) apart; status is
// active, empty, void or disputed (frozen while its payment is contested).
interface VoucherScan {
  kind: "voucher";
  code: string;
  display_code: string;
  balance: Money;
  paid?: Money;
  bonus?: Money;
  bonus_expires_at?: string;
  status: string;
  recipient_name?: string;
  message?: string;
  // programme names a town's card, taken at every shop of its programme.
  programme?: { slug: string; name: string };
}

type Scan = VoucherScan | { kind: "ticket"; code: string; display_code: string; ticket: Ticket; checked_in_by?: string };

interface Redemption {
  id: string;
  amount: Money;
  balance_after: Money;
  from_bonus?: Money;
  bonus_after?: Money;
}

// day is a date in words, in the merchant's zone: "1 mars 2031".
const day = (iso: string, currency: string) =>
  new Intl.DateTimeFormat(lang + "-CA", { dateStyle: "long", timeZone: zoneOf(currency) }).format(new Date(iso));

export function initTill(scope: HTMLElement): void {
  const $ = <T extends HTMLElement = HTMLElement>(sel: string) => scope.querySelector<T>(sel)!;
  const all = (sel: string) => Array.from(scope.querySelectorAll<HTMLElement>(sel));
  const body = $("[data-body]");
  const loading = $("[data-loading]");
  const codeForm = $<HTMLFormElement>("[data-code-form]");
  const codeInput = $<HTMLInputElement>("#code");
  const status = $("[data-status]");
  const alertBox = $("[data-alert-box]");
  const alertText = $("[data-alert]");
  const retry = $<HTMLButtonElement>("[data-retry]");
  const voucherPanel = $("[data-voucher]");
  const amountForm = $<HTMLFormElement>("[data-amount-form]");
  const amountInput = $<HTMLInputElement>("#montant");
  const confirmStep = $("[data-confirm-step]");
  const confirmYes = $<HTMLButtonElement>("[data-confirm-yes]");
  const donePanel = $("[data-done]");
  const ticketPanel = $("[data-ticket]");
  const checkin = $<HTMLButtonElement>("[data-checkin]");
  const checkinUndo = $<HTMLButtonElement>("[data-checkin-undo]");
  const ticketState = $("[data-t-state]");
  const api = new Api();

  // The day's redemptions (a paired till sees its own), each undoable
  // from the list for its 30 minutes.
  const dayBox = $("[data-day]");
  const dayRows = $<HTMLTableSectionElement>("[data-day-rows]");
  const dayList = new DayList(dayRows, api, true);
  const loadDay = async () => {
    const res = await api.call<{ data: DayRedemption[]; total: Money }>("GET", "/merchant/redemptions");
    if (!res.ok) {
      dayBox.hidden = true;
      return;
    }
    dayList.show(res.data.data, res.data.total.currency);
    dayBox.hidden = false;
    $("[data-day-none]").hidden = res.data.data.length > 0;
    $("[data-day-wrap]").hidden = res.data.data.length === 0;
  };

  let current: Scan | null = null;
  // The redemption being confirmed or sent: its key stays the same for
  // every retry of the same code and amount.
  let pending: { code: string; amount: number; key: string } | null = null;
  let last: (Redemption & { code: string }) | null = null;
  let retryAction: (() => void) | null = null;
  let viaCamera = false;
  let working = false;

  const say = (text: string) => {
    status.textContent = text;
  };
  const fail = (text: string, again?: () => void) => {
    say("");
    alertText.textContent = text;
    alertBox.hidden = false;
    retryAction = again || null;
    retry.hidden = !again;
  };
  const clearAlert = () => {
    alertBox.hidden = true;
    alertText.textContent = "";
    retry.hidden = true;
    retryAction = null;
  };
  retry.addEventListener("click", () => retryAction?.());
  dayList.onError = (text) => fail(text);
  dayList.onUndone = (r, text) => {
    clearAlert();
    say(text);
    // Undone from the list: the result screen's undo has nothing left to do.
    if (last?.id === r.id) {
      last = null;
      if (!donePanel.hidden) showOnly(null);
    }
  };

  const showOnly = (panel: HTMLElement | null) => {
    for (const p of [voucherPanel, donePanel, ticketPanel]) p.hidden = p !== panel;
  };

  // A request at a time: a second Enter from a barcode scanner, or a double
  // tap, does nothing while one is out.
  const work = async (fn: () => Promise<void>) => {
    if (working) return;
    working = true;
    scope.setAttribute("aria-busy", "true");
    for (const b of all("[data-body] button")) (b as HTMLButtonElement).disabled = true;
    try {
      await fn();
    } finally {
      working = false;
      scope.removeAttribute("aria-busy");
      for (const b of all("[data-body] button")) (b as HTMLButtonElement).disabled = false;
    }
  };

  // Errors that any call may meet, or the one that matters here.
  const refused = (e: ApiError, again?: () => void) => {
    if (e.status === 404) return fail(t("till.unknown"));
    if (e.status === 400 && e.fields && "merchant" in e.fields) return fail(t("till.pick"));
    fail(explain(e), e.status === 0 || e.status >= 500 || e.status === 429 ? again : undefined);
  };

  // lookup asks the API what a scanned or typed code is.
  const lookup = (raw: string) =>
    work(async () => {
      clearAlert();
      showOnly(null);
      current = null;
      say(t("till.looking"));
      const res = await api.call<Scan>("POST", "/merchant/scan", { code: raw });
      if (!res.ok) {
        refused(res.error, () => lookup(raw));
        codeInput.select();
        return;
      }
      say("");
      current = res.data;
      if (current.kind === "ticket") return showTicket(current);
      if (current.status === "void") return fail(t("till.void"));
      if (current.status === "empty") return fail(t("till.empty"));
      showVoucher(current);
    });

  const showVoucher = (v: VoucherScan) => {
    const blocked = v.status === "disputed";
    $("[data-v-code]").textContent = t("till.voucher.code", v.display_code);
    const card = v.programme?.name;
    $("[data-v-for]").textContent = card
      ? v.recipient_name ? t("till.card.for", card, v.recipient_name) : t("till.card", card)
      : v.recipient_name ? t("till.voucher.for", v.recipient_name) : t("till.voucher");
    const note = $("[data-v-programme]");
    note.textContent = card ? t("till.card.note") : "";
    note.hidden = !card;
    $("[data-v-message]").textContent = v.message || "";
    $("[data-v-message-box]").hidden = !v.message;
    $("[data-v-balance]").textContent = money(v.balance);
    showBonus(v);
    // Blocked: no amount to type, nothing to confirm; the panel says why.
    $("[data-v-blocked]").hidden = !blocked;
    $("[data-v-balance-box]").hidden = blocked;
    amountInput.value = "";
    amountInput.removeAttribute("aria-invalid");
    $("#montant-error").hidden = true;
    amountForm.hidden = blocked;
    confirmStep.hidden = true;
    showOnly(voucherPanel);
    if (blocked) {
      $("[data-announce]").textContent = t("till.disputed") + ". " + t("till.disputed.text");
      $("[data-v-for]").focus();
      navigator.vibrate?.([80, 60, 80]);
      return;
    }
    amountInput.focus();
  };

  // The bonus, apart from the paid value: it is spent first, and ends.
  const showBonus = (v: VoucherScan) => {
    const box = $("[data-v-bonus]");
    const bonus = v.bonus?.amount || 0;
    // A town's card shows its two parts even without a bonus.
    box.hidden = (bonus <= 0 && !v.programme) || v.status === "disputed";
    box.textContent = bonus > 0 && v.bonus && v.paid
      ? t("till.bonus", money(v.bonus), v.bonus_expires_at ? day(v.bonus_expires_at, v.bonus.currency) : "—", money(v.paid))
      : v.programme ? t("till.card.nobonus", money(v.paid || v.balance)) : "";
  };

  // The amount: typed ("12,50", "12.5", "12"), or all of the balance.
  $("[data-all]").addEventListener("click", () => {
    if (current?.kind !== "voucher") return;
    amountInput.value = (current.balance.amount / 100).toFixed(2).replace(".", document.documentElement.lang === "en" ? "." : ",");
    ask();
  });
  amountForm.addEventListener("submit", (event) => {
    event.preventDefault();
    ask();
  });

  // ask shows the confirmation of the amount, big, with its button.
  const ask = () => {
    if (current?.kind !== "voucher" || current.status === "disputed") return;
    // A barcode scanner fired while the amount had the focus: that is the
    // next code, not an amount.
    const typed = amountInput.value.trim();
    if (/[a-z]/i.test(typed) && typed.replace(/[^0-9a-z]/gi, "").length >= 16) {
      codeInput.value = typed;
      viaCamera = false;
      lookup(typed);
      return;
    }
    const amount = parseAmount(typed);
    $("#montant-error").hidden = true;
    amountInput.removeAttribute("aria-invalid");
    if (amount === null || amount <= 0) {
      fieldError(amountInput, t("till.amount.invalid"));
      amountInput.focus();
      return;
    }
    if (amount > current.balance.amount) {
      fieldError(amountInput, t("till.amount.over", money(current.balance)));
      amountInput.focus();
      return;
    }
    const m = money({ amount, currency: current.balance.currency });
    $("[data-confirm-text]").textContent = t("till.confirm", m);
    confirmYes.textContent = t("till.confirm.yes", m);
    confirmYes.dataset.amount = String(amount);
    amountForm.hidden = true;
    confirmStep.hidden = false;
    confirmYes.focus();
  };
  $("[data-confirm-no]").addEventListener("click", () => {
    confirmStep.hidden = true;
    amountForm.hidden = false;
    amountInput.focus();
  });
  confirmYes.addEventListener("click", () => redeem(Number(confirmYes.dataset.amount)));

  // redeem takes amount from the voucher shown, with the key of this
  // redemption: made now, or kept from a try whose answer was lost.
  const redeem = (amount: number) =>
    work(async () => {
      if (current?.kind !== "voucher") return;
      const v = current;
      if (!pending || pending.code !== v.code || pending.amount !== amount) pending = { code: v.code, amount, key: newKey() };
      const key = pending.key;
      clearAlert();
      say(t("till.redeeming"));
      let res = await api.call<{ redemption: Redemption }>("POST", `/merchant/vouchers/${encodeURIComponent(v.code)}/redemptions`,
        { amount }, { "Idempotency-Key": key });
      // The same request still being answered (a retry that overtook it).
      for (let i = 0; i < 5 && !res.ok && res.error.code === "request_in_progress"; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        res = await api.call<{ redemption: Redemption }>("POST", `/merchant/vouchers/${encodeURIComponent(v.code)}/redemptions`,
          { amount }, { "Idempotency-Key": key });
      }
      if (res.ok) {
        pending = null;
        const r = res.data.redemption;
        last = { ...r, code: v.code };
        v.balance = r.balance_after;
        if (r.bonus_after) {
          v.bonus = r.bonus_after;
          v.paid = { ...r.balance_after, amount: r.balance_after.amount - r.bonus_after.amount };
        }
        say("");
        $("[data-done-amount]").textContent = t("till.done", money(r.amount));
        $("[data-done-balance]").textContent = money(r.balance_after);
        // What came out of the bonus, and what is left of it, apart.
        const doneBonus = $("[data-done-bonus]");
        doneBonus.textContent = [
          r.from_bonus && r.from_bonus.amount > 0 ? t("till.done.bonus", money(r.from_bonus)) : "",
          r.bonus_after && r.bonus_after.amount > 0 ? t("till.done.bonus.left", money(r.bonus_after)) : "",
        ].filter(Boolean).join(" ");
        doneBonus.hidden = !doneBonus.textContent;
        $<HTMLButtonElement>("[data-undo]").hidden = false;
        showOnly(donePanel);
        loadDay();
        $("[data-done-amount]").focus();
        navigator.vibrate?.(60);
        return;
      }
      const e = res.error;
      switch (e.code) {
        case "insufficient_balance": {
          pending = null;
          // What is left now (another till may have spent some).
          const again = await api.call<Scan>("POST", "/merchant/scan", { code: v.code });
          if (again.ok && again.data.kind === "voucher") Object.assign(v, again.data);
          $("[data-v-balance]").textContent = money(v.balance);
          showBonus(v);
          confirmStep.hidden = true;
          amountForm.hidden = false;
          return fail(t("till.insufficient", money(v.balance)));
        }
        case "voucher_void":
          pending = null;
          showOnly(null);
          return fail(t("till.void"));
        case "not_a_member":
          // The shop left the programme since the card was scanned.
          pending = null;
          showOnly(null);
          return fail(t("till.notmember"));
        case "voucher_disputed":
          // Frozen since it was scanned: the panel shows it blocked.
          pending = null;
          v.status = "disputed";
          showVoucher(v);
          return fail(t("till.disputed.refused"));
      }
      if (e.status === 0 || e.status >= 500 || e.status === 429) {
        // Unknown outcome, or not done yet: the retry sends the same key.
        const text = e.status === 429 ? explain(e) : t("till.lost");
        return fail(text, () => redeem(amount));
      }
      pending = null;
      refused(e);
    });

  // The last redemption can be undone, after a confirmation.
  $("[data-undo]").addEventListener("click", async () => {
    if (!last) return;
    const r = last;
    if (!(await confirmDialog(t("till.undo.confirm", money(r.amount)), t("till.undo.yes")))) return;
    await work(async () => {
      clearAlert();
      const res = await api.call<{ redemption: Redemption }>("POST", `/merchant/redemptions/${encodeURIComponent(r.id)}/reverse`);
      if (!res.ok) {
        if (res.error.code === "already_reversed") return fail(t("till.reversed"));
        if (res.error.code === "reverse_window_passed") return fail(t("till.late"));
        return refused(res.error);
      }
      last = null;
      loadDay();
      // The voucher again, with what it holds now, ready for the right amount.
      const again = await api.call<Scan>("POST", "/merchant/scan", { code: r.code });
      const balance = again.ok && again.data.kind === "voucher" ? again.data.balance : { ...r.amount, amount: r.balance_after.amount + r.amount.amount };
      if (again.ok && again.data.kind === "voucher") {
        current = again.data;
        showVoucher(again.data);
      } else {
        showOnly(null);
      }
      say(t("till.undone", money(r.amount), money(balance)));
    });
  });

  // Tickets: check in once; a second scan says when and by whom.
  const showTicket = (s: Extract<Scan, { kind: "ticket" }>) => {
    const tk = s.ticket;
    $("[data-t-code]").textContent = t("till.voucher.code", s.display_code);
    $("[data-t-event]").textContent = tk.event.title;
    $("[data-t-type]").textContent = tk.ticket_type || "";
    ticketState.hidden = true;
    checkin.hidden = false;
    checkinUndo.hidden = true;
    const why = refusal(tk);
    if (tk.kind !== "ticket") {
      ticketStatus(t("till.ticket.solidary"), "postponed");
      checkin.hidden = true;
    } else if (why) {
      ticketStatus(why, "cancelled");
      checkin.hidden = true;
    } else if (tk.checked_in_at) {
      ticketStatus(t("till.checkin.already", when(tk.checked_in_at, tk.price.currency), s.checked_in_by || "—"), "cancelled");
      checkin.hidden = true;
      checkinUndo.hidden = false;
    }
    showOnly(ticketPanel);
    $("[data-t-event]").focus();
  };
  // refusal says why a seat ticket does not open the door, or "" when it
  // does: blocked while its payment is contested, cancelled, or exchanged
  // by its holder (a refund, a credit, a donation).
  const refusal = (tk: Ticket): string => {
    if (tk.status === "disputed") return t("till.ticket.disputed");
    if (tk.status === "void") return t("till.ticket.void");
    if (exchanged(tk)) return t("till.ticket.exchanged", t("till.choice." + (tk.choice && tk.choice !== "keep" ? tk.choice : "any")));
    return tk.status === "valid" ? "" : t("till.ticket.invalid");
  };
  const exchanged = (tk: Ticket) =>
    !tk.checked_in_at && (["refunded", "credited", "donated"].includes(tk.status) || (!!tk.choice && tk.choice !== "keep"));
  const ticketStatus = (text: string, kind: string) => {
    ticketState.textContent = text;
    ticketState.className = "notice notice-" + kind;
    ticketState.hidden = false;
    // Said once, by the panel: the status line stays for the rest.
    say("");
    $("[data-announce]").textContent = text;
  };
  checkin.addEventListener("click", () =>
    work(async () => {
      if (current?.kind !== "ticket") return;
      clearAlert();
      const res = await api.call("POST", `/merchant/tickets/${encodeURIComponent(current.code)}/checkin`);
      if (res.ok) {
        ticketStatus(t("till.checkedin"), "success");
        checkin.hidden = true;
        checkinUndo.hidden = false;
        navigator.vibrate?.(60);
        return;
      }
      const e = res.error;
      if (e.code === "already_checked_in") {
        const at = e.fields?.checked_in_at;
        ticketStatus(t("till.checkin.already", at ? when(at, current.ticket.price.currency) : "—", e.fields?.checked_in_by || "—"), "cancelled");
        checkin.hidden = true;
        checkinUndo.hidden = false;
        return;
      }
      if (e.code === "ticket_not_valid" || e.code === "ticket_exchanged") {
        // Changed since it was scanned: what it is now says why.
        const again = await api.call<Scan>("POST", "/merchant/scan", { code: current.code });
        const tk = again.ok && again.data.kind === "ticket" ? again.data.ticket : current.ticket;
        const why = refusal(tk) || (e.code === "ticket_exchanged" ? t("till.ticket.exchanged", t("till.choice.any")) : t("till.ticket.invalid"));
        checkin.hidden = true;
        return ticketStatus(why, "cancelled");
      }
      refused(e, () => checkin.click());
    }),
  );
  checkinUndo.addEventListener("click", async () => {
    if (current?.kind !== "ticket") return;
    const code = current.code;
    if (!(await confirmDialog(t("till.checkin.confirm"), t("till.checkin.yes")))) return;
    await work(async () => {
      const res = await api.call("POST", `/merchant/tickets/${encodeURIComponent(code)}/checkin/undo`);
      if (!res.ok) return refused(res.error);
      ticketStatus(t("till.checkin.undone"), "success");
      checkin.hidden = false;
      checkinUndo.hidden = true;
    });
  });

  // The next code: the camera again when the last one came through it.
  const next = () => {
    current = null;
    pending = null;
    clearAlert();
    say("");
    showOnly(null);
    codeInput.value = "";
    if (viaCamera) startCamera();
    else codeInput.focus();
  };
  for (const b of all("[data-next]")) b.addEventListener("click", next);

  // A barcode scanner types wherever the focus is: when it is on no field
  // (a result's heading, a button), the code field takes the keys.
  document.addEventListener("keydown", (event) => {
    const el = document.activeElement;
    if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey || event.key === " ") return;
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return;
    if (document.querySelector("dialog[open]") || body.hidden) return;
    codeInput.value = "";
    codeInput.focus();
  });

  codeForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const raw = codeInput.value.trim();
    if (raw === "") {
      codeInput.focus();
      return;
    }
    viaCamera = false;
    lookup(raw);
  });

  // The camera: the browser's BarcodeDetector, else the decoder loaded on
  // first use (dist/till-qr.js).
  const cameraBox = $("[data-camera]");
  const scanButton = $<HTMLButtonElement>("[data-scan]");
  const camera = new Camera($<HTMLVideoElement>("[data-video]"), scope.dataset.decoder || "", (text) => {
    stopCamera();
    viaCamera = true;
    codeInput.value = text;
    say(t("till.camera.read"));
    navigator.vibrate?.(40);
    lookup(text);
  });
  const startCamera = async () => {
    clearAlert();
    cameraBox.hidden = false;
    scanButton.hidden = true;
    const outcome = await camera.start();
    if (outcome === "ok") {
      say(t("till.camera.on"));
      return;
    }
    stopCamera();
    fail(t(outcome === "denied" ? "till.camera.denied" : "till.camera.none"));
    codeInput.focus();
  };
  const stopCamera = () => {
    camera.stop();
    cameraBox.hidden = true;
    scanButton.hidden = false;
  };
  scanButton.addEventListener("click", () => {
    showOnly(null);
    startCamera();
  });
  $("[data-scan-stop]").addEventListener("click", () => {
    stopCamera();
    viaCamera = false;
    scanButton.focus();
  });
  if (!camera.available()) scanButton.hidden = true;
  // A camera left on in a background tab drains the battery.
  document.addEventListener("visibilitychange", () => {
    if (document.hidden && !cameraBox.hidden) stopCamera();
  });

  // Who is at the till, and for which merchant.
  startSession(api, scope, (text) => {
    loading.hidden = true;
    const box = scope.querySelector<HTMLElement>("[data-alert-box]");
    body.hidden = false;
    for (const el of Array.from(body.children)) (el as HTMLElement).hidden = el !== box?.parentElement;
    fail(text);
  }, true).then((s) => {
    if (!s) return;
    loading.hidden = true;
    if (!s.member) {
      body.hidden = false;
      for (const el of Array.from(body.children)) (el as HTMLElement).hidden = !el.classList.contains("till-feedback");
      fail(t("session.none"));
      return;
    }
    body.hidden = false;
    codeInput.focus();
    loadDay();
  });
}

// initPair exchanges the pairing code of the address for the till's own
// token, kept in this browser, then opens the till.
export function initPair(scope: HTMLElement): void {
  const button = scope.querySelector<HTMLButtonElement>("[data-pair]");
  const status = scope.querySelector<HTMLElement>("[data-status]");
  const alert = scope.querySelector<HTMLElement>("[data-alert]");
  const code = scope.dataset.code || "";
  if (!button || !code) return;
  const api = new Api();
  button.addEventListener("click", async () => {
    button.disabled = true;
    if (alert) alert.textContent = "";
    const res = await api.call<Omit<Device, never>>("POST", "/devices/pair", { code });
    button.disabled = false;
    if (!res.ok) {
      if (alert) alert.textContent = res.error.status === 404 ? t("pair.expired") : explain(res.error);
      if (res.error.status === 404) button.hidden = true;
      return;
    }
    if (!savePairing(res.data)) {
      if (alert) alert.textContent = t("pair.storage");
      return;
    }
    // The code is spent: it leaves the address and the history.
    history.replaceState(null, "", location.pathname);
    if (status) status.textContent = t("pair.done", res.data.merchant.name);
    button.hidden = true;
    setTimeout(() => location.assign("/caisse"), 800);
  });
}
