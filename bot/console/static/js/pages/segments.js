// 分群: the list, and the builder (all / any / not groups of conditions) with a live count
// and a masked preview of the rule as it is being edited; errors sit at the condition named.
import { api, get, post } from "../api.js";
import { h, mount, act, field, table, debounce, errorBox } from "../dom.js";
import { can } from "../session.js";
import { FIELDS, FLAGS, STAGES, newCondition, toRule, toTree } from "../rules.js";
import { say } from "../labels.js";

const GROUPS = { all: "满足全部", any: "满足任一", not: "不满足" };

export default async function segments(root, [id]) {
  if (id) return builder(root, id === "new" ? null : await get(`/segments/${id}`));
  const page = await get("/segments?limit=200");
  const rows = page.items.map((s) => h("tr", {}, h("td", {}, h("a", { href: `#/segments/${s.id}` }, s.name)),
    h("td", {}, s.kind === "static" ? "静态" : "动态"), h("td", {}, s.description || "")));
  mount(root, h("div", { class: "bar" }, h("h1", {}, "分群"),
    can("segments.write") ? h("a", { class: "button primary", href: "#/segments/new" }, "新建分群") : null),
  page.items.length ? table(["名称", "类型", "说明"], rows) : h("p", { class: "muted" }, "还没有分群。"));
}

async function builder(root, segment) {
  const tags = await get("/tags?limit=200").then((p) => p.items.map((t) => t.name)).catch(() => []);
  const state = { tree: toTree(segment ? segment.rule : { field: "subscribed", op: "eq", value: true }) };
  const name = h("input", { id: "segment-name", value: segment ? segment.name : "", maxlength: 64, required: true });
  const form = h("div", { id: "rule", class: "rule" });
  const live = h("section", { class: "card", id: "live", "aria-live": "polite" }, h("h2", {}, "正在计算符合人数…"));
  const refresh = debounce(() => check(state, form, live), 400);
  const redraw = () => { mount(form, group(state.tree, "rule", redraw, refresh, null)); refresh(); };
  const save = can("segments.write") ? h("button", { type: "button", class: "primary", id: "save-segment",
    onclick: (e) => store(e.target, segment, name.value.trim(), state, form) }, "保存分群") : null;
  mount(root, h("p", {}, h("a", { href: "#/segments" }, "← 返回分群列表")),
    h("h1", {}, segment ? `分群：${segment.name}` : "新建分群"), field("名称", name),
    h("datalist", { id: "tag-names" }, tags.map((t) => h("option", { value: t }))), form, live, save);
  redraw();
}

async function check(state, form, live) {
  clearErrors(form);
  try {
    const r = await post("/segments/preview", { rule: toRule(state.tree), limit: 10 });
    mount(live, h("h2", {}, "当前符合：", h("strong", { id: "live-count" }, r.count), " 人"), previewTable(r.items));
  } catch (err) {
    mount(live, h("h2", {}, "当前符合：", h("strong", { id: "live-count" }, "—")), errorBox(err));
    showErrors(form, err);
  }
}

function previewTable(items) {
  return table(["客户", "手机", "城市", "阶段", "积分"], items.map((c) => h("tr", {},
    h("td", {}, c.display_name || `客户 ${c.id}`), h("td", { class: "phone" }, c.phone || "—"),
    h("td", {}, c.city || "—"), h("td", {}, say(STAGES, c.lifecycle_stage)), h("td", { class: "num" }, c.points_balance))));
}

