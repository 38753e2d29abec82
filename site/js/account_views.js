// The screens of a signed-out visitor: sign in (and its follow-up challenges),
// and, where the pool allows people to sign themselves up, create an account
// and confirm it with the code the pool sends.

import { h, heading, field, errorBox, setBusy } from "./dom.js";
import { humanizeKey } from "./format.js";

const PASSWORD_HINT = "At least 8 characters, with upper- and lower-case letters, a digit and a symbol.";

function card(title, intro, ...content) {
  return h("section", { class: "card narrow" }, heading(title), intro, ...content);
}

// ---------------------------------------------------------------- sign in

export function signInView(view, ctx, { message, returnTo } = {}) {
  const done = (result) => {
    ctx.navigate(returnTo && returnTo !== "#/sign-in" ? returnTo : "#/shows", {
      status: `Signed in as ${result.user?.displayName || "you"}.`,
    });
  };

  const errors = errorBox();
  const user = field({ label: "Username or email", name: "username", attrs: { autocomplete: "username", required: true, autocapitalize: "none", spellcheck: "false", value: ctx.query.get("email") || undefined } });
  const pass = field({ label: "Password", name: "password", type: "password", attrs: { autocomplete: "current-password", required: true } });
  const submit = h("button", { type: "submit" }, "Sign in");
  const form = h("form", { class: "stack", "aria-labelledby": "signin-title" }, errors.el, user.wrapper, pass.wrapper, submit);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    ctx.status("");
    if (!form.reportValidity()) return;
    setBusy(submit, true, "Signing in…");
    const username = user.input.value.trim();
    try {
      const result = await ctx.auth.signIn(username, pass.input.value);
      if (result.done) return done(result);
      challengeView(view, ctx, result.challenge, done);
    } catch (err) {
      if (err.type === "UserNotConfirmedException" && ctx.selfSignUp) {
        return ctx.navigate(`#/confirm?email=${encodeURIComponent(username)}`, { status: "Confirm your account first." });
      }
      errors.show(err.message);
      pass.input.value = "";
      pass.input.focus();
    } finally {
      setBusy(submit, false);
    }
  });

  view.replaceChildren(
    h(
      "section",
      { class: "card narrow" },
      h("h1", { id: "signin-title", tabindex: "-1" }, "Sign in"),
      message ? h("p", { class: "notice" }, message) : h("p", { class: "lead" }, "Sign in to browse shows and buy tickets."),
      form,
      ctx.selfSignUp ? h("p", { class: "aside" }, "New here? ", h("a", { href: "#/sign-up" }, "Create an account")) : null,
    ),
  );
}

function challengeView(view, ctx, challenge, done) {
  const errors = errorBox();
  const submit = h("button", { type: "submit" }, "Continue");
  const cancel = h("button", { type: "button", class: "secondary", onclick: () => {
    ctx.auth.cancelChallenge();
    signInView(view, ctx);
    view.querySelector("h1")?.focus();
  } }, "Cancel");
  let title;
  let intro;
  let fields;
  let collect;

  if (challenge.name === "NEW_PASSWORD_REQUIRED") {
    title = "Choose a new password";
    intro = "Your account requires a new password before you can continue.";
    const pw = field({ label: "New password", name: "new-password", type: "password", attrs: { autocomplete: "new-password", required: true } });
    const pw2 = field({ label: "Repeat new password", name: "new-password-2", type: "password", attrs: { autocomplete: "new-password", required: true } });
    const attrs = challenge.requiredAttributes.map((a) => ({ name: a, f: field({ label: humanizeKey(a), name: `attr-${a}`, attrs: { required: true, autocomplete: a === "email" ? "email" : a === "name" ? "name" : undefined } }) }));
    fields = [pw.wrapper, pw2.wrapper, ...attrs.map((a) => a.f.wrapper)];
    collect = () => {
      pw2.setError("");
      if (pw.input.value !== pw2.input.value) {
        pw2.setError("The passwords do not match.");
        pw2.input.focus();
        return null;
      }
      return { newPassword: pw.input.value, attributes: Object.fromEntries(attrs.map((a) => [a.name, a.f.input.value.trim()])) };
    };
  } else {
    const sms = challenge.name === "SMS_MFA";
    title = "Enter your verification code";
    intro = sms
      ? `We sent a code by text message${challenge.destination ? ` to ${challenge.destination}` : ""}.`
      : "Enter the code from your authenticator app.";
    const code = field({ label: "Verification code", name: "code", attrs: { autocomplete: "one-time-code", inputmode: "numeric", pattern: "[0-9]{6}", maxlength: "6", required: true } });
    fields = [code.wrapper];
    collect = () => ({ code: code.input.value.trim() });
  }

  const form = h("form", { class: "stack" }, errors.el, ...fields, h("div", { class: "actions" }, submit, cancel));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    if (!form.reportValidity()) return;
    const answers = collect();
    if (!answers) return;
    setBusy(submit, true, "Checking…");
    try {
      const result = await ctx.auth.answerChallenge(answers);
      if (result.done) return done(result);
      challengeView(view, ctx, result.challenge, done);
    } catch (err) {
      errors.show(err.message);
      errors.el.focus();
    } finally {
      setBusy(submit, false);
    }
  });

  view.replaceChildren(card(title, h("p", { class: "lead" }, intro), form));
  view.querySelector("h1").focus();
}

