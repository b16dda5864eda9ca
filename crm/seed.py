"""Synthetic but realistic customers, orders, interactions, tags and points for demos and
benchmarks. PostgreSQL gets COPY (1,000,000 customers in a few minutes); SQLite executemany."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from tortoise import connections

from crm.birthdays import birthday_fields, parse_birthday
from crm.models import Tag
from crm.sql import fetch, is_postgres

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁"
    "梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦"
    "黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪"
    "澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
)
_CITIES = [
    ("上海", 12),
    ("北京", 11),
    ("深圳", 9),
    ("广州", 9),
    ("杭州", 7),
    ("成都", 7),
    ("南京", 5),
    ("武汉", 5),
    ("重庆", 5),
    ("西安", 4),
    ("苏州", 4),
    ("天津", 3),
    ("长沙", 3),
    ("郑州", 3),
    ("青岛", 2),
    ("厦门", 2),
    ("宁波", 2),
    ("合肥", 2),
    (None, 5),
]
_TAGS = [("vip", 0.05), ("新客", 0.15), ("母婴", 0.08), ("美妆", 0.2), ("价格敏感", 0.12)]
_ITEMS = ["保湿面霜", "洁面乳", "精华液", "防晒霜", "口红", "面膜礼盒", "护手霜", "香水小样"]
_MESSAGES = [
    ("你好，想问一下积分怎么用", "neutral", "points_query"),
    ("东西很好用，下次还来买", "positive", None),
    ("快递太慢了，等了一个星期", "negative", "complaint"),
    ("有没有优惠活动", "neutral", None),
    ("质量很差，要求退货", "negative", "complaint"),
    ("谢谢客服，很耐心", "positive", None),
]

_CUSTOMER_COLUMNS = (
    "id", "openid", "unionid", "display_name", "phone", "birthday", "birthday_calendar",
    "birthday_md", "birthday_leap", "gender", "city", "source_channel", "subscribed",
    "opted_out", "last_active_at", "attributes", "points_balance", "total_spent",
    "order_count", "first_order_at", "last_order_at", "lifecycle_stage", "created_at",
    "updated_at",
)  # fmt: skip
_ORDER_COLUMNS = (
    "customer_id", "external_id", "amount", "currency", "items_summary", "paid_at", "channel",
    "created_at",
)  # fmt: skip
_INTERACTION_COLUMNS = (
    "customer_id", "channel", "direction", "kind", "content", "sentiment_score",
    "sentiment_label", "intent", "created_at",
)  # fmt: skip
_TAG_COLUMNS = ("customer_id", "tag_id", "source", "created_at")
_POINTS_COLUMNS = (
    "customer_id", "kind", "amount", "remaining", "expires_at", "reference", "note", "created_at",
)  # fmt: skip


@dataclass
class _Batch:
    customers: list[tuple[Any, ...]] = field(default_factory=list)
    orders: list[tuple[Any, ...]] = field(default_factory=list)
    interactions: list[tuple[Any, ...]] = field(default_factory=list)
    tags: list[tuple[Any, ...]] = field(default_factory=list)
    points: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass(frozen=True)
class SeedResult:
    customers: int
    orders: int
    interactions: int
    tags: int
    points_entries: int


@dataclass
class _Generator:
    rng: random.Random
    now: datetime
    tag_ids: dict[str, int]

    def customer(self, cid: int, batch: _Batch) -> None:
        rng, now = self.rng, self.now
        created = now - timedelta(days=rng.randint(1, 900), seconds=rng.randint(0, 86_399))
        orders = self._orders(cid, created, batch)
        spent = sum((o[2] for o in orders), Decimal(0))
        paid = [o[5] for o in orders]
        last_active = now - timedelta(days=min(rng.expovariate(1 / 45), 800), seconds=rng.random())
        birthday = self._birthday()
        points = int(spent) // 10
        if points:
            expires = now + timedelta(days=rng.randint(1, 365))
            batch.points.append(
                (cid, "earn", points, points, expires, f"seed:{cid}", "消费积分", created)
            )
        batch.customers.append((
            cid, f"oSeed{cid:012d}", f"uSeed{cid:012d}" if rng.random() < 0.6 else None,
            rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2)))),
            f"+861{rng.choice('3456789')}{cid % 1_000_000_000:09d}" if rng.random() < 0.7 else None,
            birthday.get("birthday"), birthday.get("birthday_calendar", "solar"),
            birthday.get("birthday_md"), birthday.get("birthday_leap", False),
            rng.choices(("female", "male", "unknown"), (55, 35, 10))[0],
            rng.choices([c for c, _ in _CITIES], [w for _, w in _CITIES])[0],
            "oa" if rng.random() < 0.7 else "wecom", rng.random() < 0.85, rng.random() < 0.05,
            last_active, json.dumps({"level": rng.choice(["silver", "gold", "platinum"])}),
            points, spent, len(orders), min(paid, default=None), max(paid, default=None),
            "prospect", created, now,
        ))  # fmt: skip
        self._tags(cid, created, batch)
        self._interactions(cid, last_active, batch)

    def _birthday(self) -> dict[str, Any]:
        if self.rng.random() < 0.15:
            return {}
        day = date(1960, 1, 1) + timedelta(days=self.rng.randint(0, 16_800))
        if self.rng.random() >= 0.1:
            return birthday_fields(parse_birthday(day.isoformat()))
        lunar = f"农历{day.year}-{day.month:02d}-{min(day.day, 29):02d}"
        return birthday_fields(parse_birthday(lunar))

    def _orders(self, cid: int, created: datetime, batch: _Batch) -> list[tuple[Any, ...]]:
        count = 0 if self.rng.random() < 0.35 else min(int(self.rng.expovariate(0.45)) + 1, 30)
        span = max((self.now - created).days, 1)
        rows = []
        for k in range(count):
            paid = created + timedelta(
                days=self.rng.randint(0, span), seconds=self.rng.randint(0, 86_399)
            )
            amount = Decimal(self.rng.randint(1990, 99_900)) / 100
            item = self.rng.choice(_ITEMS)
            rows.append((cid, f"SEED-{cid}-{k}", amount, "CNY", item, paid, "shop", paid))
        batch.orders.extend(rows)
        return rows

    def _tags(self, cid: int, created: datetime, batch: _Batch) -> None:
        for name, share in _TAGS:
            if self.rng.random() < share:
                batch.tags.append((cid, self.tag_ids[name], "import", created))

    def _interactions(self, cid: int, last_active: datetime, batch: _Batch) -> None:
        for _ in range(self.rng.choice((0, 1, 1, 2, 3))):
            text, label, intent = self.rng.choice(_MESSAGES)
            score = {"positive": 0.9, "neutral": 0.5, "negative": 0.1}[label]
            at = last_active - timedelta(days=self.rng.randint(0, 60))
            batch.interactions.append((cid, "oa", "in", "text", text, score, label, intent, at))


async def seed(
    customers: int,
    random_seed: int = 42,
    batch_size: int = 20_000,
    now: datetime | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> SeedResult:
    """Add `customers` new synthetic customers with their orders, messages, tags and points."""
    tag_ids = {name: (await Tag.get_or_create(name=name))[0].id for name, _ in _TAGS}
    gen = _Generator(
        random.Random(random_seed), (now or datetime.now(UTC)).astimezone(UTC), tag_ids
    )
    next_id = await _next_customer_id()
    totals = [0, 0, 0, 0, 0]
    for start in range(0, customers, batch_size):
        batch = _Batch()
        for offset in range(min(batch_size, customers - start)):
            gen.customer(next_id + start + offset, batch)
        await _write(batch)
        for i, rows in enumerate(
            (batch.customers, batch.orders, batch.interactions, batch.tags, batch.points)
        ):
            totals[i] += len(rows)
        if on_progress:
            on_progress(len(batch.customers))
    await _reset_sequences()
    return SeedResult(*totals)


async def _next_customer_id() -> int:
    rows = await fetch('SELECT COALESCE(MAX("id"), 0) AS m FROM "customer"')
    return int(rows[0]["m"]) + 1


async def _write(batch: _Batch) -> None:
    await copy_rows("customer", _CUSTOMER_COLUMNS, batch.customers)
    await copy_rows("orders", _ORDER_COLUMNS, batch.orders)
    await copy_rows("interaction", _INTERACTION_COLUMNS, batch.interactions)
    await copy_rows("customer_tag", _TAG_COLUMNS, batch.tags)
    await copy_rows("points_entry", _POINTS_COLUMNS, batch.points)


async def copy_rows(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Bulk insert: COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    conn = connections.get("default")
    if is_postgres():
        async with conn.acquire_connection() as raw:
            await raw.copy_records_to_table(table, records=rows, columns=list(columns))
        return
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    await conn.execute_many(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


async def _reset_sequences() -> None:
    if not is_postgres():
        return
    conn = connections.get("default")
    for table in ("customer", "orders", "interaction", "customer_tag", "points_entry"):
        await conn.execute_script(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'COALESCE((SELECT MAX("id") FROM "{table}"), 0) + 1, false)'
        )
