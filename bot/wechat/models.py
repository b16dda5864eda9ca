"""JSON payloads at the edge of the WeChat APIs (requests we send, answers we read)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True)


class TextContent(_Payload):
    content: str


class StableTokenRequest(_Payload):
    grant_type: Literal["client_credential"] = "client_credential"
    appid: str
    secret: str = Field(repr=False)
    force_refresh: bool = False


class TokenResponse(_Payload):
    access_token: str = Field(repr=False)
    expires_in: int


class CustomTextMessage(_Payload):
    touser: str
    msgtype: Literal["text"] = "text"
    text: TextContent


class TemplateValue(_Payload):
    value: str


class TemplateMessage(_Payload):
    touser: str
    template_id: str
    url: str | None = None
    data: dict[str, TemplateValue]


class TemplateSendResult(_Payload):
    msgid: int


class FollowerInfo(_Payload):
    """`GET /cgi-bin/user/info`; no nickname or avatar since 2021-12-27."""

    subscribe: int
    openid: str
    language: str | None = None
    subscribe_time: int | None = None
    unionid: str | None = None
    remark: str = ""
    groupid: int | None = None
    tagid_list: list[int] = Field(default_factory=list)
    subscribe_scene: str | None = None
    qr_scene: int | None = None
    qr_scene_str: str | None = None

    @property
    def following(self) -> bool:
        return self.subscribe == 1


class WeComTextMessage(_Payload):
    touser: str
    msgtype: Literal["text"] = "text"
    agentid: int
    text: TextContent


class WeComTagTextMessage(_Payload):
    totag: str
    msgtype: Literal["text"] = "text"
    agentid: int
    text: TextContent


class RobotTextMessage(_Payload):
    """Group robot `webhook/send`: text up to 2,048 bytes."""

    msgtype: Literal["text"] = "text"
    text: TextContent


class WeComSendResult(_Payload):
    """Recipients WeChat could not reach come back as `|`-joined ids, not as an error."""

    invaliduser: str = ""
    invalidparty: str = ""
    invalidtag: str = ""
    unlicenseduser: str = ""
    msgid: str = ""
    response_code: str = ""

    @property
    def invalid_users(self) -> list[str]:
        return [u for u in self.invaliduser.split("|") if u]


class WelcomeMessage(_Payload):
    welcome_code: str
    text: TextContent


class MsgTemplateTask(_Payload):
    """`externalcontact/add_msg_template`: a task the staff member `sender` confirms."""

    chat_type: Literal["single"] = "single"
    external_userid: list[str]
    sender: str
    text: TextContent


class MsgTemplateResult(_Payload):
    msgid: str
    fail_list: list[str] = Field(default_factory=list)


class GroupMsgResultRequest(_Payload):
    msgid: str
    userid: str
    limit: int = 1000
    cursor: str | None = None


class GroupMsgSendItem(_Payload):
    """status: 0 not sent yet, 1 sent, 2 not a friend any more, 3 the customer's limit hit."""

    external_userid: str = ""
    userid: str = ""
    status: int
    send_time: int | None = None


class GroupMsgSendResult(_Payload):
    next_cursor: str = ""
    send_list: list[GroupMsgSendItem] = Field(default_factory=list)
