"""Campaigns in use: create, list, edit, status transitions, delete, the scheduler's poll."""

from __future__ import annotations

from itertools import pairwise

import pytest

from crm.actors import Actor
from crm.campaigns import service
from crm.campaigns.spec import parse_spec
from crm.errors import CampaignNameTaken, CampaignNotFound, CampaignStateError, InvalidCampaign
from crm.models import Segment
from crm.models.campaigns import Campaign, CampaignRun, CampaignStatus, MessageTemplate
from tests.campaigns.core_support import ACTOR, NOW, campaign_file, make_campaign

S = CampaignStatus
pytestmark = pytest.mark.usefixtures("database_url")


async def test_create_stores_the_file_scheduled_unless_draft() -> None:
    scheduled = await make_campaign()
    draft = await make_campaign(name="草稿", status="draft")
    assert (await service.get_campaign(scheduled.id)).status is S.SCHEDULED
    assert draft.status is S.DRAFT
    assert [c.id for c in await service.schedulable_campaigns()] == [scheduled.id]
    assert [c.id for c in await service.list_campaigns(S.DRAFT)] == [draft.id]


async def test_a_duplicate_name_a_missing_segment_or_template_writes_nothing() -> None:
    await make_campaign()
    with pytest.raises(CampaignNameTaken, match="name: 已有同名活动"):  # a conflict: 409 in the API
        await make_campaign()
    for changes, named in (
        ({"name": "b", "segment": None, "segment_id": 99}, "segment_id: 分群 99 不存在"),
        ({"name": "c", "text": None, "message_template": "无此模板"}, "message_template"),
    ):
        with pytest.raises(InvalidCampaign, match=named):
            await make_campaign(**changes)
    assert await Campaign.all().count() == 1


async def test_a_saved_segment_and_a_stored_template_are_referenced() -> None:
    segment = await Segment.create(name="VIP", rule={"field": "tag", "value": "vip"})
    stored = await MessageTemplate.create(name="店长问候", body="{{ customer.display_name }}好")
    campaign = await make_campaign(
        segment=None, segment_id=segment.id, text=None, message_template="店长问候"
    )
    assert campaign.segment_id == segment.id  # type: ignore[attr-defined]
    assert campaign.template_id == stored.id  # type: ignore[attr-defined]
    assert service.campaign_json(campaign)["message_template_id"] == stored.id


async def test_pause_resume_and_the_transitions_refused() -> None:
    campaign = await make_campaign()
    assert (await service.pause(campaign.id, actor=ACTOR)).status is S.PAUSED
    assert not await service.schedulable_campaigns()
    assert (await service.resume(campaign.id, actor=ACTOR)).status is S.SCHEDULED
    with pytest.raises(CampaignStateError, match="未暂停"):
        await service.resume(campaign.id, actor=ACTOR)
    await service.mark_done(campaign.id)
    await service.mark_done(campaign.id)  # done stays done, quietly
    with pytest.raises(CampaignStateError, match="不能改为 paused"):
        await service.pause(campaign.id, actor=ACTOR)
    draft = await make_campaign(name="草稿", status="draft")
    with pytest.raises(CampaignStateError):
        await service.set_status(draft.id, S.RUNNING, actor=ACTOR)
    assert (await service.publish(draft.id, actor=ACTOR)).status is S.SCHEDULED


async def test_an_unknown_id_is_campaign_not_found() -> None:
    with pytest.raises(CampaignNotFound, match="活动 42 不存在"):
        await service.pause(42, actor=ACTOR)


async def test_update_replaces_the_definition_but_not_the_status() -> None:
    campaign = await make_campaign()
    await service.pause(campaign.id, actor=ACTOR)
    spec = parse_spec(campaign_file(text="新文案", quiet_hours=False))
    updated = await service.update_campaign(campaign.id, spec, actor=ACTOR)
    again = await service.get_campaign(campaign.id)
    assert (again.text, again.quiet_start, again.status) == ("新文案", None, S.PAUSED)
    assert updated.updated_at == again.updated_at
    await service.mark_done(campaign.id)
    with pytest.raises(CampaignStateError, match="不能修改"):
        await service.update_campaign(campaign.id, spec, actor=ACTOR)


async def test_every_change_moves_the_version_the_leader_polls() -> None:
    seen = [await service.campaigns_version()]
    assert seen[0] == (0, "|0")  # no campaign: no stamp, none schedulable
    campaign = await make_campaign()
    seen.append(await service.campaigns_version())
    for step in (service.pause, service.resume):
        await step(campaign.id, actor=ACTOR)
        seen.append(await service.campaigns_version())
    await service.update_campaign(campaign.id, parse_spec(campaign_file(text="改")), actor=ACTOR)
    seen.append(await service.campaigns_version())
    await service.delete_campaign(campaign.id, actor=ACTOR)
    seen.append(await service.campaigns_version())
    assert all(a != b for a, b in pairwise(seen)), seen
    assert len(set(seen[:-1])) == len(seen) - 1, seen


async def test_a_campaign_that_ran_is_not_deleted() -> None:
    campaign = await make_campaign()
    await CampaignRun.create(
        campaign=campaign, run_key="2026-12-01", run_date=NOW.date(), started_at=NOW
    )
    with pytest.raises(CampaignStateError, match="已有发送记录"):
        await service.delete_campaign(campaign.id, actor=Actor.system("test"))
    assert await Campaign.exists(id=campaign.id)
