"""Play WeChat's side of a callback: build signed, encrypted requests as WeChat sends them and
read the encrypted replies. Used by `siyu chat`, the demo, the tests and the benchmark."""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field

from bot.wechat.crypto import MessageCrypto, signature
from bot.wechat.replies import cdata_safe
from bot.wechat.xml import parse_xml

_msg_ids = itertools.count(int(time.time() * 1000) * 1000)


def text_xml(sender: str, receiver: str, content: str, msg_id: int | None = None) -> str:
    msg_id = next(_msg_ids) if msg_id is None else msg_id
    return (
        f"<xml><ToUserName><![CDATA[{receiver}]]></ToUserName>"
        f"<FromUserName><![CDATA[{sender}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{cdata_safe(content)}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def event_xml(sender: str, receiver: str, event: str, event_key: str = "", **extra: str) -> str:
    more = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in extra.items())
    return (
        f"<xml><ToUserName><![CDATA[{receiver}]]></ToUserName>"
        f"<FromUserName><![CDATA[{sender}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{event_key}]]></EventKey>"
        f"{more}</xml>"
    )


@dataclass(frozen=True)
class SignedRequest:
    params: dict[str, str]
    body: bytes = field(repr=False)


@dataclass(frozen=True)
class Simulator:
    """WeChat's side for one app. `receiver` is the OA's original id or the WeCom corp id."""

    crypto: MessageCrypto
    receiver: str = "gh_siyu_demo"

    def _stamp(self) -> tuple[str, str]:
        return str(int(time.time())), secrets.token_hex(5)

    def oa_safe(self, xml: str, openid: str = "") -> SignedRequest:
        """Safe mode as the Official Account sends it (signature + msg_signature)."""
        timestamp, nonce = self._stamp()
        encrypted = self.crypto.encrypt(xml.encode())
        params = {
            "signature": signature(self.crypto.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": openid,
            "encrypt_type": "aes",
            "msg_signature": signature(self.crypto.token, timestamp, nonce, encrypted),
        }
        envelope = (
            f"<xml><ToUserName><![CDATA[{self.receiver}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        )
        return SignedRequest(params, envelope.encode())

    def oa_compatible(self, xml: str, openid: str = "") -> SignedRequest:
        """Compatible mode: the safe-mode query; the plain fields and Encrypt in one body."""
        safe = self.oa_safe(xml, openid)
        encrypted = parse_xml(safe.body, 1 << 20)["Encrypt"]
        body = xml.removesuffix("</xml>") + f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        return SignedRequest(safe.params, body.encode())

    def oa_plain(self, xml: str, openid: str = "") -> SignedRequest:
        timestamp, nonce = self._stamp()
        params = {
            "signature": signature(self.crypto.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": openid,
        }
        return SignedRequest(params, xml.encode())

    def wecom(self, xml: str) -> SignedRequest:
        timestamp, nonce = self._stamp()
        encrypted = self.crypto.encrypt(xml.encode())
        params = {
            "msg_signature": signature(self.crypto.token, timestamp, nonce, encrypted),
            "timestamp": timestamp,
            "nonce": nonce,
        }
        envelope = (
            f"<xml><ToUserName><![CDATA[{self.receiver}]]></ToUserName>"
            f"<AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        )
        return SignedRequest(params, envelope.encode())

    def read_reply(self, body: bytes) -> dict[str, object] | None:
        """Verify and decrypt an encrypted passive reply; None for "success"/empty."""
        if body.strip() in (b"", b"success"):
            return None
        envelope = parse_xml(body, 1 << 20)
        encrypted = str(envelope["Encrypt"])
        self.crypto.verify(
            str(envelope["MsgSignature"]),
            str(envelope["TimeStamp"]),
            str(envelope["Nonce"]),
            encrypted,
        )
        return parse_xml(self.crypto.decrypt(encrypted), 1 << 20)
