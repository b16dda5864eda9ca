// 概览: the report overview of a period as charts; every figure is the endpoint's own.
import { get, query } from "../api.js";
import { h, mount, field, errorBox } from "../dom.js";
import { barChart, heatGrid, lineChart } from "../charts.js";
import { CHANNELS, STAGES, isoDay, percent, say } from "../labels.js";

const PERIODS = { 7: "近 7 天", 30: "近 30 天", 90: "近 90 天" };

export default async function dashboard(root) {
  const picker = h("select", { id: "period" },
    Object.entries(PERIODS).map(([d, t]) => h("option", { value: d }, t)));
  picker.value = sessionStorage.getItem("siyu.console.period") || "30";
  const body = h("div", { id: "overview" });
  picker.addEventListener("change", () => {
    sessionStorage.setItem("siyu.console.period", picker.value);
    load(body, Number(picker.value));
  });
  mount(root, h("div", { class: "bar" }, h("h1", {}, "概览"), field("时间范围", picker)), body);
  await load(body, Number(picker.value));
}

async function load(body, days) {
  const end = new Date();
  const start = new Date(end.getTime() - (days - 1) * 86400000);
  mount(body, h("p", { class: "muted" }, "正在统计…"));
  try {
    // the browser's own local days: the same dates the picker shows
    const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const o = await get(`/reports/overview${query({ start: isoDay(start), end: isoDay(end), timezone })}`);
    mount(body, figures(o), charts(o));
  } catch (err) {
    mount(body, errorBox(err));
  }
}

function card(key, label, value) {
  return h("div", { class: "kpi", "data-figure": key }, h("span", {}, label), h("strong", {}, value ?? "—"));
}

function figures(o) {
  const sum = (k) => o.days.reduce((a, d) => a + d[k], 0);
  return h("div", { class: "kpis" },
    card("new_followers", "新增关注", o.new_followers),
    card("messages", "消息数", sum("messages")),
    card("negative_share", "负面占比", percent(o.negative_share)),
    card("complaints_opened", "新投诉", o.complaints_opened),
    card("complaints_resolved", "已解决投诉", o.complaints_resolved),
    card("sla_breaches", "超时（SLA）", o.sla_breaches),
    card("nps", "NPS", o.scores.nps == null ? "—" : o.scores.nps.toFixed(1)),
    card("csat", "CSAT", o.scores.csat == null ? "—" : o.scores.csat.toFixed(2)));
}

function charts(o) {
  const labels = o.days.map((d) => d.day);
  const col = (k) => o.days.map((d) => d[k]);
  return h("div", { class: "charts" },
    lineChart("客户走势（每天）", labels, [
      { name: "新增关注", key: "new_followers", values: col("new_followers") },
      { name: "活跃", key: "active", values: col("active"), total: false },
      { name: "流失", key: "churned", values: col("churned") }]),
    lineChart("情绪走势（每天）", labels, [
      { name: "已分析消息", key: "analysed", values: col("analysed") },
      { name: "负面消息", key: "negative", values: col("negative") }]),
    barChart("活动触达", deliveryBars(o)),
    barChart("投诉", [
      { key: "opened", label: "新投诉", value: o.complaints_opened },
      { key: "resolved", label: "已解决", value: o.complaints_resolved },
      { key: "closed", label: "已关闭", value: o.complaints_closed },
      { key: "sla", label: "SLA 超时", value: o.sla_breaches }]),
    heatGrid("RFM 分布（R 近度 × F 频次，人数）", o.rfm_grid),
    barChart("生命周期流转", o.lifecycle_flow.map((f) => ({
      key: `${f.from_stage}>${f.to_stage}`, value: f.customers,
      label: `${say(STAGES, f.from_stage)}→${say(STAGES, f.to_stage)}` }))));
}

const DELIVERY = { sent: "已发送", failed: "失败", skipped: "跳过", pending: "待发送", waiting: "待确认", complaints: "投诉" };

function deliveryBars(o) {
  const bars = Object.entries(o.deliveries).map(([k, v]) => ({ key: k, label: say(DELIVERY, k), value: v }));
  for (const [k, v] of Object.entries(o.sent_by_channel)) {
    bars.push({ key: `channel:${k}`, label: `经${say(CHANNELS, k)}`, value: v });
  }
  return bars;
}