// ---------------------------------------------------------------- create an account

export function signUpView(view, ctx) {
  const errors = errorBox();
  const email = field({ label: "Email", name: "email", type: "email", attrs: { autocomplete: "email", required: true, autocapitalize: "none", spellcheck: "false" } });
  const pw = field({ label: "Password", name: "new-password", type: "password", hint: PASSWORD_HINT, attrs: { autocomplete: "new-password", required: true, minlength: "8" } });
  const pw2 = field({ label: "Repeat password", name: "new-password-2", type: "password", attrs: { autocomplete: "new-password", required: true } });
  const submit = h("button", { type: "submit" }, "Create account");
  const form = h("form", { class: "stack" }, errors.el, email.wrapper, pw.wrapper, pw2.wrapper, submit);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    pw2.setError("");
    if (!form.reportValidity()) return;
    if (pw.input.value !== pw2.input.value) {
      pw2.setError("The passwords do not match.");
      pw2.input.focus();
      return;
    }
    const address = email.input.value.trim();
    setBusy(submit, true, "Creating…");
    try {
      const result = await ctx.auth.signUp(address, pw.input.value);
      const query = `?email=${encodeURIComponent(address)}`;
      if (result.confirmed) return ctx.navigate(`#/sign-in${query}`, { status: "Your account is ready. Please sign in." });
      ctx.navigate(`#/confirm${query}`, { status: `We sent a confirmation code to ${result.destination || address}.` });
    } catch (err) {
      errors.show(err.message);
      errors.el.focus();
    } finally {
      setBusy(submit, false);
    }
  });

  view.replaceChildren(
    card("Create an account", h("p", { class: "lead" }, "We will email you a code to confirm the address."), form,
      h("p", { class: "aside" }, "Already have an account? ", h("a", { href: "#/sign-in" }, "Sign in"))),
  );
}

export function confirmView(view, ctx) {
  const errors = errorBox();
  const email = field({ label: "Email", name: "email", type: "email", attrs: { autocomplete: "email", required: true, autocapitalize: "none", spellcheck: "false", value: ctx.query.get("email") || undefined } });
  const code = field({ label: "Confirmation code", name: "code", hint: "The 6-digit code from the email.", attrs: { autocomplete: "one-time-code", inputmode: "numeric", pattern: "[0-9]{6}", maxlength: "6", required: true } });
  const submit = h("button", { type: "submit" }, "Confirm account");
  const resend = h("button", { type: "button", class: "secondary" }, "Send a new code");
  const form = h("form", { class: "stack" }, errors.el, email.wrapper, code.wrapper, h("div", { class: "actions" }, submit, resend));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    if (!form.reportValidity()) return;
    const address = email.input.value.trim();
    setBusy(submit, true, "Confirming…");
    try {
      await ctx.auth.confirmSignUp(address, code.input.value.trim());
      ctx.navigate(`#/sign-in?email=${encodeURIComponent(address)}`, { status: "Your account is confirmed. Please sign in." });
    } catch (err) {
      errors.show(err.type === "ExpiredCodeException" ? "That code has expired. Send a new code." : err.message);
      code.input.focus();
    } finally {
      setBusy(submit, false);
    }
  });

  resend.addEventListener("click", async () => {
    errors.clear();
    if (!email.input.reportValidity()) return;
    setBusy(resend, true, "Sending…");
    try {
      const destination = await ctx.auth.resendCode(email.input.value.trim());
      ctx.status(`We sent a new code to ${destination || email.input.value.trim()}.`);
      code.input.value = "";
      code.input.focus();
    } catch (err) {
      errors.show(err.message);
      errors.el.focus();
    } finally {
      setBusy(resend, false);
    }
  });

  view.replaceChildren(card("Confirm your account", h("p", { class: "lead" }, "Enter the code we emailed you."), form));
}
