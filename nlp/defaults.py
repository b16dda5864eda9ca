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

# PIPL (issue 17): a request to delete one's personal data; handlers/erasure.py confirms it.
ERASE_REQUEST: dict[str, list[str]] = {
    "exact": ["删除我的信息", "删除我的数据", "注销", "注销账号", "删除我的个人信息"],
    "keywords": ["删除我的信息", "删除我的数据", "删除我的个人信息", "注销我的账号", "注销账号"],
    "patterns": [r"(删除|清除|抹掉)(我的)?(全部|所有)?(个人)?(信息|数据|资料)"],
}

HUMAN_AGENT: dict[str, list[str]] = {
    "exact": ["人工", "人工客服", "转人工", "真人"],
    "keywords": ["转人工", "人工客服", "人工服务", "找人工", "真人客服", "要人工"],
    "patterns": [r"(找|要|换|接)(个)?(真人|人工|客服)"],
}

# Points: questions, commands (查一下积分, 帮我看看积分) and the colloquial 分 for 积分
# (我有多少分了, 还剩几分). A bare 分 only counts after 有 / 剩 / 我的 and not before 钟 /
# 钱 / 店 ...: 打分, 评分, 几分钟, 十分满意 stay out.
POINTS_QUERY: dict[str, list[str]] = {
    "exact": ["积分", "查积分", "积分查询", "我的积分", "查分", "points", "my points"],
    "keywords": [
        "我的积分", "积分多少", "积分余额", "查积分", "查询积分", "积分查询", "积分商城",
        "积分兑换", "兑换积分", "积分抵扣", "积分抵现", "会员积分", "积分明细", "积分记录",
    ],
    "patterns": [
        r"积分.{0,6}(多少|几|余额|查|剩|还有|够不够)",
        r"(多少|几)个?积分",
        r"积分.{0,8}(过期|到期|有效期|清零|兑换|怎么用|能换|可以换|换什么|抵|用得了|能用|当钱|当现金)",
        r"(查|看|瞧)(一下|一查|一看|下|查|看)?(我|我的|我现在的|账户|账号)?(的)?(会员)?积分",
        r"(有|剩|剩下|还剩|攒了|攒的|现在是?|我)(多少|几)分(?![钟钱店期之熟量开道把像相似醉])",
        r"我的分.{0,6}(多少|几|查|剩|过期|到期|清零|兑换|换)",
        r"(查|看|瞧)(一下|一查|一看|下|查|看)?我的分(?![钟钱店期之熟量开])",
        r"(用|拿)积分(换|兑|抵|买|付)",
        r"(怎么|如何|能|可以|能不能|可不可以)(使)?用积分",
        r"(check|how many|my|redeem|use) ?(my )?points",
        r"points? (balance|left|expir|redeem)",
    ],
}  # fmt: skip

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
        "漏送",
        "少送",
        "吃剩的",
        "剩菜",
    ],
    "patterns": [
        r"(还|仍然|一直)(没|没有|未)(到|收到|发货|回复|退)",
        r"(等|催)了.{0,4}(天|小时|周).{0,6}(没|还|都)",
        r"(为什么|为啥|怎么)(还|一直|老是)(没|不)",
        r"不(给|肯|让)(我)?(退|换|赔)",
        # Delivery time with no sentiment word: 三个小时才到, 等了一个半小时, 超时四十分钟.
        r"(个|多|半)(小时|钟头)(才|还没|都没|了还没|了都没)(到|送|来)",
        r"[天点]才(到|送到|送来|发货)",
        r"等了(快|足足|整整|将近|差不多)?[一二两三四五六七八九十几半\d]+个(多|半)?(小时|钟头)",
        r"(足足|整整)等了",
        r"(超时|晚了|迟了|迟到)(了)?[一二两三四五六七八九十几半\d]+(个|多)?(多|半)?(小时|钟头|分钟)",
        # Missing items, packaging and leftovers, no sentiment word: 少了一份米饭, 没给筷子.
        r"(少|漏)(了|送了|给了|发了)[一两二三几\d]?(份|个|杯|瓶|盒|双|袋|样|件)",
        r"(没|没有)(给|放|送)(我)?(筷子|餐具|勺子|吸管|纸巾|饮料|米饭|酱料|小菜|赠品|配件)",
        r"(筷子|餐具|勺子|吸管|饮料|米饭|酱料|酱料包|小菜|赠品|配件)(都)?(没|没有)(给|放|送|带)",
        r"(洒|撒|漏)(了)?(一半|一地|一袋子?|一桌|好多|很多|满袋)",
        r"(汤|汁|油|奶茶|饮料|粥)(都|全)?(洒|撒|漏|流)(了|出来)",
        r"(餐盒|盒子|袋子|包装|盖子|包装袋)(都|被)?(破|烂|压扁|压坏|裂|漏|湿透|变形)",
        r"(像|是)(别人)?(吃剩|剩下|隔夜)的",
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
        "送错",
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
