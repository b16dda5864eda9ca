"""Is there an opinion in the message at all? The second signal of the sentiment label.

A probability band cannot tell "no opinion" (在吗, 什么时候发货) from "a weak opinion":
neutral chat scores spread from 0.06 to 0.87. So a short message with no opinion cue is
neutral whatever its score. Cues: a polarity word of the lexicon (a token, or a
multi-character word anywhere), a degree word before something (太小, 很差), a polarity
emoji / emoticon, an exclamation, or a complaint cue (才到, 等了两个小时, 少了, 没给,
都凉了, 就好了 ...: complaints that carry no sentiment word). Reviews almost always carry
one, so few binary reviews lose their label; `siyu nlp train` measures both shares
(nlp/README.md).
"""

from __future__ import annotations

import re

from nlp import lexicon

# Lexicon words chat uses without an opinion: 麻烦 (please), 少 in an order note (少放点盐),
# 好 in replies and greetings (see _polite_good), 一般 as "usually" (a cue below when it
# is not), returns asked about (怎么退货: a complaint, if any, is the intent's call).
_NOT_CUES = frozenset(["麻烦", "少", "好", "一般", "退款", "退货", "退钱"])
_LEXICON = (
    lexicon.POSITIVE | lexicon.NEGATIVE | lexicon.WECHAT_POSITIVE | lexicon.WECHAT_NEGATIVE
) - _NOT_CUES
_EMOJI = lexicon.EMOJI_POSITIVE | lexicon.EMOJI_NEGATIVE


def _split(text: str) -> list[str]:
    return text.split()


# Cue words found as substrings (one set lookup per candidate, no regular expression).
_CUE_WORDS = frozenset(
    [
        *(w for w in _LEXICON if len(w) > 1),
        *lexicon.EMOTICONS_POSITIVE,
        *lexicon.EMOTICONS_NEGATIVE,
        *"!！丑烂坑骗脏臭馊霉赞棒",
        *_split("降价 不符 差距 误导 陈旧 上当 后悔 失望 毛病 严重 离谱 玩意 抵制 不良 千万别"),
        *_split("有问题 没问题 出问题"),
        # Chat praise and complaints the lexicon lacks (from material/handwritten.tsv).
        *_split("绝了 yyds 拉胯 辣鸡 别买 踩雷 不输 真行 没谁 划痕 开胶 不准 肚子疼 刚好 每次都"),
        *_split("没味 没用 没人管 没得挑 什么鬼 下次不 描述的一样 一样不少"),
        # Complaints and wishes with no sentiment word.
        *_split("等了 流出 隔夜 湿透 变形 泡成 全是 混在 吃出 头发 沙子 虫子 异物 拆过 撕掉"),
        *_split("不一样 不是一个 就好了 要是 希望 但愿 早知道 终于 为什么 为啥 凭什么 到底"),
        *_split("居然 竟然 简直 说好的 再也 超时 晚了 迟了 迟到"),
    ]
)
_BY_FIRST: dict[str, tuple[int, ...]] = {}
for _word in _CUE_WORDS:
    _BY_FIRST[_word[0]] = tuple(sorted({*_BY_FIRST.get(_word[0], ()), len(_word)}))
_CUES = [
    r"一般(?![几多什要都会是怎])",
    r"还(行|可以|好|不错|凑合|算)",
    r"(?<![出不])差(?!不多)|假(?![期日])|死(?!机)",
    r"(偏|略)\w|(大|小|长|短|紧|松|薄|厚|旧)了",
    r"就这[?？]|[?？]{2}",
    r"(还|是)(热|烫)|(早|提前)(到|送到)|(第二天|当天)就",
    r"(太|很|挺|蛮|巨|贼|非常|特别|十分|相当|极其|有点|有些|超(?![市过出时]))\w",
    r"才(到|送|来|发|回|上来)",
    r"(?<![几多])[一二两三四五六七八九十半\d]+个(多|半)?(小时|钟头)",
    r"(还|都|一直|仍然?|根本)(没|不|未)",
    r"(少|漏|缺)(了|送|发|给)",
    r"没(给|放|送|带|收到|到)",
    r"(?<!有)没有(?!.*[吗?？])",
    r"只(有|送|给|剩|铺)",
    r"就[一二两三几]",
    r"都.{1,6}了",
    r"(破|烂|裂|扁|湿|洒|撒|糊|焦|凉|冷|塌)了?|剩(下|的|菜|饭)",
    r"怎么(还|又|这么|那么|回事)",
    r"不(行|对|好|能用|管|理|值|新鲜|满意|喜欢|怎么|适合|会再|再|买了)",
]
_TEXT_CUES = re.compile("|".join(_CUES))
_POLITE_GOOD = re.compile(r"好(的|嘞|吧|滴|呀|啊|哒|哦|了)|[你您]好|[早晚上中下午]好")


def _polite_good(text: str) -> bool:
    """Every 好 in the text is a reply or a greeting (好的, 您好, 早上好)."""
    return text.count("好") == len(_POLITE_GOOD.findall(text))


def has_opinion(tokens: list[str], text: str, max_chars: int) -> bool:
    """False for a message of at most `max_chars` characters with no opinion cue.

    `text` is normalized (lower case, as the features see it). Longer messages are
    taken to hold an opinion: reviews do, and the lexicon cannot know every domain word.
    """
    if len(text) > max_chars:
        return True
    if not _LEXICON.isdisjoint(tokens) or not _EMOJI.isdisjoint(text):
        return True
    if "好" in tokens and not _polite_good(text):
        return True
    return _has_cue_word(text) or _TEXT_CUES.search(text) is not None


def _has_cue_word(text: str) -> bool:
    by_first = _BY_FIRST
    for start, char in enumerate(text):
        lengths = by_first.get(char)
        if lengths and any(text[start : start + n] in _CUE_WORDS for n in lengths):
            return True
    return False
