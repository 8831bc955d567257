"""The console in a real browser (Debian's Chromium driven by Playwright) against the running platform.

Police of 和平区 sign in through Keycloak's own page, find the demo unit and open its dossier, watch an alarm
raised through the API appear live on the alarm desk and acknowledge it; police of 大连 see neither the unit
nor the alarm; the demo unit's security chief confirms an alarm on site from the desk. Screenshots of the
main pages go to .run/artifacts/console/ (git-ignored) for review.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright

from .conftest import TokenBook
from .support import DEMO_UNIT, new_uscc, unit_body

ARTIFACTS = Path(__file__).resolve().parent.parent / ".run" / "artifacts" / "console"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "neibao-demo"
TIMEOUT_MS = 30_000
# The machine is shared (2 cores): give every expectation the same patience as an action.
expect.set_options(timeout=TIMEOUT_MS)


def chromium_path() -> str:
    """Debian's Chromium (never a browser downloaded by a test tool); NEIBAO_CHROMIUM overrides."""
    path = os.environ.get("NEIBAO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        pytest.fail(f"Chromium is missing at {path}: install Debian's `chromium` (make bootstrap does)")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module."""
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def console(gateway: str) -> str:
    """The console's URL; fails unless the gateway serves the built console (make run builds it)."""
    page = httpx.get(f"{gateway}/", timeout=10)
    if '<div id="root">' not in page.text:
        pytest.fail(
            "the gateway does not serve the console: build it (services/console: npm ci && npm run build)"
        )
    return gateway


def shot(page: Page, name: str) -> None:
    """A full-page screenshot for review."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


BROKEN: dict[int, list[str]] = {}


def watch_for_breakage(page: Page) -> None:
    """Collect what would mean the console is broken: uncaught errors and CSP violations."""
    found = BROKEN.setdefault(id(page), [])
    page.on("pageerror", lambda error: found.append(f"uncaught: {error}"))
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )


def assert_not_broken(*pages: Page) -> None:
    """No page saw an uncaught error or a CSP violation."""
    for page in pages:
        assert BROKEN.get(id(page)) == [], BROKEN.get(id(page))


def sign_in(browser: Browser, console: str, username: str, path: str = "/") -> tuple[BrowserContext, Page]:
    """A fresh browser session signed in as `username` through Keycloak's login page, at `path`."""
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1440, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watch_for_breakage(page)
    page.goto(f"{console}{path}")
    page.wait_for_url(re.compile(r"/realms/neibao/protocol/openid-connect/auth"))
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#kc-login")
    page.wait_for_url(re.compile(re.escape(console) + re.escape(path.split("?", maxsplit=1)[0])))
    expect(page.get_by_test_id("current-user")).to_contain_text(username)
    return context, page


def raise_alarm(api: httpx.Client, tokens: TokenBook) -> dict[str, Any]:
    """A priority-1 panic alarm of the demo unit, raised by its security chief through the API."""
    body = {
        "uscc": DEMO_UNIT,
        "kind": "panic",
        "priority": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "description": "控制台端到端测试：一键报警",
        "source_id": uuid.uuid4().hex,
    }
    response = api.post("/api/v1/alarms", json=body, headers=tokens.bearer("security-chief-demo"))
    assert response.status_code == 201, response.text
    alarm: dict[str, Any] = response.json()
    return alarm


def find_the_unit_and_open_its_dossier(page: Page) -> None:
    """From the dashboard to the demo unit's dossier: basics, staff (masked IDs), compliance."""
    expect(page.get_by_role("heading", name="态势总览")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("按辖区"))).to_be_visible()
    page.wait_for_timeout(1000)  # let the charts draw for the screenshot
    shot(page, "dashboard")
    page.get_by_role("link", name="单位管理").click()
    page.get_by_label("单位名称或信用代码").fill(DEMO_UNIT)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="沈阳太原街商贸中心有限公司").click()
    page.wait_for_url(re.compile(f"/units/{DEMO_UNIT}$"))
    expect(page.get_by_role("tab", name="基本信息")).to_be_visible()
    expect(page.get_by_text("辽宁省沈阳市和平区太原北街86号")).to_be_visible()
    shot(page, "dossier")
    page.get_by_role("tab", name="保卫人员").click()
    expect(page.get_by_text("身份证号已脱敏显示")).to_be_visible()
    expect(page.locator("code", has_text=re.compile(r"^\d{4}\*{10}[\dX]{4}$")).first).to_be_visible()
    shot(page, "dossier-staff")
    page.get_by_role("tab", name="检查与隐患").click()
    expect(page.get_by_role("columnheader", name="整改期限")).to_be_visible()
    shot(page, "dossier-hazards")
    page.get_by_role("tab", name="技防与达标").click()
    expect(page.get_by_text("重要部位视频全覆盖")).to_be_visible()
    shot(page, "dossier-compliance")


