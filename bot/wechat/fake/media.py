"""Temporary media: `POST /cgi-bin/media/upload?type=` (multipart, the file in part `media`),
on both APIs; the token says which. The media id lives three days (on the fake's clock)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.wechat.fake.errcodes import FakeFailure
from bot.wechat.fake.http import FakeRequest, Upload
from bot.wechat.fake.state import FakeWeChat

MB = 1024 * 1024


@dataclass(frozen=True)
class _Kind:
    limit: int
    suffixes: frozenset[str]


OA_KINDS = {
    "image": _Kind(10 * MB, frozenset({"bmp", "png", "jpeg", "jpg", "gif"})),
    "voice": _Kind(2 * MB, frozenset({"amr", "mp3"})),
    "video": _Kind(10 * MB, frozenset({"mp4"})),
    "thumb": _Kind(64 * 1024, frozenset({"jpg", "jpeg"})),
}
WECOM_KINDS = {
    "image": _Kind(10 * MB, frozenset({"jpg", "jpeg", "png"})),
    "voice": _Kind(2 * MB, frozenset({"amr"})),
    "video": _Kind(10 * MB, frozenset({"mp4"})),
    "file": _Kind(20 * MB, frozenset()),  # any type
}
WECOM_MIN_BYTES = 5


def _check_file(upload: Upload | None, kind: _Kind, smallest: int) -> int:
    if upload is None:
        raise FakeFailure(41005)
    if not upload.data:
        raise FakeFailure(44001)
    suffix = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
    if kind.suffixes and suffix not in kind.suffixes:
        raise FakeFailure(40005)
    if not smallest <= len(upload.data) <= kind.limit:
        raise FakeFailure(40006)
    return len(upload.data)


def media_upload(fake: FakeWeChat, req: FakeRequest, account: str) -> dict[str, Any]:
    wecom = account.startswith("wecom:")
    kinds = WECOM_KINDS if wecom else OA_KINDS
    kind_name = req.query.get("type", "")
    kind = kinds.get(kind_name)
    if kind is None:
        raise FakeFailure(40004)
    size = _check_file(req.files.get("media"), kind, WECOM_MIN_BYTES if wecom else 1)
    media_id, media = fake.store_media(account, kind_name, size)
    created = int(media.created_at)
    if wecom:  # WeCom answers created_at as a string
        return {
            "errcode": 0,
            "errmsg": "",
            "type": kind_name,
            "media_id": media_id,
            "created_at": str(created),
        }
    id_key = "thumb_media_id" if kind_name == "thumb" else "media_id"
    return {"type": kind_name, id_key: media_id, "created_at": created}
