"""Campaigns through the API: CRUD, status moves, dry run (masked), run now, runs, stats and
deliveries with filters; each write's audit row checked."""

from __future__ import annotations

from datetime import date
from typing import Any

from crm.models import AuditEntry, Customer, Interaction, Role
from crm.models.campaigns import Campaign, CampaignDelivery, CampaignStatus
from tests.api.conftest import Api, assert_error

SUBSCRIBED = {"field": "subscribed", "op": "eq", "value": True}


def spec(**changes: Any) -> dict[str, Any]:
    data = {"name": "双十二预热", "kind": "custom", "segment": SUBSCRIBED,
            "text": "{{ customer.display_name }}，您好", "schedule": {"cron": "0 10 * * *"},
            "quiet_hours": False}  # fmt: skip
    return {**data, **changes}


async def _customers() -> None:
    """Two who just wrote (reachable by a customer-service message) and one who left."""
    for openid, name, phone in (("o1", "张三丰", "13812345678"), ("o2", "李四", None)):
        c = await Customer.create(openid=openid, display_name=name, phone=phone, subscribed=True)
        await Interaction.create(
            customer=c, channel="oa", direction="in", kind="text", content="hi"
        )
    await Customer.create(openid="o3", display_name="王五", subscribed=False)


async def test_create_get_update_delete_audited(api: Api) -> None:
    created = await api.ok("POST", "/campaigns", Role.OPERATOR, json=spec(status="draft"))
    cid = created["id"]
    assert created["status"] == "draft" and created["segment"] == SUBSCRIBED
    assert (await api.ok("GET", f"/campaigns/{cid}", Role.VIEWER))["name"] == "双十二预热"
    await api.ok(
        "PUT", f"/campaigns/{cid}", Role.OPERATOR, json=spec(text="新文案", status="draft")
    )
    update = await AuditEntry.get(action="campaigns.update")
    assert update.before["text"].startswith("{{") and update.after["text"] == "新文案"
    status, _ = await api.call("DELETE", f"/campaigns/{cid}", Role.OPERATOR)
    assert status == 204 and not await Campaign.exists(id=cid)
    actions = [e.action for e in await AuditEntry.all().order_by("id")]
    assert actions == ["campaigns.create", "campaigns.update", "campaigns.delete"]


async def test_a_bad_campaign_names_the_field(api: Api) -> None:
    status, body = await api.call("POST", "/campaigns", json=spec(schedule={"cron": "nope"}))
    assert status == 400
    assert any(
        d["field"].startswith("body.schedule")
        for d in assert_error(body, "validation_error")["details"]
    )
    status, body = await api.call("POST", "/campaigns", json=spec(segment=None, segment_id=99))
    assert status == 400 and "segment_id" in body["error"]["message"]


async def test_schedule_pause_resume(api: Api) -> None:
    cid = (await api.ok("POST", "/campaigns", json=spec(status="draft")))["id"]
    assert (await api.ok("POST", f"/campaigns/{cid}/schedule", Role.OPERATOR))[
        "status"
    ] == "scheduled"
    assert (await api.ok("POST", f"/campaigns/{cid}/pause", Role.OPERATOR))["status"] == "paused"
    assert (await api.ok("POST", f"/campaigns/{cid}/resume", Role.OPERATOR))[
        "status"
    ] == "scheduled"
    status, body = await api.call("POST", f"/campaigns/{cid}/resume", Role.OPERATOR)
    assert status == 409
    assert_error(body, "conflict")
    pause = await AuditEntry.get(action="campaigns.pause")
    assert pause.before == {"status": "scheduled"} and pause.after == {"status": "paused"}
    moves = [
        (e.action, e.after)
        for e in await AuditEntry.filter(action__not="campaigns.create").order_by("id")
    ]
    assert moves == [
        ("campaigns.schedule", {"status": "scheduled"}),
        ("campaigns.pause", {"status": "paused"}),
        ("campaigns.resume", {"status": "scheduled"}),
    ]  # the refused resume wrote none


