"""Report periods outside the years 1900-2099 are a 422 INVALID_PERIOD, never a 500."""

import pytest

ROUTES = [
    ("/v1/reports/turnaround", "quarter", ["9999-Q4", "9999", "0001-Q1", "1899"]),
    ("/v1/reports/parliament", "period", ["9999-12", "9999-H2", "0001-01", "2100-H1"]),
    ("/v1/reports/annual", "year", ["9999", "0001", "2100"]),
    ("/v1/transaction-reports", "period", ["9999", "9999-12", "9999-Q4", "9999-H2", "0001"]),
]


@pytest.mark.parametrize(("path", "name", "values"), ROUTES)
async def test_periods_outside_the_window_are_422(flow, path, name, values):
    for value in values:
        for fmt in ("json", "csv", "xlsx") if path.startswith("/v1/reports") else ("json",):
            url = path if fmt == "json" else f"{path}.{fmt}"  # files at <resource>.<ext>
            r = await flow.c.get(url, headers=flow.officer, params={name: value})
            assert (r.status_code, r.json()["code"]) == (422, "INVALID_PERIOD"), (value, r.text)


async def test_edge_years_inside_the_window_answer(flow):
    for path, name, value in [("/v1/reports/annual", "year", "2099"),
                              ("/v1/reports/parliament", "period", "2099-H2"),
                              ("/v1/reports/turnaround", "quarter", "1900-Q1"),
                              ("/v1/transaction-reports", "period", "2099-12")]:
        r = await flow.c.get(path, headers=flow.officer, params={name: value})
        assert r.status_code == 200, (path, r.text)


async def test_dual_use_annual_report_outside_the_window_is_422(flow):
    for value in ("9999", "0001"):
        r = await flow.c.get("/v1/reports/dual-use-annual", headers=flow.officer,
                             params={"year": value})
        assert (r.status_code, r.json()["code"]) == (422, "INVALID_PERIOD")
