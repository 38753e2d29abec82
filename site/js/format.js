// Display formatting. The API stores money as integer cents and times as UTC
// ISO-8601; people see their own locale and time zone.

const CURRENCY = "USD";

export function formatPrice(cents, locale) {
  if (typeof cents !== "number" || !Number.isFinite(cents)) return "—";
  return new Intl.NumberFormat(locale, { style: "currency", currency: CURRENCY }).format(cents / 100);
}

export function formatDateTime(iso, locale, timeZone) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? "—");
  // dateStyle/timeStyle can't be combined with timeZoneName, hence the parts.
  return new Intl.DateTimeFormat(locale, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZone,
    timeZoneName: "short",
  }).format(d);
}

// "12.50" / "12,5" / "12" -> 1250. Returns NaN for anything else.
export function parsePriceToCents(text) {
  const t = String(text).trim().replace(",", ".");
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return NaN;
  const [whole, frac = ""] = t.split(".");
  return Number(whole) * 100 + Number(frac.padEnd(2, "0"));
}

// Value of <input type="datetime-local"> (local wall time) -> ISO-8601 UTC.
export function localInputToUtcIso(value) {
  const d = new Date(value);
  if (!value || Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

// <input type="date"> value -> start or end of that local day, as UTC ISO.
export function dateInputToUtcIso(value, endOfDay = false) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value || "")) return undefined;
  const [y, m, d] = value.split("-").map(Number);
  const local = endOfDay ? new Date(y, m - 1, d, 23, 59, 59) : new Date(y, m - 1, d, 0, 0, 0);
  return local.toISOString().replace(/\.\d{3}Z$/, "Z");
}

// "opening_hours" / "openingHours" -> "Opening hours"
export function humanizeKey(key) {
  const words = String(key)
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
