"""Callback crypto against Tencent's own test vectors (PROTOCOL.md A–D), and its failure modes."""

from __future__ import annotations

import base64

import pytest

from bot.wechat.crypto import (
    DecryptError,
    MessageCrypto,
    SignatureError,
    signature,
    verify_signature,
)
from bot.wechat.xml import parse_xml

WECOM = MessageCrypto("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7")
OA = MessageCrypto("pamtest", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wxb11529c136998cb6")

ECHOSTR_A = (
    "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
)
ENCRYPT_A = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
ENCRYPT_B = "rTNFcsut4LfGuAFKEUVVpwcaCOTJzOd9twZdIW910jb3k+iicx2uvhttIZ3Qg9Qgty3BEF2xbOrz6boTfb30dMomcgrkTqdFPwnhqbk+kIQ7rZiwny9D7NUrTgA5kpX3KsZvrXzUZyP2x9YOlxbgm572lmxKvM7HAQQhIQ/p6HBmoY30bGXFK0BtIu1pW9TjhOYrLQoU18nWYjWqDA1ynkmOytpv7QRI1P1+0NoxL0q2zO1DgeSvnE8CZGo/o5Ap/WHK5W2RAsinpzN4/LjPnmB6U01I5XCoJoC0GK/yMZycd2Oh8Nq6+wBkC1U85oy0ktOY4nLvsQMLrourmMGdZHuTbqpeJ8Ao/5PRYJ+WBvRUwPfGKBL2+2IKZF49vAJqkcGWSHGE76ZN2erXeuNazf/o9o3lIE3q739o4c8t9QGPe31GT2Go/rOz1BsrASwvauNulCh+++yz+CQzBIuikA=="


def test_vector_a_wecom_url_verification() -> None:
    WECOM.verify("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780", ECHOSTR_A)
    assert WECOM.decrypt(ECHOSTR_A) == b"1616140317555161061"


def test_vector_a_wecom_message_pad_30() -> None:
    WECOM.verify("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", ENCRYPT_A)
    fields = parse_xml(WECOM.decrypt(ENCRYPT_A), 65536)
    assert fields["Content"] == "hello" and fields["FromUserName"] == "mycreate"
    assert fields["MsgId"] == "4561255354251345929" and fields["AgentID"] == "218"


def test_vector_b_official_account_pad_21() -> None:
    OA.verify("4f3ad57b6989f09f4eb392acce4f9e93942ed890", "1458300676", "260774613", ENCRYPT_B)
    fields = parse_xml(OA.decrypt(ENCRYPT_B), 65536)
    assert fields["Content"] == "hello" and fields["MsgId"] == "12345"
    assert fields["ToUserName"] == "asdasdasd" and fields["FromUserName"] == "asdasdasdsadasd"


def test_vector_c_encrypt_direction() -> None:
    encrypted = OA.encrypt("我是中文abcd123".encode(), random16=b"aaaabbbbccccdddd")
    assert (
        encrypted
        == "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
    )


def test_vector_d_plain_signature() -> None:
    assert signature("test", "1410685589", "test") == "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"
    with pytest.raises(SignatureError):
        verify_signature("f21891de399b4e33a1a93c9a7b8a8fffb5a443fe", "test", "1410685589", "test")


@pytest.mark.parametrize("size", [0, 1, 11, 12, 13, 31, 32, 33, 100, 2048])
def test_round_trip_every_padding_length(size: int) -> None:
    message = ("中" * size).encode()[:size]
    assert OA.decrypt(OA.encrypt(message)) == message


def test_message_for_another_app_is_rejected() -> None:
    other = MessageCrypto("pamtest", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wxOTHER")
    with pytest.raises(DecryptError, match="another app"):
        OA.decrypt(other.encrypt(b"<xml/>"))


@pytest.mark.parametrize(
    "garbage",
    [
        "not base64 at all!",
        "",
        base64.b64encode(b"short").decode(),
        base64.b64encode(b"\0" * 32).decode(),
    ],
)
def test_garbage_ciphertext_is_a_decrypt_error(garbage: str) -> None:
    with pytest.raises(DecryptError):
        OA.decrypt(garbage)


def test_bad_aes_key_is_refused() -> None:
    with pytest.raises(ValueError):
        MessageCrypto("t", "too-short", "wx")
