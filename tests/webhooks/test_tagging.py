"""Every inbound text is understood and its author tagged, with the tag's source."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from bot.keys import PIPELINE
from bot.wechat.simulator import Simulator, text_xml
from crm import keyword_rules
from crm.actors import SYSTEM
from crm.models import Customer, CustomerTag, Interaction
from tests.webhooks.test_oa import post_safe


async def tags_of(openid: str) -> dict[str, str]:
    customer = await Customer.get(openid=openid)
    rows = await CustomerTag.filter(customer_id=customer.id).prefetch_related("tag")
    return {row.tag.name: row.source for row in rows}


async def test_message_tags_customer_with_sources(client: TestClient, oa: Simulator) -> None:
    await post_safe(client, oa, text_xml("oCustomer001", oa.receiver, "快递太慢了，我要投诉", 11))
    await client.app[PIPELINE].drain()
    row = await Interaction.get(msg_id="11")
    assert row.intent == "complaint" and row.sentiment_label == "negative"
    assert row.sentiment_score is not None and row.sentiment_score < 0.35
    assert row.keywords and "快递" in row.keywords
    tags = await tags_of("oCustomer001")
    assert tags["关注物流"] == "keyword" and tags["有投诉"] == "intent"
    assert tags["负面反馈"] == "sentiment"


async def test_database_keyword_rules_apply_without_restart(
    client: TestClient, oa: Simulator
) -> None:
    await keyword_rules.add("小金瓶", "关注精华", actor=SYSTEM)
    await post_safe(client, oa, text_xml("oCustomer001", oa.receiver, "小金瓶还有货吗", 12))
    await client.app[PIPELINE].drain()
    assert (await tags_of("oCustomer001"))["关注精华"] == "keyword"
    await keyword_rules.disable("小金瓶", "关注精华", actor=SYSTEM)
    await post_safe(client, oa, text_xml("oCustomer002", oa.receiver, "小金瓶还有货吗", 13))
    await client.app[PIPELINE].drain()
    assert "关注精华" not in await tags_of("oCustomer002")


async def test_three_negative_messages_in_a_week_mark_the_customer_unhappy(
    client: TestClient, oa: Simulator
) -> None:
    for i, text in enumerate(["东西很差劲，太失望了", "客服一直不回复，太差了", "质量真的很烂"]):
        await post_safe(client, oa, text_xml("oUnhappy", oa.receiver, text, 20 + i))
        await client.app[PIPELINE].drain()
    assert (await tags_of("oUnhappy"))["持续不满"] == "sentiment"
