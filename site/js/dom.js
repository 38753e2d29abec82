// Tiny element builder. Everything goes through textContent/attributes, never
// innerHTML, so API data can't inject markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "for") {
      el.htmlFor = value;
    } else if (key === "value") {
      el.value = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

// A screen's title; focusable so route changes can move focus to it.
export function heading(text) {
  return h("h1", { tabindex: "-1" }, text);
}

let idCounter = 0;
export function uid(prefix = "f") {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

// A labelled form control with hint and an error slot wired up via
// aria-describedby, so screen readers read all three together.
export function field({ label, name, type = "text", hint, attrs = {}, control }) {
  const id = uid(name);
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const input =
    control ||
    h("input", { id, name, type, "aria-describedby": [hintId, errorId].filter(Boolean).join(" "), ...attrs });
  if (control) {
    input.id = id;
    input.name = name;
    input.setAttribute("aria-describedby", [hintId, errorId].filter(Boolean).join(" "));
  }
  const error = h("p", { id: errorId, class: "field-error" });
  const wrapper = h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    hint ? h("p", { id: hintId, class: "hint" }, hint) : null,
    input,
    error,
  );
  return { wrapper, input, setError(msg) {
    error.textContent = msg || "";
    if (msg) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  } };
}

// Form-level error box; role="alert" makes insertion of text announced.
export function errorBox() {
  const box = h("div", { class: "form-error", role: "alert", tabindex: "-1" });
  return {
    el: box,
    show(message, details = []) {
      box.replaceChildren(h("p", {}, message));
      if (details.length) box.append(h("ul", {}, details.map((d) => h("li", {}, d))));
    },
    clear() {
      box.replaceChildren();
    },
  };
}

export function setBusy(button, busy, busyLabel) {
  if (busy) {
    button.dataset.label = button.textContent;
    button.textContent = busyLabel;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
  } else {
    button.textContent = button.dataset.label || button.textContent;
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}
