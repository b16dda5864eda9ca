"""The crm services both staff doors share: search, profile, timeline, notes, masking, edits."""

from __future__ import annotations

from datetime import date

import pytest

from crm import customer_edits, notes, privacy, profiles, search
from crm.actors import Actor
from crm.errors import InvalidInput, NotFound
from crm.models import AuditEntry, Direction, Interaction, LifecycleStage, PointsEntry, Role
from tests.staff.conftest import MakeCustomer

OPERATOR = Actor.staff("yunying", Role.OPERATOR)
ADMIN = Actor.staff("boss", Role.ADMIN)


async def test_find_by_phone_is_exact_on_the_normalised_number(make_customer: MakeCustomer) -> None:
    zhang = await make_customer(display_name="张三", phone="+8613812345678")
    await make_customer(display_name="李四", phone="+8613812345679")
    for typed in ("13812345678", "138 1234 5678", "+86-138-1234-5678"):
        assert [c.id for c in await search.find_customers(typed)] == [zhang.id]
    assert await search.find_customers("1381234567") == []  # a prefix is no match


async def test_find_by_name_openid_tag_stage_and_id(make_customer: MakeCustomer) -> None:
    zhang = await make_customer(display_name="张三丰", tags=("VIP",))
    li = await make_customer(display_name="李四", lifecycle_stage=LifecycleStage.LOYAL)
    assert [c.id for c in await search.find_customers("三丰")] == [zhang.id]
    assert [c.id for c in await search.find_customers(str(li.openid))] == [li.id]
    assert [c.id for c in await search.find_customers("VIP")] == [zhang.id]
    assert [c.id for c in await search.find_customers("忠诚")] == [li.id]
    assert [c.id for c in await search.find_customers("loyal")] == [li.id]
    assert [c.id for c in await search.find_customers(str(li.id))] == [li.id]
    assert await search.count_customers("李") == 1


async def test_find_skips_merged_away_and_limits(make_customer: MakeCustomer) -> None:
    kept = [await make_customer(display_name=f"王{i}") for i in range(5)]
    gone = await make_customer(display_name="王已合并", merged_into=kept[0])
    found = await search.find_customers("王", limit=3)
    assert [c.id for c in found] == [c.id for c in kept[:3]]
    assert gone.id not in [c.id for c in await search.find_customers("王", limit=10)]
    assert await search.count_customers("王") == 5
    with pytest.raises(InvalidInput):
        await search.find_customers("   ")


async def test_profile_and_masking_by_role(make_customer: MakeCustomer) -> None:
    c = await make_customer(
        display_name="张三丰", phone="+8613812345678", birthday=date(1990, 5, 12),
        attributes={"real_name": "张君宝", "address": "上海市静安区南京西路1号"},
        tags=("VIP", "老客"), points_balance=120,
    )  # fmt: skip
    shown = await profiles.profile(c.id)
    assert shown.tags == ("VIP", "老客") and shown.points_balance == 120
    assert shown.phone == "+8613812345678" and shown.birthday == "1990-05-12"
    for role in (Role.VIEWER, Role.OPERATOR):
        seen = shown.for_role(role)
        assert (seen.phone, seen.display_name, seen.real_name) == ("138****5678", "张**", "张**")
        assert seen.birthday == "****-**-**" and seen.address == "上海市静安区****"
    assert shown.for_role(Role.ADMIN) == shown
    assert privacy.masked(Role.VIEWER, "city", "上海") == "上海"
    with pytest.raises(NotFound):
        await profiles.profile(999_999)


async def test_timeline_newest_first_with_a_cursor(make_customer: MakeCustomer) -> None:
    c = await make_customer()
    for i in range(5):
        await Interaction.create(
            customer=c, channel="oa", direction=Direction.IN if i % 2 == 0 else Direction.OUT,
            kind="text", content=f"第{i}条", sentiment_label="negative", intent="complaint",
        )  # fmt: skip
    first = await profiles.timeline(c.id, limit=2)
    assert [i.content for i in first] == ["第4条", "第3条"]
    assert first[1].direction == "out" and first[0].sentiment_label == "negative"
    rest = await profiles.timeline(c.id, before_id=first[-1].id, limit=10)
    assert [i.content for i in rest] == ["第2条", "第1条", "第0条"]


async def test_a_note_commits_with_its_audit_row(make_customer: MakeCustomer) -> None:
    c = await make_customer()
    note = await notes.add_note(c.id, " 喜欢早上联系 ", actor=OPERATOR)
    assert note.text == "喜欢早上联系" and note.author == "staff:yunying"
    [entry] = await AuditEntry.filter(action="customers.note")
    assert (entry.actor, entry.resource_id) == ("staff:yunying", str(c.id))
    assert entry.after == {"note_id": note.id, "text": "喜欢早上联系"}
    assert [n.id for n in await notes.notes(c.id)] == [note.id]
    with pytest.raises(InvalidInput):
        await notes.add_note(c.id, "  ", actor=OPERATOR)
    assert await AuditEntry.all().count() == 1


async def test_tag_untag_and_points_are_audited_once(make_customer: MakeCustomer) -> None:
    c = await make_customer()
    assert await customer_edits.add_tag(c.id, "VIP", actor=OPERATOR)
    assert not await customer_edits.add_tag(c.id, "VIP", actor=OPERATOR)
    assert await customer_edits.remove_tag(c.id, "VIP", actor=OPERATOR)
    assert not await customer_edits.remove_tag(c.id, "VIP", actor=OPERATOR)
    entry = await customer_edits.adjust_points(
        c.id, 100, "补偿", actor=OPERATOR, reference="staff:test:1"
    )
    again = await customer_edits.adjust_points(
        c.id, 100, "补偿", actor=OPERATOR, reference="staff:test:1"
    )
    assert again.id == entry.id and await PointsEntry.all().count() == 1
    rows = await AuditEntry.all().order_by("id").values_list("action", "before", "after")
    assert rows == [
        ("customers.tag", {}, {"tag": "VIP"}),
        ("customers.untag", {"tag": "VIP"}, {}),
        ("points.adjust", None, {"amount": 100, "reason": "补偿", "entry_id": entry.id}),
    ]


async def test_an_unmasked_read_is_audited_for_admin_only(make_customer: MakeCustomer) -> None:
    c = await make_customer(phone="+8613812345678")
    assert await privacy.record_unmasked_read(OPERATOR, "customer", [c.id], ["phone"]) == 0
    assert await privacy.record_unmasked_read(ADMIN, "customer", [c.id], ["phone"]) == 1
    [entry] = await AuditEntry.all()
    assert (entry.action, entry.actor, entry.after) == (
        "pii.read",
        "staff:boss",
        {"fields": ["phone"]},
    )
