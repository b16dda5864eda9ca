// Chinese names for the API's codes, and the formats staff read every day.
export const STAGES = {
  prospect: "潜在", new: "新客", active: "活跃", loyal: "忠诚", at_risk: "流失风险", churned: "已流失",
};
export const ROLES = { admin: "管理员", operator: "运营", viewer: "只读" };
export const CAMPAIGN_STATUS = {
  draft: "草稿", scheduled: "已排期", running: "发送中", paused: "已暂停", done: "已完成",
};
export const CAMPAIGN_KIND = {
  birthday: "生日", holiday: "节日", points: "积分", winback: "召回", custom: "自定义",
};
export const COMPLAINT_STATUS = {
  open: "待处理", acknowledged: "已受理", resolved: "已解决", closed: "已关闭", reopened: "重新打开",
};
export const SEVERITY = { low: "低", normal: "一般", medium: "中", high: "高", urgent: "紧急" };
export const CHANNELS = {
  customer_service: "客服消息", template: "模板消息", wecom_task: "企微群发",
  oa: "公众号", wecom: "企业微信", import: "导入", admin: "后台",
};
export const SKIP_REASONS = {
  merged: "已合并", opted_out: "已退订", unsubscribed: "未关注且无企微", unreachable: "无法触达",
  frequency_cap: "超过频次上限",
};
export const DELIVERY_STATUS = { pending: "待发送", sent: "已发送", waiting: "待确认", failed: "失败", skipped: "跳过" };
export const SENTIMENT = { positive: "正面", negative: "负面", neutral: "中性" };
export const DIRECTION = { in: "客户", out: "我方" };

export const say = (map, key) => (key == null ? "—" : map[key] || key);

export function when(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return d.toLocaleString("zh-CN", { hour12: false });
}

export function isoDay(d) {
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function percent(x) {
  return x == null ? "—" : `${(x * 100).toFixed(1)}%`;
}

// "还剩 3 小时 20 分" / "已超时 1 小时 5 分"
export function countdown(dueIso, now = Date.now()) {
  if (!dueIso) return "—";
  const ms = new Date(dueIso).getTime() - now;
  const mins = Math.floor(Math.abs(ms) / 60000);
  const text = mins >= 60 ? `${Math.floor(mins / 60)} 小时 ${mins % 60} 分` : `${mins} 分`;
  return ms >= 0 ? `还剩 ${text}` : `已超时 ${text}`;
}
