"""Thin async clients for the WeChat APIs siyu sends through (Official Account and WeCom)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from pydantic import BaseModel, SecretStr

from bot.config import OfficialAccountSettings, WeComSettings
from bot.store import Store
from bot.wechat.errors import WeChatAPIError
from bot.wechat.models import (
    CustomTextMessage,
    FollowerInfo,
    GroupMsgResultRequest,
    GroupMsgSendItem,
    GroupMsgSendResult,
    MsgTemplateResult,
    MsgTemplateTask,
    RobotTextMessage,
    StableTokenRequest,
    TemplateMessage,
    TemplateSendResult,
    TemplateValue,
    TextContent,
    TokenResponse,
    WeComSendResult,
    WeComTagTextMessage,
    WeComTextMessage,
    WelcomeMessage,
)
from bot.wechat.token import DEFAULT_MARGIN, AccessToken, TokenCache
from bot.wechat.transport import Transport, new_session
from crm import store_keys

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OATokenFetcher:
    """`POST /cgi-bin/stable_token`: the same token while it is valid, so processes agree."""

    transport: Transport
    app_id: str
    secret: SecretStr = field(repr=False)
    can_force: bool = True

    async def fetch(self, force: bool) -> AccessToken:
        body = StableTokenRequest(
            appid=self.app_id, secret=self.secret.get_secret_value(), force_refresh=force
        )
        answer = await self.transport.call("POST", "/cgi-bin/stable_token", body=body)
        token = TokenResponse.model_validate(answer)
        return AccessToken(token.access_token, token.expires_in)


@dataclass(frozen=True)
class WeComTokenFetcher:
    """`GET /cgi-bin/gettoken?corpid=&corpsecret=` (one token per app secret)."""

    transport: Transport
    corp_id: str
    secret: SecretStr = field(repr=False)
    can_force: bool = False

    async def fetch(self, force: bool) -> AccessToken:
        params = {"corpid": self.corp_id, "corpsecret": self.secret.get_secret_value()}
        answer = await self.transport.call("GET", "/cgi-bin/gettoken", params=params)
        token = TokenResponse.model_validate(answer)
        return AccessToken(token.access_token, token.expires_in)


class AuthedApi:
    """Adds access_token; on 40001 / 40014 / 42001 refreshes the token once and retries once."""

    def __init__(self, transport: Transport, tokens: TokenCache) -> None:
        self.transport = transport
        self.tokens = tokens

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: BaseModel | None = None,
    ) -> dict[str, Any]:
        token = await self.tokens.get()
        try:
            return await self._send(token, method, path, params, body)
        except WeChatAPIError as exc:
            if not exc.token_expired:
                raise
            log.info("wechat %s: errcode %s, refreshing the access token", path, exc.errcode)
        fresh = await self.tokens.refresh(stale=token)
        return await self._send(fresh, method, path, params, body)

    async def _send(
        self,
        token: str,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        body: BaseModel | None,
    ) -> dict[str, Any]:
        query = {**(params or {}), "access_token": token}
        return await self.transport.call(method, path, params=query, body=body)


class OfficialAccountClient:
    def __init__(self, api: AuthedApi) -> None:
        self.api = api

    async def send_text(self, openid: str, content: str) -> None:
        """Customer-service message: only inside the customer's window (else 45015 / 45047)."""
        body = CustomTextMessage(touser=openid, text=TextContent(content=content))
        await self.api.call("POST", "/cgi-bin/message/custom/send", body=body)

    async def send_template(
        self, openid: str, template_id: str, data: Mapping[str, str], url: str | None = None
    ) -> int:
        """Template message to a follower; `data` maps keyword names to values. Returns msgid."""
        values = {name: TemplateValue(value=value) for name, value in data.items()}
        body = TemplateMessage(touser=openid, template_id=template_id, url=url, data=values)
        answer = await self.api.call("POST", "/cgi-bin/message/template/send", body=body)
        return TemplateSendResult.model_validate(answer).msgid

    async def user_info(self, openid: str) -> FollowerInfo:
        params = {"openid": openid, "lang": "zh_CN"}
        answer = await self.api.call("GET", "/cgi-bin/user/info", params=params)
        return FollowerInfo.model_validate(answer)


