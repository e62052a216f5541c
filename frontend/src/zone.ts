// The zone island. A form that takes a day and a time (a gift sent on its
// day, in the purchase form and in "Mes bons") carries a hidden tz field,
// which the server fills with the seller's time zone: without this script
// the time typed is read there. With it, the time is read in the phone's
// own zone, and a day already in such a field (data-at, an instant) is
// written again in that zone, so that what is shown is what is sent.

export function initZone(root: Document): void {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return;
  }
  if (!zone) return;
  for (const el of root.querySelectorAll<HTMLInputElement>("input[type=hidden][name=tz]")) el.value = zone;
  for (const el of root.querySelectorAll<HTMLInputElement>("input[type=datetime-local][data-at]")) {
    const at = new Date(el.dataset.at || "");
    if (!isNaN(at.getTime())) el.value = localValue(at);
  }
}

// localValue writes an instant as a datetime-local input does, in the
// phone's zone: "2026-06-14T09:00".
function localValue(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// withOffset turns a datetime-local value (the phone's time) into RFC 3339
// with the phone's offset at that date: "2026-06-14T09:00:00-04:00". What
// cannot be read is sent as it is, for the API to say what is wrong.
export function withOffset(local: string): string {
  const d = new Date(local);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(local) || isNaN(d.getTime())) return local;
  const offset = -d.getTimezoneOffset();
  const p = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  return `${local.slice(0, 16)}:${local.length >= 19 ? local.slice(17, 19) : "00"}${offset < 0 ? "-" : "+"}${p(offset / 60)}:${p(offset % 60)}`;
}
