"""The store's key families keep the spellings running processes already share."""

from __future__ import annotations

from crm import store_keys
from crm.models import Channel


def test_key_spellings_are_stable() -> None:
    assert store_keys.dedupe_claim(Channel.OA, "msg:42") == "dedupe:oa:msg:42"
    assert store_keys.dedupe_claim(Channel.WECOM, "evt:x") == "dedupe:wecom:evt:x"
    assert store_keys.oa_token("wx1") == "wechat:token:oa:wx1"
    assert store_keys.wecom_token("ww1", 1000002) == "wechat:token:wecom:ww1:1000002"
    assert store_keys.scheduler_lease() == "scheduler:leader"
    assert store_keys.lock("wechat:token:oa:wx1") == "lock:wechat:token:oa:wx1"
    assert store_keys.negatives(7) == "negatives:7"
    assert store_keys.chat_state(Channel.OA, "o_1") == "chat:oa:o_1"
