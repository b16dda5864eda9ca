// 客户: search, then one customer's profile, timeline, tags, points and complaints.
import { get, post, api, query } from "../api.js";
import { h, mount, act, field, table, errorBox } from "../dom.js";
import { can } from "../session.js";
import { COMPLAINT_STATUS, DIRECTION, SENTIMENT, STAGES, CHANNELS, say, when } from "../labels.js";

export default async function customers(root, [id]) {
  if (id) return profile(root, Number(id));
  const q = h("input", { id: "customer-q", type: "search", value: sessionStorage.getItem("siyu.console.q") || "",
    placeholder: "姓名、手机号、标签或阶段（如 VIP、at_risk）" });
  const results = h("div", { id: "customer-results" });
  const form = h("form", { class: "bar", role: "search", onsubmit: (e) => { e.preventDefault(); search(results, q.value.trim()); } },
    field("搜索客户", q), h("button", { type: "submit" }, "搜索"));
  mount(root, h("h1", {}, "客户"), form, results);
  await search(results, q.value.trim());
}

async function search(results, q) {
  sessionStorage.setItem("siyu.console.q", q);
  const page = await get(`/customers${query({ q, limit: 50 })}`);
  const rows = page.items.map((c) => h("tr", {},
    h("td", {}, h("a", { href: `#/customers/${c.id}` }, c.display_name || `客户 ${c.id}`)),
    h("td", { class: "phone" }, c.phone || "—"), h("td", {}, c.city || "—"),
    h("td", {}, say(STAGES, c.lifecycle_stage)), h("td", { class: "num" }, c.points_balance),
    h("td", {}, when(c.last_active_at))));
  mount(results, page.items.length
    ? table(["客户", "手机", "城市", "阶段", "积分", "最近活跃"], rows)
    : h("p", { class: "muted" }, "没有找到客户。"));
}

async function profile(root, id) {
  const [p, timeline] = await Promise.all([get(`/customers/${id}`), get(`/customers/${id}/timeline?limit=50`)]);
  const tagsBox = h("section", { class: "card", id: "tags" });
  mount(root, h("p", {}, h("a", { href: "#/customers" }, "← 返回客户列表")),
    h("h1", {}, p.display_name || `客户 ${p.id}`), facts(p), tagsBox, points(p),
    complaintsOf(id), can("surveys.read") ? surveysOf(id) : null, timelineOf(timeline.items));
  drawTags(tagsBox, p.id, p.tags);
}

function facts(p) {
  const row = (k, v) => [h("dt", {}, k), h("dd", {}, v ?? "—")];
  return h("section", { class: "card" }, h("h2", {}, "资料"), h("dl", { class: "facts" },
    row("手机", h("span", { class: "phone" }, p.phone || "—")), row("真实姓名", p.real_name), row("城市", p.city),
    row("生日", p.birthday), row("阶段", say(STAGES, p.lifecycle_stage)), row("来源", say(CHANNELS, p.source_channel)),
    row("关注", p.subscribed ? "已关注" : "未关注"), row("营销消息", p.opted_out ? "已退订" : "接收"),
    row("订单", `${p.order_count} 笔，共 ${p.total_spent} 元`), row("RFM", p.rfm ? `R${p.rfm.r} F${p.rfm.f} M${p.rfm.m}` : "—"),
    row("最近活跃", when(p.last_active_at))));
}

function drawTags(box, id, tags) {
  const chips = tags.map((t) => h("li", { class: "chip" }, t, can("tags.write")
    ? h("button", { type: "button", "aria-label": `移除标签 ${t}`, onclick: (e) => untag(e.target, box, id, t) }, "×") : null));
  const input = h("input", { id: "new-tag", maxlength: 64, required: true, list: "tag-names" });
  const form = can("tags.write") ? h("form", { class: "bar", onsubmit: (e) => { e.preventDefault(); tag(e.submitter, box, id, input.value.trim()); } },
    field("添加标签", input), h("button", { type: "submit" }, "添加")) : null;
  mount(box, h("h2", {}, "标签"), h("ul", { class: "chips" }, chips.length ? chips : h("li", { class: "muted" }, "暂无标签")), form);
}

async function tag(button, box, id, name) {
  const r = await act(button, () => post(`/customers/${id}/tags`, { tag: name }), `已添加标签「${name}」`);
  if (r) drawTags(box, id, r.tags);
}

async function untag(button, box, id, name) {
  const found = await get(`/tags${query({ prefix: name, limit: 200 })}`);
  const t = found.items.find((x) => x.name === name);
  const r = t && await act(button, () => api("DELETE", `/customers/${id}/tags/${t.id}`), `已移除标签「${name}」`);
  if (r) drawTags(box, id, r.tags);
}

