"""Hardened XML parsing for everything WeChat sends: size cap, UTF-8 only, no DTD, no entities.

The text is decoded as UTF-8 first and refused if it declares a DTD, so no entity can be
declared (billion laughs) or fetched (XXE); only then does the C parser (expat, through
ElementTree) see it. That is about four times faster than xmltodict's pure-Python SAX
handler on a WeChat message, and this runs twice for every safe-mode callback.

Whitespace around a value is layout (WeChat's documentation puts each CDATA section on its own
indented line), so leaf fields are stripped. After parsing, `<A>\n <![CDATA[x]]>\n</A>` and
`<A><![CDATA[\n x\n]]></A>` are the same string, so the free text a person wrote keeps its
spaces here and is stripped once, where the Message's text is made (bot/wechat/messages.py).
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError, fromstring

_FORBIDDEN = re.compile(r"<!DOCTYPE|<!ENTITY|<\?xml-stylesheet", re.IGNORECASE)
_FREE_TEXT = frozenset({"Content", "Recognition", "Title", "Description", "Label"})


class XmlError(Exception):
    """The body is not acceptable WeChat XML."""


def parse_xml(body: bytes, max_bytes: int) -> dict[str, Any]:
    """Parse a WeChat `<xml>` document into a dict of its fields (nested ones as dicts)."""
    if len(body) > max_bytes:
        raise XmlError(f"body of {len(body)} bytes exceeds {max_bytes}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise XmlError("body is not UTF-8") from None
    if _FORBIDDEN.search(text):
        raise XmlError("DTDs and entities are not allowed")
    try:
        root = fromstring(text)
    except ParseError as exc:
        raise XmlError(f"malformed XML: {exc}") from None
    if root.tag != "xml" or len(root) == 0:
        raise XmlError("root element must be <xml> with fields")
    return _children(root)


def _children(element: Element) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for child in element:
        value: Any
        if len(child):
            value = _children(child)
        else:  # inline: this runs for every field of every message
            value = child.text or ""
            if child.tag not in _FREE_TEXT:
                value = value.strip()
        if child.tag in fields:  # repeated element (e.g. <item> in PicList): keep them all
            previous = fields[child.tag]
            fields[child.tag] = (
                [*previous, value] if isinstance(previous, list) else [previous, value]
            )
        else:
            fields[child.tag] = value
    return fields
