"""Deterministic generator of chat-style training lines from hand-written templates.

`python -m nlp.training.generate` rewrites material/generated.tsv; every line records the
template and slots it came from. Aspects, phrases and frames below were written by hand
for siyu (delivery, food, service, refunds, product quality); nothing is copied from a
corpus.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parent / "material" / "generated.tsv"
SEED = 20261123
SAMPLES = 2600
FOOD_SAMPLES = 1400


@dataclass(frozen=True)
class Aspect:
    key: str
    names: tuple[str, ...]
    good: tuple[str, ...]  # complete positive predicates
    bad: tuple[str, ...]  # complete negative predicates
    good_adj: tuple[str, ...]  # positive adjectives that can be negated or graded
    bad_adj: tuple[str, ...]  # negative adjectives that can be negated or graded


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ASPECTS = (
    Aspect(
        "speed",
        _t("送餐 配送 送得 外卖 速度 送货"),
        _t("很快 挺快的 超快 神速 准时 特别及时 比预计早到了"),
        _t("太慢了 慢死了 超时了 晚了一个小时 等了好久 磨蹭半天"),
        _t("快 及时 准时 迅速"),
        _t("慢 拖拉 迟"),
    ),
    Aspect(
        "taste",
        _t("味道 口味 口感 菜 饭菜 这道菜"),
        _t("很好 不错 很正宗 很香 绝了 一级棒 很地道"),
        _t("很一般 太差了 怪怪的 一言难尽 像没放盐 有股怪味"),
        _t("好吃 香 正宗 鲜 入味 可口"),
        _t("咸 淡 油 腻 辣 怪 难吃"),
    ),
    Aspect(
        "portion",
        _t("分量 份量 量 菜量 肉"),
        _t("很足 挺多的 够吃 超级足 给得很实在"),
        _t("太少了 少得可怜 吃不饱 缩水了 跟图片差太多"),
        _t("足 多 实在"),
        _t("少 小"),
    ),
    Aspect(
        "temp",
        _t("饭 汤 饭菜 外卖 面"),
        _t("还是热的 热乎乎的 还冒着热气 温度刚好"),
        _t("全凉了 凉透了 冰凉 坨了 都冷了"),
        _t("热 烫"),
        _t("凉 冷"),
    ),
    Aspect(
        "package",
        _t("包装 打包 餐盒 袋子"),
        _t("很严实 很用心 很干净 一点没洒 很精致"),
        _t("太简陋了 破了 漏了 洒了一袋子 全是油"),
        _t("严实 干净 精致 结实"),
        _t("简陋 脏 破"),
    ),
    Aspect(
        "rider",
        _t("骑手 小哥 配送员 快递员 送餐小哥"),
        _t("态度很好 很有礼貌 很热情 辛苦了 送上楼了 很负责"),
        _t("态度很差 很凶 放门口就走 打电话不接 不送上楼 乱扔东西"),
        _t("热情 礼貌 耐心 负责 客气"),
        _t("凶 冷淡 不耐烦"),
    ),
    Aspect(
        "service",
        _t("客服 商家 老板 店家 售后"),
        _t("回复很及时 很耐心 很专业 处理得很快 很负责 态度特别好"),
        _t("一直不回 态度恶劣 爱答不理 踢皮球 只会说抱歉 推来推去"),
        _t("耐心 专业 热情 负责 及时"),
        _t("敷衍 冷淡 傲慢 差劲"),
    ),
    Aspect(
        "refund",
        _t("退款 退货 换货 售后处理"),
        _t("很顺利 很快就到账了 秒退 处理得很爽快 没有任何麻烦"),
        _t("拖了一个星期 一直没到账 被拒了 没人处理 太麻烦了 卡着不给退"),
        _t("快 顺利 爽快 方便"),
        _t("慢 麻烦"),
    ),
    Aspect(
        "quality",
        _t("质量 做工 东西 宝贝 衣服 鞋子 耳机 杯子"),
        _t("很好 没得说 超出预期 很结实 和图片一样 挺好的"),
        _t("太差了 一般般 用两天就坏了 有瑕疵 开线了 和图片不一样"),
        _t("好 结实 精细 耐用 舒服"),
        _t("差 粗糙 劣质"),
    ),
    Aspect(
        "price",
        _t("价格 价钱 性价比"),
        _t("很实惠 很划算 超值 很良心 挺公道"),
        _t("太贵了 偏高 不值 有点坑 贵得离谱"),
        _t("实惠 划算 公道 便宜"),
        _t("贵 高"),
    ),
    Aspect(
        "fresh",
        _t("水果 菜 肉 食材 海鲜 牛奶"),
        _t("很新鲜 特别新鲜 很甜 很嫩 品质很好"),
        _t("不新鲜 烂了好几个 有异味 过期了 发霉了 臭了"),
        _t("新鲜 甜 嫩 好"),
        _t("酸 臭 烂"),
    ),
    Aspect(
        "logistics",
        _t("快递 物流 发货"),
        _t("很快 超级快 隔天就到 很给力 速度没话说"),
        _t("太慢了 一周才到 三天没更新 慢得离谱 还没发"),
        _t("快 给力 及时"),
        _t("慢"),
    ),
)

POS_END = _t(
    "，好评 ，下次还来 ，推荐 ！ ，满意 ，赞 。 ，五星 ，会回购 ，谢谢 👍 😊 [强] ~ ，棒棒的 ，点赞"
)
NEG_END = _t(
    "，差评 ，不会再买了 ！ ，失望 。 ，无语 ，垃圾 ，服了 😡 👎 [发怒] ，太失望了 ，呵呵 ？？ "
    "，再也不来了"
)
STRONG = _t("很 非常 特别 超级 太 真的 十分 超 巨")
WEAK = _t("有点 有些 稍微 略 稍")
NEGATE = ("不", "不太", "不是很", "一点都不", "一点也不", "没那么", "没有想象中", "并不", "不怎么")

# (label, frame): {g} good predicate, {b} bad predicate, {ga}/{ba} adjectives,
# {n} aspect name, {m} second aspect name, {s} strong degree, {w} weak degree,
# {neg} negator, {pe}/{ne} positive/negative ending.
FRAMES = (
    (1, "{n}{g}"),
    (1, "{n}{g}{pe}"),
    (1, "{n}{g}，{m}{g2}"),
    (1, "{n}{s}{ga}{pe}"),
    (1, "{n}{s}{ga}"),
    (1, "{n}不{ba}{pe}"),
    (1, "{n}一点都不{ba}，{m}{g2}"),
    (1, "{n}也不{ba}，很满意"),
    (1, "{n}{w}{ba}，不过{m}{g2}，总体满意"),
    (1, "虽然{n}{w}{ba}，但是{m}{g2}"),
    (1, "没想到{n}这么{ga}"),
    (0, "{n}{b}"),
    (0, "{n}{b}{ne}"),
    (0, "{n}{b}，{m}{b2}"),
    (0, "{n}{s}{ba}{ne}"),
    (0, "{n}{s}{ba}"),
    (0, "{n}{neg}{ga}"),
    (0, "{n}{neg}{ga}{ne}"),
    (0, "{n}{neg}{ga}，{m}{b2}"),
    (0, "{n}还行，就是{m}{b2}"),
    (0, "{n}{g}，但是{m}{b2}{ne}"),
    (0, "{n}{w}{ba}，{m}也{neg}{ga2}"),
    (0, "本来以为{n}会{ga}，结果{b}"),
    (0, "说好的{ga}呢？{n}{b}"),
    (0, "{n}{w}{ba}，不太满意"),
)


def _fill(frame: str, first: Aspect, second: Aspect, rng: random.Random) -> tuple[str, str]:
    slots = {
        "n": rng.choice(first.names),
        "m": rng.choice(second.names),
        "g": rng.choice(first.good),
        "b": rng.choice(first.bad),
        "g2": rng.choice(second.good),
        "b2": rng.choice(second.bad),
        "ga": rng.choice(first.good_adj),
        "ba": rng.choice(first.bad_adj),
        "ga2": rng.choice(second.good_adj),
        "s": rng.choice(STRONG),
        "w": rng.choice(WEAK),
        "neg": rng.choice(NEGATE),
        "pe": rng.choice(POS_END),
        "ne": rng.choice(NEG_END),
    }
    return frame.format(**slots), f"{first.key}+{second.key}"


def generate(samples: int = SAMPLES, seed: int = SEED) -> list[tuple[int, str, str]]:
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[tuple[int, str, str]] = []
    while len(out) < samples:
        index = rng.randrange(len(FRAMES))
        label, frame = FRAMES[index]
        first, second = rng.sample(ASPECTS, 2)
        text, aspects = _fill(frame, first, second, rng)
        if text not in seen:
            seen.add(text)
            out.append((label, text, f"template:frame{index}:{aspects}"))
    return out


# Food delivery lines: dishes and what goes right or wrong with them.
DISHES = _t(
    "米饭 炒饭 盖饭 面 米线 麻辣烫 饺子 馄饨 汉堡 炸鸡 披萨 奶茶 咖啡 烤鱼 酸菜鱼 黄焖鸡 "
    "牛肉面 沙拉 粥 烧烤 寿司 包子 煎饼 凉皮 小龙虾 鸭脖 排骨 鸡腿 薯条 水果捞 螺蛳粉 盒饭"
)
DISH_GOOD = _t(
    "很香 很入味 热乎乎的 分量很足 很新鲜 很嫩 好吃 很脆 辣得过瘾 味道很正 料很足 很地道 "
    "一如既往的好吃 比店里还好吃 吃得很满足"
)
DISH_BAD = _t(
    "凉了 太咸了 太辣了 太油了 没熟 糊了 坨了 软塌塌的 不新鲜 有股怪味 少得可怜 是冷的 "
    "洒了一半 漏了 被压扁了 没什么味道 太甜了 里面有头发 硬邦邦的 像隔夜的"
)
MILD_BAD = _t("稍微有点咸 略微有点辣 送得稍慢 包装一般 稍微有点油 量稍微少点 有一点点凉")
REQUESTS = (
    ("备注了不要香菜", "还是放了香菜"), ("备注了少辣", "辣得根本没法吃"),
    ("备注了不要葱", "放了一堆葱"), ("备注了多给点饭", "饭少得可怜"),
    ("备注了要餐具", "一双筷子都没给"), ("备注了放门口", "非要我下楼拿"),
)  # fmt: skip
MISSING = _t("筷子 饮料 米饭 酱料 勺子 赠品 小菜 纸巾")
WAITS = _t("一个小时 一个半小时 四十分钟 快两个小时 半天")
FOOD_FRAMES = (
    (1, "{d}{g}{pe}"), (1, "{d}{g}，送得也快"), (1, "第三次点{d}了，{g}"),
    (1, "{d}{g}，小哥也辛苦了"),
    (1, "{d}{g}，{mild}，总体还不错"), (1, "{d}{g}，{d2}也{g2}"), (1, "这家的{d}{g}，推荐"),
    (0, "点了{d}，{b}"), (0, "{d}{b}{ne}"), (0, "{req}，结果{viol}"), (0, "少送了{miss}{ne}"),
    (0, "{d}送错了，我点的是{d2}"), (0, "等了{wait}{d}才到，{b}"), (0, "{d}{g}，但是送了{wait}"),
    (0, "味道还可以，但是{d}{b}"), (0, "{d}还行，就是{b}{ne}"), (0, "{d}{b}，{d2}也{b2}"),
    (0, "好吃是好吃，就是太贵了，{d}就这么一点"),
)  # fmt: skip


def _fill_food(frame: str, rng: random.Random) -> str:
    request, violation = rng.choice(REQUESTS)
    first, second = rng.sample(DISHES, 2)
    return frame.format(
        d=first, d2=second, g=rng.choice(DISH_GOOD), g2=rng.choice(DISH_GOOD),
        b=rng.choice(DISH_BAD), b2=rng.choice(DISH_BAD), mild=rng.choice(MILD_BAD),
        req=request, viol=violation, miss=rng.choice(MISSING), wait=rng.choice(WAITS),
        pe=rng.choice(POS_END), ne=rng.choice(NEG_END),
    )  # fmt: skip


def generate_food(samples: int = FOOD_SAMPLES, seed: int = SEED) -> list[tuple[int, str, str]]:
    rng = random.Random(seed + 1)
    seen: set[str] = set()
    out: list[tuple[int, str, str]] = []
    while len(out) < samples:
        index = rng.randrange(len(FOOD_FRAMES))
        label, frame = FOOD_FRAMES[index]
        text = _fill_food(frame, rng)
        if text not in seen:
            seen.add(text)
            out.append((label, text, f"template:food{index}"))
    return out


def main() -> None:
    header = (
        "# Generated by `python -m nlp.training.generate` (seed %d). label<TAB>text<TAB>source\n"
    )
    rows = generate() + generate_food()
    lines = [f"{label}\t{text}\t{source}" for label, text, source in rows]
    OUT.write_text(header % SEED + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} lines to {OUT}")


if __name__ == "__main__":
    main()
