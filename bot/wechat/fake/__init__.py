"""A fake WeChat API server (Official Account + WeCom) for tests and `siyu demo`.

Same paths, methods, query parameters, multipart and JSON shapes and error codes as the real
API, for the calls siyu makes and the coming issues will: tokens, customer-service / template /
app messages in their real msgtypes, followers, menus, temporary media, external contacts and
group-message tasks. Control endpoints under `/_fake/` are listed in `control`.
Modules: `state` (what it knows, on one injected Clock), `http` (how an endpoint runs), one
module per API family (`oa`, `menu`, `media`, `wecom`, `externalcontact`), `msgtypes`.
"""

from bot.wechat.fake.app import create_fake_app, fake_state
from bot.wechat.fake.records import (
    FakeCall,
    FakeExternalContact,
    FakeFollower,
    FakeOAApp,
    FakeSent,
    FakeWeComApp,
)
from bot.wechat.fake.state import FakeWeChat
from bot.wechat.fake.windows import InboundKind

__all__ = [
    "FakeCall",
    "FakeExternalContact",
    "FakeFollower",
    "FakeOAApp",
    "FakeSent",
    "FakeWeChat",
    "FakeWeComApp",
    "InboundKind",
    "create_fake_app",
    "fake_state",
]
