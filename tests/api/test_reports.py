"""The period overview through the API: complaints opened, resolved, closed and SLA breaches,
NPS and CSAT of the answers given in the period (in SQL, as crm.surveys.results counts them),
and validation naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm.models import Complaint, Customer, Role
from crm.models.surveys import ResponseStatus, SurveyAnswer, SurveyQuestion, SurveyResponse
from crm.surveys.results import csat, nps
from tests.api.conftest import Api, assert_error
from tests.surveys.support import nps_survey

IN = datetime(2026, 11, 21, 4, tzinfo=UTC)  # noon in Shanghai, inside 11-20..11-22
OUT = datetime(2026, 11, 25, 4, tzinfo=UTC)
PERIOD = {"start": "2026-11-20", "end": "2026-11-22", "timezone": "Asia/Shanghai"}


async def _complaints(customer: Customer) -> None:
    late = IN + timedelta(hours=1)  # answered after the deadline
    rows = [
        {"first_response_at": IN, "first_response_due": IN + timedelta(hours=2),
         "resolved_at": IN + timedelta(hours=3), "status": "resolved"},
        {"first_response_at": late, "first_response_due": IN, "closed_at": late,
         "status": "closed"},
        {"first_response_due": IN + timedelta(hours=1)},  # never answered, deadline passed
    ]  # fmt: skip
    for n, fields in enumerate(rows):
        c = await Complaint.create(customer=customer, number=f"C20261121-000{n}", **fields)
        await Complaint.filter(id=c.id).update(created_at=IN)
    other = await Complaint.create(customer=customer, number="C20261125-0001")
    await Complaint.filter(id=other.id).update(created_at=OUT)


async def _answers(customer: Customer, kind: str, scores: list[int], at: datetime) -> None:
    survey = await nps_survey()
    question = await SurveyQuestion.get(survey_id=survey.id, kind=kind)
    for score in scores:
        response = await SurveyResponse.create(
            survey=survey, customer=customer, status=ResponseStatus.COMPLETED, source="api",
            invited_at=at, expires_at=at + timedelta(days=1),
        )  # fmt: skip
        answer = await SurveyAnswer.create(response=response, question=question, number=score)
        await SurveyAnswer.filter(id=answer.id).update(created_at=at)


async def test_overview_counts_complaints_sla_nps_csat(api: Api) -> None:
    someone = await Customer.create(openid="o1", subscribed=True)
    await _complaints(someone)
    await _answers(someone, "nps", [10, 9, 3], IN)
    await _answers(someone, "nps", [0], OUT)
    await _answers(someone, "csat", [5, 2], IN)
    view = await api.ok("GET", "/reports/overview", Role.VIEWER, params=PERIOD)
    assert [d["day"] for d in view["days"]] == ["2026-11-20", "2026-11-21", "2026-11-22"]
    got = (view["complaints_opened"], view["complaints_resolved"], view["complaints_closed"])
    assert got == (3, 1, 1) and view["sla_breaches"] == 2
    assert view["scores"] == {"nps_answers": 3, "nps": nps([10, 9, 3]), "csat_answers": 2,
                              "csat": csat([5, 2])}  # fmt: skip
    assert view["scores"]["nps"] == 33.3 and view["scores"]["csat"] == 50.0


async def test_an_empty_period_has_no_scores(api: Api) -> None:
    view = await api.ok("GET", "/reports/overview", params=PERIOD)
    assert view["scores"] == {"nps_answers": 0, "nps": None, "csat_answers": 0, "csat": None}
    assert view["sla_breaches"] == 0


async def test_validation_names_the_field(api: Api) -> None:
    status, body = await api.call("GET", "/reports/overview", params={**PERIOD, "timezone": "Mars"})
    assert status == 400
    assert assert_error(body, "validation_error")["details"][0]["field"] == "query.timezone"
    status, body = await api.call("GET", "/reports/overview", params={"start": "2026-11-20"})
    assert status == 400 and body["error"]["details"][0]["field"] == "query.end"
    backwards = {**PERIOD, "start": "2026-11-23"}
    status, body = await api.call("GET", "/reports/overview", params=backwards)
    assert status == 400
    assert_error(body, "invalid_input")
