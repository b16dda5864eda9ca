"""Kept for imports of the old module path: the fake's state lives in `bot.wechat.fake.state`."""

from bot.wechat.fake.errcodes import KNOWN_ERRCODES, OA_ERRMSG, WECOM_ERRMSG, FakeFailure
from bot.wechat.fake.records import FakeCall, FakeFollower, FakeOAApp, FakeWeComApp
from bot.wechat.fake.state import LEGACY_OVERLAP, TOKEN_LIFETIME, FakeWeChat

__all__ = [
    "KNOWN_ERRCODES",
    "LEGACY_OVERLAP",
    "OA_ERRMSG",
    "TOKEN_LIFETIME",
    "WECOM_ERRMSG",
    "FakeCall",
    "FakeFailure",
    "FakeFollower",
    "FakeOAApp",
    "FakeWeChat",
    "FakeWeComApp",
]
