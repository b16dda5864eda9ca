// The console's shell: sign-in, the navigation, and a hash router (#/page/id) over the pages.
import { h, mount, errorBox } from "./dom.js";
import { ROLES } from "./labels.js";
import * as session from "./session.js";
import dashboard from "./pages/dashboard.js";
import customers from "./pages/customers.js";
import segments from "./pages/segments.js";
import campaigns from "./pages/campaigns.js";
import complaints from "./pages/complaints.js";

const PAGES = { dashboard, customers, segments, campaigns, complaints };
const view = () => document.getElementById("view");

function signInForm(problem) {
  const secret = h("input", { id: "token", type: "password", autocomplete: "off", required: true });
  const form = h("form", { class: "card signin", onsubmit: (e) => submit(e, secret.value.trim()) },
    h("h1", {}, "登录运营台"),
    h("p", {}, "请输入管理员发放的 API 令牌（仅保存在本标签页，关闭即忘记）。"),
    h("label", { for: "token" }, "API 令牌"), secret,
    problem ? errorBox(problem) : null,
    h("button", { type: "submit", class: "primary" }, "登录"));
  mount(view(), form);
  secret.focus();
}

async function submit(event, secret) {
  event.preventDefault();
  try {
    await session.signIn(secret);
    if (!location.hash || location.hash === "#/") location.hash = "#/dashboard";
    await route();
  } catch (err) {
    signInForm(err);
  }
}

function chrome(me) {
  document.getElementById("nav").hidden = !me;
  document.getElementById("signout").hidden = !me;
  document.getElementById("who").textContent = me ? `${me.name || "令牌"}（${ROLES[me.role] || me.role}）` : "";
  for (const a of document.querySelectorAll("#nav a")) {
    a.toggleAttribute("aria-current", location.hash.startsWith(a.getAttribute("href")));
  }
}

async function route() {
  const me = session.current();
  chrome(me);
  if (!me) return signInForm();
  const [, name = "dashboard", ...rest] = (location.hash || "#/dashboard").slice(1).split("/");
  const page = PAGES[name] || dashboard;
  mount(view(), h("p", { class: "muted" }, "正在加载…"));
  try {
    await page(view(), rest.map(decodeURIComponent));
    if (!view().contains(document.activeElement)) view().focus();  // keyboard users start here
  } catch (err) {
    if (err.status !== 401) mount(view(), errorBox(err));  // 401: the sign-in form is up
  }
}

document.getElementById("signout").addEventListener("click", () => {
  session.signOut();
  location.hash = "";
  route();
});
// a token revoked or expired mid-session: back to the sign-in form, saying why
window.addEventListener("siyu:signed-out", () => {
  if (!session.current()) return;
  session.signOut();
  chrome(null);
  signInForm(new Error("登录已失效（令牌已撤销或过期），请重新登录。"));
});
window.addEventListener("hashchange", route);
session.resume().then(route);
