// The segment rule language (crm/segments/rules.py) as data: each field's operators and the
// input each needs, and the translation between the API's JSON and the form's tree.
import { STAGES } from "./labels.js";

const COMPARE = { eq: "等于", ne: "不等于", gt: "大于", gte: "不少于", lt: "小于", lte: "不超过" };
const CHOICE = { eq: "是", ne: "不是", in: "属于其一", not_in: "都不是" };
const FLAGS = { true: "是", false: "否" };

// input: the kind of value editor; ops: op -> label (and per-op input where it differs)
export const FIELDS = {
  tag: { label: "标签", ops: { has: "有", lacks: "没有" }, input: "tag" },
  lifecycle_stage: { label: "生命周期阶段", ops: CHOICE, input: "stage" },
  r_score: { label: "R 近度分", ops: { ...COMPARE, between: "介于" }, input: "score" },
  f_score: { label: "F 频次分", ops: { ...COMPARE, between: "介于" }, input: "score" },
  m_score: { label: "M 金额分", ops: { ...COMPARE, between: "介于" }, input: "score" },
  last_active: { label: "最近活跃", input: "active",
    ops: { within_days: "N 天内活跃", not_within_days: "N 天未活跃", before: "早于", after: "晚于" } },
  birthday: { label: "生日", ops: { today: "今天", within_days: "N 天内", month: "在某月" }, input: "birthday" },
  points_balance: { label: "积分余额", ops: COMPARE, input: "number" },
  total_spent: { label: "累计消费（元）", ops: COMPARE, input: "number" },
  order_count: { label: "订单数", ops: COMPARE, input: "number" },
  subscribed: { label: "已关注公众号", ops: { eq: "为" }, input: "flag" },
  opted_out: { label: "已退订营销", ops: { eq: "为" }, input: "flag" },
  channel: { label: "来源渠道", ops: CHOICE, input: "choice",
    choices: { oa: "公众号", wecom: "企业微信", import: "导入", admin: "后台" } },
  gender: { label: "性别", ops: CHOICE, input: "choice", choices: { male: "男", female: "女", unknown: "未知" } },
  city: { label: "城市", ops: CHOICE, input: "text" },
  attribute: { label: "自定义属性", ops: { eq: "等于", ne: "不等于", in: "属于其一", exists: "存在", missing: "不存在" }, input: "attribute" },
  negative_messages: { label: "负面消息", ops: null, input: "negative" },
  open_complaints: { label: "未结投诉", ops: null, input: "complaints" },
};
export { STAGES, FLAGS };

export function newCondition(field = "tag") {
  const ops = FIELDS[field].ops;
  const c = { field, op: ops ? Object.keys(ops)[0] : null, value: "" };
  if (field === "negative_messages") Object.assign(c, { days: 7, min_count: 1 });
  if (field === "open_complaints") c.min_count = 1;
  if (FIELDS[field].input === "flag") c.value = "true";
  if (FIELDS[field].input === "stage") c.value = "active";
  if (field === "birthday") c.value = "";
  return c;
}

// API JSON -> form tree (a bare condition at the top is put in an "all" group)
export function toTree(rule, top = true) {
  for (const kind of ["all", "any"]) if (rule && rule[kind]) return { kind, items: rule[kind].map((r) => toTree(r, false)) };
  if (rule && rule.not) return { kind: "not", items: [toTree(rule.not, false)] };
  const c = fromCondition(rule || newCondition());
  return top ? { kind: "all", items: [c] } : c;
}

function fromCondition(r) {
  const c = { ...r };
  if (Array.isArray(r.value)) c.value = r.value.join(",");
  if (typeof r.value === "boolean") c.value = String(r.value);
  if (r.value == null) c.value = "";
  if (r.field === "last_active" && typeof r.value === "string") c.value = r.value.slice(0, 16);
  return c;
}

// form tree -> API JSON
export function toRule(node) {
  if (node.kind === "not") return { not: toRule(node.items[0]) };
  if (node.kind) return { [node.kind]: node.items.map(toRule) };
  return toCondition(node);
}

const list = (s) => String(s).split(/[,，、\s]+/).filter(Boolean);
const num = (s) => (s === "" || s == null ? s : Number(s));

function toCondition(c) {
  const f = FIELDS[c.field];
  if (c.field === "negative_messages") return { field: c.field, days: num(c.days), min_count: num(c.min_count) };
  if (c.field === "open_complaints") return { field: c.field, min_count: num(c.min_count) };
  const out = { field: c.field, op: c.op };
  if (c.field === "attribute") out.key = c.key || "";
  const v = value(f.input, c);
  if (v !== undefined) out.value = v;
  return out;
}

function value(input, c) {
  const many = c.op === "in" || c.op === "not_in";
  switch (input) {
    case "score": return c.op === "between" ? list(c.value).map(Number) : num(c.value);
    case "number": return num(c.value);
    case "flag": return c.value === "true";
    case "stage": case "choice": case "text": return many ? list(c.value) : c.value;
    case "birthday": return c.op === "today" ? undefined : num(c.value);
    case "active": return c.op.endsWith("within_days") ? num(c.value) : withOffset(c.value);
    case "attribute": return c.op === "exists" || c.op === "missing" ? undefined : c.op === "in" ? list(c.value) : c.value;
    default: return c.value;
  }
}

// a datetime-local value with the browser's own offset (the API compares instants)
function withOffset(local) {
  if (!local) return local;
  const m = -new Date(local).getTimezoneOffset();
  const sign = m >= 0 ? "+" : "-";
  const p = (n) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  return `${local.length === 16 ? `${local}:00` : local}${sign}${p(m / 60)}:${p(m % 60)}`;
}
