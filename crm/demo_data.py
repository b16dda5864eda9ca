"""A handful of named sample customers for `siyu demo`, its birthday campaign, and what the
staff console shows: a segment, analysed messages, an open complaint (all idempotent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from crm import birthdays
from crm.actors import Actor
from crm.birthdays import Birthday
from crm.campaigns.service import create_campaign, resume, update_campaign
from crm.campaigns.spec import CampaignSpec, parse_spec
from crm.clock import Clock
from crm.complaints import config as complaint_config
from crm.complaints.classify import Signals
from crm.complaints.intake import Incoming, complain
from crm.models import Channel, Complaint, Customer, Gender, Interaction, Segment
from crm.models.campaigns import Campaign, CampaignStatus
from crm.models.customers import BirthdayCalendar
from crm.orders import OrderInput, record_order
from crm.phones import normalize_optional_phone
from crm.pipl import consent
from crm.rfm import recompute_rfm
from crm.segments import create_segment

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
    created, now = 0, datetime.now(UTC)
    for n, (openid, name, phone, birthday, gender, city) in enumerate(SAMPLES):
        sample, was_created = await Customer.get_or_create(
            openid=openid,
            defaults={
                "display_name": name, "phone": normalize_optional_phone(phone),
                "birthday": birthday, "gender": gender, "city": city, "subscribed": True,
                "source_channel": Channel.OA,
                "subscribed_at": now - timedelta(days=3 * n),  # the dashboard's follower line
                "last_active_at": now - timedelta(days=n),
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


# -- what the staff console shows in `siyu demo` ----------------------------------------------

DEMO_SEGMENT = "已关注的上海客户"
DEMO_COMPLAINT = "快递太慢了，我要投诉，订单 20261130001 还没到"
DEMO_CHATS = (  # (openid, text, sentiment label, score, intent): a timeline with nlp readings
    ("o_demo_wang", "你们的新品什么时候上架？", "neutral", 0.55, "question"),
    ("o_demo_wang", "东西很好，物流也快，谢谢！", "positive", 0.93, "praise"),
    ("o_demo_li", "客服回复太慢了，很失望", "negative", 0.08, "complaint"),
)


async def seed_console_demo(timezone: str = "Asia/Shanghai") -> None:
    """A segment, a few analysed messages and one open complaint (idempotent)."""
    await _demo_segment()
    if not await Interaction.filter(content=DEMO_CHATS[0][1]).exists():
        for openid, text, label, score, intent in DEMO_CHATS:
            customer = await Customer.get(openid=openid)
            await Interaction.create(customer=customer, channel="oa", direction="in", kind="text",
                                     content=text, sentiment_label=label, sentiment_score=score,
                                     intent=intent)  # fmt: skip
    await _demo_complaint(timezone)
    await _demo_orders()
    await recompute_rfm()  # the dashboard's RFM grid (the nightly job does this in production)


async def _demo_orders() -> None:
    """A few orders per sample customer, different counts and amounts (idempotent by id)."""
    now = datetime.now(UTC)
    for n, (openid, *_rest) in enumerate(SAMPLES):
        customer = await Customer.get(openid=openid)
        for k in range(n + 1):
            paid = now - timedelta(days=7 * k + n)
            order = OrderInput(external_id=f"DEMO-{openid}-{k}", customer_id=customer.id,
                               amount=Decimal(99 * (5 - n)), paid_at=paid)  # fmt: skip
            await record_order(order, actor=DEMO)


async def _demo_segment() -> None:
    if not await Segment.filter(name=DEMO_SEGMENT).exists():
        rule = {"all": [{"field": "subscribed", "op": "eq", "value": True},
                        {"field": "city", "op": "eq", "value": "上海"}]}  # fmt: skip
        await create_segment(DEMO_SEGMENT, rule, "演示：运营台分群编辑器", actor=DEMO)


async def _demo_complaint(timezone: str) -> None:
    customer = await Customer.get(openid="o_demo_zhang")
    if await Complaint.filter(customer_id=customer.id).exists():
        return
    incoming = Incoming(
        customer=customer,
        text=DEMO_COMPLAINT,
        dedupe_key=None,
        signals=Signals(sentiment=0.1, complaint_intent=True),
        timezone=timezone,
    )
    await complain(incoming, complaint_config.current(), actor=Actor.customer(customer.id))
