"""WeCom customer contact: `externalcontact/get`, `add_msg_template` (a task the staff member
must confirm in their client; ≤ 10,000 external_userid a call) and
`get_groupmsg_send_result` (per msgid and sender: status 0 not sent, 1 sent)."""

from __future__ import annotations

import secrets
from typing import Any

from bot.wechat.fake.errcodes import FakeFailure
from bot.wechat.fake.http import FakeRequest, require_body
from bot.wechat.fake.records import FakeGroupTask
from bot.wechat.fake.state import FakeWeChat

MAX_EXTERNAL_USERIDS = 10_000
MAX_ATTACHMENTS = 9
ATTACHMENT_FIELDS = {
    "image": ("media_id",),  # or pic_url
    "link": ("title", "url"),
    "miniprogram": ("title", "pic_media_id", "appid", "page"),
    "video": ("media_id",),
    "file": ("media_id",),
}
ATTACHMENT_MEDIA = {  # which field holds a temporary media id, and of which type
    "image": ("media_id", "image"),
    "miniprogram": ("pic_media_id", "image"),
    "video": ("media_id", "video"),
    "file": ("media_id", "file"),
}


def _too_long(field: str, most: int) -> FakeFailure:
    return FakeFailure(
        40058, f"field `{field}` exceed max length {most}. invalid Request Parameter"
    )


def externalcontact_get(fake: FakeWeChat, req: FakeRequest, _: str) -> dict[str, Any]:
    external_userid = req.query.get("external_userid", "")
    if not external_userid:
        raise FakeFailure(41035)
    contact = fake.contacts.get(external_userid)
    if contact is None:
        raise FakeFailure(84061 if external_userid[:2] in ("wm", "wo") else 40096)
    return {**contact.answer(), "next_cursor": ""}


def _check_media(fake: FakeWeChat, account: str, msgtype: str, content: dict[str, Any]) -> None:
    key, kind = ATTACHMENT_MEDIA.get(msgtype, ("", ""))
    if key and content.get(key):
        media = fake.media_of(str(content[key]), account)
        if media is None or media.type != kind:
            raise FakeFailure(40007)


def _check_attachment(fake: FakeWeChat, account: str, item: Any) -> None:
    if not isinstance(item, dict) or item.get("msgtype") not in ATTACHMENT_FIELDS:
        raise FakeFailure(40058)
    msgtype = item["msgtype"]
    content = item.get(msgtype)
    if not isinstance(content, dict):
        raise FakeFailure(40063)
    by_url = msgtype == "image" and content.get("pic_url") and not content.get("media_id")
    if not by_url and not all(content.get(name) for name in ATTACHMENT_FIELDS[msgtype]):
        raise FakeFailure(40063)
    _check_media(fake, account, msgtype, content)


def _check_content(fake: FakeWeChat, account: str, body: dict[str, Any]) -> None:
    text = body["text"] if isinstance(body.get("text"), dict) else {}
    attachments = body.get("attachments") or []
    if not isinstance(attachments, list):
        raise FakeFailure(40058)
    if not (text.get("content") or attachments):
        raise FakeFailure(40063)
    if len(attachments) > MAX_ATTACHMENTS:
        raise _too_long("attachments", MAX_ATTACHMENTS)
    for item in attachments:
        _check_attachment(fake, account, item)


def _sender_of(fake: FakeWeChat, external_userid: str, sender: str | None) -> str | None:
    """Who would send to this customer, or None when nobody can (WeChat's fail_list)."""
    contact = fake.contacts.get(external_userid)
    if contact is None:
        return sender if sender and not fake.strict_contacts else None
    if sender is not None:
        return sender if contact.followed_by(sender) else None
    return contact.follow_user[0].userid if contact.follow_user else None


def _single_targets(fake: FakeWeChat, body: dict[str, Any], sender: str | None) -> list[str]:
    given = body.get("external_userid")
    if given is None:
        return [e for e, c in fake.contacts.items() if sender is None or c.followed_by(sender)]
    if not isinstance(given, list) or not all(isinstance(e, str) for e in given):
        raise FakeFailure(40058)
    if len(given) > MAX_EXTERNAL_USERIDS:
        raise _too_long("external_userid", MAX_EXTERNAL_USERIDS)
    return given


def _single_task(
    fake: FakeWeChat, body: dict[str, Any], sender: str | None
) -> tuple[dict[tuple[str, str], int], list[str]]:
    status: dict[tuple[str, str], int] = {}
    failed: list[str] = []
    for external_userid in _single_targets(fake, body, sender):
        member = _sender_of(fake, external_userid, sender)
        if member is None:
            failed.append(external_userid)
        else:
            status[(member, external_userid)] = 0
    return status, failed


def _group_task(body: dict[str, Any], sender: str | None) -> dict[tuple[str, str], int]:
    if not sender:
        raise FakeFailure(40063)
    chats = body.get("chat_id_list") or []
    if not isinstance(chats, list):
        raise FakeFailure(40058)
    return {(sender, str(chat)): 0 for chat in chats} or {(sender, ""): 0}


def add_msg_template(fake: FakeWeChat, req: FakeRequest, account: str) -> dict[str, Any]:
    body = require_body(req)
    chat_type = body.get("chat_type", "single")
    if chat_type not in ("single", "group"):
        raise FakeFailure(40058)
    _check_content(fake, account, body)
    sender = body.get("sender") or None
    if sender is not None and fake.staff is not None and sender not in fake.staff:
        raise FakeFailure(40003)
    if chat_type == "single":
        status, failed = _single_task(fake, body, sender)
    else:
        status, failed = _group_task(body, sender), []
    if not status:
        raise FakeFailure(41048)
    msgid = "msg" + secrets.token_urlsafe(18)
    fake.tasks[msgid] = FakeGroupTask(msgid, fake.now(), status, chat_type=chat_type)
    return {"errcode": 0, "errmsg": "ok", "fail_list": failed, "msgid": msgid}


def _send_item(task: FakeGroupTask, key: tuple[str, str]) -> dict[str, Any]:
    target = "chat_id" if task.chat_type == "group" else "external_userid"
    item: dict[str, Any] = {target: key[1], "userid": key[0], "status": task.status[key]}
    if key in task.send_time:
        item["send_time"] = task.send_time[key]
    return item


def _page(body: dict[str, Any]) -> tuple[int, int]:
    try:
        limit, start = int(body.get("limit") or 500), int(body.get("cursor") or 0)
    except (TypeError, ValueError):
        raise FakeFailure(40058) from None
    if not 1 <= limit <= 1000 or start < 0:
        raise FakeFailure(40058)
    return limit, start


def get_groupmsg_send_result(fake: FakeWeChat, req: FakeRequest, _: str) -> dict[str, Any]:
    body = require_body(req)
    msgid = body.get("msgid")
    if not msgid:
        raise FakeFailure(41046)
    task = fake.tasks.get(str(msgid))
    if task is None:
        raise FakeFailure(41047)
    userid = body.get("userid")
    if not userid:
        raise FakeFailure(40058, "field `userid` is required. invalid Request Parameter")
    limit, start = _page(body)
    keys = [key for key in task.status if key[0] == userid]
    page = keys[start : start + limit]
    more = str(start + limit) if start + limit < len(keys) else ""
    send_list = [_send_item(task, key) for key in page]
    return {"errcode": 0, "errmsg": "ok", "next_cursor": more, "send_list": send_list}
