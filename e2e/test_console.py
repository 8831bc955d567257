"""The console in a real browser (Debian's Chromium driven by Playwright) against the running platform.

Police of 和平区 sign in through Keycloak's own page, find the demo unit and open its dossier, watch an alarm
raised through the API appear live on the alarm desk and acknowledge it; police of 大连 see neither the unit
nor the alarm. Screenshots of the main pages go to .run/artifacts/console/ (git-ignored) for review.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from .conftest import TokenBook
from .support import DEMO_UNIT

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
    expect(page.get_by_text("整改期限")).to_be_visible()
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
    finally:
        context.close()


def test_the_province_admin_sees_liaoning_cities_on_the_dashboard_map(browser: Browser, console: str) -> None:
    context, page = sign_in(browser, console, "admin", "/")
    try:
        expect(page.get_by_role("img", name=re.compile("辽宁省各市"))).to_be_visible()
        page.get_by_text("技防达标率", exact=True).last.click()
        page.wait_for_timeout(1000)  # let the charts draw for the screenshot
        shot(page, "dashboard-province")
        assert_not_broken(page)
    finally:
        context.close()
