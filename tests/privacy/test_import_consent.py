"""`siyu import customers` and consent: the consent columns record when and how each person
agreed (or withdrew); a 是 without its source and date is a row error; customers without
consent on record are counted and the command says marketing will skip them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app as cli
from crm.actors import Actor
from crm.importing import import_customers
from crm.models import ConsentRecord, Customer

CSV = """openid,name,consent,consent_source,consent_date
o-imp-1,甲,是,门店登记表,2026-03-01
o-imp-2,乙,,,
o-imp-3,丙,是,,
o-imp-4,丁,否,会员注销,2026-04-01
"""
IMPORTER = Actor.system("test")


async def test_consent_columns_are_recorded_with_source_and_date(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(CSV, encoding="utf-8")
    report = await import_customers(path, tmp_path / "errors.csv", actor=IMPORTER)
    assert (report.created, report.errors, report.without_consent) == (3, 1, 2)
    assert [e.line for e in report.first_errors] == [4]
    agreed = await Customer.get(openid="o-imp-1")
    assert agreed.marketing_consent and agreed.consent_at == datetime(2026, 3, 1, tzinfo=UTC)
    record = await ConsentRecord.get(customer_id=agreed.id)
    assert (record.granted, record.source, record.detail) == (
        True, "import", "crm.csv: 门店登记表 2026-03-01"
    )  # fmt: skip
    assert not await Customer.filter(openid="o-imp-3").exists()
    assert not (await Customer.get(openid="o-imp-4")).marketing_consent
    again = await import_customers(path, tmp_path / "errors.csv", actor=IMPORTER)
    assert await ConsentRecord.filter(customer_id=agreed.id).count() == 1 and again.unchanged == 3


def test_the_cli_says_who_marketing_will_skip(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("openid,name\no-plain-1,甲\n", encoding="utf-8")
    env = {"SIYU_DATABASE_URL": f"sqlite://{tmp_path}/imp.sqlite3"}
    assert CliRunner().invoke(cli, ["migrate"], env=env).exit_code == 0
    result = CliRunner().invoke(cli, ["import", "customers", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert "1 位客户没有营销同意记录" in result.output
