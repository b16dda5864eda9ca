"""Rendering per customer in the sandbox: the scope, failures as reasons, template data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from crm import points
from crm.campaigns.render import CampaignRenderer, RenderScope, scopes
from crm.clock import FrozenClock
from crm.config import PointsSettings
from crm.errors import RenderFailed
from crm.models import Customer
from crm.models.campaigns import MessageTemplate
from tests.campaigns.core_support import ACTOR, NOW, make_campaign

pytestmark = pytest.mark.usefixtures("database_url")


def scope(**customer: object) -> RenderScope:
    fields = {"display_name": "王小明", "city": "上海", **customer}
    return RenderScope(fields, {"balance": 0}, None, {"name": "测试", "kind": "custom"})


async def renderer(**changes: object) -> CampaignRenderer:
    return await CampaignRenderer.load(await make_campaign(**changes))


async def test_the_scope_is_read_for_a_batch_with_points_expiring_soon() -> None:
    clock = FrozenClock(NOW)
    wang = await Customer.create(openid="o1", display_name="王小明", city="上海")
    li = await Customer.create(openid="o2", display_name=None)
    await points.earn(wang.id, 300, "e:1", clock=clock, actor=ACTOR,
                      settings=PointsSettings(validity_days=10))  # fmt: skip
    await points.earn(wang.id, 200, "e:2", clock=clock, actor=ACTOR,
                      settings=PointsSettings(validity_days=20))  # fmt: skip
    await points.earn(wang.id, 50, "e:3", clock=clock, actor=ACTOR,
                      settings=PointsSettings(validity_days=400))  # fmt: skip
    campaign = await make_campaign(kind="points", expiring_within_days=14,
                                   schedule={"daily": {"at": "10:00"}})  # fmt: skip
    found = await scopes([wang.id, li.id, 999], campaign, {li.id: "BD-1"}, clock=clock)
    assert set(found) == {wang.id, li.id}
    expires = (NOW + timedelta(days=10)).date()
    assert found[wang.id].points == {
        "balance": 550, "expiring": 300, "expiring_date": expires.isoformat(),
        "expiring_on": f"{expires.year}年{expires.month}月{expires.day}日",
    }  # fmt: skip
    assert found[li.id].points["expiring"] == 0 and found[li.id].coupon == "BD-1"
    assert found[wang.id].customer["city"] == "上海" and found[li.id].customer["display_name"] == ""
    assert found[wang.id].campaign == {"id": campaign.id, "name": campaign.name, "kind": "points"}
    assert "phone" not in found[wang.id].customer and "openid" not in found[wang.id].customer
    clock.advance(days=11)  # the first credit has expired, swept or not
    later = await scopes([wang.id], campaign, {}, clock=clock)
    assert later[wang.id].points["balance"] == 250 and later[wang.id].points["expiring"] == 200


async def test_a_lunar_birthday_is_shown_as_the_day_celebrated() -> None:
    customer = await Customer.create(
        openid="o1", birthday_calendar="lunar", birthday_md=815, birthday=date(1990, 10, 3)
    )
    campaign = await make_campaign()
    found = await scopes([customer.id], campaign, {}, clock=FrozenClock(NOW))
    assert found[customer.id].customer["birthday"] == "农历8月15日"


async def test_text_from_a_file_inline_and_a_stored_template() -> None:
    await MessageTemplate.create(name="店长", body="{{ customer.city }}店的{{ campaign.name }}")
    from_file = await renderer(name="f", text=None, template="campaign_birthday.j2")
    assert from_file.text(1, scope()).startswith("王小明，生日快乐！")
    stored = await renderer(name="s", text=None, message_template="店长")
    assert stored.text(1, scope()) == "上海店的测试"
    inline = await renderer(name="i", text="{{ customer.display_name }}您好")
    assert inline.text(1, scope()) == "王小明您好"


async def test_a_missing_field_fails_that_delivery_with_a_reason() -> None:
    inline = await renderer(text="{{ customer.nickname }}您好")
    with pytest.raises(RenderFailed) as caught:
        inline.text(1, scope())
    assert caught.value.reason == "template_undefined:nickname"
    with pytest.raises(RenderFailed, match="no_text_for_step:2"):
        inline.text(2, scope())


@pytest.mark.parametrize(
    "attack",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ customer.__class__ }}",
        "{{ campaign.items.__self__ }}",
    ],
)
async def test_a_sandbox_escape_fails_safely(attack: str) -> None:
    evil = await renderer(text=attack)
    with pytest.raises(RenderFailed) as caught:
        evil.text(1, scope())
    assert caught.value.reason == "template_unsafe"
    assert "object" not in caught.value.reason


async def test_the_sandbox_is_immutable() -> None:
    evil = await renderer(text="{% set _ = customer.update(city='x') %}{{ customer.city }}")
    with pytest.raises(RenderFailed) as caught:
        evil.text(1, scope())
    assert caught.value.reason == "template_unsafe"


async def test_the_win_back_second_step() -> None:
    winback = await renderer(
        kind="winback", schedule={"daily": {"at": "11:00"}}, text=None,
        template="campaign_winback.j2", second_text="{{ customer.display_name }}，还在等您",
    )  # fmt: skip
    assert "好久不见" in winback.text(1, scope())
    assert winback.text(2, scope()) == "王小明，还在等您"


async def test_template_data_is_checked_as_wechat_checks_it() -> None:
    mapped = await renderer(template_message={
        "template_id": "TM01", "url": "https://example.com/m",
        "data": {"thing1": "{{ customer.display_name }}", "thing2": "{{ customer.city }}"},
    })  # fmt: skip
    assert mapped.template_id == "TM01" and mapped.template_url == "https://example.com/m"
    assert mapped.template_data(scope()) == {
        "thing1": {"value": "王小明"},
        "thing2": {"value": "上海"},
    }
    for city, reason in (("上" * 21, "template_value_too_long:thing2"),
                         ("上\n海", "template_value_newline:thing2"),
                         ("", "template_value_empty:thing2")):  # fmt: skip
        with pytest.raises(RenderFailed) as caught:
            mapped.template_data(scope(city=city))
        assert caught.value.reason == reason
    assert mapped.template_data(scope(city="上" * 20)) is not None
    assert (await renderer(name="plain")).template_data(scope()) is None
