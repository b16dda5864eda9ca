"""A handful of named sample customers for `siyu demo` (idempotent)."""

from __future__ import annotations

from datetime import date

from crm.models import Channel, Customer, Gender

SAMPLES = (
    ("o_demo_wang", "王小明", "13800138000", date(1990, 5, 20), Gender.MALE, "上海"),
    ("o_demo_li", "李娜", "13911112222", date(1995, 11, 23), Gender.FEMALE, "北京"),
    ("o_demo_zhang", "张伟", "13722223333", date(1988, 2, 14), Gender.MALE, "杭州"),
    ("o_demo_chen", "陈静", "13633334444", date(2000, 8, 8), Gender.FEMALE, "广州"),
    ("o_demo_customer", "体验用户", None, None, Gender.UNKNOWN, "深圳"),
)


async def seed_demo_customers() -> int:
    """Create the sample customers that do not exist yet; returns how many were created."""
    created = 0
    for openid, name, phone, birthday, gender, city in SAMPLES:
        _, was_created = await Customer.get_or_create(
            openid=openid,
            defaults={
                "display_name": name, "phone": phone, "birthday": birthday, "gender": gender,
                "city": city, "subscribed": True, "source_channel": Channel.OA,
            },
        )  # fmt: skip
        created += int(was_created)
    return created
