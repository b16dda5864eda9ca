"""Seed rules for the default configuration. Config may replace any of them."""

from __future__ import annotations

from typing import Any

# Opt-out: precision first. A wrong opt-out loses a customer, so only plain requests
# count; questions about opting out and negated requests are left to the guards.
UNSUBSCRIBE: dict[str, list[str]] = {
    "exact": ["td", "t", "退订", "退订消息", "取消订阅", "取消推送", "我要退订", "请退订"],
    "keywords": ["退订", "取消订阅", "不想再收到", "拒收"],
    "patterns": [
        r"(别|不要|不用|请勿|勿)再?(给我)?(发|推|推送|发送)(消息|信息|短信|广告)?了",
        r"(别|不要)再?(给我)?(发|推送?)(消息|信息|短信|广告)",
        r"^(请|帮我)?(取消|关闭)(推送|订阅|消息提醒)",
    ],
}

HUMAN_AGENT: dict[str, list[str]] = {
    "exact": ["人工", "人工客服", "转人工", "真人"],
    "keywords": ["转人工", "人工客服", "人工服务", "找人工", "真人客服", "要人工"],
    "patterns": [r"(找|要|换|接)(个)?(真人|人工|客服)"],
}

POINTS_QUERY: dict[str, list[str]] = {
    "exact": ["积分", "查积分", "积分查询", "我的积分"],
    "keywords": ["我的积分", "积分多少", "积分余额", "查积分", "查询积分", "积分查询"],
    "patterns": [
        r"积分.{0,6}(多少|几|余额|查|剩|还有|够不够)",
        r"(多少|几)个?积分",
        r"积分.{0,8}(过期|到期|有效期|清零|兑换|怎么用|能换)",
    ],
}

COMPLAINT: dict[str, list[str]] = {
    "exact": ["差评", "垃圾", "投诉"],
    "keywords": [
        "投诉",
        "举报",
        "12315",
        "消协",
        "质量问题",
        "假货",
        "骗子",
        "欺骗消费者",
        "客服不理人",
        "没人理",
        "不给退",
        "不给退款",
        "要求赔偿",
        "太慢了",
    ],
    "patterns": [
        r"(还|仍然|一直)(没|没有|未)(到|收到|发货|回复|退)",
        r"(等|催)了.{0,4}(天|小时|周).{0,6}(没|还|都)",
        r"(为什么|为啥|怎么)(还|一直|老是)(没|不)",
        r"不(给|肯|让)(我)?(退|换|赔)",
    ],
}

# These report a problem only in a negative message (not 退款已经到账了，谢谢), and in a
# question only when it is clearly negative (东西坏了，怎么退货？ but not 怎么退货).
COMPLAINT_IF_NEGATIVE: dict[str, list[str]] = {
    "keywords": [
        "退款",
        "退钱",
        "赔偿",
        "发错",
        "漏发",
        "少发",
        "破损",
        "坏了",
        "过期",
        "退货",
        "换货",
        "售后",
        "太慢",
        "不新鲜",
        "难吃",
        "变质",
        "发霉",
        "漏了",
        "洒了",
        "不能用",
        "用不了",
        "不理",
        "态度差",
        "态度恶劣",
        "差评",
        "失望",
        "坑",
    ],
}

THANKS: dict[str, list[str]] = {
    "exact": ["谢谢", "谢啦", "多谢", "感谢", "thx", "thanks", "thank you", "3q", "辛苦了"],
    "keywords": ["谢谢", "感谢", "多谢", "谢啦", "辛苦了", "thank"],
}

GREETING: dict[str, list[str]] = {
    "exact": ["你好", "您好", "在吗", "在不在", "hi", "hello", "哈喽", "嗨", "有人吗"],
    "keywords": ["你好", "您好", "在吗", "早上好", "中午好", "晚上好", "下午好", "哈喽", "hello"],
}

QUESTION: dict[str, list[str]] = {
    "keywords": [
        "怎么",
        "如何",
        "多少",
        "多久",
        "多长时间",
        "什么时候",
        "哪里",
        "哪个",
        "为什么",
        "为啥",
        "能不能",
        "可不可以",
        "是不是",
        "有没有",
        "能否",
        "几天",
        "几点",
    ],
    "patterns": [r"[?？]", r"(吗|呢|么)[\s。.!！~～]*$", r"^(请问|问下|问一下|咨询)"],
}


NEGATORS: tuple[str, ...] = ("不想", "不要", "不用", "不会", "不", "没有", "没", "无", "未", "别")

KEYWORD_RULES: list[dict[str, Any]] = [
    {"keywords": ["快递", "物流", "发货", "配送", "送货", "骑手"], "tag": "关注物流"},
    {"keywords": ["退款", "退货", "换货", "售后"], "tag": "售后"},
    {"keywords": ["优惠券", "优惠", "折扣", "打折", "满减", "便宜点"], "tag": "价格敏感"},
    {"keywords": ["积分", "会员", "兑换"], "tag": "关注积分"},
    {"keywords": ["生日"], "tag": "生日相关"},
]

INTENT_TAGS: dict[str, str] = {
    "complaint": "有投诉",
    "human_agent": "需要人工",
    "points_query": "关注积分",
}

SENTIMENT_TAGS: dict[str, str] = {"negative": "负面反馈"}
