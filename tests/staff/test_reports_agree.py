"""The same data gives the same figures for today through all three doors: the staff command
`/stats today` (WeCom webhook), GET /api/v1/reports/overview and `siyu report today`."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from crm import reports
from crm.clock import SYSTEM_CLOCK
from crm.models import (
    Campaign,
    CampaignDelivery,
    CampaignKind,
    CampaignRun,
    Complaint,
    ComplaintStatus,
    Direction,
    Role,
)
from handlers.staff_text import stats_lines
from tests.api.conftest import Api, api, api_settings  # noqa: F401  (the fixtures)
from tests.conftest import TEST_CONFIG
from tests.staff.conftest import MakeCustomer, Send
from tests.staff.test_reports import message

SIYU = Path(sys.executable).with_name("siyu")
TZ = "Asia/Shanghai"  # tests/data/config.yaml's timezone


async def _seed(make_customer: MakeCustomer) -> None:
    """Today: a follow, 3 messages (2 negative), a reply, a complaint opened and an older one
    closed, a delivery sent and an older one failed; yesterday's rows must not count."""
    now = SYSTEM_CLOCK.now()
    a = await make_customer(subscribed=True, subscribed_at=now)
    old = await make_customer(subscribed=True, subscribed_at=now - timedelta(days=2))
    for sentiment in ("negative", "negative", "positive"):
        await message(a, now, sentiment)
    await message(a, now, direction=Direction.OUT, kind="reply:text")
    await message(old, now - timedelta(days=2), "negative")
    await Complaint.create(customer=a, created_at=now)
    await Complaint.create(customer=old, created_at=now - timedelta(days=2), closed_at=now,
                           status=ComplaintStatus.CLOSED)  # fmt: skip
    campaign = await Campaign.create(name="c", kind=CampaignKind.CUSTOM, schedule={}, text="hi")
    run = await CampaignRun.create(campaign=campaign, run_key="k", run_date=now.date(),
                                   started_at=now)  # fmt: skip
    for who, status in ((a, "sent"), (old, "failed")):
        await CampaignDelivery.create(run=run, campaign_id=campaign.id, customer=who,
                                      status=status, due_at=now,
                                      sent_at=now if status == "sent" else None)  # fmt: skip
    await CampaignDelivery.filter(status="failed").update(created_at=now - timedelta(days=2))


def _cli_today(database_url: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIYU_")}
    done = subprocess.run(
        [str(SIYU), "report", "today", "--config", str(TEST_CONFIG)],
        env={**env, "SIYU_DATABASE_URL": database_url}, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


async def test_stats_today_api_and_cli_agree(
    members: dict[Role, str], send: Send, api: Api, make_customer: MakeCustomer,  # noqa: F811
    database_url: str,
) -> None:  # fmt: skip
    await _seed(make_customer)
    cli = await asyncio.to_thread(_cli_today, database_url)
    expected = {"new_followers": 1, "messages": 3, "replies": 1, "complaints_opened": 1,
                "complaints_closed": 1, "analysed": 3, "negative": 2, "deliveries_sent": 1,
                "deliveries_failed": 1}  # fmt: skip
    assert {k: cli[k] for k in expected} == expected
    counts = {k: v for k, v in cli.items() if k not in ("day", "negative_share")}
    day = reports.DayStats(day=date.fromisoformat(cli["day"]), **counts)
    assert await send(members[Role.VIEWER], "/stats today") == "\n".join(stats_lines(day))
    today = cli["day"]
    view = await api.ok("GET", f"/reports/overview?start={today}&end={today}", Role.VIEWER)
    [row] = view["days"]
    assert (view["new_followers"], row["messages"], row["analysed"], row["negative"]) == (
        cli["new_followers"], cli["messages"], cli["analysed"], cli["negative"])  # fmt: skip
    assert view["negative_share"] == cli["negative_share"]
    assert (view["complaints_opened"], view["complaints_closed"]) == (1, 1)
    assert sum(view["sent_by_channel"].values()) == cli["deliveries_sent"]
    assert view["deliveries_failed"] == cli["deliveries_failed"]
