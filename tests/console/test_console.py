"""The staff console in Chromium: sign-in, the dashboard's figures, the segment builder's live
count and errors, a campaign dry run, resolving a complaint, and what a viewer sees."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import expect

from crm.models import Role
from tests.console.conftest import Console, shot, sign_in

STORAGE = "() => [sessionStorage.length, localStorage.length, document.cookie]"


async def test_sign_in_keeps_the_token_in_this_tab_only_and_sign_out_forgets_it(
    console: Console,
) -> None:
    page = await console.page(None)
    await page.fill("#token", "siyu_not-a-real-token")
    await page.click("form.signin button[type=submit]")
    assert "令牌" in await page.locator(".signin .error").inner_text()  # the API's own message
    await page.fill("#token", console.secrets[Role.OPERATOR])
    await page.click("form.signin button[type=submit]")
    await page.wait_for_selector("#nav:not([hidden])")
    assert "运营" in await page.inner_text("#who")
    assert await page.evaluate(STORAGE) == [1, 0, ""]
    await page.click("#signout")
    await page.wait_for_selector("#token")
    assert await page.evaluate(STORAGE) == [0, 0, ""]
    await page.goto(console.url + "/admin/#/customers")
    await page.wait_for_selector("#token")  # nothing is shown without signing in again


async def test_the_dashboard_draws_the_report_endpoints_figures(console: Console) -> None:
    page = await console.page(Role.VIEWER)
    await page.wait_for_selector("[data-figure=new_followers]")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    start = today - timedelta(days=29)
    o = await console.api("GET", f"/reports/overview?start={start}&end={today}"
                          "&timezone=Asia/Shanghai", Role.VIEWER)  # fmt: skip
    assert o["new_followers"] > 0 and o["complaints_opened"] == 1  # the demo's data
    for key in ("new_followers", "complaints_opened", "complaints_resolved", "sla_breaches"):
        shown = await page.inner_text(f"[data-figure={key}] strong")
        assert shown == str(o[key]), key
    followers = page.locator("[data-series=new_followers] circle")
    assert [int(v) for v in await followers.evaluate_all("cs => cs.map(c => c.dataset.value)")] \
        == [d["new_followers"] for d in o["days"]]  # fmt: skip
    for kind, count in (("line", 2), ("bar", 3), ("heat", 1)):
        assert await page.locator(f"figure[data-chart={kind}] svg").count() == count, kind
    cells = page.locator("figure[data-chart=heat] [data-cell]")
    drawn = await cells.evaluate_all("gs => gs.map(g => [g.dataset.cell, Number(g.dataset.value)])")
    grid = {f"{c['r']}-{c['f']}": c["customers"] for c in o["rfm_grid"]}
    assert grid and {k: v for k, v in drawn if v} == grid  # every scored cell, none invented
    opened = page.locator("figure[data-chart=bar] [data-bar=opened]")
    assert await opened.get_attribute("data-value") == str(o["complaints_opened"])


async def test_a_segment_edit_changes_the_live_count_and_errors_sit_at_their_condition(
    console: Console,
) -> None:
    page = await console.page(Role.OPERATOR)
    await page.goto(console.url + "/admin/#/segments/1")
    count = page.locator("#live-count")
    await expect(count).to_have_text("1")
    await page.select_option("#rule > fieldset > legend select", "any")  # subscribed OR 上海
    any_rule = {"any": [{"field": "subscribed", "op": "eq", "value": True},
                        {"field": "city", "op": "eq", "value": "上海"}]}  # fmt: skip
    expected = (await console.api("POST", "/segments/validate", body={"rule": any_rule}))["count"]
    assert expected > 1
    await expect(count).to_have_text(str(expected))
    assert await page.locator("#live td.phone").first.inner_text() != ""
    assert "****" in await page.locator("#live td.phone").first.inner_text()  # masked preview
    city = page.locator('[data-path="rule.any[1]"]')
    await city.locator("select[aria-label=条件字段]").select_option("points_balance")
    await city.locator("input[aria-label=数值]").fill("-5")
    error = city.locator(".cond-error")
    await error.wait_for()
    assert "0" in await error.inner_text()  # the API's words, at rule.any[1], nowhere else
    assert await page.locator(".cond-error").count() == 1
    await expect(count).to_have_text("—")
    await city.locator("input[aria-label=数值]").fill("0")
    await expect(count).not_to_have_text("—")
    await page.click("#save-segment")
    await page.wait_for_selector("#notice.ok")
    saved = await console.api("GET", "/segments/1")
    assert saved["rule"]["any"][1] == {"field": "points_balance", "op": "gte", "value": "0"} or \
        saved["rule"]["any"][1]["field"] == "points_balance"  # fmt: skip


async def test_a_campaign_dry_run_shows_who_would_get_what_and_sends_nothing(
    console: Console,
) -> None:
    page = await console.page(Role.OPERATOR)
    await page.goto(console.url + "/admin/#/campaigns/1")
    await page.click("#dry-run-button")
    await page.wait_for_selector("#dry-run-targeted")
    targeted = int(await page.inner_text("#dry-run-targeted"))
    stats = await console.api("GET", "/campaigns/1/stats")
    assert targeted >= 3 and stats["sent"] == 0
    assert await page.locator("#dry-run tbody tr").count() == targeted
    assert "*" in await page.locator("#dry-run tbody td").first.inner_text()  # names masked
    await shot(page, "campaign-dry-run-laptop")


async def test_resolving_a_complaint_from_the_inbox(console: Console) -> None:
    page = await console.page(Role.OPERATOR)
    await page.goto(console.url + "/admin/#/complaints")
    row = page.locator("tr[data-complaint]")
    await row.first.wait_for()
    assert "还剩" in await row.first.inner_text()  # the SLA countdown
    await row.first.locator("a").click()
    await page.fill("#complaint-resolve", "已联系快递加急，今天送达")
    await page.click("form:has(#complaint-resolve) button")
    await expect(page.locator("#complaint-status")).to_have_text("已解决")
    ticket = await console.api("GET", "/complaints/1")
    assert ticket["status"] == "resolved" and ticket["resolution"] == "已联系快递加急，今天送达"
    assert "resolved" in [h["to_status"] for h in ticket["history"]]


async def test_points_adjust_a_refusal_shows_the_apis_message_then_the_ledger_grows(
    console: Console,
) -> None:
    page = await console.page(Role.OPERATOR)
    await page.goto(console.url + "/admin/#/customers/1")
    await page.fill("#points-amount", "0")
    await page.fill("#points-reason", "测试")
    await page.click("form:has(#points-amount) button")
    await page.wait_for_selector("#notice.bad")
    assert "积分不能为 0" in await page.inner_text("#notice")
    assert await page.inner_text("#points-balance") == "0"
    await page.fill("#points-amount", "50")
    await page.fill("#points-reason", "补偿：快递延误")
    await page.click("form:has(#points-amount) button")
    await expect(page.locator("#points-balance")).to_have_text("50")
    top = page.locator("#ledger tbody tr").first
    await expect(top).to_contain_text("+50")
    await expect(top).to_contain_text("补偿：快递延误")
    assert (await console.api("GET", "/customers/1"))["points_balance"] == 50


async def test_a_viewer_sees_masked_phones_and_no_write_buttons(console: Console) -> None:
    page = await console.page(Role.VIEWER)
    await page.goto(console.url + "/admin/#/customers")
    phones = page.locator("#customer-results td.phone")
    await phones.first.wait_for()
    shown = [p for p in await phones.all_inner_texts() if p != "—"]
    assert shown and all("****" in p for p in shown)
    for where, absent in (("customers/1", "#new-tag, #points-amount, .chip button"),
                          ("segments/1", "#save-segment"),
                          ("campaigns/1", "#dry-run-button, .actions button"),
                          ("complaints/1", "#complaint-resolve, #complaint-assign")):  # fmt: skip
        await page.goto(f"{console.url}/admin/#/{where}")
        await page.wait_for_selector("main h1")
        await page.wait_for_load_state("networkidle")
        assert await page.locator(absent).count() == 0, where
    admin = await console.page(Role.ADMIN)
    await admin.goto(console.url + "/admin/#/customers")
    await admin.locator("#customer-results td.phone").first.wait_for()
    assert any(
        "****" not in p and p != "—"
        for p in await admin.locator("#customer-results td.phone").all_inner_texts()
    )


PAGES = ("dashboard", "customers", "customers/1", "segments", "segments/1", "campaigns",
         "campaigns/1", "campaigns/1/edit", "complaints", "complaints/1")  # fmt: skip


async def test_every_page_fits_a_laptop_and_a_phone(console: Console) -> None:
    for label, viewport in (("laptop", {"width": 1366, "height": 768}),
                            ("phone", {"width": 390, "height": 844})):  # fmt: skip
        page = await console.page(Role.ADMIN, viewport)
        for name in PAGES:
            await page.goto(f"{console.url}/admin/#/{name}")
            await page.wait_for_selector("main h1, main .error")
            await page.wait_for_load_state("networkidle")
            if name.startswith("segments/"):
                await expect(page.locator("#live-count")).not_to_have_text("—")  # debounced
            problems = await page.locator("main .error").all_inner_texts()
            assert problems == [] and await page.locator("main h1").count(), (name, label, problems)
            wide = await page.evaluate("document.documentElement.scrollWidth")
            assert wide <= viewport["width"], (name, label, wide)  # tables scroll inside
            await shot(page, f"{name.replace('/', '-')}-{label}")


async def test_pausing_a_campaign_takes_its_next_run_off_the_list(console: Console) -> None:
    page = await console.page(Role.OPERATOR)
    await page.goto(console.url + "/admin/#/campaigns")
    next_run = page.locator("tr[data-campaign='1'] td.next-run")
    await expect(next_run).not_to_have_text("—")
    await page.goto(console.url + "/admin/#/campaigns/1")
    await page.get_by_role("button", name="暂停").click()
    await expect(page.locator("#campaign-status")).to_have_text("已暂停")
    assert (await console.api("GET", "/campaigns/1"))["status"] == "paused"
    await page.goto(console.url + "/admin/#/campaigns")
    await expect(next_run).to_have_text("—")
    await page.goto(console.url + "/admin/#/campaigns/1")
    await page.get_by_role("button", name="恢复").click()
    await expect(page.locator("#campaign-status")).to_have_text("已排期")


async def test_a_token_revoked_mid_session_returns_to_sign_in_saying_why(console: Console) -> None:
    issued = await console.api("POST", "/tokens", body={"name": "revoke-me", "role": "operator"})
    page = await console.page(None)
    await sign_in(page, issued["secret"])
    await console.api("DELETE", f"/tokens/{issued['token']['id']}")
    await page.click("#nav a[href='#/customers']")
    await expect(page.locator(".signin .error")).to_contain_text("登录已失效")
    assert await page.evaluate("() => sessionStorage.length") == 0


async def test_a_stage_list_is_ticked_and_counted_as_the_api_counts_it(console: Console) -> None:
    page = await console.page(Role.OPERATOR)
    await page.goto(console.url + "/admin/#/segments/new")
    first = page.locator('[data-path="rule.all[0]"]')
    await first.locator("select[aria-label=条件字段]").select_option("lifecycle_stage")
    await first.locator("select[aria-label=比较方式]").select_option("not_in")
    await expect(first.get_by_label("活跃")).to_be_checked()  # carried over from 是 活跃
    await first.get_by_label("活跃").uncheck()
    await first.get_by_label("潜在").check()
    rule = {"field": "lifecycle_stage", "op": "not_in", "value": ["prospect"]}
    expected = await console.api("POST", "/segments/validate", body={"rule": rule})
    await expect(page.locator("#live-count")).to_have_text(str(expected["count"]))
    await first.get_by_label("已流失").check()
    rule["value"] = ["prospect", "churned"]
    expected = await console.api("POST", "/segments/validate", body={"rule": rule})
    await expect(page.locator("#live-count")).to_have_text(str(expected["count"]))
    await page.fill("#segment-name", "非潜在、非流失")
    await page.click("#save-segment")
    await expect(page).to_have_url(re.compile(r"#/segments/\d+$"))
    saved = (await console.api("GET", "/segments?limit=200"))["items"][-1]
    assert saved["name"] == "非潜在、非流失" and saved["rule"]["all"][0]["value"] == rule["value"]
