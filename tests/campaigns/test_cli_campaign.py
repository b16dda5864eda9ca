"""The stable CLI: `siyu segment create|count` and `siyu campaign …`, JSON on stdout.

`siyu campaign run` starts a run through crm.campaigns.runs.start_run (the outbox's); its
end-to-end test belongs with that module. Here: the dry-run preview and the --wait poll it
prints, on runs written directly."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from tortoise.exceptions import DBConnectionError
from typer.testing import CliRunner

from bot.cli import app
from bot.cli.campaigns import _wait
from crm.campaigns.preview import preview_run
from crm.clock import FrozenClock
from crm.database import close_database, migrate, open_database
from crm.models import Customer, Interaction
from crm.models.campaigns import Campaign, CampaignDelivery, CampaignRun, DeliveryStatus
from tests.campaigns.core_support import NOW, campaign_file, make_campaign
from tests.conftest import TEST_DATABASE_URL, _reset_postgres, unavailable

T = TypeVar("T")
runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated, empty database for commands that open it themselves (both databases)."""
    if TEST_DATABASE_URL == "sqlite":
        url = f"sqlite://{tmp_path}/cli.sqlite3"
        asyncio.run(_migrated(url))
    else:
        url = TEST_DATABASE_URL
        try:
            asyncio.run(_reset_postgres(url))
        except (OSError, DBConnectionError) as exc:
            unavailable("PostgreSQL", exc)
    monkeypatch.setenv("SIYU_DATABASE_URL", url)
    yield url


async def _migrated(url: str) -> None:
    await migrate(url)
    await close_database()


def in_db(url: str, work: Callable[[], Awaitable[T]]) -> T:
    async def run() -> T:
        await open_database(url)
        try:
            return await work()
        finally:
            await close_database()

    return asyncio.run(run())


