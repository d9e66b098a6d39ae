"""The decision letter (beslissingsbrief) of one decision version, in Dutch, as a PDF."""

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from disaster_fund.applications.models import Application
from disaster_fund.applications.models import Decision
from disaster_fund.deadlines import appeal_term_end
from disaster_fund.rules.models import RuleSet
from disaster_fund.rules.service import content_of
from dkbuza_kit.calendar import add_working_days
from dkbuza_kit.letters import Letter
from dkbuza_kit.letters import render_pdf

KINDS_NL = {"initial": "beslissing", "rectification": "rechtzetting",
            "judgment": "beslissing na vonnis"}


@dataclass(frozen=True)
class AppealTerm:
    presumed_received_on: date
    last_day: date


@cache
def _delivery() -> dict:
    return json.loads(resources.files("disaster_fund.documents").joinpath("delivery.json")
                      .read_text(encoding="utf-8"))


def appeal_term(letter_date: date, appeal_months: int,
                working_days: int | None = None) -> AppealTerm:
    """The letter is presumed received `working_days` working days after its date (weekends,
    Belgian public holidays and the Flemish public service's days off of the kit calendar
    skipped; delivery.json: art. 53bis, 2° Judicial Code, applied as the fund's working value);
    the appeal term of `appeal_months` runs from that day, ending on the same day number that
    many months later, or that month's last day, moved to the next working day when that is a
    Saturday, Sunday or holiday (`deadlines.appeal_term_end`, art. 53 Judicial Code: the rule
    the fund's out-of-time check applies, so the letter states the day the service accepts)."""
    if working_days is None:
        working_days = _delivery()["presumed_received_after_working_days"]
    received = add_working_days(letter_date, working_days)
    return AppealTerm(received, appeal_term_end(received, appeal_months))


MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
             "september", "oktober", "november", "december")


def nl_date(day: date) -> str:
    return f"{day.day} {MONTHS_NL[day.month - 1]} {day.year}"


def euro(amount) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"EUR {grouped},{cents}"


def decision_letter(application: Application, decision: Decision, rule_set: RuleSet,
                    today: date) -> bytes:
    appeal_months = content_of(rule_set).appeal_months
    reference = application.dossier_number or str(application.id)
    term = appeal_term(today, appeal_months)
    appeal = (f"U kunt tegen deze beslissing beroep instellen bij het hof van beroep binnen "
              f"{appeal_months} maand(en) na de ontvangst ervan. Deze brief wordt geacht "
              f"ontvangen te zijn op {nl_date(term.presumed_received_on)} (de "
              f"{_delivery()['presumed_received_after_working_days']}e werkdag na de datum van "
              f"de brief); u kunt dus beroep instellen tot en met {nl_date(term.last_day)}.")
    letter = Letter(
        title=f"Vlaams Rampenfonds - {KINDS_NL.get(decision.kind, decision.kind)} over uw aanvraag",
        reference=reference,
        dated=today,
        addressee=[application.applicant_name or "De aanvrager"],
        paragraphs=[
            f"Wij hebben uw aanvraag tot tegemoetkoming {reference} onderzocht. Het Vlaams "
            f"Rampenfonds kent u een tegemoetkoming toe van {euro(decision.amount)}.",
            f"De berekening volgt de regels van {rule_set.regime}, versie {rule_set.version}.",
            appeal,
        ],
        facts=[("Dossier", reference), ("Versie van de beslissing", str(decision.version)),
               ("Bedrag van de tegemoetkoming", euro(decision.amount)),
               ("Toegepaste regels", f"{rule_set.regime} v{rule_set.version}"),
               ("Beroepstermijn", f"{appeal_months} maand(en) na ontvangst, tot en met "
                                  f"{nl_date(term.last_day)}")],
        closing=["Met vriendelijke groeten,", "Het Vlaams Rampenfonds"],
    )
    return render_pdf(letter)
