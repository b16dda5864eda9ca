"""Synthetic but realistic customers, orders, interactions, tags and points for demos and
benchmarks. PostgreSQL gets COPY (1,000,000 customers in a few minutes); SQLite executemany."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from tortoise import connections

from crm.clock import SYSTEM_CLOCK, Clock
from crm.models import Tag
from crm.pipl.consent import MARKETING, ConsentSource
from crm.sql import fetch, is_postgres, marks

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
    "updated_at", "marketing_consent", "consent_at", "consent_source",
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
SEED_SOURCE = ConsentSource.SEED.value
_CONSENT_COLUMNS = ("customer_id", "granted", "source", "purpose", "detail", "at")
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
    consents: list[tuple[Any, ...]] = field(default_factory=list)

    def tables(self) -> tuple[list[tuple[Any, ...]], ...]:
        return self.customers, self.orders, self.interactions, self.tags, self.points


@dataclass(frozen=True)
class SeedResult:
    customers: int
    orders: int
    interactions: int
    tags: int
    points_entries: int


_DAY = 86_400.0


@dataclass
class _Generator:
    """Plain floats and precomputed pools: about 30 µs a customer instead of 300."""

    rng: random.Random
    now: datetime
    tag_ids: dict[str, int]

    def __post_init__(self) -> None:
        rng = self.rng
        self.ts = self.now.timestamp()
        self.names = [
            rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2))))
            for _ in range(5000)
        ]
        self.days = [date(1960, 1, 1) + timedelta(days=d) for d in range(16_800)]
        self.cities = rng.choices([c for c, _ in _CITIES], [w for _, w in _CITIES], k=1000)
        self.genders = rng.choices(("female", "male", "unknown"), (55, 35, 10), k=1000)
        self.levels = [json.dumps({"level": v}) for v in ("silver", "gold", "platinum")]
        self.amounts = [Decimal(rng.randint(1990, 99_900)) / 100 for _ in range(5000)]
        self.tags = [(self.tag_ids[name], share) for name, share in _TAGS]

    def at(self, days_ago: float) -> datetime:
        return datetime.fromtimestamp(self.ts - days_ago * _DAY, UTC)

    def pick(self, pool: Sequence[Any]) -> Any:
        return pool[int(self.rng.random() * len(pool))]

    def customer(self, cid: int, batch: _Batch) -> None:
        r = self.rng.random
        age = 1 + r() * 900
        created = self.at(age)
        spent, count, first, last = self._orders(cid, age, batch)
        active_days = min(self.rng.expovariate(1 / 45), 800)
        last_active = self.at(active_days)
        calendar_, md, birthday = self._birthday()
        points = int(spent) // 10
        if points:
            expires = self.at(-1 - r() * 364)
            batch.points.append(
                (cid, "earn", points, points, expires, f"seed:{cid}", "消费积分", created)
            )
        row = (
            cid, f"oSeed{cid:012d}", f"uSeed{cid:012d}" if r() < 0.6 else None,
            self.pick(self.names),
            f"+861{'3456789'[cid % 7]}{cid % 1_000_000_000:09d}" if r() < 0.7 else None,
            birthday, calendar_, md, False, self.pick(self.genders), self.pick(self.cities),
            "oa" if r() < 0.7 else "wecom", r() < 0.85, r() < 0.05,
            last_active, self.pick(self.levels), points, spent, count, first, last,
            "prospect", created, self.now,
        )  # fmt: skip
        batch.customers.append(row + self._consent(cid, opted_out=row[13], at=created, batch=batch))
        for tag_id, share in self.tags:
            if r() < share:
                batch.tags.append((cid, tag_id, "import", created))
        self._interactions(cid, active_days, batch)

    @staticmethod
    def _consent(cid: int, *, opted_out: bool, at: datetime, batch: _Batch) -> tuple[Any, ...]:
        """Nine in ten who did not opt out agreed to marketing (by id, not the random stream:
        the rest of the data stays what the same seed gave before consent existed)."""
        if opted_out or cid % 10 == 0:
            return (False, None, None)
        batch.consents.append((cid, True, SEED_SOURCE, MARKETING, "siyu seed", at))
        return (True, at, SEED_SOURCE)

    def _birthday(self) -> tuple[str, int | None, date | None]:
        roll = self.rng.random()
        if roll < 0.15:
            return "solar", None, None
        day = self.pick(self.days)
        if roll < 0.25:  # lunar, year unknown (converting every one would be slow)
            return "lunar", day.month * 100 + min(day.day, 29), None
        return "solar", day.month * 100 + day.day, day

    def _orders(
        self, cid: int, age: float, batch: _Batch
    ) -> tuple[Decimal, int, datetime | None, datetime | None]:
        r = self.rng.random
        count = 0 if r() < 0.35 else min(int(self.rng.expovariate(0.45)) + 1, 30)
        spent, first, last = Decimal(0), None, None
        for k in range(count):
            paid = self.at(r() * age)
            amount = self.pick(self.amounts)
            spent += amount
            first = paid if first is None or paid < first else first
            last = paid if last is None or paid > last else last
            item = self.pick(_ITEMS)
            batch.orders.append((cid, f"SEED-{cid}-{k}", amount, "CNY", item, paid, "shop", paid))
        return spent, count, first, last

    def _interactions(self, cid: int, active_days: float, batch: _Batch) -> None:
        for _ in range(self.pick((0, 1, 1, 2, 3))):
            text, label, intent = self.pick(_MESSAGES)
            score = {"positive": 0.9, "neutral": 0.5, "negative": 0.1}[label]
            at = self.at(active_days + self.rng.random() * 60)
            batch.interactions.append((cid, "oa", "in", "text", text, score, label, intent, at))


async def seed(
    customers: int,
    random_seed: int = 42,
    batch_size: int = 20_000,
    on_progress: Callable[[int], None] | None = None,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> SeedResult:
    """Add `customers` new synthetic customers with their orders, messages, tags and points."""
    tag_ids = {name: (await Tag.get_or_create(name=name))[0].id for name, _ in _TAGS}
    gen = _Generator(random.Random(random_seed), clock.now(), tag_ids)
    next_id = await _next_customer_id()
    totals = [0, 0, 0, 0, 0]
    starts = list(range(0, customers, batch_size))

    def build(start: int) -> _Batch:
        batch = _Batch()
        for offset in range(min(batch_size, customers - start)):
            gen.customer(next_id + start + offset, batch)
        return batch

    # Generate the next batch in a thread while the database ingests the current one.
    pending = asyncio.create_task(asyncio.to_thread(build, starts[0])) if starts else None
    for index in range(len(starts)):
        assert pending is not None
        batch = await pending
        if index + 1 < len(starts):
            pending = asyncio.create_task(asyncio.to_thread(build, starts[index + 1]))
        await _write(batch)
        for i, rows in enumerate(batch.tables()):
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
    await copy_rows("consent_record", _CONSENT_COLUMNS, batch.consents)


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
    await conn.execute_many(f'INSERT INTO "{table}" ({names}) VALUES ({marks(len(columns))})', rows)


async def _reset_sequences() -> None:
    if not is_postgres():
        return
    conn = connections.get("default")
    for table in ("customer", "orders", "interaction", "customer_tag", "points_entry"):
        await conn.execute_script(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'COALESCE((SELECT MAX("id") FROM "{table}"), 0) + 1, false)'
        )
