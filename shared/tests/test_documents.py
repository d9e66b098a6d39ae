"""Documents: the upload/download round trip with its hash, content detection, size limits,
access as the owner, withdrawal instead of deletion; both storage backends pass one contract;
PDF letters read back with a PDF parser."""

import hashlib
import io
import os
import time
import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from dkbuza_kit.documents.checklist import Requirement
from dkbuza_kit.documents.checklist import evaluate
from dkbuza_kit.documents.storage import STALE_UPLOAD_SECONDS
from dkbuza_kit.documents.storage import LocalStorage
from dkbuza_kit.documents.storage import S3Storage
from dkbuza_kit.documents.storage import TooLarge
from dkbuza_kit.letters import Letter
from dkbuza_kit.letters import render_pdf

PDF_BYTES = render_pdf(Letter("Verklaring", "W-1", date(2026, 12, 6), ["Widget"], ["Tekst."]))
PNG_BYTES = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
             b"\x00\x00\x00\x1f\x15\xc4\x89" + b"\x00" * 40)


async def widget(client, harness, name="w"):
    created = await client.post("/v1/widgets", json={"name": name},
                                headers=harness.headers("kit.writer"))
    assert created.status_code == 201, created.text
    return created.json()["id"]


def upload(client, harness, widget_id, kind, content, filename="f", content_type=None, org="dkbuza"):
    files = {"file": (filename, content, content_type or "application/octet-stream")}
    return client.post(f"/v1/widgets/{widget_id}/documents", data={"kind": kind}, files=files,
                       headers=harness.headers("kit.writer", org=org))


async def stored_rows(harness):
    async with harness.sessionmaker() as session:
        return (await session.execute(sa.text("SELECT count(*) FROM documents"))).scalar()


async def test_round_trip_with_hash(client, harness):
    widget_id = await widget(client, harness)
    stored = await upload(client, harness, widget_id, "statement", PDF_BYTES, "verklaring.pdf",
                          "application/pdf")
    assert stored.status_code == 201, stored.text
    document = stored.json()
    assert document["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert (document["media_type"], document["size"]) == ("application/pdf", len(PDF_BYTES))
    listed = await client.get(f"/v1/widgets/{widget_id}/documents",
                              headers=harness.headers("kit.reader"))
    assert [d["id"] for d in listed.json()] == [document["id"]]
    content = await client.get(f"/v1/widgets/{widget_id}/documents/{document['id']}/content",
                               headers=harness.headers("kit.reader"))
    assert content.status_code == 200 and content.content == PDF_BYTES
    assert content.headers["content-type"] == "application/pdf"


async def test_tampered_bytes_are_not_served(client, harness):
    widget_id = await widget(client, harness)
    document = (await upload(client, harness, widget_id, "statement", b"plain text")).json()
    storage = harness.app.state.document_storage
    async with harness.sessionmaker() as session:
        key = await session.scalar(sa.text("SELECT storage_key FROM documents"))
    (storage.root / key).write_bytes(b"changed behind our back")
    answer = await client.get(f"/v1/widgets/{widget_id}/documents/{document['id']}/content",
                              headers=harness.headers("kit.reader"))
    assert answer.json()["code"] == "DOCUMENT_CORRUPTED"


@pytest.mark.parametrize(("kind", "content", "declared", "status", "code"), [
    ("photo", PDF_BYTES, "image/png", 415, "DOCUMENT_TYPE_MISMATCH"),   # a PDF called a PNG
    ("photo", b"just text", None, 415, "DOCUMENT_TYPE_MISMATCH"),
    ("statement", PNG_BYTES, None, 415, "DOCUMENT_TYPE_MISMATCH"),
    ("photo", PNG_BYTES + b"\x00" * 5000, "image/png", 413, "DOCUMENT_TOO_LARGE"),
    ("statement", b"", None, 422, "DOCUMENT_EMPTY"),
    ("invoice", b"text", None, 422, "DOCUMENT_KIND_UNKNOWN"),
])
async def test_refused_uploads_store_nothing(client, harness, kind, content, declared, status,
                                             code):
    widget_id = await widget(client, harness)
    answer = await upload(client, harness, widget_id, kind, content, "x", declared)
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
    assert await stored_rows(harness) == 0


async def test_png_accepted_as_photo(client, harness):
    widget_id = await widget(client, harness)
    answer = await upload(client, harness, widget_id, "photo", PNG_BYTES, "p.png", "image/png")
    assert answer.status_code == 201, answer.text


async def test_access_exactly_as_the_owner(client, harness):
    widget_id = await widget(client, harness, name="org-0441")
    assert (await upload(client, harness, widget_id, "statement", b"mine", org="0441")
            ).status_code == 201
    other = await upload(client, harness, widget_id, "statement", b"not mine", org="0999")
    assert other.status_code == 404
    listed = await client.get(f"/v1/widgets/{widget_id}/documents",
                              headers=harness.headers("kit.reader", org="0999"))
    assert listed.status_code == 404
    reader = await upload(client, harness, widget_id, "statement", b"x", org="0441")
    assert reader.status_code == 201
    read_only = await client.post(
        f"/v1/widgets/{widget_id}/documents", data={"kind": "statement"},
        files={"file": ("f", b"x", "text/plain")}, headers=harness.headers("kit.reader",
                                                                            org="0441"))
    assert read_only.status_code == 403


async def test_withdrawal_keeps_the_document(client, harness):
    widget_id = await widget(client, harness)
    document = (await upload(client, harness, widget_id, "statement", b"old")).json()
    url = f"/v1/widgets/{widget_id}/documents/{document['id']}"
    withdrawn = await client.post(f"{url}/withdrawal", json={"reason": "replaced by v2"},
                                  headers=harness.headers("kit.writer"))
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["withdrawal_reason"] == "replaced by v2"
    again = await client.post(f"{url}/withdrawal", json={"reason": "again"},
                              headers=harness.headers("kit.writer"))
    assert again.json()["code"] == "DOCUMENT_WITHDRAWN"
    listed = (await client.get(f"/v1/widgets/{widget_id}/documents",
                               headers=harness.headers("kit.reader"))).json()
    assert listed[0]["withdrawn_at"] is not None
    async with harness.sessionmaker() as session:
        actions = (await session.execute(sa.text(
            "SELECT action FROM audit_events WHERE entity_type = 'document' ORDER BY id"))
        ).scalars().all()
    assert actions == ["document.uploaded", "document.withdrawn"]


# --- one contract for both storage backends -------------------------------------------------

async def _chunks(*parts: bytes):
    for part in parts:
        yield part


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{server.get_host_and_port()[1]}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "documents")
    endpoint = request.getfixturevalue("s3_server")
    bucket = f"dkbuza-test-{uuid.uuid4().hex[:8]}"
    store = S3Storage.connect(endpoint_url=endpoint, bucket=bucket, access_key_id="k",
                              secret_access_key="s", region="us-east-1", prefix="svc/")
    store.client.create_bucket(Bucket=bucket)
    return store


