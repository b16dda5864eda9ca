// 活动: the list; one campaign's runs and their stats as a chart; dry run; pause / resume /
// run now; create and edit (the campaign file as JSON) with a template preview.
import { api, get, post } from "../api.js";
import { h, mount, act, field, table, errorBox, notice } from "../dom.js";
import { can } from "../session.js";
import { barChart } from "../charts.js";
import { CAMPAIGN_KIND, CAMPAIGN_STATUS, CHANNELS, DELIVERY_STATUS, SKIP_REASONS, say, when } from "../labels.js";

const RUN_STATUS = { enqueuing: "生成名单中", sending: "发送中", done: "已完成" };
const NEW_SPEC = { name: "新活动", kind: "custom", segment: { field: "subscribed", op: "eq", value: true },
  text: "{{ customer.display_name }}，您好！", schedule: { at: "2030-01-01T10:00" }, status: "draft" };

export default async function campaigns(root, [id, sub]) {
  if (id === "new") return editor(root, null);
  if (id && sub === "edit") return editor(root, await get(`/campaigns/${id}`));
  if (id) return detail(root, Number(id));
  const [page, plan] = await Promise.all([get("/campaigns?limit=200"), get("/schedule?limit=200")]);
  const next = new Map(plan.items.map((p) => [p.campaign_id, p.next_run]));
  const rows = page.items.map((c) => h("tr", { "data-campaign": c.id }, h("td", {}, h("a", { href: `#/campaigns/${c.id}` }, c.name)),
    h("td", {}, say(CAMPAIGN_KIND, c.kind)), h("td", {}, h("span", { class: `status ${c.status}` }, say(CAMPAIGN_STATUS, c.status))),
    h("td", {}, schedule(c)), h("td", { class: "next-run" }, when(next.get(c.id)))));
  mount(root, h("div", { class: "bar" }, h("h1", {}, "活动"),
    can("campaigns.write") ? h("a", { class: "button primary", href: "#/campaigns/new" }, "新建活动") : null),
  table(["名称", "类型", "状态", "排期", "下次运行"], rows));
}

function schedule(c) {
  const s = c.schedule || {};
  if (s.birthday) return `生日前 ${s.birthday.days_before} 天 ${s.birthday.at}`;
  if (s.holidays) return `节日 ${s.holidays.at}`;
  if (s.daily) return `每天 ${s.daily.at}`;
  if (s.cron) return `cron ${s.cron}`;
  if (s.at) return `一次：${s.at}`;
  return JSON.stringify(s);
}

async function detail(root, id) {
  const [c, runs, totals] = await Promise.all([get(`/campaigns/${id}`), get(`/campaigns/${id}/runs?limit=20`),
    get(`/campaigns/${id}/stats`)]);
  const stats = h("section", { class: "card", id: "run-stats" }, statsView("全部运行合计", totals));
  const dry = h("section", { class: "card", id: "dry-run" });
  mount(root, h("p", {}, h("a", { href: "#/campaigns" }, "← 返回活动列表")),
    h("h1", {}, c.name), h("p", {}, `${say(CAMPAIGN_KIND, c.kind)} · `, h("span", { class: `status ${c.status}`, id: "campaign-status" },
      say(CAMPAIGN_STATUS, c.status)), ` · ${schedule(c)} · ${c.timezone}`),
    controls(c, root, dry), runsTable(id, runs.items, stats), stats, dry);
}

function controls(c, root, dry) {
  const redo = () => detail(root, c.id);
  const button = (label, path, done, cls) => h("button", { type: "button", class: cls,
    onclick: async (e) => { if (await act(e.target, () => post(`/campaigns/${c.id}/${path}`), done)) redo(); } }, label);
  return h("div", { class: "bar actions" },
    can("campaigns.write") ? h("button", { type: "button", id: "dry-run-button", onclick: (e) => dryRun(e.target, c.id, dry) }, "试运行（不发送）") : null,
    can("campaigns.write") && c.status !== "paused" && c.status !== "done" ? button("暂停", "pause", "活动已暂停") : null,
    can("campaigns.write") && c.status === "paused" ? button("恢复", "resume", "活动已恢复") : null,
    can("campaigns.send") ? button("立即运行", "run", "已开始运行", "primary") : null,
    can("campaigns.write") ? h("a", { class: "button", href: `#/campaigns/${c.id}/edit` }, "编辑") : null);
}

function runsTable(id, runs, stats) {
  const rows = runs.map((r) => h("tr", {}, h("td", {}, r.run_date), h("td", {}, r.dry_run ? "试运行" : "正式"),
    h("td", {}, say(RUN_STATUS, r.status)), h("td", { class: "num" }, r.targeted), h("td", {}, when(r.finished_at)),
    h("td", {}, h("button", { type: "button", onclick: async () => mount(stats, statsView(`运行 ${r.run_date}（#${r.id}）`,
      await get(`/campaigns/${id}/runs/${r.id}/stats`))) }, "查看统计"))));
  return h("section", { class: "card" }, h("h2", {}, "运行记录"),
    runs.length ? table(["日期", "类型", "状态", "目标人数", "完成时间", ""], rows) : h("p", { class: "muted" }, "还没有运行过。"));
}

