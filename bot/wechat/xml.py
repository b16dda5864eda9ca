"""Hardened XML parsing for everything WeChat sends: size cap, no DTD, no entities."""

from __future__ import annotations

import re
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict

_FORBIDDEN = re.compile(rb"<!DOCTYPE|<!ENTITY|<\?xml-stylesheet", re.IGNORECASE)


class XmlError(Exception):
    """The body is not acceptable WeChat XML."""


def parse_xml(body: bytes, max_bytes: int) -> dict[str, Any]:
    """Parse a flat WeChat `<xml>` document into a dict of its top-level fields."""
    if len(body) > max_bytes:
        raise XmlError(f"body of {len(body)} bytes exceeds {max_bytes}")
    if _FORBIDDEN.search(body):
        raise XmlError("DTDs and entities are not allowed")
    try:
        doc = xmltodict.parse(body, disable_entities=True)
    except (ExpatError, ValueError) as exc:
        raise XmlError(f"malformed XML: {exc}") from None
    root = doc.get("xml") if isinstance(doc, dict) else None
    if not isinstance(root, dict):
        raise XmlError("root element must be <xml> with fields")
    # an empty element parses as None: WeChat means "empty string"
    return {k: "" if v is None else v for k, v in root.items()}
