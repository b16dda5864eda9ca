"""Hostile XML never gets past the parser, on the envelope or the decrypted body."""

from __future__ import annotations

import pytest

from bot.wechat.xml import XmlError, parse_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xml><Content>&lol3;</Content></xml>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><Content>&xxe;</Content></xml>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE, b"<!doctype xml><xml/>"])
def test_dtd_and_entities_rejected(body: bytes) -> None:
    with pytest.raises(XmlError, match="DTD"):
        parse_xml(body, 65536)


@pytest.mark.parametrize(
    "body", [b"<xml><a></xml>", b"", b"not xml", b"<other><a>1</a></other>", b"<xml>text</xml>"]
)
def test_malformed_rejected(body: bytes) -> None:
    with pytest.raises(XmlError):
        parse_xml(body, 65536)


def test_oversize_rejected_before_parsing() -> None:
    with pytest.raises(XmlError, match="exceeds"):
        parse_xml(b"<xml><a>" + b"x" * 70000 + b"</a></xml>", 65536)


def test_cdata_and_empty_fields() -> None:
    fields = parse_xml(b"<xml><A><![CDATA[x <b> y]]></A><B></B><C>1</C></xml>", 1024)
    assert fields == {"A": "x <b> y", "B": "", "C": "1"}


def test_other_encodings_cannot_smuggle_a_dtd() -> None:
    utf16 = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><xml><A>&a;</A></xml>'
    )
    with pytest.raises(XmlError, match="UTF-8"):
        parse_xml(utf16.encode("utf-16"), 65536)


def test_nested_and_repeated_elements() -> None:
    body = (
        b"<xml><Event><![CDATA[pic_sysphoto]]></Event><SendPicsInfo><Count>2</Count><PicList>"
        b"<item><PicMd5Sum><![CDATA[a]]></PicMd5Sum></item><item><PicMd5Sum><![CDATA[b]]></PicMd5Sum></item>"
        b"</PicList></SendPicsInfo></xml>"
    )
    fields = parse_xml(body, 65536)
    assert fields["SendPicsInfo"]["Count"] == "2"
    assert fields["SendPicsInfo"]["PicList"]["item"] == [{"PicMd5Sum": "a"}, {"PicMd5Sum": "b"}]


def test_layout_whitespace_around_cdata_is_stripped_from_leaf_fields() -> None:
    """WeChat's documentation (and WeRoBot's fixtures) put each CDATA on its own indented line."""
    body = (
        b"<xml>\n  <ToUserName>\n    <![CDATA[gh_1]]>\n  </ToUserName>\n"
        b"  <FromUserName> <![CDATA[oUser]]> </FromUserName>\n"
        b"  <CreateTime>\n    1348831860\n  </CreateTime>\n"
        b"  <MsgType>\n\t<![CDATA[event]]>\n  </MsgType>\n"
        b"  <Event> <![CDATA[subscribe]]> </Event>\n"
        b"  <SendPicsInfo>\n    <Count> 2 </Count>\n  </SendPicsInfo>\n</xml>"
    )
    fields = parse_xml(body, 65536)
    assert fields["ToUserName"] == "gh_1" and fields["FromUserName"] == "oUser"
    assert fields["CreateTime"] == "1348831860" and fields["MsgType"] == "event"
    assert fields["Event"] == "subscribe" and fields["SendPicsInfo"] == {"Count": "2"}


def test_free_text_fields_keep_their_own_spaces() -> None:
    """Inside a CDATA section, spaces are the customer's text: the parser keeps them (the
    Message's text is stripped later, in one place: bot/wechat/messages.py)."""
    body = b"<xml><Content><![CDATA[  hi  ]]></Content><Title><![CDATA[ a ]]></Title></xml>"
    assert parse_xml(body, 1024) == {"Content": "  hi  ", "Title": " a "}
