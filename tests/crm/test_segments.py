from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from crm.actors import SYSTEM
from crm.birthdays import birthday_fields, parse_birthday
from crm.clock import FrozenClock
from crm.errors import Conflict, InvalidInput
from crm.models import (
    Complaint,
    ComplaintStatus,
    Customer,
    Interaction,
    LifecycleStage,
    RfmScore,
    SegmentKind,
)
from crm.points import earn
from crm.segments import (
    context,
    count,
    create_segment,
    iter_ids,
    parse_rule,
    preview,
    rule_members,
    rule_queryset,
    segment_members,
    segment_queryset,
    snapshot,
)
from tests.crm.conftest import NOW, MakeCustomer


async def ids(rule: dict[str, Any]) -> set[int]:
    """The rule's customers, checked against its id-only form (crm.segments.members)."""
    qs = rule_queryset(rule, context(clock=FrozenClock(NOW)))
    found = set(await qs.values_list("id", flat=True))
    assert await qs.count() == len(found)
    members = rule_members(rule, context(clock=FrozenClock(NOW)))
    assert set(await members.ids()) == found
    assert await count(members) == len(found)
    return found


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        ({"all": [{"field": "tag"}]}, "rule.all[0].value"),
        ({"any": [{"field": "birthday", "op": "month", "value": 13}]}, "rule.any[0]"),
        ({"not": {"field": "nope"}}, "rule.not"),
        ({"all": [{"field": "points_balance", "op": "gt", "value": -1}]}, "rule.all[0].value"),
        ({"all": []}, "rule.all"),
        ({"bogus": 1}, "rule"),
        ({"field": "last_active", "op": "within_days", "value": "2026-01-01T00:00:00"}, "rule"),
        ({"field": "attribute", "key": "a'b", "value": "x"}, "rule.key"),
    ],
)
def test_invalid_rules_name_the_path_and_the_reason(rule: dict[str, Any], path: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_rule(rule)
    assert f"{path}:" in str(caught.value)


async def test_tags_stage_numbers_and_flags(make_customer: MakeCustomer) -> None:
    vip = await make_customer(tags=("vip",), points_balance=500, total_spent=Decimal("800"))
    vip_out = await make_customer(tags=("vip",), opted_out=True)
    plain = await make_customer(lifecycle_stage=LifecycleStage.AT_RISK, total_spent=Decimal("600"))
    merged = await make_customer(tags=("vip",), merged_into_id=vip.id)
    assert await ids({"field": "tag", "value": "vip"}) == {vip.id, vip_out.id}
    assert merged.id not in await ids({"field": "tag", "op": "lacks", "value": "vip"})
    assert await ids(
        {"all": [{"field": "tag", "value": "vip"}, {"not": {"field": "opted_out"}}]}
    ) == {vip.id}
    at_risk_big = {"all": [
        {"field": "lifecycle_stage", "value": "at_risk"},
        {"field": "total_spent", "op": "gt", "value": 500},
    ]}  # fmt: skip
    assert await ids(at_risk_big) == {plain.id}
    assert await ids({"field": "points_balance", "op": "gte", "value": 500}) == {vip.id}
    assert await ids({"field": "order_count", "op": "eq", "value": 0}) == {
        vip.id, vip_out.id, plain.id
    }  # fmt: skip


async def test_tag_driven_members_leave_out_merged_and_opted_out(
    make_customer: MakeCustomer,
) -> None:
    both = await make_customer(tags=("vip", "母婴"))
    vip = await make_customer(tags=("vip",))
    out = await make_customer(tags=("vip", "母婴"), opted_out=True)
    await make_customer(tags=("vip", "母婴"), merged_into_id=both.id)
    assert await ids({"field": "tag", "value": "vip"}) == {both.id, vip.id, out.id}
    has_both = [{"field": "tag", "value": "vip"}, {"field": "tag", "value": "母婴"}]
    assert await ids({"all": has_both}) == {both.id, out.id}
    contactable = [*has_both, {"field": "opted_out", "value": False}]
    assert await ids({"all": contactable}) == {both.id}
    lacking = [{"field": "tag", "value": "vip"}, {"field": "tag", "op": "lacks", "value": "母婴"}]
    assert await ids({"all": lacking}) == {vip.id}
    assert await ids({"any": [{"all": lacking}, {"all": contactable}]}) == {vip.id, both.id}
    overlapping = {"any": [{"field": "tag", "value": "vip"}, {"all": has_both}]}
    assert await ids(overlapping) == {both.id, vip.id, out.id}  # counted once each
    assert await ids({"field": "tag", "value": "无此标签"}) == set()


async def test_last_active(make_customer: MakeCustomer) -> None:
    recent = await make_customer(last_active_at=NOW - timedelta(days=2))
    old = await make_customer(last_active_at=NOW - timedelta(days=40))
    never = await make_customer()
    assert await ids({"field": "last_active", "op": "within_days", "value": 30}) == {recent.id}
    inactive = await ids({"field": "last_active", "op": "not_within_days", "value": 30})
    assert inactive == {old.id, never.id}
    before = {"field": "last_active", "op": "before", "value": (NOW - timedelta(days=10))}
    assert await ids({"all": [before]}) == {old.id}
    after = {"field": "last_active", "op": "after", "value": (NOW - timedelta(days=10))}
    assert await ids(after) == {recent.id}


async def test_birthdays_solar_lunar_and_ranges(make_customer: MakeCustomer) -> None:
    # NOW is 2026-11-23 in Shanghai, which is 农历十月十五 (10-15)
    today = await make_customer(**birthday_fields(parse_birthday("1990-11-23")))
    lunar_today = await make_customer(**birthday_fields(parse_birthday("农历10-15")))
    in_a_week = await make_customer(**birthday_fields(parse_birthday("1985-11-29")))
    december = await make_customer(**birthday_fields(parse_birthday("2000-12-01")))
    await make_customer()
    assert await ids({"field": "birthday", "op": "today"}) == {today.id, lunar_today.id}
    week = await ids({"field": "birthday", "op": "within_days", "value": 7})
    assert week == {today.id, lunar_today.id, in_a_week.id}
    assert await ids({"field": "birthday", "op": "month", "value": 12}) == {december.id}


async def test_rfm_choices_and_attributes(make_customer: MakeCustomer) -> None:
    a = await make_customer(city="上海", gender="female",
                            attributes={"level": "gold", "stores": 3}, subscribed=True)  # fmt: skip
    b = await make_customer(city="北京", source_channel="wecom", attributes={"level": "silver"})
    await RfmScore.create(customer_id=a.id, r_score=5, f_score=4, m_score=5, scored_at=NOW)
    await RfmScore.create(customer_id=b.id, r_score=2, f_score=1, m_score=1, scored_at=NOW)
    assert await ids({"field": "r_score", "op": "between", "value": [4, 5]}) == {a.id}
    assert await ids({"field": "m_score", "op": "lt", "value": 3}) == {b.id}
    assert await ids({"field": "city", "op": "in", "value": ["上海", "杭州"]}) == {a.id}
    assert await ids({"field": "channel", "value": "wecom"}) == {b.id}
    assert await ids({"field": "gender", "op": "ne", "value": "female"}) == {b.id}
    assert await ids({"field": "subscribed"}) == {a.id}
    assert await ids({"field": "attribute", "key": "level", "value": "gold"}) == {a.id}
    assert await ids({"field": "attribute", "key": "stores", "value": 3}) == {a.id}
    assert await ids({"field": "attribute", "key": "stores", "op": "missing"}) == {b.id}
    assert await ids({"field": "attribute", "key": "level", "op": "ne", "value": "gold"}) == {b.id}


async def test_sentiment_and_open_complaints(make_customer: MakeCustomer) -> None:
    angry = await make_customer()
    once = await make_customer()
    calm = await make_customer()
    for customer, days_ago in ((angry, 1), (angry, 2), (once, 3), (calm, 30)):
        row = await Interaction.create(
            customer=customer, channel="oa", direction="in", kind="text", sentiment_label="negative"
        )
        await Interaction.filter(id=row.id).update(created_at=NOW - timedelta(days=days_ago))
    await Complaint.create(customer=once, status=ComplaintStatus.OPEN)
    await Complaint.create(customer=calm, status=ComplaintStatus.CLOSED)
    assert await ids({"field": "negative_messages", "days": 7}) == {angry.id, once.id}
    assert await ids({"field": "negative_messages", "days": 7, "min_count": 2}) == {angry.id}
    assert await ids({"field": "open_complaints"}) == {once.id}


async def test_nested_any_all_not(make_customer: MakeCustomer) -> None:
    a = await make_customer(tags=("vip",), city="上海", points_balance=200)
    b = await make_customer(city="北京", points_balance=50, opted_out=True)
    c = await make_customer(city="北京", points_balance=300)
    rule = {"any": [
        {"all": [{"field": "tag", "value": "vip"}, {"field": "city", "value": "上海"}]},
        {"all": [
            {"not": {"any": [{"field": "opted_out"}, {"field": "tag", "value": "vip"}]}},
            {"field": "points_balance", "op": "gt", "value": 100},
            {"field": "city", "value": "北京"},
        ]},
    ]}  # fmt: skip
    assert await ids(rule) == {a.id, c.id}
    assert b.id not in await ids(rule)


async def test_any_with_a_subquery_branch_matches_like_or(make_customer: MakeCustomer) -> None:
    # An any-group holding a tag (or other subquery) compiles to one id list per branch.
    vip = await make_customer(tags=("vip",), city=None, points_balance=0)
    gold = await make_customer(city="北京", attributes={"level": "gold"}, total_spent="600.50")
    rich = await make_customer(city="北京", total_spent="1200", points_balance=300)
    nobody = await make_customer(city=None, total_spent="10")
    merged = await make_customer(tags=("vip",), merged_into_id=vip.id)
    await RfmScore.create(customer_id=rich.id, r_score=5, f_score=5, m_score=5, scored_at=NOW)
    both = await make_customer(tags=("vip",), city="北京", points_balance=500)
    rule = {"any": [
        {"field": "tag", "value": "vip"},
        {"field": "attribute", "key": "level", "value": "gold"},
        {"all": [{"field": "total_spent", "op": "gt", "value": 1000},
                 {"field": "r_score", "op": "gte", "value": 4}]},
    ]}  # fmt: skip
    assert await ids(rule) == {vip.id, gold.id, rich.id, both.id}
    inside = {"all": [{"field": "city", "value": "北京"}, rule]}
    assert await ids(inside) == {gold.id, rich.id, both.id}
    # Under not, an unknown city is "not 上海": not {…} is the complement of the rule.
    negated = {
        "not": {"any": [{"field": "tag", "value": "vip"}, {"field": "city", "value": "上海"}]}
    }
    assert await ids(negated) == {gold.id, rich.id, nobody.id}
    assert merged.id not in await ids(rule) | await ids(negated)
    assert nobody.id not in await ids(rule)
    qs = rule_queryset(rule, context(clock=FrozenClock(NOW)))
    assert [c.id for c in await preview(qs, limit=2)] == sorted([vip.id, gold.id])
    assert [b async for b in iter_ids(qs, batch_size=3)] == [
        sorted([vip.id, gold.id, rich.id]),
        [both.id],
    ]


async def test_preview_masks_and_iteration_streams_in_batches(make_customer: MakeCustomer) -> None:
    made = [
        await make_customer(phone=f"+86138000000{i:02d}", display_name="王小明") for i in range(7)
    ]
    ctx = context(clock=FrozenClock(NOW))
    qs = rule_queryset({"field": "order_count", "op": "eq", "value": 0}, ctx)
    shown = await preview(qs, 3)
    assert [p.id for p in shown] == [c.id for c in made[:3]]
    assert shown[0].phone == "138****0000" and shown[0].display_name == "王**"
    batches = [batch async for batch in iter_ids(qs, batch_size=3)]
    assert [len(b) for b in batches] == [3, 3, 1]
    assert [i for b in batches for i in b] == [c.id for c in made]
    assert await count(qs) == 7


async def test_static_snapshot_freezes_members(make_customer: MakeCustomer) -> None:
    a = await make_customer(points_balance=200)
    rule = {"field": "points_balance", "op": "gt", "value": 100}
    dynamic = await create_segment("积分大于100", rule, actor=SYSTEM)
    static = await create_segment("积分大于100-快照", rule, kind=SegmentKind.STATIC, actor=SYSTEM)
    assert static.member_count == 1 and static.snapshot_at is not None
    b = await make_customer(points_balance=300)
    assert set(await segment_queryset(dynamic).values_list("id", flat=True)) == {a.id, b.id}
    assert set(await segment_queryset(static).values_list("id", flat=True)) == {a.id}
    assert set(await segment_members(dynamic).ids()) == {a.id, b.id}
    assert await count(segment_members(static)) == 1
    assert await snapshot(static, actor=SYSTEM) == 2
    with pytest.raises(Conflict):
        await create_segment("积分大于100", rule, actor=SYSTEM)
    assert await Customer.all().count() == 2


async def test_total_spent_compares_as_a_number(make_customer: MakeCustomer) -> None:
    small = await make_customer(total_spent=Decimal("60"))
    big = await make_customer(total_spent=Decimal("1500.50"))
    assert await ids({"field": "total_spent", "op": "gt", "value": 500}) == {big.id}
    assert await ids({"field": "total_spent", "op": "lte", "value": 100}) == {small.id}
    assert await ids({"field": "total_spent", "op": "ne", "value": 60}) == {big.id}


async def test_unknown_values_are_not_matching_under_negation(make_customer: MakeCustomer) -> None:
    # A customer whose city, attribute, last-active time or birthday is unknown is "not 杭州":
    # ne, not_in and not {…} are exactly the complement of the positive rule.
    hz = await make_customer(city="杭州", last_active_at=NOW - timedelta(days=2),
                             attributes={"level": "gold"},
                             **birthday_fields(parse_birthday("1990-11-23")))  # fmt: skip
    sh = await make_customer(city="上海", last_active_at=NOW - timedelta(days=40))
    unknown = await make_customer(city=None)
    everyone = {hz.id, sh.id, unknown.id}
    assert await ids({"field": "city", "op": "ne", "value": "杭州"}) == {sh.id, unknown.id}
    assert await ids({"field": "city", "op": "not_in", "value": ["杭州"]}) == {sh.id, unknown.id}
    assert await ids({"not": {"field": "city", "value": "杭州"}}) == {sh.id, unknown.id}
    level = {"field": "attribute", "key": "level", "op": "ne", "value": "gold"}
    assert await ids(level) == {sh.id, unknown.id}
    recent = {"field": "last_active", "op": "within_days", "value": 30}
    inactive = {"field": "last_active", "op": "not_within_days", "value": 30}
    assert await ids({"not": recent}) == await ids(inactive) == {sh.id, unknown.id}
    before = {"field": "last_active", "op": "before", "value": NOW - timedelta(days=10)}
    assert await ids({"not": before}) == {hz.id, unknown.id}
    birthday = {"field": "birthday", "op": "today"}
    assert await ids({"not": birthday}) == {sh.id, unknown.id}
    vip_or_hz = {"any": [{"field": "tag", "value": "vip"}, {"field": "city", "value": "杭州"}]}
    assert await ids({"not": vip_or_hz}) == {sh.id, unknown.id}
    for rule in (level, recent, before, birthday, vip_or_hz, {"field": "city", "value": "杭州"}):
        assert await ids(rule) | await ids({"not": rule}) == everyone


async def test_rfm_ne_includes_unscored_like_not_eq(make_customer: MakeCustomer) -> None:
    scored = await make_customer()
    other = await make_customer()
    unscored = await make_customer()
    await RfmScore.create(customer_id=scored.id, r_score=5, f_score=4, m_score=5, scored_at=NOW)
    await RfmScore.create(customer_id=other.id, r_score=2, f_score=4, m_score=1, scored_at=NOW)
    for field, value in (("r_score", 5), ("f_score", 4), ("m_score", 5)):
        ne = await ids({"field": field, "op": "ne", "value": value})
        assert ne == await ids({"not": {"field": field, "value": value}})
        assert unscored.id in ne and scored.id not in ne
    assert await ids({"field": "f_score", "op": "ne", "value": 4}) == {unscored.id}
    assert await ids({"field": "r_score", "op": "ne", "value": 5}) == {other.id, unscored.id}


async def test_json_null_attribute_counts_as_missing(make_customer: MakeCustomer) -> None:
    null = await make_customer(attributes={"level": None})
    gold = await make_customer(attributes={"level": "gold"})
    absent = await make_customer()
    missing = await ids({"field": "attribute", "key": "level", "op": "missing"})
    assert missing == {null.id, absent.id}
    assert await ids({"field": "attribute", "key": "level", "op": "exists"}) == {gold.id}
    level = {"field": "attribute", "key": "level", "op": "ne", "value": "gold"}
    assert await ids(level) == {null.id, absent.id}


async def test_attribute_booleans_match_their_text_not_numbers(make_customer: MakeCustomer) -> None:
    typed = await make_customer(attributes={"member": True, "stores": 1})
    imported = await make_customer(attributes={"member": "true", "stores": "1"})
    excel = await make_customer(attributes={"member": "TRUE"})
    one = await make_customer(attributes={"member": 1})
    no = await make_customer(attributes={"member": False})
    members = {typed.id, imported.id, excel.id}
    assert await ids({"field": "attribute", "key": "member", "value": True}) == members
    assert await ids({"field": "attribute", "key": "member", "value": "true"}) == members
    assert await ids({"field": "attribute", "key": "member", "value": "True"}) == members
    assert await ids({"field": "attribute", "key": "member", "value": 1}) == {one.id}
    assert await ids({"field": "attribute", "key": "member", "value": False}) == {no.id}
    assert await ids({"field": "attribute", "key": "member", "value": "false"}) == {no.id}
    stores = {typed.id, imported.id}
    assert await ids({"field": "attribute", "key": "stores", "value": 1}) == stores
    assert await ids({"field": "attribute", "key": "stores", "value": "1"}) == stores
    others = await ids({"field": "attribute", "key": "member", "op": "ne", "value": True})
    assert others == {one.id, no.id}


async def _points(customer_id: int, *, valid: int, expired: int) -> None:
    """`expired` points past their date that the nightly expiry job has not swept yet."""
    if expired:
        old = FrozenClock(NOW - timedelta(days=400))
        await earn(customer_id, expired, f"old:{customer_id}", clock=old, actor=SYSTEM)
    if valid:
        await earn(customer_id, valid, f"new:{customer_id}", clock=FrozenClock(NOW), actor=SYSTEM)


async def test_points_rules_count_the_balance_valid_now(make_customer: MakeCustomer) -> None:
    stale, fresh, none = await make_customer(), await make_customer(), await make_customer()
    await _points(stale.id, valid=50, expired=100)  # cached 150, valid 50
    await _points(fresh.id, valid=150, expired=0)
    assert (await Customer.get(id=stale.id)).points_balance == 150  # not swept yet

    def rule(op: str, value: int) -> dict[str, Any]:
        return {"field": "points_balance", "op": op, "value": value}

    assert await ids(rule("gt", 100)) == {fresh.id}
    assert await ids(rule("gte", 50)) == {stale.id, fresh.id}
    assert await ids(rule("gte", 51)) == {fresh.id}
    assert await ids(rule("lt", 100)) == {stale.id, none.id}
    assert await ids(rule("lte", 50)) == {stale.id, none.id}
    assert await ids(rule("lt", 50)) == {none.id}
    assert await ids(rule("eq", 50)) == {stale.id}
    assert await ids(rule("eq", 150)) == {fresh.id}
    assert await ids(rule("ne", 150)) == {stale.id, none.id}
    assert await ids({"not": rule("gt", 100)}) == {stale.id, none.id}
    assert await ids({"any": [rule("gt", 100), {"field": "tag", "value": "x"}]}) == {fresh.id}
