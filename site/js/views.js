// One function per screen. Each gets a fresh container and a context
// ({ api, auth, user, navigate, status, alert, query }) from app.js.

import { h, heading, field, errorBox, setBusy } from "./dom.js";
import { ApiError, newIdempotencyKey } from "./api.js";
import { SessionExpiredError } from "./auth.js";
import {
  formatPrice,
  formatDateTime,
  parsePriceToCents,
  localInputToUtcIso,
  dateInputToUtcIso,
  humanizeKey,
} from "./format.js";

const PAGE_SIZE = 12;
const MAX_PER_PURCHASE = 10;
const showCache = new Map();

function loading(text = "Loading…") {
  return h("p", { class: "loading", role: "status" }, text);
}

function timeEl(iso) {
  return h("time", { datetime: iso }, formatDateTime(iso));
}

// Errors that already sent the user to the sign-in screen need no more UI.
function handledElsewhere(err) {
  return err instanceof SessionExpiredError || (err instanceof ApiError && err.status === 401);
}

function loadFailed(view, ctx, what, err, retry) {
  if (handledElsewhere(err)) return;
  view.querySelector(".loading")?.remove();
  view.append(
    h(
      "div",
      { class: "notice notice-error" },
      h("p", {}, `Could not load ${what}: ${err.message}`),
      err.errors?.length ? h("ul", {}, err.errors.map((e) => h("li", {}, e))) : null,
      h("button", { type: "button", class: "secondary", onclick: retry }, "Try again"),
    ),
  );
}

function seatsBadge(show) {
  if (show.remaining <= 0) return h("span", { class: "badge badge-soldout" }, "Sold out");
  const few = show.remaining <= Math.max(5, show.capacity * 0.1);
  return h("span", { class: few ? "badge badge-few" : "badge" }, `${show.remaining} of ${show.capacity} left`);
}

// ---------------------------------------------------------------- shows