def acknowledged_by(api: httpx.Client, tokens: TokenBook, alarm_id: str) -> list[str]:
    """Who acknowledged the alarm's routes, as the platform recorded it."""
    answer = api.get(f"/api/v1/alarms/{alarm_id}", headers=tokens.bearer("police-heping"))
    assert answer.status_code == 200, answer.text
    return [
        (route.get("acknowledged_by") or {}).get("name")
        for route in answer.json()["routes"]
        if route.get("acknowledged_at")
    ]


def sees_neither_the_unit_nor_the_alarm(page: Page, console: str, alarm_id: str) -> None:
    """Dalian's desk, live all along, never showed the alarm; its unit search and the dossier show nothing."""
    expect(page.get_by_test_id("stream-state")).to_contain_text("已连接")
    expect(page.locator(f"[data-alarm-id='{alarm_id}']")).to_have_count(0)
    shot(page, "dalian-alarm-desk")
    page.get_by_role("link", name="单位管理").click()
    page.get_by_label("单位名称或信用代码").fill(DEMO_UNIT)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("已显示 0 家单位")).to_be_visible()
    expect(page.get_by_role("link", name="沈阳太原街商贸中心有限公司")).to_have_count(0)
    page.goto(f"{console}/units/{DEMO_UNIT}")
    expect(page.get_by_text("未找到或无权查看")).to_be_visible()
    shot(page, "dalian-dossier")


def test_police_find_the_unit_watch_an_alarm_live_and_acknowledge_it_while_dalian_sees_none(
    browser: Browser, console: str, api: httpx.Client, tokens: TokenBook
) -> None:
    heping, desk = sign_in(browser, console, "police-heping", "/")
    dalian, dalian_desk = sign_in(browser, console, "police-dalian", "/alarms")
    try:
        find_the_unit_and_open_its_dossier(desk)

        # Both alarm desks live, then an alarm raised through the API.
        desk.get_by_role("link", name="报警受理").click()
        for page in (desk, dalian_desk):
            expect(page.get_by_test_id("stream-state")).to_contain_text("已连接")
        alarm = raise_alarm(api, tokens)
        row = desk.locator(f"[data-alarm-id='{alarm['id']}']")
        expect(row).to_be_visible()
        expect(desk.get_by_role("alert")).to_contain_text("新的一级报警")
        shot(desk, "alarm-desk-p1")
        row.click()
        expect(desk.get_by_text("处置时间线")).to_be_visible()
        desk.get_by_role("button", name="确认接警").click()
        expect(desk.get_by_text("操作成功")).to_be_visible()
        shot(desk, "alarm-acknowledged")
        assert "police-heping" in acknowledged_by(api, tokens, alarm["id"])

        time.sleep(2)  # time enough for a wrongly scoped event to have reached Dalian's desk
        sees_neither_the_unit_nor_the_alarm(dalian_desk, console, alarm["id"])
        assert_not_broken(desk, dalian_desk)
    finally:
        heping.close()
        dalian.close()


def test_the_console_switches_to_english_and_signs_out(browser: Browser, console: str) -> None:
    context, page = sign_in(browser, console, "police-heping", "/units")
    try:
        page.get_by_role("button", name="English").click()
        expect(page.get_by_role("heading", name="Units")).to_be_visible()
        page.get_by_role("button", name="中文").click()
        expect(page.get_by_role("heading", name="单位管理")).to_be_visible()
        page.get_by_role("button", name="退出登录").click()
        page.wait_for_url(re.compile(r"/realms/neibao/protocol/openid-connect/"))
        expect(page.locator("#username")).to_be_visible()
        # The Keycloak session ended too: coming back asks for the password again (no silent single sign-on).
        page.goto(f"{console}/units")
        page.wait_for_url(re.compile(r"/realms/neibao/protocol/openid-connect/auth"))
        expect(page.locator("#username")).to_be_visible()
        assert (
            page.evaluate("() => Object.keys(sessionStorage).filter(k => k.startsWith('oidc.user:'))") == []
        )
    finally:
        context.close()


