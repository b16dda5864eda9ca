"""The message types the two send endpoints accept, each with its required fields and the
codes WeChat answers when they are missing or wrong.

OA `message/custom/send`: text, image, voice, video, music, news (one article since 2018),
mpnews, mpnewsarticle, msgmenu, wxcard, miniprogrampage. WeCom `message/send`: text, image,
voice, video, file, textcard, news, mpnews (1–8 articles), markdown, miniprogram_notice,
template_card. Media ids must be temporary media this account uploaded, of the right type,
younger than three days (else 40007); permanent material (mpnews on the OA) is not modelled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.wechat.fake.errcodes import FakeFailure
from bot.wechat.fake.state import FakeWeChat

Check = Callable[[FakeWeChat, str, dict[str, Any]], None]
TEXT_LIMIT = 2048  # bytes, WeCom text and markdown


def validate(fake: FakeWeChat, account: str, body: dict[str, Any], table: dict[str, Check]) -> None:
    """Raises FakeFailure for an unknown msgtype or a missing / wrong field."""
    msgtype = body.get("msgtype")
    if not isinstance(msgtype, str) or msgtype not in table:
        raise FakeFailure(40008)
    check = table[msgtype]
    content = body.get(msgtype, {})
    if not isinstance(content, dict):
        raise FakeFailure(47001)
    check(fake, account, content)


def _text(content: dict[str, Any], limit: int | None = None) -> None:
    text = content.get("content")
    if not isinstance(text, str) or not text:
        raise FakeFailure(44004)
    if limit is not None and len(text.encode("utf-8")) > limit:
        raise FakeFailure(45002)


def _fields(content: dict[str, Any], *names: str, errcode: int = 47001) -> None:
    if any(not isinstance(content.get(name), str) or not content[name] for name in names):
        raise FakeFailure(errcode)


def _media(fake: FakeWeChat, account: str, media_id: Any, *types: str) -> None:
    if not isinstance(media_id, str) or not media_id:
        raise FakeFailure(41006)
    media = fake.media_of(media_id, account)
    if media is None or media.type not in types:
        raise FakeFailure(40007)


def _media_check(*types: str, key: str = "media_id") -> Check:
    def check(fake: FakeWeChat, account: str, content: dict[str, Any]) -> None:
        _media(fake, account, content.get(key), *types)

    return check


def _articles(content: dict[str, Any], most: int, empty: int) -> list[dict[str, Any]]:
    articles = content.get("articles")
    if not isinstance(articles, list) or not articles:
        raise FakeFailure(empty)
    if len(articles) > most:
        raise FakeFailure(45008)
    if not all(isinstance(a, dict) for a in articles):
        raise FakeFailure(47001)
    return articles


# -- Official Account ----------------------------------------------------------------------


def _oa_text(fake: FakeWeChat, account: str, content: dict[str, Any]) -> None:
    _text(content)


def _oa_music(fake: FakeWeChat, account: str, content: dict[str, Any]) -> None:
    _fields(content, "musicurl", "hqmusicurl")
    _media(fake, account, content.get("thumb_media_id"), "thumb")


def _oa_news(fake: FakeWeChat, account: str, content: dict[str, Any]) -> None:
    for article in _articles(content, most=1, empty=44003):
        _fields(article, "title", "url", errcode=44003)


def _oa_mpnews(fake: FakeWeChat, account: str, content: dict[str, Any]) -> None:
    _fields(content, "media_id", errcode=41006)


def _oa_msgmenu(fake: FakeWeChat, account: str, content: dict[str, Any]) -> None:
    items = content.get("list")
    if not isinstance(items, list) or not items:
        raise FakeFailure(47001)
    for item in items:
        _fields(item if isinstance(item, dict) else {}, "id", "content")


def _oa_miniprogrampage(fake: FakeWeChat, account: str, content: dict[str, Any]) -> None:
    _fields(content, "title", "appid", "pagepath")
    _media(fake, account, content.get("thumb_media_id"), "image", "thumb")


def _required(*names: str) -> Check:
    def check(fake: FakeWeChat, account: str, content: dict[str, Any]) -> None:
        _fields(content, *names)

    return check


OA_MSGTYPES: dict[str, Check] = {
    "text": _oa_text,
    "image": _media_check("image"),
    "voice": _media_check("voice"),
    "video": _media_check("video"),
    "music": _oa_music,
    "news": _oa_news,
    "mpnews": _oa_mpnews,
    "mpnewsarticle": _required("article_id"),
    "msgmenu": _oa_msgmenu,
    "wxcard": _required("card_id"),
    "miniprogrampage": _oa_miniprogrampage,
}


# -- WeCom ---------------------------------------------------------------------------------


def _wecom_text(fake: FakeWeChat, account: str, content: dict[str, Any]) -> None:
    _text(content, TEXT_LIMIT)


def _wecom_textcard(fake: FakeWeChat, account: str, content: dict[str, Any]) -> None:
    _fields(content, "title", errcode=41016)
    _fields(content, "description", errcode=41033)
    _fields(content, "url", errcode=41010)


def _wecom_news(fake: FakeWeChat, account: str, content: dict[str, Any]) -> None:
    for article in _articles(content, most=8, empty=40063):
        _fields(article, "title", errcode=41016)


def _wecom_mpnews(fake: FakeWeChat, account: str, content: dict[str, Any]) -> None:
    for article in _articles(content, most=8, empty=40063):
        _fields(article, "title", errcode=41016)
        _media(fake, account, article.get("thumb_media_id"), "image")
        _text(article)


def _wecom_miniprogram_notice(fake: FakeWeChat, account: str, content: dict[str, Any]) -> None:
    _fields(content, "appid", errcode=90200)
    _fields(content, "title", errcode=41016)


WECOM_MSGTYPES: dict[str, Check] = {
    "text": _wecom_text,
    "image": _media_check("image"),
    "voice": _media_check("voice"),
    "video": _media_check("video"),
    "file": _media_check("file"),
    "textcard": _wecom_textcard,
    "news": _wecom_news,
    "mpnews": _wecom_mpnews,
    "markdown": _wecom_text,
    "miniprogram_notice": _wecom_miniprogram_notice,
    "template_card": _required("card_type"),
}