async def test_storage_contract(storage):
    blob = await storage.put(_chunks(b"abc", b"def"), max_bytes=100)
    assert (blob.size, blob.sha256) == (6, hashlib.sha256(b"abcdef").hexdigest())
    assert await storage.read(blob.key) == b"abcdef" and await storage.exists(blob.key)
    assert not await storage.exists("00/missing")
    other = await storage.put(_chunks(b"abcdef"), max_bytes=100)
    assert other.key != blob.key  # keys are ours, never reused


async def test_storage_contract_interrupted_upload_leaves_nothing(storage):
    async def dying():
        yield b"x" * 10
        raise RuntimeError("process killed mid-upload")

    with pytest.raises(RuntimeError):
        await storage.put(dying(), max_bytes=100)
    with pytest.raises(TooLarge):
        await storage.put(_chunks(b"x" * 60, b"x" * 60), max_bytes=100)
    if isinstance(storage, LocalStorage):
        assert [p for p in storage.root.rglob("*") if p.is_file()] == []
    else:
        listed = storage.client.list_objects_v2(Bucket=storage.bucket, Prefix="svc/")
        assert listed.get("KeyCount", 0) == 0


def test_letter_reads_back():
    pdf = render_pdf(Letter("Beslissing", "RM-2025-000007", date(2026, 12, 6), ["Jan Peeters"],
                            ["Toegekend: € 1.234,50."], [("Beroep tot", "05-01-2027")]))
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "RM-2025-000007" in text and "EUR 1.234,50" in text and "05-01-2027" in text


def test_stale_upload_temporaries_are_swept_and_live_ones_kept(tmp_path):
    storage = LocalStorage(tmp_path)
    dead, live = tmp_path / ".upload-dead", tmp_path / ".upload-live"
    dead.write_bytes(b"half")
    live.write_bytes(b"in progress")
    blob = tmp_path / "ab" / "ab12"
    blob.parent.mkdir()
    blob.write_bytes(b"a stored document")
    aged = time.time() - STALE_UPLOAD_SECONDS - 60
    os.utime(dead, (aged, aged))
    os.utime(blob, (aged, aged))
    assert storage.sweep_stale_uploads() == [".upload-dead"]
    assert not dead.exists() and live.exists() and blob.exists()  # stored bytes never swept
    assert LocalStorage(tmp_path / "absent").sweep_stale_uploads() == []


def test_checklist_evaluation_any_of_and_how_present():
    requirements = [Requirement("photo", ("photo",)),
                    Requirement("estimate_or_invoice", ("estimate", "invoice"), "working value"),
                    Requirement("end_user_certificate", ("end_user_certificate",))]
    result = evaluate(requirements, {"invoice": "paper", "photo": "uploaded", "other": "x"})
    assert result.missing == ["end_user_certificate"] and not result.complete
    assert [c.present for c in result.checked] == [{"photo": "uploaded"}, {"invoice": "paper"},
                                                   {}]
    assert evaluate([], {}).complete