function statsView(title, s) {
  const bars = [{ key: "targeted", label: "目标人数", value: s.targeted },
    ...Object.entries(s.sent_by_channel).map(([k, v]) => ({ key: `sent:${k}`, label: `已发送·${say(CHANNELS, k)}`, value: v })),
    ...Object.entries(s.skipped_by_reason).map(([k, v]) => ({ key: `skipped:${k}`, label: `跳过·${say(SKIP_REASONS, k)}`, value: v })),
    ...Object.entries(s.failed_by_code).map(([k, v]) => ({ key: `failed:${k}`, label: `失败·${k}`, value: v }))];
  return [h("h2", {}, title), h("p", {}, `已发送 ${s.sent}，失败 ${s.failed}，跳过 ${s.skipped}，待发送 ${s.pending + s.waiting + s.deferred}；72 小时内回复 ${s.replies_72h}，退订 ${s.opt_outs_72h}`),
    barChart(`${title}：发送结果`, bars)];
}

async function dryRun(button, id, box) {
  const r = await act(button, () => post(`/campaigns/${id}/dry-run`, { limit: 50 }), "试运行完成，没有发送任何消息");
  if (!r) return;
  const rows = r.deliveries.map((d) => h("tr", {}, h("td", {}, d.name || `客户 ${d.customer_id}`),
    h("td", { class: "phone" }, d.phone || "—"), h("td", {}, say(DELIVERY_STATUS, d.status)), h("td", {}, say(CHANNELS, d.channel)),
    h("td", {}, d.reason ? say(SKIP_REASONS, d.reason) : ""), h("td", { class: "text" }, d.text || "")));
  const skipped = Object.entries(r.skipped_by_reason).map(([k, v]) => `${say(SKIP_REASONS, k)} ${v}`).join("，") || "无";
  mount(box, h("h2", {}, "试运行结果"), h("p", {}, "目标 ", h("strong", { id: "dry-run-targeted" }, r.targeted), ` 人；跳过：${skipped}`),
    table(["客户", "手机", "结果", "渠道", "原因", "内容"], rows));
}

async function editor(root, c) {
  const spec = c ? await specOf(c) : NEW_SPEC;
  const text = h("textarea", { id: "campaign-spec", rows: 18, spellcheck: "false" }, JSON.stringify(spec, null, 2));
  const problems = h("div", { id: "campaign-problems" });
  const save = h("button", { type: "button", class: "primary", onclick: (e) => saveSpec(e.target, c, text, problems) }, "保存");
  mount(root, h("p", {}, h("a", { href: c ? `#/campaigns/${c.id}` : "#/campaigns" }, "← 返回")),
    h("h1", {}, c ? `编辑活动：${c.name}` : "新建活动"),
    h("p", { class: "muted" }, "活动定义与 siyu campaign create 的文件相同（JSON），字段见 README「Campaigns」。"),
    field("活动定义", text), problems, can("campaigns.write") ? save : null, await templatePreview());
}

async function specOf(c) {
  const keep = ["name", "kind", "segment_id", "text", "template", "template_message", "schedule", "timezone", "quiet_hours", "frequency_exempt"];
  const spec = Object.fromEntries(keep.filter((k) => c[k] != null).map((k) => [k, c[k]]));
  if (c.segment_id == null && c.segment) spec.segment = c.segment;
  if (c.message_template_id) spec.message_template = (await get(`/templates/${c.message_template_id}`)).name;
  if (c.status === "draft") spec.status = "draft";
  return { ...spec, ...(c.options || {}) };
}

async function saveSpec(button, c, text, problems) {
  let spec;
  try { spec = JSON.parse(text.value); } catch (err) { mount(problems, h("p", { class: "error", role: "alert" }, `JSON 格式有误：${err.message}`)); return; }
  mount(problems);
  try {
    const saved = await (c ? api("PUT", `/campaigns/${c.id}`, spec) : post("/campaigns", spec));
    notice("活动已保存");
    location.hash = `#/campaigns/${saved.id}`;
  } catch (err) {
    mount(problems, errorBox(err), h("ul", {}, (err.details || []).map((d) => h("li", {}, `${d.field}：${d.message}`))));
  }
}

async function templatePreview() {
  const page = await get("/templates?limit=200").catch(() => ({ items: [] }));
  const pick = h("select", { id: "preview-template" }, page.items.map((t) => h("option", { value: t.id }, t.name)));
  const who = h("input", { id: "preview-customer", type: "number", min: 1, required: true });
  const out = h("div", { id: "preview-out", "aria-live": "polite" });
  const go = h("button", { type: "submit" }, "预览");
  const form = h("form", { class: "bar", onsubmit: async (e) => { e.preventDefault();
    const r = await act(go, () => post(`/templates/${pick.value}/preview`, { customer_id: Number(who.value) }));
    if (r) mount(out, r.ok ? h("pre", { class: "preview" }, r.text) : h("p", { class: "error" }, `无法生成：${r.error}`)); } },
  field("消息模板", pick), field("客户编号", who), go);
  return h("section", { class: "card" }, h("h2", {}, "模板预览（为选定客户生成）"),
    page.items.length ? [form, out] : h("p", { class: "muted" }, "还没有保存的消息模板。"));
}
