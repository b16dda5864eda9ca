"""Staff commands through the WeCom webhook (signed, encrypted): each command's happy path,
masking per role, audit rows for every write, long lists cut to one message."""

from __future__ import annotations

from datetime import date

from crm.models import (
    AuditEntry,
    Campaign,
    CampaignKind,
    CampaignStatus,
    Customer,
    CustomerNote,
    CustomerTag,
    PointsEntry,
    Role,
    Segment,
)
from tests.staff.conftest import MakeCustomer, Send

ADMIN, OPERATOR, VIEWER = "boss", "yunying", "kanke"


async def rows(action: str) -> list[tuple[str, str, dict | None, dict | None]]:
    entries = AuditEntry.filter(action=action).order_by("id")
    return list(await entries.values_list("actor", "resource_id", "before", "after"))


async def test_help_lists_only_what_each_role_may_run(members: dict, send: Send) -> None:
    viewer, operator, admin = [await send(u, "/help") for u in (VIEWER, OPERATOR, ADMIN)]
    reads = ("/find 手机号或名字 — 查找客户", "/profile 客户ID", "/segment count 分群ID",
             "/campaign status 活动ID", "/stats today — 今日统计", "/whoami")  # fmt: skip
    writes = ("/tag 客户ID 标签", "/untag 客户ID 标签", "/note 客户ID", "/points 客户ID +100 原因",
              "/campaign pause 活动ID")  # fmt: skip
    for text in (viewer, operator, admin):
        assert all(r in text for r in reads), text
    assert not any(w in viewer for w in writes)
    assert all(w in operator for w in writes) and all(w in admin for w in writes)
    assert "/segment —" not in admin  # the usage fallbacks are not commands of their own


async def test_find_masks_for_operator_and_viewer(
    members: dict, send: Send, make_customer: MakeCustomer
) -> None:
    c = await make_customer(display_name="张三丰", phone="+8613812345678", points_balance=80)
    for user in (OPERATOR, VIEWER):
        reply = await send(user, "/find 138 1234 5678")
        assert reply == f"找到 1 位客户：\n#{c.id} 张**｜138****5678｜潜客｜80 积分"
    assert await AuditEntry.all().count() == 0  # masked reads are not audited


async def test_find_unmasked_for_admin_is_audited(
    members: dict, send: Send, make_customer: MakeCustomer
) -> None:
    c = await make_customer(display_name="张三丰", phone="+8613812345678")
    reply = await send(ADMIN, "/find 张三")
    assert f"#{c.id} 张三丰｜+8613812345678｜" in reply
    assert await rows("pii.read") == [
        ("staff:boss", str(c.id), None, {"fields": ["name", "phone"]})
    ]


async def test_a_long_list_is_cut_with_the_count_of_the_rest(
    members: dict, send: Send, make_customer: MakeCustomer
) -> None:
    for i in range(15):
        await make_customer(display_name=f"王小二{i:02d}")
    reply = await send(OPERATOR, "/find 王小二")
    lines = reply.splitlines()
    assert lines[0] == "找到 15 位客户：" and len(lines) == 12
    assert lines[-1] == "……另有 5 位未显示，请缩小查询范围。"
    assert len(reply.encode()) <= 2048
    assert await send(OPERATOR, "/find 没有这个人") == "没有找到与「没有这个人」匹配的客户。"


async def test_profile_masked_per_role(
    members: dict, send: Send, make_customer: MakeCustomer
) -> None:
    c = await make_customer(
        display_name="张三丰", phone="+8613812345678", birthday=date(1990, 5, 12),
        attributes={"address": "上海市静安区南京西路1号"}, tags=("VIP",), points_balance=120,
    )  # fmt: skip
    for user in (OPERATOR, VIEWER):
        reply = await send(user, f"/profile {c.id}")
        assert f"客户 #{c.id} 张**" in reply and "手机：138****5678｜生日：****-**-**" in reply
        assert "地址：上海市静安区****" in reply and "标签：VIP" in reply
        assert "积分：120" in reply and "13812345678" not in reply and "1990" not in reply
    reply = await send(ADMIN, f"/profile #{c.id}")
    assert "手机：+8613812345678｜生日：1990-05-12" in reply and "南京西路1号" in reply
    [(actor, rid, _, after)] = await rows("pii.read")
    assert (actor, rid) == ("staff:boss", str(c.id))
    assert after == {"fields": ["address", "birthday", "name", "phone"]}
    assert (
        await send(VIEWER, "/profile 999999") == "/profile：抱歉，没有找到相关记录，请核对后再试。"
    )