function clearErrors(form) {
  for (const el of form.querySelectorAll(".cond-error")) el.remove();
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

// each problem goes to the deepest condition or group whose path starts its field
function showErrors(form, err) {
  const nodes = [...form.querySelectorAll("[data-path]")];
  for (const d of err.details || []) {
    const f = String(d.field || "").replace(/^body\./, "");
    const at = nodes.filter((n) => f === n.dataset.path || f.startsWith(`${n.dataset.path}.`) || f.startsWith(`${n.dataset.path}[`))
      .sort((a, b) => b.dataset.path.length - a.dataset.path.length)[0];
    if (!at) continue;
    at.setAttribute("aria-invalid", "true");
    at.append(h("p", { class: "cond-error error", role: "alert" }, d.message));
  }
}

async function store(button, segment, name, state, form) {
  const rule = toRule(state.tree);
  const saved = await act(button, () => (segment
    ? api("PATCH", `/segments/${segment.id}`, { name, rule }) : post("/segments", { name, rule })), "分群已保存");
  if (saved && !segment) location.hash = `#/segments/${saved.id}`;
  if (!saved) check(state, form, document.getElementById("live"));
}

function group(node, path, redraw, refresh, remove) {
  const kind = h("select", { "aria-label": "组合方式", onchange: (e) => { regroup(node, e.target.value); redraw(); } },
    Object.entries(GROUPS).map(([k, t]) => h("option", { value: k, selected: k === node.kind }, t)));
  const key = node.kind === "not" ? "not" : node.kind;
  const children = node.items.map((child, i) => {
    const at = node.kind === "not" ? `${path}.not` : `${path}.${key}[${i}]`;
    const drop = node.items.length > 1 ? () => { node.items.splice(i, 1); redraw(); } : null;
    return child.kind ? group(child, at, redraw, refresh, drop) : condition(child, at, redraw, refresh, drop);
  });
  const add = node.kind === "not" ? [] : [
    h("button", { type: "button", onclick: () => { node.items.push(newCondition()); redraw(); } }, "＋ 条件"),
    h("button", { type: "button", onclick: () => { node.items.push({ kind: "all", items: [newCondition()] }); redraw(); } }, "＋ 条件组")];
  return h("fieldset", { class: `group ${node.kind}`, "data-path": path },
    h("legend", {}, kind, remove ? h("button", { type: "button", class: "link", onclick: remove }, "删除此组") : null),
    children, h("div", { class: "bar" }, add));
}

function regroup(node, kind) {
  if (kind === "not") node.items = [node.items.length === 1 ? node.items[0] : { kind: node.kind, items: node.items }];
  node.kind = kind;
}

function condition(c, path, redraw, refresh, remove) {
  const fieldPick = h("select", { "aria-label": "条件字段", onchange: (e) => { retype(c, e.target.value); redraw(); } },
    Object.entries(FIELDS).map(([k, f]) => h("option", { value: k, selected: k === c.field }, f.label)));
  const f = FIELDS[c.field];
  const op = f.ops ? h("select", { "aria-label": "比较方式", onchange: (e) => { c.op = e.target.value; redraw(); } },
    Object.entries(f.ops).map(([k, t]) => h("option", { value: k, selected: k === c.op }, t))) : null;
  return h("div", { class: "cond", "data-path": path }, fieldPick, op, inputs(c, refresh),
    remove ? h("button", { type: "button", class: "link", "aria-label": "删除条件", onclick: remove }, "删除") : null);
}

function retype(c, fieldName) {
  for (const k of Object.keys(c)) delete c[k];
  Object.assign(c, newCondition(fieldName));
}

function bound(c, key, { tag = "input", options: opts = [], ...attrs }, refresh) {
  const el = h(tag, { ...attrs, value: tag === "select" ? null : c[key] ?? "" }, opts);
  el.addEventListener("input", () => { c[key] = el.value; refresh(); });
  if (el.tagName === "SELECT") el.value = c[key] ?? "";
  return el;
}

// several values (in / not_in): one checkbox each, kept as the form's comma list
function checks(c, map, refresh) {
  const chosen = new Set(String(c.value || "").split(",").filter(Boolean));
  const box = (k, t) => h("label", { class: "check" }, h("input", { type: "checkbox", value: k, checked: chosen.has(k),
    onchange: (e) => { if (e.target.checked) chosen.add(k); else chosen.delete(k); c.value = [...chosen].join(","); refresh(); } }), t);
  return h("span", { class: "checks", role: "group", "aria-label": "可多选" }, Object.entries(map).map(([k, t]) => box(k, t)));
}

function options(map) {
  return Object.entries(map).map(([k, t]) => h("option", { value: k }, t));
}

function inputs(c, refresh) {
  const many = c.op === "in" || c.op === "not_in";
  const v = (attrs) => bound(c, "value", attrs, refresh);
  switch (FIELDS[c.field].input) {
    case "tag": return v({ list: "tag-names", "aria-label": "标签名", placeholder: "标签名" });
    case "stage": return many ? checks(c, STAGES, refresh)
      : v({ tag: "select", "aria-label": "阶段", options: options(STAGES) });
    case "choice": return many ? checks(c, FIELDS[c.field].choices, refresh)
      : v({ tag: "select", "aria-label": "取值", options: [h("option", { value: "" }, "请选择"), ...options(FIELDS[c.field].choices)] });
    case "text": return v({ "aria-label": many ? "城市（逗号分隔）" : "城市", placeholder: many ? "上海,北京" : "上海" });
    case "score": return c.op === "between" ? v({ "aria-label": "分数范围", placeholder: "如 3,5" })
      : v({ type: "number", min: 1, max: 10, "aria-label": "分数" });
    case "number": return v({ type: "number", min: 0, step: "any", "aria-label": "数值" });
    case "flag": return v({ tag: "select", "aria-label": "是否", options: options(FLAGS) });
    case "active": return c.op.endsWith("within_days") ? [v({ type: "number", min: 0, max: 3650, "aria-label": "天数" }), " 天"]
      : v({ type: "datetime-local", "aria-label": "时间" });
    case "birthday": return c.op === "today" ? null : c.op === "month"
      ? v({ tag: "select", "aria-label": "月份", options: [h("option", { value: "" }, "请选择"), ...Array.from({ length: 12 }, (_, i) => h("option", { value: i + 1 }, `${i + 1} 月`))] })
      : [v({ type: "number", min: 0, max: 366, "aria-label": "天数" }), " 天内"];
    case "attribute": return [bound(c, "key", { "aria-label": "属性名", placeholder: "属性名" }, refresh),
      c.op === "exists" || c.op === "missing" ? null : v({ "aria-label": "属性值", placeholder: "值" })];
    case "negative": return ["近 ", bound(c, "days", { type: "number", min: 1, "aria-label": "天数" }, refresh),
      " 天内至少 ", bound(c, "min_count", { type: "number", min: 1, "aria-label": "条数" }, refresh), " 条"];
    case "complaints": return ["至少 ", bound(c, "min_count", { type: "number", min: 1, "aria-label": "张数" }, refresh), " 张"];
    default: return null;
  }
}
