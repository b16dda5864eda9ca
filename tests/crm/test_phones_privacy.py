from __future__ import annotations

import pytest

from crm.errors import InvalidInput
from crm.phones import normalize_optional_phone, normalize_phone
from crm.privacy import mask_name, mask_phone


@pytest.mark.parametrize(
    "raw",
    ["13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "008613812345678",
     "8613812345678", "+86-(138)1234-5678", "＋8613812345678"],
)  # fmt: skip
def test_mainland_numbers_become_e164(raw: str) -> None:
    assert normalize_phone(raw) == "+8613812345678"


def test_international_numbers_stay_e164() -> None:
    assert normalize_phone("+852 9123 4567") == "+85291234567"
    assert normalize_phone("0044 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize("raw", ["12345", "1381234567", "23812345678", "+86 12812345678", "abc"])
def test_invalid_numbers_are_rejected_with_a_reason(raw: str) -> None:
    with pytest.raises(InvalidInput, match="手机号"):
        normalize_phone(raw)


def test_empty_phone_is_none() -> None:
    assert normalize_optional_phone("  ") is None
    assert normalize_optional_phone(None) is None


def test_masking() -> None:
    assert mask_phone("+8613812345678") == "138****5678"
    assert mask_phone("+85291234567") == "+85*****4567"
    assert mask_phone(None) is None
    assert mask_name("张三丰") == "张**"
