"""Render a handler's Reply as WeChat passive-reply XML, with wechatpy's reply classes.

Every string is made CDATA-safe first: wechatpy puts values into `<![CDATA[...]]>` as they
are, so a `]]>` in echoed customer text would otherwise inject XML.
"""

from __future__ import annotations

import re
import time

from wechatpy.replies import (
    ArticlesReply,
    BaseReply,
)
from wechatpy.replies import (
    ImageReply as WxImageReply,
)
from wechatpy.replies import (
    TextReply as WxTextReply,
)

from handlers.types import ImageReply, NewsReply, Reply, TextReply

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_ARTICLES = 8  # WeChat shows at most 8 (officially 1 since 2018 for most accounts)


def cdata_safe(value: str) -> str:
    return _XML_INVALID.sub("", value).replace("]]>", "]]]]><![CDATA[>")


def render_reply(reply: Reply, to_user: str, from_user: str) -> str | None:
    """The reply XML, or None when there is nothing to send (answer "success")."""
    built = _build(reply)
    if built is None:
        return None
    built.target = cdata_safe(to_user)
    built.source = cdata_safe(from_user)
    built.time = int(time.time())
    return str(built.render())


def _build(reply: Reply) -> BaseReply | None:
    if isinstance(reply, TextReply):
        return WxTextReply(content=cdata_safe(reply.text)) if reply.text else None
    if isinstance(reply, ImageReply):
        return WxImageReply(media_id=cdata_safe(reply.media_id))
    if isinstance(reply, NewsReply) and reply.articles:
        articles = [
            {
                "title": cdata_safe(a.title),
                "description": cdata_safe(a.description),
                "image": cdata_safe(a.image),
                "url": cdata_safe(a.url),
            }
            for a in reply.articles[:MAX_ARTICLES]
        ]
        return ArticlesReply(articles=articles)
    return None


def reply_text(reply: Reply) -> str | None:
    """What the reply says, for the outbound interaction record."""
    if isinstance(reply, TextReply):
        return reply.text
    if isinstance(reply, NewsReply):
        return "\n".join(a.title for a in reply.articles)
    if isinstance(reply, ImageReply):
        return f"[image {reply.media_id}]"
    return None
