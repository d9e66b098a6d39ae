"""The dashboard under /ui against the fake upstreams: sign-in, session cookie, CSRF, the
user's own token on every call, and pages that show only what the API granted."""

import re
from typing import Any

import pytest

from gateway.tests.conftest import SERVICE_KPIS

FIGURE = re.compile(r'data-figure="([^"]+)">([^<]*)<')


@pytest.fixture
async def ui(client, harness, signing_key):
    """The dashboard with development sign-in on (key = the harness's), cookies over http."""
    settings = harness.app.state.settings
    settings.dashboard_dev_login = True
    settings.dashboard_dev_key_dir = str(signing_key.jwks_path.parent)
    harness.app.state.dashboard_sessions.secure = False
    client.cookies.clear()
    yield client
    settings.dashboard_dev_login = False
    harness.app.state.dashboard_sessions.secure = True
    client.cookies.clear()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def sign_in(ui, *roles: str, sub: str = "anna", org: str = "dkbuza") -> Any:
    page = await ui.get("/ui/login")
    return await ui.post("/ui/login/dev", data={
        "csrf_token": csrf_of(page.text), "sub": sub, "org": org, "roles": list(roles)})


def figures(html: str) -> dict[str, str]:
    return dict(FIGURE.findall(html))


async def test_root_redirects_to_the_dashboard_and_ui_is_not_in_openapi(client):
    answer = await client.get("/", follow_redirects=False)
    assert answer.status_code == 307 and answer.headers["location"] == "/ui"
    document = (await client.get("/openapi.json")).json()
    assert not [path for path in document["paths"] if path.startswith("/ui") or path == "/"]


async def test_pages_send_anonymous_visitors_to_the_sign_in_page(ui):
    for path in ("/ui", "/ui/rampen", "/ui/kpis", "/ui/werklijsten", "/ui/planning"):
        answer = await ui.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/ui/login", path


async def test_dev_sign_in_is_refused_when_the_setting_is_off(client):
    client.cookies.clear()
    page = await client.get("/ui/login")
    assert "Ontwikkelaanmelding" not in page.text
    answer = await client.post("/ui/login/dev", data={"csrf_token": "x", "sub": "x",
                                                      "org": "dkbuza"})
    assert answer.status_code == 404


async def test_sign_in_without_the_csrf_token_is_refused(ui):
    await ui.get("/ui/login")
    answer = await ui.post("/ui/login/dev", data={"sub": "anna", "org": "dkbuza",
                                                  "roles": ["vrf.manager"]})
    assert answer.status_code == 403
    assert answer.json()["code"] == "CSRF_TOKEN_INVALID"
    answer = await ui.post("/ui/login/dev", data={"csrf_token": "forged", "sub": "anna",
                                                  "org": "dkbuza"})
    assert answer.status_code == 403


async def test_session_cookie_is_httponly_secure_lax_and_scoped_to_ui(client, harness,
                                                                      signing_key):
    harness.app.state.settings.dashboard_dev_login = True
    harness.app.state.settings.dashboard_dev_key_dir = str(signing_key.jwks_path.parent)
    try:
        client.cookies.clear()
        page = await client.get("/ui/login")
        cookie = page.headers["set-cookie"].lower()
        for attribute in ("httponly", "secure", "samesite=lax", "path=/ui"):
            assert attribute in cookie, attribute
    finally:
        harness.app.state.settings.dashboard_dev_login = False
        client.cookies.clear()


async def test_unknown_roles_and_bad_names_do_not_sign_in(ui):
    answer = await sign_in(ui, "root.admin")
    assert answer.status_code == 422 and "Kies alleen rollen" in answer.text
    answer = await sign_in(ui, "vrf.manager", sub="<script>")
    assert answer.status_code == 422
    assert (await ui.get("/ui", follow_redirects=False)).status_code == 303


async def test_overview_shows_the_gateway_figures_fetched_with_the_users_token(ui, upstreams):
    answer = await sign_in(ui, "vrf.manager", "planning.reader", "csg.officer", "kpi.reader")
    assert answer.status_code == 303 and answer.headers["location"] == "/ui"
    page = await ui.get("/ui")
    assert page.status_code == 200 and '<html lang="nl">' in page.text
    shown = figures(page.text)
    assert shown["disaster_fund.open_applications"] == "188"  # 120 + 45 + 20 + 3
    assert shown["disaster_fund.phase_norm_overdue"] == "4"
    assert shown["plan.on_track_or_done_pct"] == "62,4 %"
    assert shown["export_control.in_progress"] == "42"
    assert "Statistiek 2" in page.text and "Statistiek 1<" not in page.text  # 1 is published
    # Each chart has its numbers as a table.
    assert '<svg class="chart" role="img"' in page.text and 'id="plan-status-table"' in page.text
    fund_calls = [r for r in upstreams["disaster-fund"].requests if r["path"] == "/v1/kpis"]
    token = fund_calls[-1]["headers"]["Authorization"]
    assert token.startswith("Bearer ")
    claims = __import__("jwt").decode(token[7:], options={"verify_signature": False})
    assert claims["sub"] == "anna" and "vrf.manager" in claims["roles"]


async def test_a_user_the_fund_refuses_sees_no_fund_data(ui, upstreams):
    refused = (403, {"type": "about:blank", "status": 403, "code": "FORBIDDEN"})
    fund = upstreams["disaster-fund"]
    fund.answers = {"/v1/kpis": refused, "/v1/applications/norm-alerts": refused,
                    "/v1/disasters": refused, "/v1/applications": refused}
    await sign_in(ui, "planning.reader")
    page = await ui.get("/ui")
    assert 'data-state="denied"' in page.text
    assert "disaster_fund." not in page.text
    for path in ("/ui/rampen", "/ui/werklijsten"):
        page = await ui.get(path)
        assert "U hebt geen toegang tot gegevens van het Rampenfonds" in page.text, path


async def test_kpi_catalogue_shows_every_service_with_target_status_and_trend(ui, upstreams):
    upstreams["statistics"].answers = {"/v1/kpis/history": (200, [
        {"kpi_id": "punctuality_rate_pct", "taken_on": f"2026-11-2{day}", "value": 90.0 + day,
         "target": 95, "status": "at_risk", "unit": "%",
         "period": {"kind": "rolling", "start": None, "end": "2026-11-28", "label": "x"},
         "computed_at": "2026-11-28T10:00:00Z"} for day in range(1, 4)])}
    await sign_in(ui, "kpi.reader")
    page = await ui.get("/ui/kpis")
    assert page.status_code == 200
    for kpis in SERVICE_KPIS.values():
        for kpi in kpis:
            assert f'data-kpi="{kpi["id"]}"' in page.text
    assert "niet gehaald" in page.text and "<polyline" in page.text
    assert "2026-11-23" in page.text and "93" in page.text  # the trend's numbers as a table


async def test_sign_out_needs_the_csrf_token_and_ends_the_session(ui):
    await sign_in(ui, "kpi.reader")
    page = await ui.get("/ui")
    assert (await ui.post("/ui/logout", data={})).status_code == 403
    answer = await ui.post("/ui/logout", data={"csrf_token": csrf_of(page.text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/login"
    assert (await ui.get("/ui", follow_redirects=False)).status_code == 303
