"""Finding customers the way staff ask for them: by phone, name, openid, tag or stage.

A phone number matches exactly on its normalised form (crm/phones), never as a substring; a
name matches anywhere in the display name; an openid (or WeCom external userid), a tag name
and a lifecycle stage (its code or its Chinese name) match exactly; a number of up to 10
digits that is no phone is also taken as a customer id. Customers merged away are never found."""

from __future__ import annotations

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from crm.errors import InvalidInput
from crm.models import Customer, CustomerTag, LifecycleStage, Tag
from crm.phones import normalize_phone

MAX_QUERY = 64
STAGE_NAMES: dict[str, LifecycleStage] = {
    "潜客": LifecycleStage.PROSPECT,
    "新客": LifecycleStage.NEW,
    "活跃": LifecycleStage.ACTIVE,
    "忠诚": LifecycleStage.LOYAL,
    "流失风险": LifecycleStage.AT_RISK,
    "已流失": LifecycleStage.CHURNED,
}


def _phone(text: str) -> str | None:
    try:
        return normalize_phone(text)
    except InvalidInput:
        return None


def _stage(text: str) -> LifecycleStage | None:
    if text.lower() in LifecycleStage.__members__.values():
        return LifecycleStage(text.lower())
    return STAGE_NAMES.get(text)


def _condition(text: str) -> Q:
    phone = _phone(text)
    if phone is not None:
        return Q(phone=phone)
    either = Q(display_name__icontains=text) | Q(openid=text) | Q(external_userid=text)
    either |= Q(id__in=_tagged(text))
    if text.isdigit() and len(text) <= 10:
        either |= Q(id=int(text))
    stage = _stage(text)
    return either | Q(lifecycle_stage=stage) if stage is not None else either


def _tagged(name: str) -> Subquery:
    tag = Subquery(Tag.filter(name=name).values("id"))
    return Subquery(CustomerTag.filter(tag_id=tag).values("customer_id"))


def matching(query: str) -> QuerySet[Customer]:
    """Every customer the query finds, as one queryset (InvalidInput for an empty query)."""
    text = query.strip()
    if not text or len(text) > MAX_QUERY:
        raise InvalidInput(f"查询内容应为 1 到 {MAX_QUERY} 个字")
    return Customer.filter(_condition(text), merged_into_id=None)


async def find_customers(query: str, *, limit: int = 10) -> list[Customer]:
    """The first `limit` customers found, by id."""
    return await matching(query).order_by("id").limit(limit)


async def count_customers(query: str) -> int:
    """How many customers the query finds (for "and N more")."""
    return await matching(query).count()