class WeComClient:
    def __init__(self, api: AuthedApi, agent_id: int) -> None:
        self.api = api
        self.agent_id = agent_id

    async def send_text(self, userid: str, content: str) -> WeComSendResult:
        """App message to staff (`userid` may be `a|b`); unreachable ids come back in the result."""
        body = WeComTextMessage(
            touser=userid, agentid=self.agent_id, text=TextContent(content=content)
        )
        answer = await self.api.call("POST", "/cgi-bin/message/send", body=body)
        return WeComSendResult.model_validate(answer)

    async def send_text_to_tag(self, tag_ids: str, content: str) -> WeComSendResult:
        """App message to every member of the tags `tag_ids` (`1|2`)."""
        body = WeComTagTextMessage(
            totag=tag_ids, agentid=self.agent_id, text=TextContent(content=content)
        )
        answer = await self.api.call("POST", "/cgi-bin/message/send", body=body)
        return WeComSendResult.model_validate(answer)

    async def send_welcome_msg(self, welcome_code: str, text: str) -> None:
        """Welcome message to a new external contact; the code lives 20 s and works once."""
        body = WelcomeMessage(welcome_code=welcome_code, text=TextContent(content=text))
        await self.api.call("POST", "/cgi-bin/externalcontact/send_welcome_msg", body=body)

    async def add_msg_template(
        self, sender: str, external_userids: list[str], text: str
    ) -> MsgTemplateResult:
        """A mass-message task for `sender` to confirm (≤ 10,000 customers); not yet sent."""
        body = MsgTemplateTask(
            external_userid=external_userids, sender=sender, text=TextContent(content=text)
        )
        answer = await self.api.call("POST", "/cgi-bin/externalcontact/add_msg_template", body=body)
        return MsgTemplateResult.model_validate(answer)

    async def get_groupmsg_send_result(self, msgid: str, userid: str) -> list[GroupMsgSendItem]:
        """Per customer of one task and sender: sent (1) or not (0, 2, 3); every page."""
        items: list[GroupMsgSendItem] = []
        cursor: str | None = None
        while True:
            body = GroupMsgResultRequest(msgid=msgid, userid=userid, cursor=cursor)
            path = "/cgi-bin/externalcontact/get_groupmsg_send_result"
            page = GroupMsgSendResult.model_validate(await self.api.call("POST", path, body=body))
            items.extend(page.send_list)
            if not page.next_cursor:
                return items
            cursor = page.next_cursor


ROBOT_TEXT_BYTES = 2048


class GroupRobotClient:
    """A WeCom group robot (`/cgi-bin/webhook/send?key=`): no access token, ≤ 20 messages a
    minute per robot, text ≤ 2,048 bytes (longer text is cut, not refused)."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    async def send_text(self, key: str, content: str) -> None:
        body = RobotTextMessage(text=TextContent(content=_cut_bytes(content, ROBOT_TEXT_BYTES)))
        await self.transport.call("POST", "/cgi-bin/webhook/send", params={"key": key}, body=body)


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "…"


@dataclass(frozen=True)
class WeChatClients:
    oa: OfficialAccountClient
    wecom: WeComClient
    session: aiohttp.ClientSession = field(repr=False)
    robot: GroupRobotClient | None = None

    async def close(self) -> None:
        """Closes the HTTP session; the store belongs to the caller."""
        await self.session.close()


async def open_clients(
    settings_oa: OfficialAccountSettings,
    settings_wecom: WeComSettings,
    store: Store,
    *,
    token_margin: float = DEFAULT_MARGIN,
) -> WeChatClients:
    session = new_session()
    return WeChatClients(
        oa=_oa_client(settings_oa, store, session, token_margin),
        wecom=_wecom_client(settings_wecom, store, session, token_margin),
        session=session,
        robot=GroupRobotClient(Transport(session, settings_wecom.api_base_url)),
    )


@asynccontextmanager
async def wechat_clients(
    settings_oa: OfficialAccountSettings, settings_wecom: WeComSettings, store: Store
) -> AsyncIterator[WeChatClients]:
    """Both clients for the block, sharing one HTTP session and the store's token cache."""
    clients = await open_clients(settings_oa, settings_wecom, store)
    try:
        yield clients
    finally:
        await clients.close()


def _oa_client(
    settings: OfficialAccountSettings,
    store: Store,
    session: aiohttp.ClientSession,
    margin: float,
) -> OfficialAccountClient:
    transport = Transport(session, settings.api_base_url)
    fetcher = OATokenFetcher(transport, settings.app_id, settings.app_secret)
    key = store_keys.oa_token(settings.app_id)
    return OfficialAccountClient(
        AuthedApi(transport, TokenCache(store, key, fetcher, margin=margin))
    )


def _wecom_client(
    settings: WeComSettings,
    store: Store,
    session: aiohttp.ClientSession,
    margin: float,
) -> WeComClient:
    transport = Transport(session, settings.api_base_url)
    fetcher = WeComTokenFetcher(transport, settings.corp_id, settings.secret)
    key = store_keys.wecom_token(settings.corp_id, settings.agent_id)
    tokens = TokenCache(store, key, fetcher, margin=margin)
    return WeComClient(AuthedApi(transport, tokens), settings.agent_id)