function points(p) {
  const balance = h("strong", { id: "points-balance" }, p.points_balance);
  const amount = h("input", { id: "points-amount", type: "number", step: 1, required: true });
  const reason = h("input", { id: "points-reason", maxlength: 200, required: true });
  const form = can("points.adjust") ? h("form", { class: "bar", onsubmit: (e) => adjust(e, p.id, amount, reason, balance) },
    field("调整积分（负数为扣减）", amount), field("原因", reason), h("button", { type: "submit" }, "提交调整")) : null;
  const ledger = h("div", { id: "ledger" });
  drawLedger(ledger, p.id);
  return h("section", { class: "card" }, h("h2", {}, "积分"), h("p", {}, "当前余额：", balance), form, ledger);
}

const POINTS_KIND = { earn: "获得", redeem: "兑换", expire: "过期", adjust: "调整" };

async function drawLedger(box, id) {
  try {
    const page = await get(`/customers/${id}/ledger?limit=20`);
    const rows = page.items.map((e) => h("tr", {}, h("td", {}, when(e.created_at)), h("td", {}, say(POINTS_KIND, e.kind)),
      h("td", { class: "num" }, e.amount > 0 ? `+${e.amount}` : e.amount), h("td", { class: "num" }, e.kind === "earn" || e.amount > 0 ? e.remaining : ""),
      h("td", {}, when(e.expires_at)), h("td", {}, e.note || "")));
    mount(box, h("h3", {}, "积分明细（最近 20 条）"), rows.length
      ? table(["时间", "类型", "变动", "剩余可用", "到期", "说明"], rows) : h("p", { class: "muted" }, "还没有积分记录。"));
  } catch (err) {
    mount(box, errorBox(err));
  }
}

const RESPONSE_STATUS = { invited: "已邀请", in_progress: "答题中", completed: "已完成", abandoned: "已放弃", expired: "已过期" };

function surveysOf(id) {
  const box = h("section", { class: "card", id: "surveys" }, h("h2", {}, "问卷"), h("p", { class: "muted" }, "正在加载…"));
  get(`/customers/${id}/survey-answers?limit=10`).then((page) => mount(box, h("h2", {}, "问卷"),
    page.items.length ? page.items.map(responseView) : h("p", { class: "muted" }, "没有收到过问卷。")))
    .catch((err) => mount(box, h("h2", {}, "问卷"), errorBox(err)));
  return box;
}

function responseView(r) {
  const answer = (a) => (a.skipped ? "（跳过）" : a.number ?? a.text ?? (a.choices || []).join("、"));
  return h("div", { class: "response" }, h("h3", {}, `${r.survey} · ${say(RESPONSE_STATUS, r.status)} · ${when(r.invited_at)}`),
    r.answers.length ? h("ol", {}, r.answers.map((a) => h("li", {}, `${a.question}：`, h("strong", {}, String(answer(a))))))
      : h("p", { class: "muted" }, "尚未作答。"));
}

async function adjust(event, id, amount, reason, balance) {
  event.preventDefault();
  const ref = `console-${id}-${Date.now()}`;  // a double submit adjusts once
  const body = { amount: Number(amount.value), reason: reason.value.trim(), reference: ref };
  const r = await act(event.submitter, () => post(`/customers/${id}/points`, body), "积分已调整");
  if (r) { balance.textContent = r.balance; amount.value = ""; reason.value = ""; drawLedger(document.getElementById("ledger"), id); }
}

function complaintsOf(id) {
  const box = h("section", { class: "card" }, h("h2", {}, "投诉"), h("p", { class: "muted" }, "正在加载…"));
  get(`/complaints?customer_id=${id}&limit=100`).then((page) => {
    const mine = page.items;
    const rows = mine.map((c) => h("tr", {}, h("td", {}, h("a", { href: `#/complaints/${c.id}` }, c.number)),
      h("td", {}, say(COMPLAINT_STATUS, c.status)), h("td", {}, c.summary || ""), h("td", {}, when(c.created_at))));
    mount(box, h("h2", {}, "投诉"), mine.length ? table(["单号", "状态", "内容", "时间"], rows) : h("p", { class: "muted" }, "没有投诉。"));
  }).catch((err) => mount(box, h("h2", {}, "投诉"), errorBox(err)));
  return box;
}

function timelineOf(items) {
  const rows = items.map((m) => h("li", { class: `msg ${m.direction}` },
    h("span", { class: "meta" }, `${say(DIRECTION, m.direction)} · ${when(m.at)} · ${say(CHANNELS, m.channel)}`),
    h("span", { class: "text" }, m.content || `（${m.kind}）`),
    m.sentiment_label ? h("span", { class: `badge ${m.sentiment_label}` }, say(SENTIMENT, m.sentiment_label)) : null,
    m.intent ? h("span", { class: "badge" }, `意图：${m.intent}`) : null));
  return h("section", { class: "card", id: "timeline" }, h("h2", {}, "互动记录"),
    rows.length ? h("ol", { class: "timeline" }, rows) : h("p", { class: "muted" }, "暂无互动。"));
}
