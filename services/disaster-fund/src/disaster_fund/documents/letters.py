"""The decision letter (beslissingsbrief) of one decision version, in Dutch, as a PDF."""

from datetime import date

from disaster_fund.applications.models import Application, Decision
from disaster_fund.rules.models import RuleSet
from dkbuza_kit.letters import Letter, render_pdf

KINDS_NL = {"initial": "beslissing", "rectification": "rechtzetting",
            "judgment": "beslissing na vonnis"}


def euro(amount) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"EUR {grouped},{cents}"


def decision_letter(application: Application, decision: Decision, rule_set: RuleSet,
                    today: date) -> bytes:
    appeal_months = rule_set.content.get("appeal_months")
    reference = application.dossier_number or str(application.id)
    appeal = (f"U kunt tegen deze beslissing beroep instellen bij het hof van beroep binnen "
              f"{appeal_months} maanden na de ontvangst ervan." if appeal_months else
              "U kunt tegen deze beslissing beroep instellen bij het hof van beroep.")
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
               ("Beroepstermijn", f"{appeal_months} maanden na ontvangst" if appeal_months
                else "zie hierboven")],
        closing=["Met vriendelijke groeten,", "Het Vlaams Rampenfonds"],
    )
    return render_pdf(letter)
