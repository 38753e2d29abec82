// Boot, hash routing, header state and the shared status/alert regions.

import { loadConfig } from "./config.js";
import { createAuth } from "./auth.js";
import { createApi } from "./api.js";
import * as views from "./views.js";
import * as accountViews from "./account_views.js";

const $ = (sel) => document.querySelector(sel);
const main = $("#main");
const statusRegion = $("#status");
const alertRegion = $("#alert");

let auth;
let api;
let config;
let firstRender = true;
let signInMessage = null;
let pendingStatus = null;

function status(message) {
  // Clearing first makes screen readers re-announce a repeated message.
  statusRegion.textContent = "";
  requestAnimationFrame(() => {
    statusRegion.textContent = message;
  });
}

function alert(message) {
  alertRegion.textContent = message || "";
}

// `status` is announced on the destination page (the route change clears
// the region first).
function navigate(hash, { force = false, status: message } = {}) {
  pendingStatus = message || null;
  if (force || location.hash === hash) route();
  else location.hash = hash;
}

function updateHeader(user) {
  $("#nav").hidden = !user;
  $("#account").hidden = !user;
  $("#user-name").textContent = user ? user.displayName : "";
  for (const el of document.querySelectorAll("[data-admin]")) el.hidden = !user?.isAdmin;
  const current = (location.hash || "#/shows").split("?")[0];
  for (const a of document.querySelectorAll("#nav a")) {
    const href = a.getAttribute("href");
    const active = current === href || (href === "#/shows" && current.startsWith("#/shows/"));
    if (active) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

// The screens of a signed-out visitor, besides sign-in (only where people may sign up).
const ACCOUNT_SCREENS = { "sign-up": accountViews.signUpView, confirm: accountViews.confirmView };

function sessionEnded(message) {
  // Parallel requests can all fail with 401; react only once.
  if (!auth.user() && location.hash.startsWith("#/sign-in")) return;
  auth.signOut();
  signInMessage = message;
  const here = location.hash;
  if (!here.startsWith("#/sign-in")) {
    sessionStorage.setItem("multitier.returnTo", here);
    location.hash = "#/sign-in";
  } else {
    route();
  }
}

async function route() {
  const hash = location.hash || "#/shows";
  // In-page anchors such as the skip link are not routes.
  if (!hash.startsWith("#/")) return;
  const [path, queryString = ""] = hash.slice(1).split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const user = auth.user();
  alert("");
  statusRegion.textContent = "";
  if (pendingStatus) status(pendingStatus);
  pendingStatus = null;
  updateHeader(user);

  const view = document.createElement("div");
  view.className = "view";
  main.replaceChildren(view);
  const selfSignUp = config.auth.selfSignUp;
  const ctx = { api, auth, user, navigate, status, alert, selfSignUp, query: new URLSearchParams(queryString) };
  const accountScreen = Object.hasOwn(ACCOUNT_SCREENS, parts[0]) ? ACCOUNT_SCREENS[parts[0]] : null;
  const signedOutScreen = parts[0] === "sign-in" || accountScreen !== null;

  let rendering;
  if (user && signedOutScreen) {
    return navigate("#/shows");
  } else if (accountScreen && selfSignUp) {
    rendering = accountScreen(view, ctx);
  } else if (!user || signedOutScreen) {
    const returnTo = signedOutScreen ? sessionStorage.getItem("multitier.returnTo") : hash;
    if (!signedOutScreen) sessionStorage.setItem("multitier.returnTo", hash);
    rendering = accountViews.signInView(view, ctx, { message: signInMessage, returnTo: returnTo || "#/shows" });
    signInMessage = null;
  } else if (parts[0] === "shows" && parts.length === 1) {
    rendering = views.showsView(view, ctx);
  } else if (parts[0] === "shows" && parts.length === 2) {
    rendering = views.showDetailView(view, ctx, parts[1]);
  } else if (parts[0] === "tickets") {
    rendering = views.ticketsView(view, ctx);
  } else if (parts[0] === "venue") {
    rendering = views.venueView(view, ctx);
  } else if (parts[0] === "admin" && parts[1] === "new-show") {
    rendering = views.newShowView(view, ctx);
  } else {
    rendering = views.notFoundView(view);
  }
  const initial = firstRender;
  firstRender = false;
  await rendering;
  // The user may have navigated on while this view was loading.
  if (!view.isConnected) return;

  const titleText = view.querySelector("h1")?.textContent;
  document.title = titleText ? `${titleText} · Tickets` : "Tickets";
  // Move focus to the new heading so keyboard and screen-reader users land
  // at the start of the new content; skip on first load to keep the
  // browser's natural starting point.
  if (!initial) (view.querySelector("h1") || main).focus();
}

async function start() {
  $("#skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    main.focus();
  });
  try {
    config = await loadConfig();
  } catch (err) {
    const view = document.createElement("div");
    main.replaceChildren(view);
    views.fatalView(view, "The app could not start", err.message);
    return;
  }
  const meta = [config.stack && `Stack: ${config.stack}`, config.pattern && `Pattern: ${config.pattern.replace(/_/g, " ")}`].filter(Boolean);
  $("#footer-meta").textContent = meta.join(" · ");

  auth = createAuth({ config, onChange: updateHeader });
  api = createApi({ apiUrl: config.apiUrl, getIdToken: () => auth.getIdToken(), onUnauthorized: sessionEnded });

  $("#sign-out").addEventListener("click", async () => {
    await auth.signOut();
    sessionStorage.removeItem("multitier.returnTo");
    signInMessage = "You have signed out.";
    navigate("#/sign-in", { force: location.hash === "#/sign-in", status: "You have signed out." });
  });
  window.addEventListener("hashchange", route);
  route();
}

start();
