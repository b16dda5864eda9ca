"""Small hand-written word lists that let the sentiment model carry across domains.

They feed features (a positive word, a negated positive word, ...), not rules: the
model learns how much each signal is worth.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


POSITIVE = _words(
    """
    好 好吃 好喝 好用 好看 好评 不错 满意 喜欢 爱 棒 很棒 赞 点赞 推荐 快 很快 及时 准时
    新鲜 美味 香 可口 实惠 划算 值 值得 超值 物美价廉 漂亮 舒服 方便 贴心 热情 周到 耐心
    专业 给力 完美 优秀 惊喜 开心 高兴 感谢 谢谢 辛苦 靠谱 正品 干净 精致 精美 回购 愉快
    省心 放心 清晰 流畅 稳定 结实 耐用 合适 足 大份 神速 迅速 认真 友好 客气 礼貌 好好
    喜欢 nice good great perfect 五星 厉害 牛 支持 满分 到位 热乎 酥脆 入味 地道 正宗 细心
    利索 麻利 舒适 柔软 保温 实在 良心 超赞 好极了 完好 无损 满意度 值得购买 不亏
    """
)

NEGATIVE = _words(
    """
    差 差评 垃圾 慢 太慢 难吃 难喝 失望 后悔 坑 坑爹 骗 骗子 假货 破 坏 烂 脏 臭 贵 投诉
    恶心 敷衍 凉 冷 咸 淡 油腻 少 漏 洒 错 过期 变质 发霉 生气 无语 郁闷 糟糕 糟心 粗糙
    劣质 恶劣 不理 拖 拖延 迟 晚 超时 呵呵 醉 服 差劲 难用 卡 掉色 起球 异味 腥 馊 瑕疵
    缺 浪费 黑店 麻烦 闹心 气人 崩溃 焦 糊 硬 退款 退货 退钱 不值 拒收 无奈 可惜 遗憾
    吐槽 忍 不爽 坑人 欺骗 忽悠 bad 差差 太差 一般 凑合 将就 马马虎虎 失败 难受 倒霉
    破损 损坏 碎 瘪 漏发 少发 发错 送错 等半天 催 慢吞吞 态度差 不耐烦 骂 凶 冷淡 傲慢
    """
)

NEGATORS = _words("不 没 没有 别 不是 不太 不够 无 未 非 毫无 从不 并不 从没 并非 不怎么 木有 没啥")

DEGREE_STRONG = _words("很 非常 太 特别 超 超级 十分 极 极其 巨 真 真的 相当 好 最 贼 蛮 实在 灰常")
DEGREE_WEAK = _words("有点 有些 略 稍微 比较 还 挺 还算 一般 略微 稍")

EMOJI_POSITIVE = frozenset("😀😁😂😃😄😆😊😍😘🥰😋👍👏💯❤💕💖🌹🎉✨🙏🤗😉👌😺🥳💪🤩")
EMOJI_NEGATIVE = frozenset("😡😠🤬😤😞😔😢😭😩😫👎💢🙄😒😑😓😰🤮🤢💩😖😣🥵😟")

# WeChat's bracketed emoticons, lower case as features see them ([OK] -> [ok]).
WECHAT_POSITIVE = _words(
    """
    [微笑] [呲牙] [偷笑] [愉快] [憨笑] [强] [赞] [玫瑰] [爱心] [鼓掌] [耶] [ok] [抱拳] [胜利]
    [握手] [哈哈] [嘿哈] [机智] [庆祝] [好的]
    """
)
WECHAT_NEGATIVE = _words(
    """
    [发怒] [抓狂] [流泪] [大哭] [难过] [委屈] [撇嘴] [弱] [衰] [吐] [鄙视] [白眼] [晕] [怄火]
    [叹气] [苦涩] [裂开] [汗] [无语] [生气]
    """
)

EMOTICONS_POSITIVE = ("^_^", "^^", ":)", ":-)", "(^^)", "哈哈", "嘻嘻", "嘿嘿", "hhh", "2333")
EMOTICONS_NEGATIVE = (":(", ":-(", "t_t", "qaq", "orz", "-_-", "=_=", "囧", "呜呜", "唉")
