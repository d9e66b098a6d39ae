"""State machines of disasters and applications: explicit transition tables, no I/O.

Anything not in a table is refused with 409 `ILLEGAL_TRANSITION` (the allowed targets are
returned so that a client can show them).
"""

from enum import StrEnum

from dkbuza_kit.statemachine import TransitionTable


class DisasterState(StrEnum):
    """State of the recognition procedure of a disaster (erkenningsprocedure van de ramp).
    Values (Dutch label): reporting (schademeldingen lopen), investigation (in onderzoek),
    awaiting_advice (wacht op advies), assessed (criteria getoetst), submitted_to_government
    (voorgelegd aan de Vlaamse Regering), recognised (erkend als ramp), published
    (bekendgemaakt in het Belgisch Staatsblad), closed (afgesloten), not_recognised
    (niet erkend)."""

    reporting = "reporting"
    investigation = "investigation"
    awaiting_advice = "awaiting_advice"
    assessed = "assessed"
    submitted_to_government = "submitted_to_government"
    recognised = "recognised"
    published = "published"
    closed = "closed"
    not_recognised = "not_recognised"


D = DisasterState
# The phases of the recognition procedure that carry a norm (a rule set's
# `recognition_norms_days`) and are watched against it: every state before publication.
RECOGNITION_PHASES = (D.reporting, D.investigation, D.awaiting_advice, D.assessed,
                      D.submitted_to_government, D.recognised)
DISASTER_TRANSITIONS: dict[DisasterState, frozenset[DisasterState]] = {
    D.reporting: frozenset({D.investigation, D.not_recognised}),
    D.investigation: frozenset({D.awaiting_advice, D.assessed, D.not_recognised}),
    D.awaiting_advice: frozenset({D.investigation, D.assessed, D.not_recognised}),
    D.assessed: frozenset({D.submitted_to_government, D.not_recognised}),
    D.submitted_to_government: frozenset({D.recognised, D.not_recognised}),
    D.recognised: frozenset({D.published}),
    D.published: frozenset({D.closed}),
    D.closed: frozenset(),
    D.not_recognised: frozenset(),
}


class ApplicationState(StrEnum):
    """State of an application (aanvraag tot tegemoetkoming, the dossier). Values (Dutch label):
    submitted (ingediend), late_review (laattijdige aanvraag in beoordeling), inadmissible
    (onontvankelijk), intake (in behandeling), waiting_for_documents (wacht op documenten),
    expert_assigned (expert aangesteld), report_sent (expertiseverslag bezorgd aan de
    aanvrager), report_accepted (expertiseverslag aanvaard), report_contested
    (expertiseverslag betwist), decided (beslist), decision_notified (beslissing ter kennis
    gebracht), rectifying (in rechtzetting), in_appeal (in beroep bij het hof van beroep),
    final (definitief), payment_ordered (betaling opgedragen), paid (uitbetaald), withdrawn
    (ingetrokken)."""

    submitted = "submitted"
    late_review = "late_review"
    inadmissible = "inadmissible"
    intake = "intake"
    waiting_for_documents = "waiting_for_documents"
    expert_assigned = "expert_assigned"
    report_sent = "report_sent"
    report_accepted = "report_accepted"
    report_contested = "report_contested"
    decided = "decided"
    decision_notified = "decision_notified"
    rectifying = "rectifying"
    in_appeal = "in_appeal"
    final = "final"
    payment_ordered = "payment_ordered"
    paid = "paid"
    withdrawn = "withdrawn"


A = ApplicationState
TERMINAL_APPLICATION_STATES = frozenset({A.inadmissible, A.paid, A.withdrawn})
_ALWAYS_WITHDRAWABLE = {A.withdrawn}
APPLICATION_TRANSITIONS: dict[ApplicationState, frozenset[ApplicationState]] = {
    A.submitted: frozenset({A.intake, A.inadmissible, *_ALWAYS_WITHDRAWABLE}),
    A.late_review: frozenset({A.intake, A.inadmissible, *_ALWAYS_WITHDRAWABLE}),
    A.intake: frozenset({A.waiting_for_documents, A.expert_assigned, A.inadmissible,
                         *_ALWAYS_WITHDRAWABLE}),
    A.waiting_for_documents: frozenset({A.intake, A.expert_assigned, *_ALWAYS_WITHDRAWABLE}),
    A.expert_assigned: frozenset({A.report_sent, *_ALWAYS_WITHDRAWABLE}),
    A.report_sent: frozenset({A.report_accepted, A.report_contested, *_ALWAYS_WITHDRAWABLE}),
    A.report_contested: frozenset({A.report_sent, *_ALWAYS_WITHDRAWABLE}),
    A.report_accepted: frozenset({A.decided, *_ALWAYS_WITHDRAWABLE}),
    A.decided: frozenset({A.decision_notified, *_ALWAYS_WITHDRAWABLE}),
    A.decision_notified: frozenset({A.final, A.rectifying, A.in_appeal, *_ALWAYS_WITHDRAWABLE}),
    A.rectifying: frozenset({A.decided, *_ALWAYS_WITHDRAWABLE}),
    # A judgment makes a new decision version that is final at once.
    A.in_appeal: frozenset({A.final, *_ALWAYS_WITHDRAWABLE}),
    # A late appeal may still be lodged against a final decision (flagged OUT_OF_TIME).
    A.final: frozenset({A.payment_ordered, A.in_appeal, *_ALWAYS_WITHDRAWABLE}),
    A.payment_ordered: frozenset({A.paid, A.in_appeal}),
    A.paid: frozenset(),
    A.inadmissible: frozenset(),
    A.withdrawn: frozenset(),
}

# States a client may request through POST /applications/{id}/transitions; the others are
# reached through their own resource (expert report, decision, appeal, payment).
GENERIC_APPLICATION_TARGETS = frozenset({
    A.intake, A.inadmissible, A.waiting_for_documents, A.expert_assigned, A.report_accepted,
    A.report_contested, A.decision_notified, A.final, A.rectifying, A.withdrawn,
})


class Phase(StrEnum):
    """Phases of the turnaround clock (fasen van de doorlooptijd); each has a norm in days in the
    rule set. Values (Dutch label): intake (intake en ontvankelijkheid), expertise (expertise),
    decision (beslissing), objection (rechtzetting en beroep), payment (uitbetaling)."""

    intake = "intake"
    expertise = "expertise"
    decision = "decision"
    objection = "objection"
    payment = "payment"


PHASE_OF_STATE: dict[ApplicationState, Phase | None] = {
    A.submitted: Phase.intake, A.late_review: Phase.intake, A.intake: Phase.intake,
    A.waiting_for_documents: Phase.intake,
    A.expert_assigned: Phase.expertise, A.report_sent: Phase.expertise,
    A.report_contested: Phase.expertise,
    A.report_accepted: Phase.decision, A.decided: Phase.decision, A.rectifying: Phase.decision,
    A.decision_notified: Phase.objection, A.in_appeal: Phase.objection,
    A.final: Phase.payment, A.payment_ordered: Phase.payment,
    A.paid: None, A.inadmissible: None, A.withdrawn: None,
}


DISASTER_FLOW = TransitionTable("disaster", DISASTER_TRANSITIONS)
APPLICATION_FLOW = TransitionTable("application", APPLICATION_TRANSITIONS)


def ensure_disaster_transition(current: DisasterState, target: DisasterState) -> None:
    DISASTER_FLOW.check(current, target)


def ensure_application_transition(current: ApplicationState, target: ApplicationState) -> None:
    APPLICATION_FLOW.check(current, target)
