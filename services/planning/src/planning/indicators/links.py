"""Which plan indicators another service measures (`data/indicator_links.json`, overridable):
applied to a plan's indicators at import, so the KPI job feeds them."""

import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from planning.indicators.models import Indicator

LINKS_FILE = Path(__file__).resolve().parents[1] / "data" / "indicator_links.json"
LINKS_ENV = "PLANNING_INDICATOR_LINKS_FILE"


def load_links(path: Path | None = None) -> dict[str, dict[str, Any]]:
    chosen = path or Path(os.environ.get(LINKS_ENV) or LINKS_FILE)
    data = json.loads(chosen.read_text(encoding="utf-8"))
    return {code: link for code, link in data.items() if not code.startswith("_")}


async def apply_links(session: AsyncSession, plan_id: int,
                      links: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Link the plan's still-manual indicators named in the file; the codes linked."""
    links = load_links() if links is None else links
    rows = await session.scalars(select(Indicator).where(
        Indicator.plan_id == plan_id, Indicator.code.in_(list(links)),
        Indicator.source == "manual"))
    linked = []
    for indicator in rows:
        link = links[indicator.code]
        indicator.source = link["source"]
        indicator.unit = indicator.unit or link.get("unit")
        indicator.direction = indicator.direction or link.get("direction")
        if link.get("target") is not None:  # only where a document prints it, with its source
            indicator.target, indicator.target_source = link["target"], link["target_source"]
        linked.append(indicator.code)
    return sorted(linked)
