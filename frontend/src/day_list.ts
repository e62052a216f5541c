// The day's redemptions, at the till and on the dashboard: a table on a
// wide screen and a card per row on a phone (the CSS of .table-cards reads
// each cell's data-label), with an "Annuler" button on each redemption
// still within its 30-minute undo window, which asks first, then calls the
// API's reverse with an Idempotency-Key. An undone row says when it was
// undone, and shows no "balance after": that balance is no longer true.
import { Api, Money, confirmDialog, explain, money, newKey, t, time } from "./merchant_api";

// DayRedemption is a row of GET /merchant/redemptions (or one made from a
// live event, which says nothing of undo_until and undoable).
export interface DayRedemption {
  id: string;
  code: string;
  amount: Money;
  balance_after: Money;
  by: string;
  created_at: string;
  reversed_at: string | null;
  undo_until?: string;
  undoable?: boolean;
}

// DayList fills the tbody of a .table-cards table whose columns are the
// time, the voucher, the amount, the balance after, who, and the state.
export class DayList {
  // onUndone is told of each redemption undone from the list (after the
  // API agreed), with the text to announce.
  onUndone: (r: DayRedemption, text: string) => void = () => {};
  // onError is told why an undo was refused.
  onError: (text: string) => void = () => {};
  private timers = new Map<string, number>();

  constructor(private rows: HTMLTableSectionElement, private api: Api, private canUndo: boolean) {}

  private labels(): string[] {
    const head = this.rows.closest("table")?.tHead?.rows[0];
    return head ? Array.from(head.cells).map((c) => c.textContent?.trim() || "") : [];
  }

  // show replaces the rows with these redemptions, newest first.
  show(list: DayRedemption[], currency: string): void {
    for (const id of this.timers.values()) window.clearTimeout(id);
    this.timers.clear();
    this.rows.replaceChildren(...list.map((r) => this.row(r, currency)));
  }

  // row makes one row; fresh marks a redemption that just arrived.
  row(r: DayRedemption, currency: string, fresh = false): HTMLTableRowElement {
    const labels = this.labels();
    const tr = document.createElement("tr");
    tr.dataset.id = r.id;
    const cells = [time(r.created_at, currency), r.code, money(r.amount), money(r.balance_after), r.by, ""];
    const classes = ["", "", "num day-amount", "num day-balance", "", "day-state"];
    cells.forEach((text, i) => {
      const td = tr.insertCell();
      // The amount in its own element: struck once undone, not its label.
      if (i === 2) td.append(Object.assign(document.createElement("span"), { textContent: text }));
      else td.textContent = text;
      if (classes[i]) td.className = classes[i];
      if (labels[i] && i < 5) td.dataset.label = labels[i];
    });
    if (fresh) tr.classList.add("is-new");
    if (r.reversed_at) {
      this.undone(tr, r.reversed_at, currency);
      return tr;
    }
    const until = r.undo_until ? new Date(r.undo_until).getTime() : new Date(r.created_at).getTime() + 30 * 60 * 1000;
    const undoable = r.undoable ?? this.canUndo;
    if (undoable && until > Date.now()) this.button(tr, r, currency, until);
    return tr;
  }

  // undone shows a row as undone at `at`; false when it already was.
  undone(tr: HTMLTableRowElement, at: string, currency: string): boolean {
    if (tr.classList.contains("is-reversed")) return false;
    tr.classList.add("is-reversed");
    const timer = this.timers.get(tr.dataset.id || "");
    if (timer) window.clearTimeout(timer);
    // The balance after it is no longer what the voucher holds.
    tr.querySelector(".day-balance")?.replaceChildren();
    const state = tr.querySelector(".day-state");
    if (state) state.textContent = t("day.undone.at", time(at, currency));
    return true;
  }

  // find returns the row of a redemption, if it is shown.
  find(id: string): HTMLTableRowElement | null {
    return this.rows.querySelector<HTMLTableRowElement>(`tr[data-id="${CSS.escape(id)}"]`);
  }

  private button(tr: HTMLTableRowElement, r: DayRedemption, currency: string, until: number): void {
    const state = tr.querySelector(".day-state")!;
    const b = document.createElement("button");
    b.type = "button";
    b.className = "button button-small button-secondary";
    b.textContent = t("day.undo");
    b.setAttribute("aria-label", t("day.undo.label", money(r.amount), r.code, time(r.created_at, currency)));
    state.replaceChildren(b);
    // Past its window the button goes: the API would refuse.
    this.timers.set(r.id, window.setTimeout(() => b.remove(), Math.min(until - Date.now(), 2 ** 31 - 1)));
    b.addEventListener("click", async () => {
      if (!(await confirmDialog(t("day.undo.confirm", money(r.amount)), t("day.undo.yes")))) return;
      b.disabled = true;
      const res = await this.api.call<{ redemption: DayRedemption }>("POST", `/merchant/redemptions/${encodeURIComponent(r.id)}/reverse`,
        undefined, { "Idempotency-Key": newKey() });
      b.disabled = false;
      if (!res.ok) {
        const e = res.error;
        if (e.code === "reverse_window_passed") {
          b.remove();
          return this.onError(t("day.late"));
        }
        if (e.code === "already_reversed") {
          b.remove();
          return this.onError(t("day.reversed"));
        }
        return this.onError(explain(e));
      }
      const at = res.data.redemption.reversed_at || new Date().toISOString();
      this.undone(tr, at, currency);
      this.onUndone({ ...r, reversed_at: at }, t("day.undone", money(r.amount), r.code));
    });
  }
}