export async function showsView(view, ctx) {
  const from = ctx.query.get("from") || "";
  const to = ctx.query.get("to") || "";
  const fromField = field({ label: "From", name: "from", type: "date", attrs: { value: from } });
  const toField = field({ label: "To", name: "to", type: "date", attrs: { value: to } });
  const filters = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter shows by date" },
    fromField.wrapper,
    toField.wrapper,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "secondary" }, "Filter"),
      from || to ? h("a", { href: "#/shows", class: "button-link" }, "Clear") : null),
  );
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = new URLSearchParams();
    if (fromField.input.value) q.set("from", fromField.input.value);
    if (toField.input.value) q.set("to", toField.input.value);
    ctx.navigate(`#/shows${q.toString() ? `?${q}` : ""}`);
  });

  const list = h("ul", { class: "show-list", "aria-label": "Shows" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Load more shows");
  view.replaceChildren(heading("Upcoming shows"), filters, list, loading(), h("div", { class: "actions center" }, more));

  let cursor = null;
  async function loadPage() {
    setBusy(more, true, "Loading…");
    try {
      const page = await ctx.api.listShows({ limit: PAGE_SIZE, cursor, from: dateInputToUtcIso(from), to: dateInputToUtcIso(to, true) });
      view.querySelector(".loading")?.remove();
      const items = page?.items || [];
      const firstNew = items.length ? list.children.length : -1;
      for (const show of items) {
        showCache.set(show.id, show);
        list.append(showCard(show));
      }
      if (!list.children.length) {
        list.replaceWith(h("p", { class: "notice" }, from || to ? "No shows in that date range." : "No shows are scheduled yet."));
      }
      cursor = page?.next_cursor || null;
      more.hidden = !cursor;
      // After "Load more", keyboard focus goes to the first newly added show.
      if (firstNew > 0) list.children[firstNew].querySelector("a")?.focus();
      if (firstNew > 0) ctx.status(`${list.children.length} show${list.children.length === 1 ? "" : "s"} listed.`);
    } catch (err) {
      loadFailed(view, ctx, "shows", err, () => ctx.navigate(location.hash, { force: true }));
    } finally {
      setBusy(more, false);
    }
  }
  more.addEventListener("click", loadPage);
  await loadPage();
}

function showCard(show) {
  return h(
    "li",
    { class: "card show" },
    h("h2", {}, h("a", { href: `#/shows/${encodeURIComponent(show.id)}` }, show.title)),
    h("p", { class: "meta" }, timeEl(show.starts_at)),
    h("p", { class: "meta" }, show.venue),
    h("p", { class: "row" }, h("span", { class: "price" }, formatPrice(show.price_cents)), seatsBadge(show)),
  );
}

// One key per purchase attempt; a retry of the same show+quantity reuses it so
// the API can recognise the duplicate instead of selling twice.
let purchaseAttempt = null;

export async function showDetailView(view, ctx, id) {
  view.replaceChildren(h("p", {}, h("a", { href: "#/shows", class: "back" }, "← All shows")), loading());
  let show;
  try {
    show = await ctx.api.getShow(id);
    showCache.set(show.id, show);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      view.replaceChildren(heading("Show not found"), h("p", {}, "This show does not exist or was removed. "), h("a", { href: "#/shows" }, "Back to all shows"));
      return;
    }
    return loadFailed(view, ctx, "the show", err, () => showDetailView(view, ctx, id));
  }

  const errors = errorBox();
  const result = h("div", { class: "purchase-result", "aria-live": "polite" });
  let max = Math.max(1, Math.min(MAX_PER_PURCHASE, show.remaining));
  const qty = field({ label: "Number of tickets", name: "quantity", type: "number", hint: `Up to ${max} per purchase.`, attrs: { min: "1", max: String(max), step: "1", value: "1", inputmode: "numeric", required: true } });
  const total = h("output", { for: qty.input.id, class: "total" }, formatPrice(show.price_cents));
  qty.input.addEventListener("input", () => {
    const n = Number(qty.input.value);
    total.textContent = Number.isInteger(n) && n > 0 ? formatPrice(n * show.price_cents) : "—";
  });
  const buy = h("button", { type: "submit" }, "Buy tickets");
  async function refreshSeats() {
    try {
      Object.assign(show, await ctx.api.getShow(show.id));
      details.replaceWith((details = showDetails(show)));
      max = Math.max(1, Math.min(MAX_PER_PURCHASE, show.remaining));
      qty.input.max = String(max);
      qty.wrapper.querySelector(".hint").textContent = show.remaining > 0 ? `Up to ${max} per purchase.` : "Sold out.";
      buy.disabled = show.remaining <= 0;
    } catch {
      // Only the seat count is stale; not worth a second error message.
    }
  }
  const soldOut = show.remaining <= 0;
  const form = soldOut
    ? h("p", { class: "notice" }, "This show is sold out.")
    : h("form", { class: "stack buy" }, errors.el, qty.wrapper, h("p", { class: "total-line" }, "Total: ", total), buy);

  if (!soldOut) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errors.clear();
      qty.setError("");
      const quantity = Number(qty.input.value);
      if (!Number.isInteger(quantity) || quantity < 1 || quantity > max) {
        qty.setError(`Enter a whole number from 1 to ${max}.`);
        qty.input.focus();
        return;
      }
      if (!purchaseAttempt || purchaseAttempt.showId !== show.id || purchaseAttempt.quantity !== quantity) {
        purchaseAttempt = { showId: show.id, quantity, key: newIdempotencyKey() };
      }
      setBusy(buy, true, "Buying…");
      try {
        const ticket = await ctx.api.buyTickets({ showId: show.id, quantity, idempotencyKey: purchaseAttempt.key });
        purchaseAttempt = null;
        const msg = `Purchased ${ticket.quantity ?? quantity} ticket${(ticket.quantity ?? quantity) === 1 ? "" : "s"} for ${show.title}.`;
        result.replaceChildren(h("div", { class: "notice notice-ok" }, h("p", {}, msg), h("a", { href: "#/tickets" }, "View my tickets")));
        ctx.status(msg);
        await refreshSeats();
      } catch (err) {
        if (handledElsewhere(err)) return;
        // Only network/server failures are worth retrying with the same key.
        if (err instanceof ApiError && err.status >= 400 && err.status < 500) purchaseAttempt = null;
        const conflict = err instanceof ApiError && err.status === 409;
        errors.show(conflict ? `Not available: ${err.message}` : err.message, err.errors || []);
        errors.el.focus();
        if (conflict) await refreshSeats();
      } finally {
        setBusy(buy, false);
        buy.disabled = show.remaining <= 0;
      }
    });
  }

  let details = showDetails(show);
  view.replaceChildren(
    h("p", {}, h("a", { href: "#/shows", class: "back" }, "← All shows")),
    h("article", { class: "card" }, heading(show.title), details, h("h2", {}, "Buy tickets"), form, result),
  );
}

