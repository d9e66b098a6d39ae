"""SIGKILL during an upload: after a restart no half-stored document is listed and the storage
directory holds no file of it.

A real export-control process (its own documents directory and TMPDIR) receives a large
end-user certificate streamed slowly as a chunked multipart body; it is killed while the body
is still coming in, then started again on the same database and directory.

What the kit guarantees (and this test checks): a document row is committed only after its
bytes are complete in storage (a temporary file renamed into place), and the list is read from
the rows. The request body is spooled by the multipart parser to an unlinked temporary file
(nothing under TMPDIR) before the route runs, so a kill while the body streams leaves nothing
at all. A kill in the short window after the rename and before the commit could leave a
complete, unreferenced blob: it is never listed (no row), and it is not swept automatically.
A kill while the route spools to storage leaves an `.upload-*` temporary file: never listed,
and removed at the next start-up once stale (the second test).
"""

import asyncio
import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from dkbuza_kit.documents.storage import STALE_UPLOAD_SECONDS

from .conftest import SERVICE_SPECS
from .conftest import fetch
from .conftest import log_tail
from .conftest import start_app
from .conftest import wait_until_async

pytestmark = pytest.mark.timeout(300)

COMPANY = "0123456789"
BOUNDARY = "reliability-upload-boundary"
CHUNK = 64 * 1024
TOTAL = 8 * 1024 * 1024  # under the end-user certificate's 10 MB limit
KILL_AFTER = 3 * 1024 * 1024

APPLICATION = {
    "application_type": "military_export", "applicant_name": "Vlaamse Precisie NV",
    "destination_country": "NO", "end_use": "Equipment of the Norwegian armed forces",
    "lines": [{"description": "Thermal sights", "control_entry": "ml5a", "quantity": "100",
               "unit": "pieces", "value_eur": "250000.00"}],
    "parties": [{"role": "end_user", "name": "Norwegian Defence Materiel Agency",
                 "address": "Kjeller, Norway", "country": "NO"}],
}


def multipart_head(kind: str) -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"euc.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()


def files_under(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


async def test_a_kill_during_an_upload_leaves_no_document(launch, pg_server_url, signing_key,
                                                          tmp_path):
    documents, spool = tmp_path / "documents", tmp_path / "spool"
    spool.mkdir()
    app = launch(SERVICE_SPECS["export-control"], pg_server_url,
                 extra_env={"EXPORT_CONTROL_DOCUMENTS_DIR": str(documents),
                            "TMPDIR": str(spool)})
    token = signing_key.mint(sub="company-user", roles=["csg.applicant"], org=COMPANY)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=app.url, timeout=60, headers=headers) as client:
        created = await client.post("/v1/applications", json=APPLICATION)
        assert created.status_code == 201, created.text
    url = f"/v1/applications/{created.json()['id']}/documents"

    sent = 0

    async def slow_body():
        nonlocal sent
        yield multipart_head("end_user_certificate")
        yield b"%PDF-1.4\n"
        while sent < TOTAL:
            yield b"0" * CHUNK
            sent += CHUNK
            await asyncio.sleep(0.02)
        yield f"\r\n--{BOUNDARY}--\r\n".encode()

    async with httpx.AsyncClient(base_url=app.url, timeout=120, headers=headers) as client:
        upload = asyncio.create_task(client.post(
            url, content=slow_body(),
            headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}))

        async def well_into_the_body() -> bool:
            return sent >= KILL_AFTER or upload.done()

        await wait_until_async(well_into_the_body, 120, "the upload to be under way")
        assert not upload.done(), "the upload finished before the kill"
        app.process.send_signal(signal.SIGKILL)
        assert await asyncio.to_thread(app.process.wait, 30) == -signal.SIGKILL
        with pytest.raises(httpx.HTTPError):
            await upload
    assert sent < TOTAL  # killed mid-upload, not after

    start_app(app, 180)  # same port, database and directories
    async with httpx.AsyncClient(base_url=app.url, timeout=60, headers=headers) as client:
        listed = await client.get(url)
        assert (listed.status_code, listed.json()) == (200, []), log_tail(app)
        assert await fetch(app, "SELECT id FROM documents") == []
        assert files_under(documents) == [] and files_under(spool) == []

        # The same route and directories work: a complete upload is stored and listed.
        complete = await client.post(url, data={"kind": "end_user_certificate"}, files={
            "file": ("euc.pdf", b"%PDF-1.4\n" + b"0" * CHUNK, "application/pdf")})
        assert complete.status_code == 201, complete.text
        listed = (await client.get(url)).json()
        assert [d["id"] for d in listed] == [complete.json()["id"]]
        assert len(files_under(documents)) == 1


async def test_a_kill_while_the_bytes_are_stored_lists_only_whole_documents(
        launch, pg_server_url, signing_key, tmp_path):
    """The kit's phase: the body has arrived and the route streams it to storage. The process
    is killed as soon as the storage directory shows the upload's temporary file or its blob
    (up to five uploads; one that completes first is simply a stored document). After a
    restart every listed document reads back whole (its SHA-256 checked by the route) and
    every row's bytes exist. The dead upload's `.upload-*` temporary file is never listed and
    is swept at start-up once stale; a complete blob left between the rename and the commit
    would not be listed either (it has no row)."""
    documents = tmp_path / "documents"
    app = launch(SERVICE_SPECS["export-control"], pg_server_url,
                 extra_env={"EXPORT_CONTROL_DOCUMENTS_DIR": str(documents)})
    token = signing_key.mint(sub="company-user", roles=["csg.applicant"], org=COMPANY)
    headers = {"Authorization": f"Bearer {token}"}
    content = b"%PDF-1.4\n" + bytes(range(256)) * (9 * 1024 * 4 - 1)
    killed = False
    async with httpx.AsyncClient(base_url=app.url, timeout=120, headers=headers) as client:
        created = await client.post("/v1/applications", json=APPLICATION)
        assert created.status_code == 201, created.text
        url = f"/v1/applications/{created.json()['id']}/documents"
        for _ in range(5):
            before = set(files_under(documents)) if documents.exists() else set()
            upload = asyncio.create_task(client.post(url, data={"kind": "end_user_certificate"},
                                                     files={"file": ("euc.pdf", content,
                                                                     "application/pdf")}))

            async def storing(upload=upload, before=before) -> bool:
                return upload.done() or (documents.exists()
                                         and set(files_under(documents)) != before)

            await wait_until_async(storing, 120, "the upload to reach storage",
                                   interval=0.001)
            if not upload.done():
                app.process.send_signal(signal.SIGKILL)
                await asyncio.to_thread(app.process.wait, 30)
                killed = True
                break
            assert upload.result().status_code == 201, upload.result().text
        if killed:
            with pytest.raises(httpx.HTTPError):
                await upload
            # The dead upload's temporary file, aged past the sweep's threshold (a live
            # upload's file is written continuously and never gets that old).
            temporary = list(documents.glob(".upload-*"))
            stale = time.time() - STALE_UPLOAD_SECONDS - 60
            for path in temporary:
                os.utime(path, (stale, stale))
            start_app(app, 180)
            assert not any(path.exists() for path in temporary), log_tail(app)
    async with httpx.AsyncClient(base_url=app.url, timeout=120, headers=headers) as client:
        listed = (await client.get(url)).json()
        for document in listed:
            read = await client.get(f"{url}/{document['id']}/content")
            assert (read.status_code, read.content == content) == (200, True), log_tail(app)
        rows = await fetch(app, "SELECT storage_key FROM documents")
        assert len(rows) == len(listed)
        assert all((documents / row["storage_key"]).is_file() for row in rows)
