"""POST /v1/customers/{id}/orders: an order recorded once, and the first one asks the
first-order survey (surveys.after.first_order) through the fake WeChat API."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from bot.config import Settings
from bot.wechat.fake import FakeWeChat
from crm.actors import Actor
from crm.models import AuditEntry, Customer, Order, Role, SurveyResponse
from crm.orders import OrderInput, record_order
from crm.surveys.config import SurveySettings, SurveyTriggers
from tests.api.conftest import Api, assert_error
from tests.conftest import make_settings
from tests.surveys.support import NPS_SURVEY, customer, nps_survey

ORDER = {"external_id": "SHOP-1", "amount": "59.00", "paid_at": "2026-12-01T10:00:00+08:00"}
OPENID = "oSurvey001"


@pytest.fixture
def api_settings(database_url: str, fake_wechat_url: str) -> Settings:
    """The first survey created (id 1) is the first-order survey."""
    surveys = SurveySettings(after=SurveyTriggers(first_order=1))
    return make_settings(database_url, fake_wechat_url, surveys=surveys)


async def _order(api: Api, customer_id: int, **changes: Any) -> Any:
    return await api.ok("POST", f"/customers/{customer_id}/orders", json={**ORDER, **changes})


async def test_an_order_is_recorded_once_and_the_first_asks_the_survey(
    api: Api, fake_wechat: FakeWeChat
) -> None:
    await nps_survey()
    someone = await customer(OPENID)
    first = await _order(api, someone.id)
    assert first["created"] is True and first["amount"] == "59.00"
    assert first["customer_id"] == someone.id and first["external_id"] == "SHOP-1"
    assert fake_wechat.sent_texts(OPENID)[-1].startswith(NPS_SURVEY["intro"])
    again = await _order(api, someone.id)
    assert again["created"] is False and again["id"] == first["id"]
    assert await Order.all().count() == 1 and await SurveyResponse.all().count() == 1
    assert len(fake_wechat.sent_texts(OPENID)) == 1
    fresh = await Customer.get(id=someone.id)
    assert (fresh.order_count, str(fresh.total_spent)) == (1, "59.00")
    assert await AuditEntry.filter(action="orders.create").count() == 1


async def test_a_customer_who_ordered_before_is_not_asked(
    api: Api, fake_wechat: FakeWeChat
) -> None:
    await nps_survey()
    someone = await customer(OPENID)
    paid = datetime(2026, 11, 1, tzinfo=UTC)
    old = OrderInput(external_id="OLD-1", customer_id=someone.id, amount=Decimal(5), paid_at=paid)
    await record_order(old, actor=Actor.system("import"))  # as `siyu import orders` does
    assert (await _order(api, someone.id))["created"] is True
    assert fake_wechat.sent_texts(OPENID) == [] and await SurveyResponse.all().count() == 0
    assert (await Customer.get(id=someone.id)).order_count == 2


async def test_a_survey_that_cannot_be_sent_keeps_the_order(
    api: Api, fake_wechat: FakeWeChat
) -> None:
    await nps_survey()
    someone = await customer(OPENID)
    fake_wechat.fail_next("/cgi-bin/message/custom/send", 45015)
    assert (await _order(api, someone.id))["created"] is True
    assert await Order.all().count() == 1 and await SurveyResponse.all().count() == 0


async def test_the_same_shop_order_for_another_customer_is_a_conflict(api: Api) -> None:
    one, other = await customer("o1"), await customer("o2")
    await _order(api, one.id)
    status, body = await api.call("POST", f"/customers/{other.id}/orders", json=ORDER)
    assert status == 409 and assert_error(body, "conflict")
    assert (await Customer.get(id=other.id)).order_count == 0


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"paid_at": "2026-12-01T10:00:00"}, "validation_error"),  # no offset: which day?
        ({"currency": "XYZ"}, "invalid_input"),  # no configured rate
        ({"amount": "-1"}, "validation_error"),
        ({"external_id": " padded "}, "validation_error"),
    ],
)
async def test_bad_input_changes_nothing(api: Api, changes: dict[str, str], code: str) -> None:
    someone = await customer(OPENID)
    status, body = await api.call(
        "POST", f"/customers/{someone.id}/orders", json={**ORDER, **changes}
    )
    assert status == 400 and assert_error(body, code)
    assert await Order.all().count() == 0


async def test_an_unknown_customer_is_not_found_and_a_viewer_may_not_record(api: Api) -> None:
    status, body = await api.call("POST", "/customers/999/orders", json=ORDER)
    assert status == 404 and assert_error(body, "not_found")
    someone = await customer(OPENID)
    status, _ = await api.call("POST", f"/customers/{someone.id}/orders", Role.VIEWER, json=ORDER)
    assert status == 403 and await Order.all().count() == 0
