// A small element builder and the page's shared bits (notice line, error box, busy buttons).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function mount(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
  return parent;
}

export function notice(text, kind = "ok") {
  const el = document.getElementById("notice");
  el.className = kind;
  el.textContent = text;
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => { el.textContent = ""; el.className = ""; }, 6000);
}

export function errorBox(err) {
  return h("p", { class: "error", role: "alert" }, err.message || String(err));
}

// Run an action from a button: the button is busy meanwhile; a failure shows the API's words.
export async function act(button, work, done) {
  button.disabled = true;
  try {
    const result = await work();
    if (done) notice(done);
    return result;
  } catch (err) {
    notice(err.message || String(err), "bad");
    return undefined;
  } finally {
    button.disabled = false;
  }
}

export function field(label, input) {
  return h("label", { class: "field" }, h("span", {}, label), input);
}

export function table(headers, rows) {
  return h("div", { class: "scroll" },
    h("table", {}, h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows)));
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}
