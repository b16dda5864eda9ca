"""The segment rule language: JSON validated by pydantic, with errors that name the rule path.

A rule is a group or a condition:
    {"all": [rule, ...]}   {"any": [rule, ...]}   {"not": rule}
    {"field": "tag", "op": "has", "value": "vip"}
    {"field": "lifecycle_stage", "op": "in", "value": ["at_risk", "churned"]}
    {"field": "last_active", "op": "not_within_days", "value": 30}
    {"field": "birthday", "op": "today"}
    {"field": "points_balance", "op": "gt", "value": 100}
See the condition classes below for every field and operator. Every rule also excludes
records merged into another customer. `last_active not_within_days N` ("inactive for N days")
includes customers never seen active; birthdays follow crm.birthdays (solar or lunar).
`last_active before/after` takes a time with its offset, e.g. 2026-10-01T00:00:00+08:00, and
compares instants: the same moment written in any offset selects the same customers.

Unknown values: a condition on a value the customer does not have (no city, no such attribute
or a JSON null one, never active, no birthday, no RFM score) is false, never "unknown". Hence
`ne`, `not_in`, `lacks` and `{"not": rule}` select exactly the customers the positive form does
not: a customer whose city is unknown IS `city ne 杭州` and `not {city eq 杭州}`, and
`not {last_active within_days 30}` equals `last_active not_within_days 30`.

Attribute values compare as text, so a number matches its text (3 and "3": a CSV import
stores every attribute as text). Booleans are not numbers: `true` matches a JSON true and the
text "true" in any case ("TRUE" from a spreadsheet), never 1 (nor `false` 0); other texts are
compared exactly.

`points_balance` is the balance valid at the rule's moment, as the 积分 answer and redeem count
it: credits past their date count for nothing even before the nightly expiry job sweeps them
(the cached customer.points_balance still holds them until then).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from crm.errors import InvalidInput
from crm.models.customers import Channel, Gender, LifecycleStage

Compare = Literal["eq", "ne", "gt", "gte", "lt", "lte"]
MAX_CONDITIONS = 200


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class TagCondition(_Node):
    field: Literal["tag"]
    op: Literal["has", "lacks"] = "has"
    value: str = Field(min_length=1, max_length=64, description="tag name")


class StageCondition(_Node):
    field: Literal["lifecycle_stage"]
    op: Literal["eq", "ne", "in", "not_in"] = "eq"
    value: LifecycleStage | list[LifecycleStage]


class RfmCondition(_Node):
    field: Literal["r_score", "f_score", "m_score"]
    op: Compare | Literal["between"] = "eq"
    value: int | tuple[int, int] = Field(description="score 1..5, or [low, high] for between")

    @model_validator(mode="after")
    def _range(self) -> RfmCondition:
        values = self.value if isinstance(self.value, tuple) else (self.value,)
        if (self.op == "between") != isinstance(self.value, tuple):
            raise ValueError("between takes [low, high]; other operators take one score")
        if any(not 1 <= v <= 10 for v in values):
            raise ValueError("RFM scores run from 1 to 5 (up to 10 when configured)")
        return self


class LastActiveCondition(_Node):
    field: Literal["last_active"]
    op: Literal["before", "after", "within_days", "not_within_days"]
    value: datetime | int

    @model_validator(mode="after")
    def _kind(self) -> LastActiveCondition:
        wants_days = self.op.endswith("within_days")
        if wants_days != isinstance(self.value, int):
            raise ValueError(f"{self.op} takes {'a number of days' if wants_days else 'a time'}")
        if isinstance(self.value, int) and not 0 <= self.value <= 3650:
            raise ValueError("days must be between 0 and 3650")
        if isinstance(self.value, datetime) and self.value.tzinfo is None:
            raise ValueError("the time needs a timezone, e.g. 2026-01-01T00:00:00+08:00")
        return self


class BirthdayCondition(_Node):
    field: Literal["birthday"]
    op: Literal["today", "within_days", "month"]
    value: int | None = None

    @model_validator(mode="after")
    def _value(self) -> BirthdayCondition:
        if self.op == "today" and self.value is not None:
            raise ValueError("today takes no value")
        if self.op == "within_days" and (self.value is None or not 0 <= self.value <= 366):
            raise ValueError("within_days takes a number of days from 0 to 366")
        if self.op == "month" and (self.value is None or not 1 <= self.value <= 12):
            raise ValueError("month takes a month number from 1 to 12")
        return self


class NumberCondition(_Node):
    field: Literal["points_balance", "total_spent", "order_count"]
    op: Compare = "gte"
    value: Decimal = Field(ge=0)


class FlagCondition(_Node):
    field: Literal["subscribed", "opted_out"]
    op: Literal["eq"] = "eq"
    value: bool = True


_CHOICES: dict[str, set[str]] = {
    "channel": {c.value for c in Channel},
    "gender": {g.value for g in Gender},
}


class ChoiceCondition(_Node):
    field: Literal["channel", "city", "gender"]
    op: Literal["eq", "ne", "in", "not_in"] = "eq"
    value: str | list[str]

    @model_validator(mode="after")
    def _known(self) -> ChoiceCondition:
        values = self.value if isinstance(self.value, list) else [self.value]
        if (self.op in ("in", "not_in")) != isinstance(self.value, list):
            raise ValueError(
                f"{self.op} takes {'a list' if self.op.endswith('in') else 'one value'}"
            )
        allowed = _CHOICES.get(self.field)
        unknown = [v for v in values if allowed is not None and v not in allowed]
        if unknown:
            raise ValueError(
                f"unknown {self.field} {unknown}, expected one of {sorted(allowed or [])}"
            )
        return self


class AttributeCondition(_Node):
    field: Literal["attribute"]
    key: str = Field(pattern=r"^\w{1,64}$", description="custom attribute name")
    op: Literal["eq", "ne", "in", "exists", "missing"] = "eq"
    value: bool | str | int | list[bool | str | int] | None = None

    @model_validator(mode="after")
    def _value(self) -> AttributeCondition:
        if self.op in ("exists", "missing") and self.value is not None:
            raise ValueError(f"{self.op} takes no value")
        if self.op == "in" and not isinstance(self.value, list):
            raise ValueError("in takes a list")
        if self.op in ("eq", "ne") and not isinstance(self.value, bool | str | int):
            raise ValueError(f"{self.op} takes one value")
        return self


class NegativeSentimentCondition(_Node):
    field: Literal["negative_messages"]
    days: int = Field(7, ge=1, le=3650, description="look back this many days")
    min_count: int = Field(1, ge=1, description="at least this many negative messages")


class OpenComplaintsCondition(_Node):
    field: Literal["open_complaints"]
    min_count: int = Field(1, ge=1)


Condition = (
    TagCondition
    | StageCondition
    | RfmCondition
    | LastActiveCondition
    | BirthdayCondition
    | NumberCondition
    | FlagCondition
    | ChoiceCondition
    | AttributeCondition
    | NegativeSentimentCondition
    | OpenComplaintsCondition
)


class AllGroup(_Node):
    all: list[Rule] = Field(min_length=1)


class AnyGroup(_Node):
    any: list[Rule] = Field(min_length=1)


class NotGroup(_Node):
    not_: Rule = Field(alias="not")


_GROUP_TAGS: dict[type, str] = {}


def _kind(data: Any) -> str | None:
    if isinstance(data, BaseModel):
        return _GROUP_TAGS.get(type(data), "condition")
    if not isinstance(data, dict):
        return None
    for key in ("all", "any", "not"):
        if key in data:
            return key
    return "condition" if "field" in data else None


Rule = Annotated[
    Annotated[AllGroup, Tag("all")]
    | Annotated[AnyGroup, Tag("any")]
    | Annotated[NotGroup, Tag("not")]
    | Annotated[Condition, Tag("condition"), Field(discriminator="field")],
    Discriminator(
        _kind,
        custom_error_type="invalid_rule",
        custom_error_message='expected {"all": [...]}, {"any": [...]}, {"not": {...}} '
        'or a condition {"field": ...}',
    ),
]
for _model, _tag in ((AllGroup, "all"), (AnyGroup, "any"), (NotGroup, "not")):
    _model.model_rebuild()
    _GROUP_TAGS[_model] = _tag

_ADAPTER: TypeAdapter[Any] = TypeAdapter(Rule)


def parse_rule(data: Any) -> AllGroup | AnyGroup | NotGroup | Condition:
    """Validate a rule; InvalidInput lists each problem as `path: reason`."""
    try:
        rule = _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise InvalidInput("规则有误：\n" + "\n".join(_describe(exc))) from None
    if count_conditions(rule) > MAX_CONDITIONS:
        raise InvalidInput(f"规则有误：条件太多（最多 {MAX_CONDITIONS} 个）")
    return rule


def _describe(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors(include_url=False, include_input=False):
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"  {_path(error['loc'])}: {message}")
    return lines


def _path(loc: tuple[int | str, ...]) -> str:
    """Drop the union tags pydantic puts in the location: ('all','all',0,'condition','tag','value')
    becomes rule.all[0].value."""
    parts: list[str] = []
    i = 0
    while i < len(loc):
        part = loc[i]
        if part == "condition":
            i += 2
            continue
        if part in ("all", "any", "not") and i + 1 < len(loc) and loc[i + 1] == part:
            i += 1
        parts.append(f"[{part}]" if isinstance(part, int) else f".{part}")
        i += 1
    return "rule" + "".join(parts)


def count_conditions(rule: Any) -> int:
    if isinstance(rule, AllGroup):
        return sum(count_conditions(r) for r in rule.all)
    if isinstance(rule, AnyGroup):
        return sum(count_conditions(r) for r in rule.any)
    if isinstance(rule, NotGroup):
        return count_conditions(rule.not_)
    return 1


def rule_to_json(rule: Any) -> Any:
    """The stored form of a validated rule."""
    return _ADAPTER.dump_python(rule, mode="json", by_alias=True, exclude_none=True)
