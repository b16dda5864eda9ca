"""The campaign file: what it accepts, how it maps to the row, errors that name the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crm.campaigns.spec import load_spec, parse_spec, to_fields
from crm.errors import InvalidCampaign
from crm.models.campaigns import CampaignKind, CampaignStatus

BASE: dict[str, Any] = {
    "name": "生日祝福",
    "kind": "birthday",
    "segment": {"field": "subscribed", "op": "eq", "value": True},
    "template": "campaign_birthday.j2",
    "schedule": {"birthday": {"days_before": 0, "at": "10:00"}},
}


def spec(**changes: Any) -> dict[str, Any]:
    data = {**BASE, **changes}
    return {k: v for k, v in data.items() if v is not None}


def error_of(data: dict[str, Any]) -> str:
    with pytest.raises(InvalidCampaign) as caught:
        parse_spec(data)
    return str(caught.value)


def test_a_birthday_file_maps_to_the_row_with_default_quiet_hours() -> None:
    fields = to_fields(parse_spec(spec(coupon={"prefix": "BD"})))
    assert fields["kind"] is CampaignKind.BIRTHDAY
    assert fields["status"] is CampaignStatus.SCHEDULED
    assert fields["rule"] == {"field": "subscribed", "op": "eq", "value": True}
    assert fields["template_file"] == "campaign_birthday.j2"
    assert fields["schedule"] == {"birthday": {"days_before": 0, "at": "10:00"}}
    assert (fields["quiet_start"], fields["quiet_end"]) == ("22:00", "08:00")
    assert fields["options"] == {"coupon": {"prefix": "BD"}}


def test_quiet_hours_false_means_none_and_draft_stays_draft() -> None:
    fields = to_fields(parse_spec(spec(quiet_hours=False, status="draft")))
    assert fields["quiet_start"] is None and fields["quiet_end"] is None
    assert fields["status"] is CampaignStatus.DRAFT


def test_a_local_at_time_is_stored_with_the_campaigns_offset() -> None:
    data = spec(kind="custom", schedule={"at": "2026-12-24T20:00"}, timezone="Asia/Tokyo")
    assert to_fields(parse_spec(data))["schedule"] == {"at": "2026-12-24T20:00:00+09:00"}


def test_winback_options_and_its_second_message_from_a_file() -> None:
    data = spec(
        kind="winback", schedule={"daily": {"at": "11:00"}}, template="campaign_winback.j2",
        second_template="campaign_winback_second.j2", inactive_days=60,
    )  # fmt: skip
    options = to_fields(parse_spec(data))["options"]
    assert options["inactive_days"] == 60 and options["second_after_days"] == 7
    assert "回归礼" in options["second_text"]


def test_points_options() -> None:
    data = spec(
        kind="points", schedule={"cron": "0 10 * * 1"}, expiring_within_days=14,
        milestones=[1000, 500, 500], earn_threshold=200,
    )  # fmt: skip
    options = to_fields(parse_spec(data))["options"]
    assert options == {"expiring_within_days": 14, "milestones": [500, 1000], "earn_threshold": 200}


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"schedule": {"cron": "0 10 * *"}, "kind": "custom"}, "schedule.cron"),
        ({"schedule": {"birthday": {"at": "25:00"}}}, "schedule.birthday.at"),
        ({"schedule": {"weekly": "x"}}, "schedule: schedule 应为"),
        ({"schedule": {"at": "2026-12-01T10:00"}}, "schedule: birthday 活动"),
        ({"segment": {"field": "tag", "op": "own", "value": "vip"}}, "segment.op"),
        ({"segment": None}, "segment/segment_id"),
        ({"segment_id": 3}, "segment/segment_id"),
        ({"text": "hi"}, "text/template/message_template"),
        ({"template": None, "text": "您好 {{ customer.display_name"}, "text: 模板语法错误"),
        ({"template": "../config.yaml"}, "template"),
        ({"template": "missing.j2"}, "templates/ 下没有 missing.j2"),
        ({"quiet_hours": {"start": "22:00"}}, "quiet_hours.end"),
        ({"quiet_hours": {"start": "22:00", "end": "22:00"}}, "quiet_hours"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"second_text": "再见"}, "second_text: 只适用于 winback"),
        ({"coupon": {"prefix": "bd-"}}, "coupon.prefix"),
        (
            {"template_message": {"template_id": "T1", "data": {"x y": "a"}}},
            "template_message.data",
        ),
        ({"colour": "red"}, "colour"),
        ({"kind": "weekly"}, "kind"),
    ],
)
def test_a_bad_file_names_the_field(changes: dict[str, Any], named: str) -> None:
    data = {**BASE, **changes}
    assert named in error_of({k: v for k, v in data.items() if v is not None})


def test_a_file_is_read_as_yaml_or_json(tmp_path: Path) -> None:
    as_json = tmp_path / "c.json"
    as_json.write_text(json.dumps(BASE, ensure_ascii=False), encoding="utf-8")
    as_yaml = tmp_path / "c.yaml"
    as_yaml.write_text(
        "name: 生日祝福\nkind: birthday\nsegment: {field: subscribed, value: true}\n"
        "text: '{{ customer.display_name }}，生日快乐'\n"
        "schedule:\n  birthday: {days_before: 1, at: '09:30'}\n", encoding="utf-8",
    )  # fmt: skip
    assert load_spec(as_json).name == load_spec(as_yaml).name == "生日祝福"
    (tmp_path / "bad.yaml").write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(InvalidCampaign, match="不是有效的 YAML"):
        load_spec(tmp_path / "bad.yaml")
    with pytest.raises(InvalidCampaign, match="无法读取"):
        load_spec(tmp_path / "none.yaml")
