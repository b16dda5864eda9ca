// 投诉: open tickets oldest first with the SLA time left (breached ones marked), and one
// ticket's detail with its history and the acknowledge / assign / note / resolve actions.
import { get, post } from "../api.js";
import { h, mount, act, field, table } from "../dom.js";
import { can } from "../session.js";
import { COMPLAINT_STATUS, SEVERITY, countdown, say, when } from "../labels.js";

const ACTIVE = ["open", "acknowledged", "reopened"];
const ACTIONS = { opened: "提交", ack: "受理", assign: "分配", note: "备注", resolve: "解决", close: "关闭",
  reopen: "重新打开", category: "改类别", notify: "通知", rating: "评价" };

export default async function complaints(root, [id]) {
  if (id) return detail(root, Number(id));
  const page = await get("/complaints?open=true&sort=created_at&limit=200");
  const open = page.items;
  const rows = open.map((c) => h("tr", { class: c.sla_breached ? "breached" : "", "data-complaint": c.number },
    h("td", {}, h("a", { href: `#/complaints/${c.id}` }, c.number)), h("td", {}, c.category),
    h("td", {}, say(SEVERITY, c.severity)), h("td", {}, say(COMPLAINT_STATUS, c.status)),
    h("td", {}, c.customer.display_name || "—"), h("td", { class: "phone" }, c.customer.phone || "—"),
    h("td", {}, c.sla_breached ? h("strong", { class: "late" }, "已超时 · ") : null, h("span", { "data-due": due(c) }, countdown(due(c)))),
    h("td", {}, when(c.created_at))));
  mount(root, h("h1", {}, "投诉待办"), h("p", { class: "muted" }, `未结 ${open.length}${page.next_cursor ? "+" : ""} 张，最早的在前。`),
    open.length ? table(["单号", "类别", "紧急程度", "状态", "客户", "手机", "SLA", "提交时间"], rows)
      : h("p", {}, "没有未结投诉，辛苦了！"));
  tick(root);
}

// the countdowns move on while the inbox stays open (until another page replaces it)
function tick(root) {
  const timer = setInterval(() => {
    const cells = root.querySelectorAll("[data-due]");
    if (!cells.length || !root.querySelector("tr[data-complaint]")) return clearInterval(timer);
    for (const el of cells) el.textContent = countdown(el.dataset.due);
  }, 30000);
}

const due = (c) => (c.first_response_at == null && c.first_response_due ? c.first_response_due : c.resolution_due);

async function detail(root, id) {
  const t = await get(`/complaints/${id}`);
  const redo = () => detail(root, id);
  mount(root, h("p", {}, h("a", { href: "#/complaints" }, "← 返回投诉待办")),
    h("h1", {}, `投诉 ${t.number}`),
    h("p", {}, h("span", { id: "complaint-status", class: `status ${t.status}` }, say(COMPLAINT_STATUS, t.status)),
      ` · ${t.category} · 紧急程度${say(SEVERITY, t.severity)} · 负责人 ${t.assignee || "未分配"} · `,
      t.sla_breached ? h("strong", { class: "late" }, "已超时 ") : null, ACTIVE.includes(t.status) ? countdown(due(t)) : ""),
    h("p", {}, "客户：", h("a", { href: `#/customers/${t.customer.id}` }, t.customer.display_name || `客户 ${t.customer.id}`),
      " ", h("span", { class: "phone" }, t.customer.phone || "")),
    t.resolution ? h("p", {}, `处理结果：${t.resolution}`) : null,
    can("complaints.handle") && t.status !== "closed" ? actions(t, redo) : null,
    h("section", { class: "card" }, h("h2", {}, "客户消息"),
      h("ol", { class: "timeline" }, t.messages.map((m) => h("li", { class: "msg in" }, h("span", { class: "meta" }, when(m.at)), h("span", { class: "text" }, m.text))))),
    h("section", { class: "card", id: "history" }, h("h2", {}, "处理记录"),
      table(["时间", "操作人", "动作", "状态", "备注"], t.history.map((x) => h("tr", {}, h("td", {}, when(x.at)), h("td", {}, x.actor),
        h("td", {}, say(ACTIONS, x.action)), h("td", {}, `${say(COMPLAINT_STATUS, x.from_status)} → ${say(COMPLAINT_STATUS, x.to_status)}`), h("td", {}, x.note || ""))))));
}

function textForm(id, [label, verb], path, key, done, redo) {
  const input = h(key === "assignee" ? "input" : "textarea", { id: `complaint-${path}`, required: true, maxlength: 2000, rows: 2 });
  const go = h("button", { type: "submit" }, verb);
  return h("form", { class: "bar", onsubmit: async (e) => { e.preventDefault();
    if (await act(go, () => post(`/complaints/${id}/${path}`, { [key]: input.value.trim() }), done)) redo(); } },
  field(label, input), go);
}

function actions(t, redo) {
  const ack = t.status === "open" || t.status === "reopened" ? h("button", { type: "button", class: "primary",
    onclick: async (e) => { if (await act(e.target, () => post(`/complaints/${t.id}/acknowledge`), "已受理")) redo(); } }, "受理") : null;
  return h("section", { class: "card actions" }, h("h2", {}, "处理"), ack,
    textForm(t.id, ["分配给（企微成员 ID）", "分配"], "assign", "assignee", "已分配", redo),
    textForm(t.id, ["备注", "添加备注"], "notes", "text", "备注已添加", redo),
    ACTIVE.includes(t.status) ? textForm(t.id, ["处理结果（将告知客户）", "解决"], "resolve", "resolution", "投诉已解决", redo) : null);
}
