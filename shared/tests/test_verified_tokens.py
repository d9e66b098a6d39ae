"""Verified tokens are remembered briefly; bad ones never."""

from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import VerifiedTokens


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def principal(sub: str, exp: float) -> Principal:
    return Principal(sub=sub, roles=frozenset(), org="dkbuza", claims={"exp": exp})


def test_a_remembered_token_expires_with_the_ttl_or_its_exp_whichever_is_first():
    clock = FakeClock(1000.0)
    tokens = VerifiedTokens(ttl_s=60, clock=clock)
    tokens.put("long", principal("a", exp=5000))
    tokens.put("short", principal("b", exp=1010))
    clock.now = 1009.9
    assert tokens.get("long").sub == "a" and tokens.get("short").sub == "b"
    clock.now = 1010.0
    assert tokens.get("short") is None  # its own exp
    clock.now = 1060.0
    assert tokens.get("long") is None  # the ttl
    assert tokens.get("never-seen") is None


def test_the_oldest_entry_makes_room():
    tokens = VerifiedTokens(max_entries=2, clock=FakeClock(0.0))
    for name in ("one", "two", "three"):
        tokens.put(name, principal(name, exp=100))
    assert tokens.get("one") is None
    assert tokens.get("two").sub == "two" and tokens.get("three").sub == "three"


async def test_apps_remember_good_tokens_only(client, harness):
    headers = harness.headers("kit.reader", sub="erin")
    assert (await client.get("/v1/widgets", headers=headers)).status_code == 200
    cache = harness.app.state.token_verifier.verified
    token = headers["Authorization"].removeprefix("Bearer ")
    assert cache.get(token).sub == "erin"
    assert (await client.get("/v1/widgets", headers=headers)).status_code == 200
    assert (await client.get("/v1/widgets",
                             headers={"Authorization": "Bearer bad"})).status_code == 401
    assert cache.get("bad") is None
