"""Infringement cases (pure): states and legal basis.

States (Dutch labels): opened (geopend), investigating (in onderzoek), established
(vastgesteld), sanctioned (gesanctioneerd), dismissed (geseponeerd).
Legal basis: a dual-use licence falls under Regulation (EU) 2021/821, whose infringements are
handed to customs (criminal enforcement); a military licence falls under the arms trade decree
of 15 June 2012, with an administrative sanction by the department.
"""

from dkbuza_kit.statemachine import TransitionTable

TRANSITIONS = {
    "opened": frozenset({"investigating", "dismissed"}),
    "investigating": frozenset({"established", "dismissed"}),
    "established": frozenset({"sanctioned", "dismissed"}),
    "sanctioned": frozenset(),
    "dismissed": frozenset(),
}
CLOSED = frozenset({"sanctioned", "dismissed"})
CASE_FLOW = TransitionTable("infringement_case", TRANSITIONS)


def check_transition(current: str, target: str) -> None:
    CASE_FLOW.check(current, target)


def legal_basis(regime: str) -> tuple[str, str]:
    """(legal basis, follow-up) for a licence regime."""
    if regime == "dual_use":
        return "dual_use_regulation", "handed_to_customs"
    return "arms_trade_decree", "administrative_sanction"
