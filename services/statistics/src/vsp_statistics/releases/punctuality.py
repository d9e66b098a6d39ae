"""Punctuality (TP3) of a release (pure).

Punctuality is the actual publication date minus the target date, in calendar days. A target
may be a partial date (year, quarter, month, day); a release published anywhere inside a
partial target's period is on time (0 days), after its last day it is late by the days past
that last day, before its first day it is early by the days before that first day. So for an
exact day the figure is simply `published - target`.

It is computed against two targets:
- the current target (the date valid at publication, after any approved reschedule), and
- strictly, the first announced target, which a reschedule never changes.

A release not yet published is `not_yet_published` until its target's last day has passed,
then `overdue` (days = today minus that last day).
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dkbuza_kit.dates import PartialDate


class PunctualityStatus(StrEnum):
    """Punctuality of a release against its target date (stiptheid). Values (Dutch label):
    on_time (tijdig), late (te laat), early (vroeger dan gepland), not_yet_published (nog niet
    gepubliceerd), overdue (achterstallig: doeldatum verstreken, nog niet gepubliceerd)."""

    on_time = "on_time"
    late = "late"
    early = "early"
    not_yet_published = "not_yet_published"
    overdue = "overdue"


@dataclass(frozen=True)
class Punctuality:
    status: PunctualityStatus
    # actual minus target in days; None while not yet published and not overdue.
    days: int | None

    @property
    def punctual(self) -> bool | None:
        """Published on or before the target (counted in the punctuality rate)."""
        if self.status in (PunctualityStatus.on_time, PunctualityStatus.early):
            return True
        if self.status is PunctualityStatus.late:
            return False
        return None


def punctuality(target: PartialDate, published_on: date | None, today: date) -> Punctuality:
    if published_on is None:
        if today > target.last:
            return Punctuality(PunctualityStatus.overdue, (today - target.last).days)
        return Punctuality(PunctualityStatus.not_yet_published, None)
    if published_on > target.last:
        return Punctuality(PunctualityStatus.late, (published_on - target.last).days)
    if published_on < target.first:
        return Punctuality(PunctualityStatus.early, (published_on - target.first).days)
    return Punctuality(PunctualityStatus.on_time, 0)


@dataclass(frozen=True)
class ReleasePunctuality:
    current: Punctuality
    strict: Punctuality


def release_punctuality(current_target: PartialDate, first_announced: PartialDate,
                        published_on: date | None, today: date) -> ReleasePunctuality:
    """Both TP3 variants: against the current target and against the first announced one."""
    return ReleasePunctuality(
        current=punctuality(current_target, published_on, today),
        strict=punctuality(first_announced, published_on, today),
    )
