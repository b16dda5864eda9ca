"""Callback signatures and AES ("safe mode") for the Official Account and WeCom.

wechatpy supplies the AES-CBC cipher and the 32-byte PKCS#7 padding; the framing is checked
here because wechatpy's decrypt trusts the pad byte and the length field, and compares
signatures with `!=`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct

from wechatpy.crypto.cryptography import WeChatCipher
from wechatpy.crypto.pkcs7 import PKCS7Encoder

_BLOCK = 32
_RANDOM_LEN = 16


class CryptoError(Exception):
    """A callback could not be authenticated or decrypted."""


class SignatureError(CryptoError):
    pass


class DecryptError(CryptoError):
    pass


def signature(*parts: str) -> str:
    """WeChat's SHA1 over the sorted, concatenated parts."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def verify_signature(expected: str, *parts: str) -> None:
    if not hmac.compare_digest(signature(*parts).encode(), expected.encode()):
        raise SignatureError("signature mismatch")


class MessageCrypto:
    """Safe-mode crypto for one app: `receive_id` is the OA app id or the WeCom corp id."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error as exc:
            raise ValueError("EncodingAESKey is not valid base64") from exc
        if len(key) != 32:
            raise ValueError("EncodingAESKey must decode to 32 bytes (43 characters)")
        self.token = token
        self._receive_id = receive_id.encode()
        self._cipher = WeChatCipher(key)

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        verify_signature(msg_signature, self.token, timestamp, nonce, encrypted)

    def decrypt(self, encrypted: str) -> bytes:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DecryptError("Encrypt is not base64") from exc
        if not data or len(data) % 16:
            raise DecryptError("ciphertext length is not a multiple of the AES block")
        plain = self._cipher.decrypt(data)
        return self._unframe(plain)

    def _unframe(self, plain: bytes) -> bytes:
        pad = plain[-1]
        if not 1 <= pad <= _BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise DecryptError("bad padding")
        body = plain[_RANDOM_LEN:-pad]
        if len(body) < 4:
            raise DecryptError("truncated message")
        (length,) = struct.unpack(">I", body[:4])
        if length > len(body) - 4:
            raise DecryptError("length field exceeds the message")
        receive_id = body[4 + length :]
        if not hmac.compare_digest(receive_id, self._receive_id):
            raise DecryptError("message is for another app")
        return body[4 : 4 + length]

    def encrypt(self, message: bytes, random16: bytes | None = None) -> str:
        prefix = random16 if random16 is not None else secrets.token_hex(8).encode()
        framed = prefix + struct.pack(">I", len(message)) + message + self._receive_id
        return base64.b64encode(self._cipher.encrypt(PKCS7Encoder.encode(framed))).decode()

    def encrypted_reply(self, reply_xml: str, timestamp: str, nonce: str) -> str:
        encrypted = self.encrypt(reply_xml.encode())
        sig = signature(self.token, timestamp, nonce, encrypted)
        return (
            f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{sig}]]></MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        )