async def test_dry_run_is_masked_and_sends_nothing(api: Api) -> None:
    await _customers()
    cid = (await api.ok("POST", "/campaigns", json=spec()))["id"]
    body = await api.ok("POST", f"/campaigns/{cid}/dry-run", Role.OPERATOR, json={"limit": 10})
    assert body["targeted"] == 2
    assert {r["name"] for r in body["deliveries"]} == {"张**", "李*"}
    assert "138****5678" in {r["phone"] for r in body["deliveries"]}
    assert {r["text"] for r in body["deliveries"]} == {"张**，您好", "李*，您好"}
    admin = await api.ok("POST", f"/campaigns/{cid}/dry-run", json={"limit": 10})
    assert "张三丰，您好" in {r["text"] for r in admin["deliveries"]}
    assert await AuditEntry.filter(action="pii.read", resource="customer").count() == 2
    runs = await api.ok("GET", f"/campaigns/{cid}/runs?dry_run=true", Role.VIEWER)
    assert [r["id"] for r in runs["items"]] == [admin["run_id"], body["run_id"]]
    assert all(r["dry_run"] for r in runs["items"])
    audited = await AuditEntry.filter(action="campaigns.dry_run").order_by("id")
    assert [e.after for e in audited] == [{"run_id": body["run_id"]}, {"run_id": admin["run_id"]}]


async def test_run_now_stats_and_deliveries(api: Api) -> None:
    await _customers()
    cid = (await api.ok("POST", "/campaigns", json=spec()))["id"]
    started = await api.ok("POST", f"/campaigns/{cid}/run", Role.OPERATOR)
    assert started["targeted"] == 2 and started["created"]
    run_id = started["run_id"]
    stats = await api.ok("GET", f"/campaigns/{cid}/runs/{run_id}/stats", Role.VIEWER)
    assert stats["targeted"] == 2 and stats["pending"] == 2
    one = await CampaignDelivery.filter(run_id=run_id).first()
    assert one is not None
    await CampaignDelivery.filter(id=one.id).update(status="skipped", reason="opted_out")
    page = await api.ok("GET", f"/campaigns/{cid}/runs/{run_id}/deliveries?status=skipped")
    assert [(d["id"], d["reason"]) for d in page["items"]] == [(one.id, "opted_out")]
    page = await api.ok("GET", f"/campaigns/{cid}/runs/{run_id}/deliveries?limit=1")
    assert len(page["items"]) == 1 and page["next_cursor"]
    assert (await api.ok("GET", f"/campaigns/{cid}/stats"))["skipped"] == 1
    assert (await AuditEntry.get(action="campaigns.run")).after["run_id"] == run_id


async def test_run_now_needs_the_send_permission(api: Api) -> None:
    cid = (await api.ok("POST", "/campaigns", json=spec()))["id"]
    status, body = await api.call("POST", f"/campaigns/{cid}/run", Role.VIEWER)
    assert status == 403
    assert_error(body, "forbidden")


async def test_unknown_run_is_404(api: Api) -> None:
    cid = (await api.ok("POST", "/campaigns", json=spec()))["id"]
    status, body = await api.call("GET", f"/campaigns/{cid}/runs/999/stats")
    assert status == 404
    assert_error(body, "not_found")


async def test_list_filters_by_status(api: Api) -> None:
    await api.ok("POST", "/campaigns", json=spec(name="a", status="draft"))
    await api.ok("POST", "/campaigns", json=spec(name="b"))
    page = await api.ok("GET", "/campaigns?status=draft", Role.VIEWER)
    assert [c["name"] for c in page["items"]] == ["a"]
    assert (await api.ok("GET", "/campaigns?sort=-name"))["items"][0][
        "status"
    ] == CampaignStatus.SCHEDULED


async def test_a_dry_run_masks_a_birthday_the_text_shows(api: Api) -> None:
    one = await Customer.create(openid="o1", display_name="张三丰", subscribed=True,
                                birthday=date(1990, 3, 7))  # fmt: skip
    await Interaction.create(customer=one, channel="oa", direction="in", kind="text", content="hi")
    text = "{{ customer.display_name }}，您的生日 {{ customer.birthday }} 快到了"
    cid = (await api.ok("POST", "/campaigns", json=spec(text=text)))["id"]
    body = await api.ok("POST", f"/campaigns/{cid}/dry-run", Role.OPERATOR, json={"limit": 5})
    assert [r["text"] for r in body["deliveries"]] == ["张**，您的生日 ****-**-** 快到了"]
    admin = await api.ok("POST", f"/campaigns/{cid}/dry-run", json={"limit": 5})
    assert [r["text"] for r in admin["deliveries"]] == ["张三丰，您的生日 1990-03-07 快到了"]