def siyu(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def failing(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2, result.output
    return result.output


def write(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


async def vip_customers() -> None:
    for n, tags in ((1, "vip"), (2, "vip"), (3, None)):
        customer = await Customer.create(openid=f"o{n}", display_name=f"客户{n}")
        if tags:
            from crm.models import CustomerTag, Tag, TagSource

            tag, _ = await Tag.get_or_create(name=tags)
            await CustomerTag.create(customer=customer, tag=tag, source=TagSource.STAFF)


def test_segment_create_and_count(cli_db: str, tmp_path: Path) -> None:
    in_db(cli_db, vip_customers)
    rule = write(tmp_path / "vip.json", {"field": "tag", "value": "vip"})
    created = siyu("segment", "create", "--name", "VIP", "--rule", str(rule))
    assert set(created) == {"id"}
    assert siyu("segment", "count", str(created["id"])) == {"count": 2}
    assert siyu("segment", "count", "--rule", str(rule)) == {"count": 2}
    bad = write(tmp_path / "bad.json", {"all": [{"field": "tag", "op": "own", "value": "x"}]})
    assert "rule.all[0].op" in failing("segment", "count", "--rule", str(bad))
    assert "无法读取" in failing("segment", "count", "--rule", str(tmp_path / "none.json"))
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    assert "不是有效的 JSON" in failing("segment", "count", "--rule", str(tmp_path / "broken.json"))
    assert "二选一" in failing("segment", "count")
    assert "已有同名分群" in failing("segment", "create", "--name", "VIP", "--rule", str(rule))


def test_campaign_create_list_show_pause_resume(cli_db: str, tmp_path: Path) -> None:
    yaml_file = tmp_path / "c.yaml"
    yaml_file.write_text(
        "name: 双十二预热\nkind: custom\nsegment: {field: tag, value: vip}\n"
        "text: '{{ customer.display_name }}，双十二见'\nschedule: {cron: '0 10 * * *'}\n"
        "quiet_hours: false\n",
        encoding="utf-8",
    )
    created = siyu("campaign", "create", str(yaml_file))
    cid = created["id"]
    assert (created["status"], created["quiet_hours"]) == ("scheduled", False)
    assert [c["id"] for c in siyu("campaign", "list")] == [cid]
    shown = siyu("campaign", "show", str(cid))
    assert shown["schedule"] == {"cron": "0 10 * * *"} and shown["runs"] == []
    assert siyu("campaign", "pause", str(cid))["status"] == "paused"
    assert siyu("campaign", "list", "--status", "paused")[0]["id"] == cid
    assert siyu("campaign", "resume", str(cid))["status"] == "scheduled"
    assert "未暂停" in failing("campaign", "resume", str(cid))
    assert "活动 999 不存在" in failing("campaign", "show", "999")


def test_a_bad_campaign_file_names_the_field_and_writes_nothing(
    cli_db: str, tmp_path: Path
) -> None:
    bad = write(tmp_path / "bad.json", campaign_file(schedule={"cron": "every day"}))
    assert "schedule.cron" in failing("campaign", "create", str(bad))
    assert "无法读取" in failing("campaign", "create", str(tmp_path / "none.yaml"))
    holidays = {"holidays": {"at": "09:00", "include": ["春节", "光棍节"]}}
    unknown = write(tmp_path / "unknown.json", campaign_file(kind="holiday", schedule=holidays))
    refused = "".join(failing("campaign", "create", str(unknown)).split())  # rich wraps lines
    assert "不认识的节日光棍节" in refused and "中秋" in refused  # and what it may be
    assert siyu("campaign", "list") == []


def test_stats_as_json(cli_db: str) -> None:
    async def seeded() -> tuple[int, int]:
        campaign = await make_campaign()
        run = await CampaignRun.create(
            campaign=campaign, run_key="2026-12-01", run_date=NOW.date(), started_at=NOW
        )
        for n, (status, extra) in enumerate(
            (
                (DeliveryStatus.SENT, {"channel": "template", "sent_at": NOW}),
                (DeliveryStatus.FAILED, {"errcode": 45015}),
                (DeliveryStatus.SKIPPED, {"reason": "opted_out"}),
            )
        ):
            customer = await Customer.create(openid=f"o{n}")
            await CampaignDelivery.create(
                run=run, campaign_id=campaign.id, customer=customer, status=status, due_at=NOW,
                **extra,
            )  # fmt: skip
        return campaign.id, run.id

    cid, run_id = in_db(cli_db, seeded)
    for stats in (
        siyu("campaign", "stats", str(cid)),
        siyu("campaign", "stats", str(cid), "--run", str(run_id)),
    ):
        assert (stats["targeted"], stats["sent"], stats["failed"], stats["skipped"]) == (3, 1, 1, 1)
        assert stats["sent_by_channel"] == {"template": 1}
        assert stats["failed_by_code"] == {"45015": 1}
        assert stats["skipped_by_reason"] == {"opted_out": 1}
    assert "没有编号为 999" in failing("campaign", "stats", str(cid), "--run", "999")


@pytest.mark.usefixtures("database_url")
async def test_a_dry_run_preview_is_masked_with_channel_and_skip_reason() -> None:
    campaign = await make_campaign(
        template_message={"template_id": "TM1", "data": {"thing1": "{{ customer.display_name }}"}}
    )
    run = await CampaignRun.create(
        campaign=campaign, run_key="dry:1", run_date=NOW.date(), started_at=NOW, dry_run=True
    )
    chatted = await Customer.create(openid="o1", display_name="王小明", phone="+8613800138000")
    follower = await Customer.create(openid="o2", display_name="李娜", subscribed=True)
    wecom = await Customer.create(external_userid="wm1", follow_user="kefu1", display_name="张伟")
    nobody = await Customer.create(openid="o4", display_name="陈静")
    opted = await Customer.create(openid="o5", display_name="赵六", opted_out=True)
    message = await Interaction.create(customer=chatted, channel="oa", direction="in", kind="text")
    await Interaction.filter(id=message.id).update(created_at=NOW - timedelta(hours=47))
    for customer in (chatted, follower, wecom, nobody):
        await _delivery(campaign, run, customer, DeliveryStatus.PENDING)
    await _delivery(campaign, run, opted, DeliveryStatus.SKIPPED, reason="opted_out")
    rows = await preview_run(run.id, campaign, limit=10, clock=FrozenClock(NOW))
    seen = [(r.name, r.status, r.channel, r.reason) for r in rows]
    assert seen == [
        ("王**", "would_send", "customer_service", None),
        ("李*", "would_send", "template", None),
        ("张*", "would_send", "wecom_task", None),
        ("陈*", "skipped", None, "unreachable"),
        ("赵*", "skipped", None, "opted_out"),
    ]
    assert rows[0].phone == "138****8000" and rows[0].text == "王**，您好"  # the text too
    [shown] = await preview_run(run.id, campaign, limit=1, clock=FrozenClock(NOW), unmasked=True)
    assert (shown.name, shown.phone, shown.text) == ("王小明", "+8613800138000", "王小明，您好")
    later = await preview_run(
        run.id, campaign, limit=1, clock=FrozenClock(NOW + timedelta(hours=2))
    )
    assert later[0].channel == "template" or later[0].channel is None  # window closed after 48 h
    assert len(later) == 1


async def _delivery(
    campaign: Campaign, run: CampaignRun, customer: Customer, status: DeliveryStatus, **extra: Any
) -> None:
    await CampaignDelivery.create(
        run=run, campaign_id=campaign.id, customer=customer, status=status, due_at=NOW, **extra
    )


@pytest.mark.usefixtures("database_url")
async def test_wait_returns_the_stats_once_every_delivery_is_final() -> None:
    campaign = await make_campaign()
    run = await CampaignRun.create(
        campaign=campaign, run_key="manual:1", run_date=NOW.date(), started_at=NOW
    )
    customer = await Customer.create(openid="o1")
    await _delivery(campaign, run, customer, DeliveryStatus.PENDING)

    async def worker() -> None:
        await asyncio.sleep(1.5)
        await CampaignDelivery.filter(run_id=run.id).update(
            status=DeliveryStatus.SENT, channel="customer_service", sent_at=NOW
        )

    sending = asyncio.create_task(worker())
    stats = await _wait(campaign.id, run.id, 1, give_up=30)
    await sending
    assert (stats["targeted"], stats["sent"], stats["sent_by_channel"]) == (
        1,
        1,
        {"customer_service": 1},
    )
