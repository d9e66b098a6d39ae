"""dkbuza_kit.pagination.page_of: one page of ORM rows, converted, with the total."""

import pytest
import sqlalchemy as sa
from pydantic import BaseModel
from pydantic import ConfigDict

from dkbuza_kit.models import AuditEvent
from dkbuza_kit.pagination import PageParams
from dkbuza_kit.pagination import page_of


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    entity_id: str
    action: str


@pytest.mark.parametrize(("limit", "offset", "expected"), [
    (2, 0, ["1", "2"]),
    (2, 2, ["3"]),
    (5, 3, []),  # past the end: an empty page, the total still counted
])
async def test_a_page_holds_its_slice_of_the_ordered_rows_and_the_total(client, harness, limit,
                                                                        offset, expected):
    async with harness.sessionmaker() as session, session.begin():
        await session.execute(sa.insert(AuditEvent), [
            dict(actor="t", entity_type="widget", entity_id=str(n), action="created")
            for n in (3, 1, 2)])
    async with harness.sessionmaker() as session:
        page = await page_of(session, sa.select(AuditEvent).order_by(AuditEvent.entity_id),
                             PageParams(limit=limit, offset=offset), out=AuditOut)
    assert [item.entity_id for item in page.items] == expected
    assert all(isinstance(item, AuditOut) for item in page.items)
    assert (page.total, page.limit, page.offset) == (3, limit, offset)
