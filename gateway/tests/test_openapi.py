"""The merged OpenAPI document and `/docs`."""

from gateway.openapi import merge_documents

SERVICES = ("planning", "disaster-fund", "export-control", "statistics")


async def test_openapi_merges_every_service_under_its_prefix(client):
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["x-gateway-completed"] == "true"
    document = response.json()
    paths = document["paths"]
    assert "/v1/kpis" in paths and "/v1/overview" in paths  # the gateway's own
    for service in SERVICES:
        operation = paths[f"/{service}/v1/things"]["get"]
        assert operation["operationId"] == f"{service}-things-list-things"
        assert operation["tags"] == [f"{service}-things"]
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values()
                     if isinstance(op, dict) and "operationId" in op]
    assert len(operation_ids) == len(set(operation_ids))
    schemas = document["components"]["schemas"]
    # Identical definitions are shared, clashing ones prefixed, refs rewritten.
    assert "PlanningError" not in schemas and "Error" in schemas
    assert schemas["Thing"]["properties"] == {"planning_field": {"type": "string"}}
    assert schemas["DisasterFundThing"]["properties"] == {
        "disaster-fund_field": {"type": "string"}}
    page = paths["/export-control/v1/things"]["get"]["responses"]["200"]
    ref = page["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/ExportControlThingPage"
    assert schemas["ExportControlThingPage"]["properties"]["items"]["items"]["$ref"] == \
        "#/components/schemas/ExportControlThing"
    assert document["x-gateway-sources"]["statistics"]["status"] == "ok"


async def test_openapi_is_503_not_partial_when_a_service_is_down(client, upstreams):
    await upstreams["statistics"].stop()
    response = await client.get("/openapi.json")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    problem = response.json()
    assert problem["code"] == "OPENAPI_INCOMPLETE"
    assert problem["sources"]["statistics"]["status"] == "error"
    assert problem["sources"]["planning"]["status"] == "ok"


async def test_openapi_uses_the_last_good_document_of_a_service_that_went_down(
        client, harness, upstreams):
    assert (await client.get("/openapi.json")).status_code == 200
    await upstreams["statistics"].stop()
    cache = harness.app.state.openapi_cache
    cache.documents = {name: (-1e9, document) for name, (_, document) in cache.documents.items()}
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert "/statistics/v1/things" in document["paths"]
    assert document["x-gateway-sources"]["statistics"]["stale"] is True


async def test_merged_schema_titles_are_unique_and_proxy_errors_documented(client):
    document = (await client.get("/openapi.json")).json()
    titles = [schema.get("title") for schema in document["components"]["schemas"].values()
              if "title" in schema]
    assert len(titles) == len(set(titles))
    assert document["components"]["schemas"]["DisasterFundThing"]["title"] == "DisasterFundThing"
    responses = document["paths"]["/planning/v1/things"]["get"]["responses"]
    assert {"429", "502", "504"} <= set(responses)
    # Only the published API is proxied, so only it is merged (the services' /livez is not).
    assert "/planning/livez" not in document["paths"] and "/livez" in document["paths"]
    assert responses["502"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"}


async def test_merged_document_is_built_once_while_its_sources_do_not_change(client, harness):
    first = (await client.get("/openapi.json")).json()
    cache = harness.app.state.openapi_cache
    built = cache.merged[1]
    second = (await client.get("/openapi.json")).json()
    assert cache.merged[1] is built
    assert first["paths"] == second["paths"]


async def test_openapi_documents_are_cached(client, upstreams):
    assert (await client.get("/openapi.json")).status_code == 200
    await upstreams["planning"].stop()
    document = (await client.get("/openapi.json")).json()
    assert "/planning/v1/things" in document["paths"]
    assert document["x-gateway-sources"]["planning"]["cached"] is True


async def test_docs_serve_the_merged_document(client):
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "/openapi.json" in response.text


def test_merge_rewrites_refs_of_a_renamed_component_chain():
    own = {"openapi": "3.1.0", "paths": {}, "components": {"schemas": {}}}

    def service(leaf_type):
        return {"paths": {"/v1/x": {"post": {"operationId": "x-create", "requestBody": {
                    "content": {"application/json": {"schema": {"$ref":
                                                                "#/components/schemas/A"}}}}}}},
                "components": {"schemas": {"A": {"$ref": "#/components/schemas/B"},
                                           "B": {"type": leaf_type}}}}

    merged = merge_documents(own, {"one": service("string"), "two": service("integer")},
                             {"one": {"status": "ok"}, "two": {"status": "ok"}})
    schemas = merged["components"]["schemas"]
    # B differs, so two's B is renamed; A is then different too (it points elsewhere).
    assert schemas["TwoB"] == {"type": "integer", "title": "TwoB"}
    assert schemas["TwoA"] == {"$ref": "#/components/schemas/TwoB"}
    assert schemas["A"] == {"$ref": "#/components/schemas/B"}
    body = merged["paths"]["/two/v1/x"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"] == "#/components/schemas/TwoA"
    assert merged["paths"]["/two/v1/x"]["post"]["operationId"] == "two-x-create"
    assert merged["x-gateway-completed"] is True