function showDetails(show) {
  return h(
    "dl",
    { class: "details" },
    h("dt", {}, "When"), h("dd", {}, timeEl(show.starts_at)),
    h("dt", {}, "Venue"), h("dd", {}, show.venue),
    h("dt", {}, "Price"), h("dd", {}, `${formatPrice(show.price_cents)} per ticket`),
    h("dt", {}, "Seats"), h("dd", {}, seatsBadge(show)),
  );
}

// ---------------------------------------------------------------- tickets

export async function ticketsView(view, ctx) {
  view.replaceChildren(heading("My tickets"), loading());
  let tickets;
  try {
    tickets = (await ctx.api.listTickets())?.items || [];
  } catch (err) {
    return loadFailed(view, ctx, "your tickets", err, () => ticketsView(view, ctx));
  }
  // Tickets carry only show_id; look the shows up (cached) for a readable list.
  const missing = [...new Set(tickets.map((t) => t.show_id))].filter((id) => !showCache.has(id));
  await Promise.all(missing.map((id) => ctx.api.getShow(id).then((s) => showCache.set(id, s), () => {})));

  tickets.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
  const body = tickets.length
    ? h("ul", { class: "ticket-list", "aria-label": "Tickets" }, tickets.map((t) => ticketCard(t, view, ctx)))
    : h("div", { class: "notice" }, h("p", {}, "You have no tickets yet. "), h("a", { href: "#/shows" }, "Browse shows"));
  view.replaceChildren(heading("My tickets"), body);
}

function isCancelled(ticket) {
  return /cancel/i.test(String(ticket.status));
}

function ticketCard(ticket, view, ctx) {
  const show = showCache.get(ticket.show_id);
  const title = show ? show.title : `Show ${ticket.show_id}`;
  const errors = errorBox();
  const cancelled = isCancelled(ticket);
  const cancel = cancelled
    ? null
    : h("button", { type: "button", class: "danger", "aria-label": `Cancel ${ticket.quantity} ticket(s) for ${title}` }, "Cancel tickets");
  cancel?.addEventListener("click", async () => {
    // Native confirm() is keyboard and screen-reader friendly and CSP-safe.
    if (!window.confirm(`Cancel ${ticket.quantity} ticket(s) for ${title}?`)) return;
    errors.clear();
    setBusy(cancel, true, "Cancelling…");
    try {
      await ctx.api.cancelTicket(ticket.id);
      showCache.delete(ticket.show_id);
      ctx.status(`Cancelled your tickets for ${title}.`);
      await ticketsView(view, ctx);
      view.querySelector("h1")?.focus();
    } catch (err) {
      if (handledElsewhere(err)) return;
      setBusy(cancel, false);
      errors.show(`Could not cancel: ${err.message}`, err.errors || []);
      errors.el.focus();
    }
  });

  return h(
    "li",
    { class: `card ticket${cancelled ? " is-cancelled" : ""}` },
    h("h2", {}, show ? h("a", { href: `#/shows/${encodeURIComponent(ticket.show_id)}` }, title) : title),
    show ? h("p", { class: "meta" }, timeEl(show.starts_at), ` · ${show.venue}`) : null,
    h(
      "dl",
      { class: "details compact" },
      h("dt", {}, "Tickets"), h("dd", {}, String(ticket.quantity)),
      h("dt", {}, "Status"), h("dd", {}, h("span", { class: `badge status-${String(ticket.status).toLowerCase()}` }, humanizeKey(ticket.status || "unknown"))),
      h("dt", {}, "Price"), h("dd", {}, formatPrice(ticket.price_cents)),
      h("dt", {}, "Bought"), h("dd", {}, ticket.created_at ? timeEl(ticket.created_at) : "—"),
    ),
    errors.el,
    cancel ? h("div", { class: "actions" }, cancel) : null,
  );
}

// ---------------------------------------------------------------- venue

export async function venueView(view, ctx) {
  view.replaceChildren(heading("Venue"), loading());
  let info;
  try {
    info = await ctx.api.getInfo();
  } catch (err) {
    return loadFailed(view, ctx, "venue information", err, () => venueView(view, ctx));
  }
  if (!info || typeof info !== "object") info = { details: info };
  const { name, title, description, ...rest } = info;
  view.replaceChildren(
    h(
      "article",
      { class: "card" },
      heading(typeof (name ?? title) === "string" ? name ?? title : "Venue"),
      typeof description === "string" ? h("p", { class: "lead" }, description) : null,
      renderValue(rest, ""),
    ),
  );
}

