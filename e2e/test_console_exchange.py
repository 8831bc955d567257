"""The sector data exchange's console pages in a real browser against the running platform.

A small postal batch goes in through the API as the `sector-postal-demo` client; the postal regulator sees
the postal dashboard (volumes, the "三个100%", rejections) and the client's health row; police of 和平区 find
the shipment by the sender's ID number, masked; the commerce regulator of 大连 sees no postal data at all.
Screenshots go to .run/artifacts/console/.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from .conftest import TokenBook
from .support import DEMO_POSTAL, SECTOR_CLIENT
from .test_console import assert_not_broken, browser, console, shot, sign_in
from .test_exchange import fresh_resident_id

__all__ = ["browser", "console"]  # the fixtures, shared with the console's other browser tests


@pytest.fixture(scope="module")
def shipment(api: httpx.Client, tokens: TokenBook) -> dict[str, Any]:
    """Two shipments of one fresh sender (和平区 and 大连), submitted by the postal client."""
    run = uuid.uuid4().hex[:10].upper()
    person = fresh_resident_id()
    accepted_at = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0).isoformat()
    record = {
        "accepted_at": accepted_at,
        "site_name": "和平区南京北街营业部",
        "site_region_code": "210102",
        "sender_name": "王五",
        "sender_id_type": "resident_id",
        "sender_id_number": person,
        "sender_phone": "13812345678",
        "sender_address": "辽宁省沈阳市和平区南京北街1号",
        "receiver_name": "李四",
        "receiver_phone": "13912345678",
        "receiver_address": "大连市中山区人民路5号",
        "item_name": "书籍",
        "quantity": 1,
        "inspected": True,
        "xray_screened": True,
    }
    records = [
        {**record, "waybill_no": f"UI{run}H"},
        {
            **record,
            "waybill_no": f"UI{run}D",
            "site_name": "中山区人民路营业部",
            "site_region_code": "210202",
        },
    ]
    response = api.post(
        "/api/v1/exchange/postal/shipments",
        json={"batch_id": f"e2e-ui-{run}", "records": records},
        headers=tokens.bearer(SECTOR_CLIENT),
    )
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 2, response.text
    return {"person": person, "heping": f"UI{run}H", "dalian": f"UI{run}D"}


def test_the_postal_regulator_sees_the_dashboard_and_the_submitters_health(
    browser: Browser, console: str, shipment: dict[str, Any]
) -> None:
    context, page = sign_in(browser, console, "regulator-postal", "/exchange")
    try:
        expect(page.get_by_role("heading", name="行业数据交换")).to_be_visible()
        expect(page.get_by_text("寄递实名收寄")).to_be_visible()
        expect(page.get_by_text("散装汽油销售")).to_have_count(0)
        for card in ("rate-inspected_rate", "rate-real_name_rate", "rate-xray_rate", "rate-rejection_rate"):
            expect(page.get_by_test_id(card)).to_contain_text("%")
        expect(page.get_by_role("cell", name=DEMO_POSTAL)).to_be_visible()
        expect(page.get_by_test_id("exchange-warning-counts")).to_contain_text("统计周期内共")
        expect(page.get_by_role("tab", name="人员记录查询")).to_have_count(0)
        shot(page, "exchange-dashboard-postal")
        page.get_by_role("tab", name="报送方健康").click()
        row = page.get_by_role("row").filter(has_text=SECTOR_CLIENT)
        expect(row).to_contain_text(DEMO_POSTAL)
        expect(row).to_contain_text("寄递")
        expect(row).to_contain_text(re.compile("正常|异常"))  # just submitted: not late
        page.wait_for_timeout(500)  # the tab's fade-in, for the screenshot
        shot(page, "exchange-submitters-postal")
        assert_not_broken(page)
    finally:
        context.close()


def test_police_find_the_shipment_by_the_senders_id_number_masked(
    browser: Browser, console: str, shipment: dict[str, Any]
) -> None:
    person = shipment["person"]
    context, page = sign_in(browser, console, "police-heping", "/exchange")
    try:
        page.get_by_role("tab", name="人员记录查询").click()
        page.get_by_label("公民身份号码").fill(person)
        page.get_by_role("button", name="查询").click()
        expect(page.get_by_test_id("exchange-search-count")).to_have_text("共找到 1 条记录")
        results = page.get_by_role("row").filter(has_text=shipment["heping"])
        expect(results).to_contain_text(f"sender_id_number: {person[:6]}********{person[-4:]}")
        expect(page.get_by_text(shipment["dalian"])).to_have_count(0)  # 大连's site: not Heping's police's
        expect(page.locator(".ant-table")).not_to_contain_text(person)  # only the typed query holds it
        shot(page, "exchange-person-search")
        assert_not_broken(page)
    finally:
        context.close()


def test_the_commerce_regulator_of_dalian_sees_no_postal_data(
    browser: Browser, console: str, shipment: dict[str, Any]
) -> None:
    context, page = sign_in(browser, console, "regulator-commerce-dalian", "/exchange")
    try:
        expect(page.get_by_text("散装汽油销售")).to_be_visible()
        expect(page.get_by_test_id("rate-certificate_rate")).to_be_visible()
        expect(page.get_by_text("寄递实名收寄")).to_have_count(0)
        expect(page.get_by_role("tab", name="人员记录查询")).to_have_count(0)
        page.get_by_role("tab", name="报送方健康").click()
        expect(page.get_by_text("辖区内无报送单位")).to_be_visible()
        page.wait_for_timeout(500)  # the tab's fade-in, for the screenshot
        for hidden in (SECTOR_CLIENT, DEMO_POSTAL, shipment["heping"], shipment["dalian"]):
            expect(page.get_by_text(hidden)).to_have_count(0)
        shot(page, "exchange-commerce-dalian")
        assert_not_broken(page)
    finally:
        context.close()
