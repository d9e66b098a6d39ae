"""dkbuza_kit.db.add_unique: a violation of the named unique constraint is the caller's
conflict problem and leaves the transaction usable; any other integrity error stays itself."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from dkbuza_kit.db import add_unique
from dkbuza_kit.models import IdempotencyRecord
from dkbuza_kit.problems import ProblemError

PRIMARY_KEY = "pk_idempotency_keys"


def record(key: str, **overrides) -> IdempotencyRecord:
    values = dict(client="tester", key=key, method="POST", path="/v1/widgets",
                  request_hash="h", status_code=201)
    return IdempotencyRecord(**{**values, **overrides})


def conflict() -> ProblemError:
    return ProblemError(409, "KEY_TAKEN", "that key is taken")


async def test_a_duplicate_is_the_conflict_and_the_transaction_goes_on(client, harness):
    async with harness.sessionmaker() as session, session.begin():
        await add_unique(session, record("a"), PRIMARY_KEY, conflict)
        with pytest.raises(ProblemError) as refused:
            await add_unique(session, record("a"), PRIMARY_KEY, conflict)
        assert refused.value.status == 409
        await add_unique(session, record("b"), PRIMARY_KEY, conflict)  # savepoint rolled back only
    async with harness.sessionmaker() as session:
        keys = (await session.scalars(sa.select(IdempotencyRecord.key)
                                      .order_by(IdempotencyRecord.key))).all()
    assert keys == ["a", "b"]


async def test_another_integrity_error_is_not_taken_for_the_conflict(client, harness):
    async with harness.sessionmaker() as session, session.begin():
        with pytest.raises(IntegrityError, match="null value"):
            await add_unique(session, record("c", method=None), PRIMARY_KEY, conflict)
        await add_unique(session, record("d"), PRIMARY_KEY, conflict)
    async with harness.sessionmaker() as session:
        keys = (await session.scalars(sa.select(IdempotencyRecord.key))).all()
    assert keys == ["d"]
