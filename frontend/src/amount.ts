// parseAmount reads an amount as people type it, in either language: "25",
// "25,50", "25.5", "1 000,00 $", "$1,000.00". The last comma or point
// followed by one or two digits is the decimal separator; any other
// separates thousands and must be followed by three digits. It returns the
// amount in minor units, or null when the text is not an amount. It is the
// twin of parseAmount in frontend/buy.go, which reads the form without
// JavaScript: both must agree.
export function parseAmount(text: string): number | null {
  const s = text.replace(/[\s\u00a0\u202f'$€]/g, "");
  let whole = s;
  let frac = "";
  const i = Math.max(s.lastIndexOf(","), s.lastIndexOf("."));
  if (i >= 0 && s.length - i - 1 <= 2) {
    whole = s.slice(0, i);
    frac = s.slice(i + 1);
  }
  if ((whole === "" && frac === "") || !/^\d{0,2}$/.test(frac)) return null;
  if (whole !== "" && !/^\d+$/.test(whole) && !/^\d{1,3}([.,]\d{3})+$/.test(whole)) return null;
  const digits = whole.replace(/[.,]/g, "");
  if (digits.length > 9) return null;
  return Number(digits || "0") * 100 + Number(frac.padEnd(2, "0"));
}
