"""A customer as staff see them: the profile (who, tags, points, lifecycle, RFM, notes) and
the interaction timeline (inbound and outbound, with sentiment and intent), newest first.

Values are the stored ones; a door masks them for the reader's role with `Profile.for_role`
(crm/privacy). A merged-away id shows the record it was merged into."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from crm.customers import survivor_id
from crm.models import Customer, CustomerNote, CustomerTag, Interaction, RfmScore, Role
from crm.privacy import Personal, masked

MAX_TIMELINE = 200


@dataclass(frozen=True, slots=True)
class Rfm:
    r: int
    f: int
    m: int

    @property
    def code(self) -> str:
        return f"R{self.r}F{self.f}M{self.m}"


@dataclass(frozen=True, slots=True)
class Profile:
    id: int
    display_name: str | None
    real_name: str | None
    phone: str | None
    birthday: str | None  # ISO date, or its mask
    address: str | None
    gender: str
    city: str | None
    openid: str | None
    external_userid: str | None
    follow_user: str | None
    source_channel: str
    subscribed: bool
    opted_out: bool
    lifecycle_stage: str
    points_balance: int
    order_count: int
    total_spent: Decimal
    last_active_at: datetime | None
    created_at: datetime
    tags: tuple[str, ...]
    rfm: Rfm | None
    notes_count: int

    def for_role(self, role: Role | None) -> Profile:
        """The personal fields as `role` may see them (masked unless admin)."""
        return replace(
            self,
            display_name=masked(role, Personal.NAME, self.display_name),
            real_name=masked(role, Personal.REAL_NAME, self.real_name),
            phone=masked(role, Personal.PHONE, self.phone),
            birthday=masked(role, Personal.BIRTHDAY, self.birthday),
            address=masked(role, Personal.ADDRESS, self.address),
        )

    def personal_fields(self) -> list[str]:
        """The personal fields this profile holds a value for (what an unmasked read shows)."""
        return [f.value for f in Personal if _value_of(self, f) not in (None, "")]


def _value_of(profile: Profile, field: Personal) -> str | None:
    return profile.display_name if field is Personal.NAME else getattr(profile, field.value)


@dataclass(frozen=True, slots=True)
class TimelineItem:
    id: int
    at: datetime
    direction: str  # in, out
    channel: str
    kind: str
    content: str | None
    sentiment_label: str | None
    sentiment_score: float | None
    intent: str | None


async def profile(customer_id: int) -> Profile:
    """NotFound when there is no such customer."""
    customer = await Customer.get(id=await survivor_id(customer_id))
    tags = (
        await CustomerTag.filter(customer_id=customer.id)
        .order_by("id")
        .values_list("tag__name", flat=True)
    )
    score = await RfmScore.get_or_none(customer_id=customer.id)
    notes = await CustomerNote.filter(customer_id=customer.id).count()
    rfm = Rfm(score.r_score, score.f_score, score.m_score) if score else None
    return _profile(customer, tuple(str(t) for t in tags), rfm, notes)


def _text(attributes: dict[str, object], key: str) -> str | None:
    value = attributes.get(key)
    return None if value in (None, "") else str(value)


def _profile(c: Customer, tags: tuple[str, ...], rfm: Rfm | None, notes: int) -> Profile:
    attributes = c.attributes or {}
    return Profile(
        id=c.id, display_name=c.display_name, real_name=_text(attributes, "real_name"),
        phone=c.phone, birthday=c.birthday.isoformat() if c.birthday else None,
        address=_text(attributes, "address"), gender=c.gender.value, city=c.city,
        openid=c.openid, external_userid=c.external_userid, follow_user=c.follow_user,
        source_channel=c.source_channel.value, subscribed=c.subscribed, opted_out=c.opted_out,
        lifecycle_stage=c.lifecycle_stage.value, points_balance=c.points_balance,
        order_count=c.order_count, total_spent=Decimal(c.total_spent),
        last_active_at=c.last_active_at, created_at=c.created_at, tags=tags, rfm=rfm,
        notes_count=notes,
    )  # fmt: skip


async def timeline(
    customer_id: int, *, before_id: int | None = None, limit: int = 50
) -> list[TimelineItem]:
    """Interactions newest first; pass the last item's id as `before_id` for the next page."""
    live = await survivor_id(customer_id)
    qs = Interaction.filter(customer_id=live)
    if before_id is not None:
        qs = qs.filter(id__lt=before_id)
    rows = await qs.order_by("-id").limit(max(1, min(limit, MAX_TIMELINE)))
    return [_item(row) for row in rows]


def _item(row: Interaction) -> TimelineItem:
    return TimelineItem(
        id=row.id, at=row.created_at, direction=row.direction.value, channel=row.channel,
        kind=row.kind, content=row.content, sentiment_label=row.sentiment_label,
        sentiment_score=row.sentiment_score, intent=row.intent,
    )  # fmt: skip
