"""The licence document and the refusal letter as PDF (reference, goods, quantities, validity,
legal basis), in Dutch."""

from datetime import date

from dkbuza_kit.letters import Letter
from dkbuza_kit.letters import render_pdf
from dkbuza_kit.refdata import country_name

MILITARY_BASIS = ("Decreet van 15 juni 2012 betreffende de in-, uit-, doorvoer en overbrenging "
                  "van defensiegerelateerde producten (wapenhandeldecreet); Gemeenschappelijk "
                  "Standpunt 2008/944/GBVB")
DUAL_USE_BASIS = "Verordening (EU) 2021/821 (producten voor tweeërlei gebruik)"
CRITERIA_NL = {1: "internationale verplichtingen (embargo's)", 2: "mensenrechten",
               3: "interne situatie", 4: "regionale vrede en stabiliteit",
               5: "veiligheid van de lidstaten en bondgenoten", 6: "gedrag van het land",
               7: "risico op omleiding", 8: "verenigbaarheid met de ontwikkeling"}


def _basis(regime: str) -> str:
    return DUAL_USE_BASIS if regime == "dual_use" else MILITARY_BASIS


def _amount(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def licence_pdf(licence, lines, today: date) -> bytes:
    goods = [(f"Lijn {line.line_no}: {line.control_entry}",
              f"{line.description}; hoeveelheid {_amount(line.licensed_quantity)} {line.unit}; "
              f"waarde EUR {_amount(line.licensed_value)}") for line in lines]
    letter = Letter(
        title="Vergunning voor strategische goederen", reference=licence.number, dated=today,
        addressee=[licence.holder_name, f"KBO {licence.holder_org}"],
        paragraphs=[f"Op grond van {_basis(licence.regime)} wordt aan de houder een "
                    f"{licence.licence_type}-vergunning verleend voor de hieronder vermelde "
                    f"goederen."],
        facts=[("Vergunningsnummer", licence.number),
               ("Bestemming", f"{licence.destination_country} "
                              f"({country_name(licence.destination_country) or '?'})"),
               ("Geldig van", licence.valid_from.strftime("%d-%m-%Y")),
               ("Geldig tot en met", licence.valid_until.strftime("%d-%m-%Y")),
               *goods,
               ("Voorwaarden", licence.conditions or "geen bijzondere voorwaarden"),
               ("Rechtsgrond", _basis(licence.regime))],
        closing=["De Vlaamse minister bevoegd voor de handel in strategische goederen,",
                 "of zijn gemachtigde."])
    return render_pdf(letter)


def refusal_pdf(application, decision, today: date) -> bytes:
    criteria = [f"criterium {n}: {CRITERIA_NL.get(n, '?')}" for n in decision.refusal_criteria]
    regime = "dual_use" if application.application_type.startswith("dual_use") else "military"
    letter = Letter(
        title="Weigering van uw vergunningsaanvraag", reference=application.reference or "",
        dated=today, addressee=[application.applicant_name, f"KBO {application.applicant_org}"],
        paragraphs=[f"Uw aanvraag {application.reference} voor uitvoer naar "
                    f"{application.destination_country} wordt geweigerd op grond van "
                    f"{_basis(regime)}.",
                    "Deze beslissing steunt op: " + ("; ".join(criteria) or "zie de motivering")
                    + ".",
                    *( [f"Motivering: {decision.reason}"] if decision.reason else []),
                    "Tegen deze beslissing kunt u een beroep tot nietigverklaring instellen bij "
                    "de Raad van State binnen 60 dagen na de kennisgeving."],
        facts=[("Aanvraag", application.reference or ""),
               ("Beslist op", decision.decided_at.date().strftime("%d-%m-%Y")),
               ("Bevoegdheid", decision.authority)],
        closing=["Met vriendelijke groeten,", "Dienst Controle Strategische Goederen"])
    return render_pdf(letter)