async def test_tag_untag_note_and_points_are_done_and_audited(
    members: dict, send: Send, make_customer: MakeCustomer
) -> None:
    c = await make_customer()
    cid = str(c.id)
    assert (
        await send(OPERATOR, f"/tag {c.id} 高意向 客户")
        == f"已为客户 #{c.id} 打上标签「高意向 客户」。"
    )
    assert "无需重复添加" in await send(OPERATOR, f"/tag {c.id} 高意向 客户")
    assert await CustomerTag.filter(customer_id=c.id).count() == 1
    assert (
        await send(OPERATOR, f"/untag {c.id} 高意向 客户")
        == f"已去掉客户 #{c.id} 的标签「高意向 客户」。"
    )
    assert await CustomerTag.filter(customer_id=c.id).count() == 0
    assert await send(OPERATOR, f"/note {c.id} 周末方便联系") == f"已为客户 #{c.id} 添加备注。"
    [note] = await CustomerNote.filter(customer_id=c.id)
    assert (note.text, note.author) == ("周末方便联系", "staff:yunying")
    reply = await send(OPERATOR, f"/points {c.id} +100 物流延误补偿")
    assert reply == f"已为客户 #{c.id} 调整积分 +100（物流延误补偿），当前余额 100。"
    assert "积分不足 500" in await send(OPERATOR, f"/points {c.id} -500 误发")
    assert (await Customer.get(id=c.id)).points_balance == 100
    [entry] = await PointsEntry.filter(customer_id=c.id)
    assert await rows("customers.tag") == [("staff:yunying", cid, {}, {"tag": "高意向 客户"})]
    assert await rows("customers.untag") == [("staff:yunying", cid, {"tag": "高意向 客户"}, {})]
    assert await rows("customers.note") == [
        ("staff:yunying", cid, None, {"note_id": note.id, "text": "周末方便联系"})
    ]
    assert await rows("points.adjust") == [
        (
            "staff:yunying",
            cid,
            None,
            {"amount": 100, "reason": "物流延误补偿", "entry_id": entry.id},
        )
    ]
    assert await AuditEntry.all().count() == 4  # the refused debit and the repeated tag: none


async def test_segment_count(members: dict, send: Send, make_customer: MakeCustomer) -> None:
    await make_customer(tags=("vip",))
    await make_customer(tags=("vip",))
    await make_customer()
    segment = await Segment.create(name="会员", rule={"field": "tag", "value": "vip"})
    reply = await send(VIEWER, f"/segment count {segment.id}")
    assert reply == f"分群 #{segment.id}「会员」当前共 2 位客户。"
    assert await send(VIEWER, "/segment 3") == "用法：/segment count 分群ID"


async def campaign(**fields: object) -> Campaign:
    values: dict[str, object] = {
        "name": "生日祝福", "kind": CampaignKind.BIRTHDAY, "text": "生日快乐",
        "schedule": {"birthday": {"days_before": 0, "at": "10:00"}},
    }  # fmt: skip
    return await Campaign.create(**{**values, **fields})


async def test_campaign_status_and_pause(members: dict, send: Send) -> None:
    c = await campaign(status=CampaignStatus.SCHEDULED)
    reply = await send(VIEWER, f"/campaign status {c.id}")
    assert reply.startswith(f"活动 #{c.id}「生日祝福」：已排期\n已运行 0 次")
    reply = await send(OPERATOR, f"/campaign pause {c.id}")
    assert reply == f"活动 #{c.id}「生日祝福」已暂停，待发送的消息会保留到恢复。"
    assert (await Campaign.get(id=c.id)).status is CampaignStatus.PAUSED
    await send(OPERATOR, f"/campaign pause {c.id}")  # already paused: no second row
    assert await rows("campaigns.pause") == [
        ("staff:yunying", str(c.id), {"status": "scheduled"}, {"status": "paused"})
    ]
    draft = await campaign(name="草稿活动", status=CampaignStatus.DRAFT)
    assert await send(OPERATOR, f"/campaign pause {draft.id}") == (
        f"活动 #{draft.id} 当前草稿，无法暂停。"
    )
    assert await send(VIEWER, "/campaign 5") == (
        "用法：/campaign status 活动ID\n/campaign pause 活动ID"
    )


async def test_bad_or_missing_arguments_get_the_usage(members: dict, send: Send) -> None:
    expected = {
        "/find": "用法：/find 手机号或名字",
        "/profile abc": "用法：/profile 客户ID",
        "/tag 12": "用法：/tag 客户ID 标签",
        "/untag": "用法：/untag 客户ID 标签",
        "/note x 内容": "用法：/note 客户ID 备注内容",
        "/points 12 abc 原因": "用法：/points 客户ID +100 原因",
        "/points 12 +100": "用法：/points 客户ID +100 原因",
        "/points 12 0 原因": "用法：/points 客户ID +100 原因",
        "/stats": "用法：/stats today",
        "/campaign pause": "用法：/campaign pause 活动ID",
    }
    for text, reply in expected.items():
        assert await send(ADMIN, text) == reply, text
    assert await AuditEntry.all().count() == 0


async def test_roles_are_read_from_the_database_each_message(members: dict, send: Send) -> None:
    from crm.models import Staff

    assert "需要「运营」" in await send(VIEWER, "/tag 1 VIP")
    await Staff.filter(userid=VIEWER).update(role=Role.OPERATOR)
    assert "/profile：" in await send(VIEWER, "/profile 1")  # now past the role check: not found
