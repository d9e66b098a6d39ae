"""The dashboard in headless Debian Chromium (Playwright) against a real stack: the four
services and the gateway as uvicorn processes on fresh databases, disaster-fund demo data.

Signs in, checks the overview and one disaster against the API's figures, follows the
planning drill-down, opens the work lists, runs axe-core on every page (no serious or critical
violations), writes a screenshot per page under the test's tmp folder, signs out; a user
without fund roles sees no fund data.
"""

import subprocess
import sys

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import async_playwright

from dkbuza_dev.testing.processes import prepare_app
from dkbuza_dev.testing.processes import prepare_apps
from dkbuza_dev.testing.processes import start_together
from dkbuza_kit.apps import GATEWAY
from dkbuza_kit.apps import SERVICES
from dkbuza_kit.paths import repo_root
from gateway.dashboard.charts import format_number

pytestmark = pytest.mark.browser
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTHS = (1366, 768)


@pytest.fixture(scope="module")
def stack(pg_server_url, signing_key, tmp_path_factory):
    logs = tmp_path_factory.mktemp("stack-logs")
    started = []
    try:
        services = prepare_apps(SERVICES, pg_server_url, signing_key.jwks_path, log_dir=logs)
        started.extend(services.values())
        for name in ("disaster-fund", "planning"):
            app = services[name]
            subprocess.run([sys.executable, "-m", f"{app.spec.package}.demo"], env=app.env,
                           cwd=repo_root(), check=True, capture_output=True)
        env = {f"GATEWAY_UPSTREAM_{name.upper().replace('-', '_')}": app.url
               for name, app in services.items()}
        env.update(GATEWAY_DASHBOARD_DEV_LOGIN="true", GATEWAY_DASHBOARD_COOKIE_SECURE="false",
                   GATEWAY_DASHBOARD_DEV_KEY_DIR=str(signing_key.jwks_path.parent),
                   GATEWAY_AGGREGATE_BUDGET_S="10")
        gateway = prepare_app(GATEWAY, pg_server_url, signing_key.jwks_path, extra_env=env,
                              log_path=logs / "gateway.log")
        started.append(gateway)
        start_together(started)
        yield gateway.url
    finally:
        for app in started:
            app.stop()
            app.drop_database()


async def check_page(page, axe, name: str, out) -> None:
    """No serious or critical axe violation, at both widths; a screenshot of each."""
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900})
        results = await axe.run(page)
        bad = [v["id"] for v in results.response["violations"]
               if v.get("impact") in ("serious", "critical")]
        assert not bad, f"{name} at {width}px: {bad}"
        await page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)


async def sign_in(page, url: str, *roles: str, sub: str) -> None:
    await page.goto(f"{url}/ui/login")
    await page.fill("#sub", sub)
    for role in roles:
        await page.check(f"[id='role-{role}']")
    await page.click("text=Aanmelden >> nth=-1")
    await page.wait_for_url(f"{url}/ui")


async def test_dashboard_in_a_real_browser(stack, signing_key, tmp_path):
    roles = ("vrf.manager", "planning.reader", "csg.officer", "kpi.reader")
    token = signing_key.mint(sub="anna", roles=list(roles), org="dkbuza")
    api = httpx.AsyncClient(base_url=stack, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    axe = Axe()
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path="/usr/bin/chromium",
                                               args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.goto(f"{stack}/ui/login")
        await check_page(page, axe, "login", tmp_path)
        await sign_in(page, stack, *roles, sub="anna")
        overview = (await api.get("/v1/overview")).json()
        shown = await page.inner_text("[data-figure='disaster_fund.open_applications']")
        assert shown == format_number(overview["disaster_fund"]["open_applications"])
        await check_page(page, axe, "overview", tmp_path)

        await page.click("nav >> text=Rampenfonds")
        await check_page(page, axe, "disasters", tmp_path)
        await page.click("table.data tbody a >> nth=0")
        disaster_id = page.url.rsplit("/", 1)[1]
        dashboard = (await api.get(
            f"/disaster-fund/v1/disasters/{disaster_id}/dashboard")).json()
        for figure in ("submitted", "in_progress", "completed", "withdrawn"):
            assert await page.inner_text(f"[data-figure='{figure}']") == format_number(
                dashboard[figure]), figure
        await check_page(page, axe, "disaster", tmp_path)

        for name in ("kpis", "werklijsten", "planning"):
            await page.goto(f"{stack}/ui/{name}")
            await check_page(page, axe, name, tmp_path)
        assert await page.locator("h1").inner_text() == "Planning: ondernemingsplannen"
        await page.click("ul.links a >> nth=0")  # the demo plan
        await check_page(page, axe, "plan", tmp_path)
        for level in ("pf", "sd", "od"):
            await page.click("#drill-table tbody a >> nth=0")
            assert f"node={level}-" in page.url
        await check_page(page, axe, "operational-goal", tmp_path)
        await page.click("#drill-table tbody a >> nth=0")
        assert "/ui/planning/initiatieven/" in page.url
        assert await page.locator("h2#history-title").count() == 1
        await check_page(page, axe, "initiative", tmp_path)

        await page.click("text=Afmelden")
        await page.wait_for_url(f"{stack}/ui/login")
        await page.goto(f"{stack}/ui")
        assert page.url.endswith("/ui/login")

        await sign_in(page, stack, "planning.reader", sub="piet")
        assert await page.locator("[data-figure^='disaster_fund.']").count() == 0
        assert await page.locator("[data-state='denied']").count() >= 1
        await page.goto(f"{stack}/ui/rampen")
        assert "geen toegang" in await page.inner_text("main")
        await browser.close()
    await api.aclose()


async def test_the_overview_names_planning_s_current_period_by_its_code(stack, signing_key):
    """Against the real services (demo plan): the overview's plan period is the code of the
    reporting period planning's KPIs cover (it was the stringified period object)."""
    token = signing_key.mint(sub="anna", roles=["planning.reader", "kpi.reader"], org="dkbuza")
    async with httpx.AsyncClient(base_url=stack, headers={"Authorization": f"Bearer {token}"},
                                 timeout=30) as api:
        kpis = (await api.get("/planning/v1/kpis")).json()
        overview = (await api.get("/v1/overview")).json()
    period = next(k for k in kpis if k["id"] == "initiatives_on_track_pct")["period"]
    assert period["kind"] == "reporting_period", period  # the demo plan has a current period
    assert overview["plan"]["period"] == period["label"]
