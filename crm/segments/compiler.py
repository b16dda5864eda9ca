"""Compile a validated rule into ONE Tortoise query over customers (Q objects and subqueries)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pypika_tortoise.context import SqlContext
from pypika_tortoise.terms import Term
from tortoise.expressions import F, Q, RawSQL, Subquery
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet, ValuesQuery

from crm import birthdays, points
from crm.models import (
    ACTIVE_STATUSES,
    Complaint,
    Customer,
    CustomerTag,
    Interaction,
    RfmScore,
    Tag,
)
from crm.models.customers import BirthdayCalendar
from crm.segments import rules as r
from crm.sql import POSTGRES
from crm.sql import param as utc

_COMPARE = {"eq": "", "ne": "__not", "gt": "__gt", "gte": "__gte", "lt": "__lt", "lte": "__lte"}


@dataclass(frozen=True)
class RuleContext:
    """When and where a rule is evaluated: 'today' is the brand's local day. `now` is held in
    UTC whatever offset it was given in (SQLite compares the stored UTC text)."""

    now: datetime
    timezone: str = "Asia/Shanghai"
    dialect: str = "sqlite"

    def __post_init__(self) -> None:
        object.__setattr__(self, "now", utc(self.now))

    @property
    def postgres(self) -> bool:
        return self.dialect == POSTGRES

    @property
    def today(self) -> date:
        return self.now.astimezone(ZoneInfo(self.timezone)).date()


class _UnionIds(Term):
    """`SELECT "id" … UNION ALL SELECT "id" …` of customer subqueries (parameters shared)."""

    def __init__(self, parts: list[ValuesQuery[Any]], as_array: bool = False) -> None:
        super().__init__()
        self.parts = parts
        self.as_array = as_array

    def get_sql(self, ctx: SqlContext) -> str:
        selects = []
        for part in self.parts:
            part._choose_db_if_not_chosen()
            part._make_query()
            # No parentheses around each SELECT: SQLite rejects them in a compound select.
            selects.append(part.query.get_sql(ctx.copy(subquery=False, with_alias=False)))
        union = " UNION ALL ".join(selects)
        return f"ANY(ARRAY({union}))" if self.as_array else f"({union})"


# Conditions answered by a subquery over another table (or over rfm_score).
_SUBQUERY_CONDITIONS = (
    r.TagCondition,
    r.RfmCondition,
    r.NegativeSentimentCondition,
    r.OpenComplaintsCondition,
)


def has_subquery(node: Any) -> bool:
    if isinstance(node, r.AllGroup):
        return any(has_subquery(n) for n in node.all)
    if isinstance(node, r.AnyGroup):
        return any(has_subquery(n) for n in node.any)
    if isinstance(node, r.NotGroup):
        return has_subquery(node.not_)
    return isinstance(node, _SUBQUERY_CONDITIONS)


@dataclass
class _Compiler:
    ctx: RuleContext
    annotations: dict[str, Any] = field(default_factory=dict)
    negated: int = 0

    def rule(self, node: Any) -> Q:
        if isinstance(node, r.AllGroup):
            return Q(*[self.rule(n) for n in node.all], join_type="AND")
        if isinstance(node, r.AnyGroup):
            if self.negated == 0 and len(node.any) > 1 and has_subquery(node):
                return self.union(node.any)
            return Q(*[self.rule(n) for n in node.any], join_type="OR")
        if isinstance(node, r.NotGroup):
            self.negated += 1
            try:
                return ~self.rule(node.not_)
            finally:
                self.negated -= 1
        return _HANDLERS[type(node)](self, node)

    def union(self, branches: list[Any]) -> Q:
        """`a OR b` where a branch is a subquery (has tag …) makes the database test every
        customer (PostgreSQL: a full scan with a hashed subplan). Instead each branch selects its
        own ids through its own index and the customer must be among them: `id IN (SELECT id …
        WHERE a UNION ALL SELECT id … WHERE b)`. Only outside `not`, where the id list pays off."""
        parts: list[ValuesQuery[Any]] = []
        for branch in branches:
            sub = _Compiler(self.ctx)
            q = sub.rule(branch)
            qs = Customer.all()
            if sub.annotations:
                qs = qs.annotate(**sub.annotations)
            parts.append(qs.filter(q).values("id"))
        if not self.ctx.postgres:
            return Q(id__in=_UnionIds(parts))
        # PostgreSQL: the ids as one array probed in a single index-only scan of customer
        # (sorted, one pass) instead of a nested loop per id: 240 vs 410 ms for 71,000 ids.
        return Q(id=_UnionIds(parts, as_array=True))

    def annotate(self, term: Any) -> str:
        name = f"_rule_{len(self.annotations)}"
        self.annotations[name] = term
        return name


def _tag(c: _Compiler, node: r.TagCondition) -> Q:
    # tag_id = (scalar subquery) rather than a join on tag: PostgreSQL then plans one index
    # range on customer_tag instead of guessing the size of a join (3x faster at 1M rows).
    tag_id = Subquery(Tag.filter(name=node.value).values("id"))
    tagged = Subquery(CustomerTag.filter(tag_id=tag_id).values("customer_id"))
    return Q(id__in=tagged) if node.op == "has" else ~Q(id__in=tagged)


def _stage(c: _Compiler, node: r.StageCondition) -> Q:
    values = node.value if isinstance(node.value, list) else [node.value]
    matched = Q(lifecycle_stage__in=[v.value for v in values])
    return ~matched if node.op in ("ne", "not_in") else matched


def _rfm(c: _Compiler, node: r.RfmCondition) -> Q:
    if isinstance(node.value, tuple):
        low, high = node.value
        scores = RfmScore.filter(**{f"{node.field}__gte": low, f"{node.field}__lte": high})
    elif node.op == "ne":  # as `not {eq}`: customers without a score are "ne X" too
        scores = RfmScore.filter(**{node.field: node.value})
        return ~Q(id__in=Subquery(scores.values("customer_id")))
    else:
        scores = RfmScore.filter(**{node.field + _COMPARE[node.op]: node.value})
    return Q(id__in=Subquery(scores.values("customer_id")))


def _q(lookups: dict[str, Any]) -> Q:
    return Q(**lookups)  # QQQ


def _known(column: str, matched: Q) -> Q:
    """A condition on a nullable column is false, never SQL NULL, when the value is unknown,
    so that its negation (ne, not_in, not) selects the customers whose value is unknown."""
    return Q(matched, _q({f"{column}__isnull": False}), join_type="AND")


def _compare(column: str, op: str, value: Any) -> Q:
    if op == "ne":
        return ~_q({column: value})
    return _q({column + _COMPARE[op]: value})


def _last_active(c: _Compiler, node: r.LastActiveCondition) -> Q:
    if isinstance(node.value, int):
        since = c.ctx.now - timedelta(days=node.value)
        if node.op == "within_days":
            return _known("last_active_at", Q(last_active_at__gte=since))
        return Q(last_active_at__lt=since) | Q(last_active_at__isnull=True)
    at = utc(node.value)
    matched = Q(last_active_at__lt=at) if node.op == "before" else Q(last_active_at__gt=at)
    return _known("last_active_at", matched)


def _birthday(c: _Compiler, node: r.BirthdayCondition) -> Q:
    today = c.ctx.today
    if node.op == "today":
        start, end = today, today
    elif node.op == "within_days":
        start, end = today, today + timedelta(days=node.value or 0)
    else:
        start, end = birthdays.month_bounds(today.year, node.value or today.month)
    keys = birthdays.keys_between(start, end)
    solar = Q(birthday_calendar=BirthdayCalendar.SOLAR, birthday_md__in=sorted(keys.solar))
    if not keys.lunar:
        return _known("birthday_md", solar)
    lunar = Q(birthday_calendar=BirthdayCalendar.LUNAR, birthday_md__in=sorted(keys.lunar))
    return _known("birthday_md", solar | lunar)


def _number(c: _Compiler, node: r.NumberCondition) -> Q:
    if node.field == "points_balance":
        return _points(c.ctx.now, node.op, int(node.value))
    if node.field != "total_spent":
        return _compare(node.field, node.op, int(node.value))
    if c.ctx.postgres:
        return _compare(node.field, node.op, node.value)
    # Tortoise stores decimals as VARCHAR on SQLite: compare them as numbers, not as text.
    name = c.annotate(RawSQL('CAST("total_spent" AS REAL)'))
    return _compare(name, node.op, float(node.value))


# The balance valid at now = the cached points_balance minus the customer's credits past their
# date but not yet swept by the nightly expiry job (few customers: those of the last hours).
# The cached column keeps its index; only those few customers are looked at again. A stale
# amount `s` makes `valid op X` the same as `s op' (points_balance - X)`:
_STALE_EXCLUDED = {"gt": "gte", "gte": "gt"}  # valid <= cached: drop who fell to X or below
_STALE_INCLUDED = {"lt": "gt", "lte": "gte", "eq": ""}  # add who fell below or onto X


def _points(now: datetime, op: str, value: int) -> Q:
    if op == "ne":
        return ~_points(now, "eq", value)
    cached = _compare("points_balance", op, value)
    if op in _STALE_EXCLUDED:
        return Q(cached, ~Q(id__in=_stale_where(now, _STALE_EXCLUDED[op], value)))
    if op == "eq":
        stale = Subquery(points.unswept(now).values("customer_id"))
        cached = Q(cached, ~Q(id__in=stale))
    return Q(cached, Q(id__in=_stale_where(now, _STALE_INCLUDED[op], value)), join_type="OR")


def _stale_where(now: datetime, lookup: str, value: int) -> Subquery:
    """Customers with unswept credits whose stale amount compares as `lookup` to their cached
    balance minus `value`."""
    sep = "__" if lookup else ""
    stale = Customer.filter(
        points_entries__remaining__gt=0, points_entries__expires_at__lte=utc(now)
    ).annotate(_stale=Sum("points_entries__remaining"))
    compared = stale.group_by("id").filter(**{f"_stale{sep}{lookup}": F("points_balance") - value})
    return Subquery(compared.values("id"))


def _flag(c: _Compiler, node: r.FlagCondition) -> Q:
    return _q({node.field: node.value})


def _choice(c: _Compiler, node: r.ChoiceCondition) -> Q:
    column = "source_channel" if node.field == "channel" else node.field
    values = node.value if isinstance(node.value, list) else [node.value]
    matched = _known(column, _q({f"{column}__in": values}))
    return ~matched if node.op in ("ne", "not_in") else matched


def _attribute(c: _Compiler, node: r.AttributeCondition) -> Q:
    name = c.annotate(RawSQL(_attribute_text(node.key, c.ctx.postgres)))
    if node.op in ("exists", "missing"):
        return _q({f"{name}__isnull": node.op == "missing"})
    values = node.value if isinstance(node.value, list) else [node.value]
    matched = _known(name, _q({f"{name}__in": [_attribute_value(v) for v in values]}))
    return ~matched if node.op == "ne" else matched


def _attribute_text(key: str, postgres: bool) -> str:
    """The attribute as text, a JSON boolean as true/false on both databases (SQLite's
    json_extract gives 1/0) and the texts true/false in any case (a CSV import's "TRUE")
    lowered, so that `true` and "true" match each other but not 1."""
    # key is restricted to \w characters by the rule model, so it is safe inside SQL text.
    if postgres:
        text = f"(\"attributes\"->>'{key}')"
    else:
        path = f"'$.\"{key}\"'"
        text = (
            f"(CASE json_type(\"attributes\", {path}) WHEN 'true' THEN 'true' "
            f"WHEN 'false' THEN 'false' "
            f'ELSE CAST(json_extract("attributes", {path}) AS TEXT) END)'
        )
    return f"(CASE WHEN lower({text}) IN ('true', 'false') THEN lower({text}) ELSE {text} END)"


def _attribute_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text.lower() if text.lower() in ("true", "false") else text


def _negative(c: _Compiler, node: r.NegativeSentimentCondition) -> Q:
    since = c.ctx.now - timedelta(days=node.days)
    recent = Interaction.filter(
        sentiment_label="negative", created_at__gte=since, customer_id__isnull=False
    )
    return Q(id__in=Subquery(_at_least(recent, node.min_count)))


def _complaints(c: _Compiler, node: r.OpenComplaintsCondition) -> Q:
    open_ = Complaint.filter(status__in=ACTIVE_STATUSES)
    return Q(id__in=Subquery(_at_least(open_, node.min_count)))


def _at_least(qs: QuerySet[Any], count: int) -> Any:
    if count <= 1:
        return qs.values("customer_id")
    grouped = qs.annotate(_n=Count("id")).group_by("customer_id").filter(_n__gte=count)
    return grouped.values("customer_id")


_HANDLERS: dict[type, Callable[[_Compiler, Any], Q]] = {
    r.TagCondition: _tag,
    r.StageCondition: _stage,
    r.RfmCondition: _rfm,
    r.LastActiveCondition: _last_active,
    r.BirthdayCondition: _birthday,
    r.NumberCondition: _number,
    r.FlagCondition: _flag,
    r.ChoiceCondition: _choice,
    r.AttributeCondition: _attribute,
    r.NegativeSentimentCondition: _negative,
    r.OpenComplaintsCondition: _complaints,
}


def customers_matching(rule: Any, ctx: RuleContext) -> QuerySet[Customer]:
    """Live customers (not merged away) matching the rule, as one unevaluated queryset."""
    compiler = _Compiler(ctx)
    q = compiler.rule(rule)
    qs = Customer.filter(merged_into_id__isnull=True)
    if compiler.annotations:
        qs = qs.annotate(**compiler.annotations)
    return qs.filter(q)
