"""A handful of named sample customers for `siyu demo`, and its birthday campaign
(idempotent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from crm import birthdays
from crm.actors import Actor
from crm.birthdays import Birthday
from crm.campaigns.service import create_campaign, resume, update_campaign
from crm.campaigns.spec import CampaignSpec, parse_spec
from crm.clock import Clock
from crm.models import Channel, Customer, Gender, Interaction
from crm.models.campaigns import Campaign, CampaignStatus
from crm.models.customers import BirthdayCalendar
from crm.phones import normalize_optional_phone
from crm.pipl import consent

DEMO = Actor.system("demo")

# PIPL: the demo's people agreed to marketing when they followed (a ConsentRecord each).
DEMO_CONSENT = consent.Change(consent.ConsentSource.SEED, detail="siyu demo")

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
        sample, was_created = await Customer.get_or_create(
            openid=openid,
            defaults={
                "display_name": name, "phone": normalize_optional_phone(phone),
                "birthday": birthday, "gender": gender, "city": city, "subscribed": True,
                "source_channel": Channel.OA,
            },
        )  # fmt: skip
        created += int(was_created)
        if was_created:
            await consent.grant(sample.id, DEMO_CONSENT)
    return created


# -- the birthday campaign of `siyu demo` -------------------------------------------------------

DEMO_CAMPAIGN = "生日祝福（演示）"


@dataclass(frozen=True)
class BirthdayGuest:
    openid: str
    name: str
    lunar: bool  # 农历 birthday today, else 公历
    chatted: bool  # wrote in the last hours: inside the customer-service window
    subscribed: bool  # follows the account: can get a template message


BIRTHDAY_GUESTS = (
    BirthdayGuest("o_demo_bd_zhou", "周芳", lunar=False, chatted=True, subscribed=True),
    BirthdayGuest("o_demo_bd_wu", "吴磊", lunar=True, chatted=True, subscribed=True),
    BirthdayGuest("o_demo_bd_zheng", "郑爽", lunar=False, chatted=False, subscribed=True),
    BirthdayGuest("o_demo_bd_sun", "孙悦", lunar=True, chatted=False, subscribed=False),
)


@dataclass(frozen=True)
class DemoCampaign:
    campaign_id: int
    fires_at: str  # local HH:MM
    guests: tuple[BirthdayGuest, ...]


async def seed_birthday_demo(*, clock: Clock, timezone: str = "Asia/Shanghai") -> DemoCampaign:
    """Customers whose birthday is today (solar and, unless today is in a leap month, lunar),
    some of whom just wrote, and a birthday campaign that fires 30 to 90 seconds from now.
    Started again the same day, today's run exists already: nobody gets it twice."""
    local = clock.now().astimezone(ZoneInfo(timezone))
    guests = tuple(g for g in BIRTHDAY_GUESTS if not g.lunar or _lunar_today(local.date()))
    for guest in guests:
        customer = await _birthday_guest(guest, local.date(), clock)
        if guest.chatted:
            await Interaction.create(
                customer=customer, channel="oa", direction="in", kind="text", content="在吗？"
            )
    fires = (local + timedelta(seconds=90)).strftime("%H:%M")  # 30 to 90 s from now
    campaign = await _demo_campaign(fires, timezone)
    return DemoCampaign(campaign.id, fires, guests)


def _lunar_today(day: date) -> Birthday | None:
    keys = birthdays.lunar_keys(day)
    if not keys:
        return None  # a leap month: nobody's lunar birthday falls in it
    md = min(keys)
    return Birthday(BirthdayCalendar.LUNAR, md // 100, md % 100)


async def _birthday_guest(guest: BirthdayGuest, today: date, clock: Clock) -> Customer:
    solar = Birthday(BirthdayCalendar.SOLAR, today.month, today.day)
    birthday = _lunar_today(today) if guest.lunar else solar
    customer, _ = await Customer.update_or_create(
        openid=guest.openid,
        defaults={
            "display_name": guest.name, "subscribed": guest.subscribed, "opted_out": False,
            "source_channel": Channel.OA, "last_active_at": clock.now() if guest.chatted else None,
            **birthdays.birthday_fields(birthday),
        },
    )  # fmt: skip
    await consent.grant(customer.id, DEMO_CONSENT)
    return customer


def _demo_spec(fires: str, timezone: str) -> CampaignSpec:
    return parse_spec({
        "name": DEMO_CAMPAIGN,
        "kind": "birthday",
        "segment": {"field": "birthday", "op": "today"},
        "template": "campaign_birthday.j2",
        "template_message": {
            "template_id": "TM_DEMO_BIRTHDAY",
            "data": {"thing1": "{{ customer.display_name }}", "thing2": "生日快乐，祝您开心每一天"},
        },
        "schedule": {"birthday": {"days_before": 0, "at": fires}},
        "quiet_hours": False,  # the demo fires whenever it is started, even at night
        "coupon": {"prefix": "BD"},
        "timezone": timezone,
    })  # fmt: skip


async def _demo_campaign(fires: str, timezone: str) -> Campaign:
    spec = _demo_spec(fires, timezone)
    existing = await Campaign.get_or_none(name=DEMO_CAMPAIGN)
    if existing is None:
        return await create_campaign(spec, actor=DEMO)
    if existing.status in (CampaignStatus.RUNNING, CampaignStatus.DONE):
        return existing  # sending now (or finished by hand): leave it be
    if existing.status is CampaignStatus.PAUSED:
        await resume(existing.id, actor=DEMO)
    return await update_campaign(existing.id, spec, actor=DEMO)