function renderValue(value, key) {
  if (value === null || value === undefined || value === "") return h("span", { class: "muted" }, "—");
  if (Array.isArray(value)) {
    if (!value.length) return h("span", { class: "muted" }, "—");
    return h("ul", { class: "plain" }, value.map((v) => h("li", {}, renderValue(v, key))));
  }
  if (typeof value === "object") {
    const entries = Object.entries(value);
    // Addresses read better as lines than as a key/value table.
    if (/address/i.test(key) && entries.every(([, v]) => typeof v !== "object")) {
      return h("address", {}, entries.filter(([, v]) => v !== "" && v != null).map(([, v], i) => [i ? h("br") : null, String(v)]));
    }
    return h("dl", { class: "details" }, entries.map(([k, v]) => [h("dt", {}, humanizeKey(k)), h("dd", {}, renderValue(v, k))]));
  }
  if (typeof value === "boolean") return value ? "Yes" : "No";
  const text = String(value);
  if (/^https?:\/\/\S+$/i.test(text)) return h("a", { href: text, rel: "noopener noreferrer" }, text);
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) return h("a", { href: `mailto:${text}` }, text);
  if (/phone|tel/i.test(key) && /^[+\d][\d\s()-]{5,}$/.test(text)) return h("a", { href: `tel:${text.replace(/[^\d+]/g, "")}` }, text);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) return timeEl(text);
  return text;
}

// ---------------------------------------------------------------- admin

export function newShowView(view, ctx) {
  if (!ctx.user?.isAdmin) {
    view.replaceChildren(heading("Create a show"), h("p", { class: "notice" }, "Only administrators can create shows."));
    return;
  }
  const errors = errorBox();
  const f = {
    title: field({ label: "Title", name: "title", attrs: { required: true, maxlength: "200" } }),
    venue: field({ label: "Venue", name: "venue", attrs: { required: true, maxlength: "200" } }),
    startsAt: field({ label: "Starts at", name: "starts_at", type: "datetime-local", hint: "In your local time; stored in UTC.", attrs: { required: true } }),
    capacity: field({ label: "Capacity", name: "capacity", type: "number", hint: "Total number of seats.", attrs: { required: true, min: "1", step: "1", inputmode: "numeric" } }),
    price: field({ label: "Ticket price (USD)", name: "price", hint: "For example 25 or 19.50.", attrs: { required: true, inputmode: "decimal", autocomplete: "off" } }),
  };
  const submit = h("button", { type: "submit" }, "Create show");
  const form = h("form", { class: "stack", novalidate: true }, errors.el, Object.values(f).map((x) => x.wrapper), submit);

  function validate() {
    Object.values(f).forEach((x) => x.setError(""));
    const problems = [];
    const fail = (x, msg) => {
      x.setError(msg);
      problems.push(x);
    };
    const title = f.title.input.value.trim();
    const venue = f.venue.input.value.trim();
    const startsAt = localInputToUtcIso(f.startsAt.input.value);
    const capacity = Number(f.capacity.input.value);
    const price = parsePriceToCents(f.price.input.value);
    if (!title) fail(f.title, "Enter a title.");
    if (!venue) fail(f.venue, "Enter a venue.");
    if (!startsAt) fail(f.startsAt, "Enter a date and time.");
    else if (new Date(startsAt) < new Date()) fail(f.startsAt, "The show must start in the future.");
    if (!Number.isInteger(capacity) || capacity < 1) fail(f.capacity, "Enter a whole number of seats, at least 1.");
    if (Number.isNaN(price)) fail(f.price, "Enter a price like 25 or 19.50.");
    if (problems.length) {
      problems[0].input.focus();
      return null;
    }
    return { title, venue, starts_at: startsAt, capacity, price_cents: price };
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    const body = validate();
    if (!body) return;
    setBusy(submit, true, "Creating…");
    try {
      const show = await ctx.api.createShow(body);
      if (show?.id) showCache.set(show.id, show);
      ctx.navigate(show?.id ? `#/shows/${encodeURIComponent(show.id)}` : "#/shows", { status: `Created “${body.title}”.` });
    } catch (err) {
      if (handledElsewhere(err)) return;
      errors.show(err.message, err.errors || []);
      errors.el.focus();
    } finally {
      setBusy(submit, false);
    }
  });

  view.replaceChildren(h("section", { class: "card narrow" }, heading("Create a show"), form));
}

export function notFoundView(view) {
  view.replaceChildren(heading("Page not found"), h("p", {}, h("a", { href: "#/shows" }, "Go to the shows")));
}

export function fatalView(view, title, message) {
  view.replaceChildren(h("section", { class: "card narrow" }, heading(title), h("p", { class: "notice notice-error" }, message)));
}
