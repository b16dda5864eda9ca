"""The profile's fields are written once (crm.profiles.Profile): the API model, its OpenAPI
schema and the answer all carry exactly those fields."""

from __future__ import annotations

from dataclasses import fields

from bot.api.resources.customers import ProfileOut
from crm.models import Customer, Role
from crm.profiles import Profile
from tests.api.conftest import Api

NAMES = [f.name for f in fields(Profile)]


def test_the_model_is_the_dataclass() -> None:
    assert list(ProfileOut.model_fields) == NAMES


async def test_document_and_answer_carry_every_field(api: Api) -> None:
    doc = await (await api.client.get("/api/openapi.json")).json()
    schema = doc["components"]["schemas"]["ProfileOut"]
    assert list(schema["properties"]) == NAMES and set(schema["required"]) == set(NAMES)
    one = await Customer.create(openid="o1", display_name="张三丰", subscribed=True)
    answer = await api.ok("GET", f"/customers/{one.id}", Role.VIEWER)
    assert list(answer) == NAMES and answer["display_name"] == "张**"