def statistic(page: Page, title: str) -> Locator:
    """The value of the dashboard card titled `title`."""
    titled = page.locator(".ant-statistic-title", has_text=re.compile(f"^{title}$"))
    return page.locator(".ant-statistic").filter(has=titled).locator(".ant-statistic-content")


def test_the_province_admin_sees_key_unit_figures_by_city_and_sector_and_colours_the_map_by_any(
    browser: Browser, console: str, api: httpx.Client, tokens: TokenBook
) -> None:
    figures = api.get("/api/v1/figures/units", headers=tokens.bearer("admin")).json()["total"]
    context, page = sign_in(browser, console, "admin", "/")
    try:
        expect(page.get_by_role("img", name="辽宁省各市: 重点单位")).to_be_visible()
        expect(page.locator(".ant-statistic-title", has_text="保卫机构备案率")).to_be_visible()
        expect(statistic(page, "重点单位")).to_have_text(str(figures["key_units"]))
        expect(statistic(page, "保卫机构备案率")).to_have_text(f"{figures['filing_rate'] * 100:.1f}%")
        table = page.get_by_role("table")
        expect(table.get_by_role("row", name=re.compile("^沈阳市"))).to_be_visible()
        page.get_by_label("指标").click()
        page.get_by_title("逾期未整改隐患").click()
        expect(page.get_by_role("img", name="辽宁省各市: 逾期未整改隐患")).to_be_visible()
        page.wait_for_timeout(1000)  # let the charts draw for the screenshot
        shot(page, "dashboard-province")
        page.get_by_label("指标").click()
        page.get_by_title("技防达标率").click()
        expect(page.get_by_role("img", name="辽宁省各市: 技防达标率")).to_be_visible()
        page.get_by_text("按行业", exact=True).click()
        expect(page.get_by_role("img", name="按行业: 技防达标率")).to_be_visible()
        expect(table.get_by_role("row", name=re.compile("^寄递"))).to_be_visible()
        page.wait_for_timeout(1000)
        shot(page, "dashboard-by-sector")
        assert_not_broken(page)
    finally:
        context.close()


def test_district_police_see_only_their_district_on_the_dashboard(
    browser: Browser, console: str, api: httpx.Client, tokens: TokenBook
) -> None:
    figures = api.get("/api/v1/figures/units", headers=tokens.bearer("police-heping")).json()["total"]
    context, page = sign_in(browser, console, "police-heping", "/")
    try:
        table = page.get_by_role("table")
        expect(table.get_by_role("row", name=re.compile("^和平区"))).to_be_visible()
        expect(table.locator("tbody tr.ant-table-row")).to_have_count(1)
        expect(statistic(page, "演练逾期单位")).to_have_text(str(figures["drills_overdue"]))
        expect(statistic(page, "逾期未整改隐患")).to_have_text(str(figures["hazards_overdue"]))
        shot(page, "dashboard-heping")
        assert_not_broken(page)
    finally:
        context.close()


def in_dialog(page: Page, name: str | None = None) -> Locator:
    """The open dialog (the one named `name` when a drawer is open too)."""
    dialog = page.get_by_role("dialog", name=name) if name else page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def pick_date(dialog: Locator, label: str, day: str) -> None:
    """Type a date (YYYY-MM-DD) into a date picker (Tab commits it; Enter would submit the form)."""
    field = dialog.get_by_label(label)
    field.click()
    field.fill(day)
    field.press("Tab")
    expect(field).to_have_value(day)


def key_part_round_trip(page: Page) -> None:
    """A key part: the form's own rules first, then added, edited and deleted."""
    name = f"端到端测试部位{uuid.uuid4().hex[:6]}"
    page.get_by_role("tab", name="重要部位").click()
    page.get_by_role("button", name="新增重要部位").click()
    dialog = in_dialog(page)
    dialog.get_by_role("button", name="保存").click()
    expect(dialog.get_by_text("必填")).to_be_visible()
    dialog.get_by_label("部位名称").fill(name)
    dialog.get_by_label("位置").fill("地下一层")
    dialog.get_by_role("button", name="保存").click()
    row = page.get_by_role("row", name=re.compile(name))
    expect(row).to_contain_text("地下一层")
    row.get_by_role("button", name=f"编辑 {name}").click()
    dialog = in_dialog(page)
    dialog.get_by_label("位置").fill("地下二层")
    dialog.get_by_role("button", name="保存").click()
    expect(row).to_contain_text("地下二层")
    shot(page, "dossier-key-parts-edit")
    row.get_by_role("button", name="删除").click()
    page.get_by_role("button", name="确定").click()
    expect(page.get_by_role("row", name=re.compile(name))).to_have_count(0)


def drill_refused_then_recorded(page: Page) -> None:
    """A drill: the registry's refusals land on the fields their pointers name; then it is recorded."""
    scenario = f"端到端测试：消防疏散{uuid.uuid4().hex[:6]}"
    page.get_by_role("tab", name="预案与演练").click()
    page.get_by_role("button", name="登记演练").click()
    dialog = in_dialog(page)
    pick_date(dialog, "演练日期", (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%d"))
    dialog.get_by_label("情景").fill(scenario)
    dialog.get_by_label("参演人数").fill("0")
    dialog.get_by_role("button", name="保存").click()
    # The gateway refuses the count (its own schema) ...
    participants = dialog.locator(".ant-form-item").filter(has=page.get_by_label("参演人数"))
    expect(participants.locator(".ant-form-item-explain-error")).to_have_count(1)
    dialog.get_by_label("参演人数").fill("30")
    dialog.get_by_role("button", name="保存").click()
    # ... and the registry the date (a drill cannot be recorded before it took place).
    drilled_on = dialog.locator(".ant-form-item").filter(has=page.get_by_label("演练日期"))
    expect(drilled_on.locator(".ant-form-item-explain-error")).to_have_count(1)
    expect(participants.locator(".ant-form-item-explain-error")).to_have_count(0)
    shot(page, "dossier-drill-errors")
    pick_date(dialog, "演练日期", datetime.now(UTC).strftime("%Y-%m-%d"))
    dialog.get_by_role("button", name="保存").click()
    expect(page.get_by_role("row", name=re.compile(scenario))).to_be_visible()


def hazard_opened_rectified_verified(unit_page: Page, police_page: Page) -> None:
    """The police inspect and open a hazard; the unit rectifies it; the police verify it."""
    organisation = f"太原街派出所（端到端测试{uuid.uuid4().hex[:6]}）"
    hazard = f"端到端测试隐患{uuid.uuid4().hex[:6]}"
    police_page.get_by_role("tab", name="检查与隐患").click()
    police_page.get_by_role("button", name="登记检查").click()
    dialog = in_dialog(police_page)
    pick_date(dialog, "检查日期", datetime.now(UTC).strftime("%Y-%m-%d"))
    dialog.get_by_label("检查单位").fill(organisation)
    dialog.get_by_label("检查人员（每行一人）").fill("张伟\n刘洋")
    dialog.get_by_role("button", name="保存").click()
    police_page.get_by_role("row", name=re.compile(re.escape(organisation))).get_by_role(
        "button", name="开具隐患"
    ).click()
    dialog = in_dialog(police_page)
    dialog.get_by_label("等级").click()
    police_page.get_by_title("重大", exact=True).click()
    dialog.get_by_label("隐患描述").fill(hazard)
    pick_date(dialog, "整改期限", (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%d"))
    dialog.get_by_role("button", name="保存").click()
    expect(police_page.get_by_role("row", name=re.compile(hazard))).to_contain_text("待整改")

    unit_page.get_by_role("tab", name="检查与隐患").click()
    unit_row = unit_page.get_by_role("row", name=re.compile(hazard))
    unit_row.get_by_role("button", name="整改").click()
    dialog = in_dialog(unit_page)
    dialog.get_by_label("整改情况").fill("已整改")
    dialog.get_by_label("整改佐证材料").fill("整改后照片")
    dialog.get_by_role("button", name="保存").click()
    expect(unit_row).to_contain_text("已整改待复查")

    police_page.reload()
    police_page.get_by_role("tab", name="检查与隐患").click()
    police_row = police_page.get_by_role("row", name=re.compile(hazard))
    police_row.get_by_role("button", name="复查通过").click()
    police_page.get_by_role("button", name="确定").click()
    expect(police_row).to_contain_text("已复查通过")
    shot(police_page, "dossier-hazard-verified")


def test_the_unit_keeps_its_dossier_and_the_police_inspect_it_with_errors_shown_on_the_fields(
    browser: Browser, console: str
) -> None:
    chief, unit_page = sign_in(browser, console, "security-chief-demo", f"/units/{DEMO_UNIT}")
    heping, police_page = sign_in(browser, console, "police-heping", f"/units/{DEMO_UNIT}")
    try:
        key_part_round_trip(unit_page)
        drill_refused_then_recorded(unit_page)
        hazard_opened_rectified_verified(unit_page, police_page)
        assert_not_broken(unit_page, police_page)
    finally:
        chief.close()
        heping.close()


def confirms_an_alarm_on_site(page: Page, api: httpx.Client, tokens: TokenBook) -> None:
    """A new alarm on the unit's live desk: its security chief picks 现场确认属实 by keyboard."""
    alarm = raise_alarm(api, tokens)
    row = page.locator(f"[data-alarm-id='{alarm['id']}']")
    row.click()
    finding = page.get_by_role("combobox", name="现场核实结果")
    finding.focus()
    finding.press("Enter")  # opens the list
    expect(page.get_by_role("option", name="现场确认属实")).to_be_attached()
    finding.press("Enter")  # takes the first finding
    page.get_by_label("备注").fill("保卫科到场，确有人员报警")
    page.get_by_role("button", name="确认接警").click()
    expect(page.get_by_text("操作成功")).to_be_visible()
    expect(row).to_contain_text("现场确认属实")
    shot(page, "alarm-confirmed-on-site")
    answer = api.get(f"/api/v1/alarms/{alarm['id']}", headers=tokens.bearer("police-heping"))
    found = [r["acknowledgement_outcome"] for r in answer.json()["routes"] if r["party"] == "unit_security"]
    assert found == ["confirmed"]


def test_a_panic_silence_needs_a_second_person_and_is_cancelled_then_the_unit_confirms_an_alarm_on_site(
    browser: Browser, console: str, api: httpx.Client, tokens: TokenBook
) -> None:
    reason = f"端到端测试：一键报警主机更换{uuid.uuid4().hex[:6]}"
    chief, unit_desk = sign_in(browser, console, "security-chief-demo", "/alarms")
    heping, police_desk = sign_in(browser, console, "police-heping", "/alarms")
    try:
        unit_desk.get_by_role("button", name="静默管理").click()
        unit_desk.get_by_role("button", name="新建静默").click()
        dialog = in_dialog(unit_desk, "新建静默")
        ends = (datetime.now(UTC) + timedelta(hours=9)).strftime("%Y-%m-%d %H:%M")  # in an hour, in UTC+8
        pick_date(dialog, "结束时间", ends)
        dialog.get_by_label("事由").fill(reason)
        dialog.get_by_role("switch").click()
        dialog.get_by_role("button", name="保存").click()
        mine = unit_desk.get_by_role("row", name=re.compile(reason))
        expect(mine).to_contain_text("待批准")
        expect(mine.get_by_role("button", name="批准")).to_have_count(0)  # unit staff never approve
        shot(unit_desk, "silences-pending")

        police_desk.get_by_role("button", name="静默管理").click()
        theirs = police_desk.get_by_role("row", name=re.compile(reason))
        theirs.get_by_role("button", name="批准").click()
        police_desk.get_by_role("button", name="确定").click()
        expect(theirs).to_contain_text("生效中")
        expect(theirs).to_contain_text("police-heping")
        shot(police_desk, "silences-approved")

        unit_desk.reload()
        unit_desk.get_by_role("button", name="静默管理").click()
        mine = unit_desk.get_by_role("row", name=re.compile(reason))
        expect(mine).to_contain_text("生效中")
        mine.get_by_role("button", name="撤销").click()
        unit_desk.get_by_role("button", name="确定").click()
        expect(mine).to_contain_text("已撤销")
        unit_desk.locator(".ant-drawer-close").click()
        expect(unit_desk.get_by_test_id("stream-state")).to_contain_text("已连接")

        # The silence over, a panic alarm reaches the unit's own desk; its security chief confirms it on site.
        confirms_an_alarm_on_site(unit_desk, api, tokens)
        assert_not_broken(unit_desk, police_desk)
    finally:
        # Never leave the demo unit's alarms silenced (the alarm desk test raises a panic alarm there).
        listed = api.get("/api/v1/alarm-silences", params={"uscc": DEMO_UNIT}, headers=tokens.bearer("admin"))
        for silence in listed.json().get("items", []):
            if silence["reason"] == reason and silence["state"] != "cancelled":
                api.post(f"/api/v1/alarm-silences/{silence['id']}/cancel", headers=tokens.bearer("admin"))
        chief.close()
        heping.close()


def stored_user(page: Page) -> tuple[str, dict[str, Any]]:
    """The session's stored OIDC user (oidc-client-ts keeps it in sessionStorage) and its key."""
    key = page.evaluate("() => Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))")
    assert key, "no signed-in user in sessionStorage"
    user: dict[str, Any] = page.evaluate("(k) => JSON.parse(sessionStorage.getItem(k))", key)
    return key, user


def test_an_expired_token_is_renewed_silently_and_the_next_call_carries_the_new_one(
    browser: Browser, console: str
) -> None:
    context, page = sign_in(browser, console, "police-heping", "/units")
    try:
        expect(page.get_by_text(re.compile(r"已显示 \d+ 家单位"))).to_be_visible()
        key, old = stored_user(page)
        # As the token will be in five minutes: expired. The next API call renews it first (refresh token).
        page.evaluate(
            "([k, u]) => sessionStorage.setItem(k, JSON.stringify({ ...u, expires_at: u.expires_at - 400 }))",
            [key, old],
        )
        with (
            page.expect_request(
                lambda r: (
                    r.url.endswith("/protocol/openid-connect/token")
                    and "grant_type=refresh_token" in (r.post_data or "")
                )
            ) as renewal,
            page.expect_request(lambda r: "/api/v1/devices" in r.url) as call,
        ):
            page.get_by_role("link", name="技防设备").click()
        assert renewal.value.response().status == 200  # type: ignore[union-attr]
        _, renewed = stored_user(page)
        assert renewed["access_token"] != old["access_token"]
        assert renewed["expires_at"] >= old["expires_at"]
        assert call.value.headers["authorization"] == f"Bearer {renewed['access_token']}"
        assert call.value.response().status == 200  # type: ignore[union-attr]
        expect(page.get_by_role("heading", name="技防设备")).to_be_visible()
        expect(page.get_by_test_id("current-user")).to_contain_text("police-heping")
        assert_not_broken(page)
    finally:
        context.close()


def test_the_police_write_submit_and_accept_a_new_units_filing_with_the_registrys_refusals_on_the_fields(
    browser: Browser, console: str, api: httpx.Client, tokens: TokenBook
) -> None:
    uscc = new_uscc()
    registered = api.post(
        "/api/v1/units",
        json=unit_body(uscc, name=f"沈阳端到端备案测试有限公司{uscc[-4:]}"),
        headers=tokens.bearer("police-heping"),
    )
    assert registered.status_code == 201, registered.text
    context, page = sign_in(browser, console, "police-heping", f"/units/{uscc}")
    try:
        page.get_by_role("tab", name="保卫机构备案").click()
        expect(page.get_by_text("暂无备案")).to_be_visible()
        page.get_by_role("button", name="填写备案").click()
        dialog = in_dialog(page)
        dialog.get_by_label("保卫机构").fill("保卫部")
        dialog.get_by_label("负责人").fill("钱明")
        dialog.get_by_role("button", name="保存草稿").click()
        expect(page.get_by_text("草稿", exact=True)).to_be_visible()
        # Submitted incomplete: the registry's refusal reopens the draft, each error on its field.
        page.get_by_role("button", name="提交备案").click()
        page.get_by_role("button", name="确定").click()
        dialog = in_dialog(page)
        for label in ("成立日期", "专职保卫人员"):
            item = dialog.locator(".ant-form-item").filter(has=page.get_by_label(label))
            expect(item.locator(".ant-form-item-explain-error")).to_have_count(1)
        expect(dialog.get_by_label("保卫机构")).to_have_value("保卫部")
        shot(page, "dossier-filing-errors")
        pick_date(dialog, "成立日期", "2024-03-01")
        dialog.get_by_label("专职保卫人员").fill("3")
        dialog.get_by_role("button", name="保存草稿").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        page.get_by_role("button", name="提交备案").click()
        page.get_by_role("button", name="确定").click()
        expect(page.get_by_text("已提交", exact=True)).to_be_visible()
        page.get_by_role("button", name="受理备案").click()
        dialog = in_dialog(page)
        dialog.get_by_label("审核意见").fill("材料齐全，予以备案")
        dialog.get_by_role("button", name="受理备案").click()
        expect(page.get_by_text("已备案", exact=True)).to_be_visible()
        expect(page.get_by_text("材料齐全，予以备案").first).to_be_visible()
        shot(page, "dossier-filing-accepted")
        filings = api.get(f"/api/v1/units/{uscc}/filings", headers=tokens.bearer("police-heping")).json()
        assert [(f["state"], f["in_force"]) for f in filings["items"]] == [("accepted", True)]
        assert_not_broken(page)
    finally:
        context.close()
