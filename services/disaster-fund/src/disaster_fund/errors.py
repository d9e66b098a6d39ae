"""Every problem code the disaster fund answers, with its status and title (raise by name:
`raise Errors.DOSSIER_CLOSED("...")`). Kit codes (NOT_FOUND, ILLEGAL_TRANSITION, time rules,
bounds) live in `dkbuza_kit.errors.KitErrors`."""

from dkbuza_kit.errors import ErrorCatalogue
from dkbuza_kit.errors import ErrorCode


class Errors(ErrorCatalogue):
    # Disasters and their recognition
    EVENT_BEFORE_FLEMISH_COMPETENCE = ErrorCode(
        422, "Events before 1 July 2014 fell under the federal disaster fund")
    REGIME_NOT_SUPPORTED = ErrorCode(422, "No rule set of this service covers the event date")
    NO_RULE_SET = ErrorCode(422, "No rule set applies to the event date")
    UNKNOWN_MUNICIPALITY = ErrorCode(422, "Unknown NIS code")
    SCOPE_NOT_IN_DISASTER = ErrorCode(422, "The recognition scope lies outside the disaster")
    CRITERIA_REQUIRED = ErrorCode(422, "Measured values and thresholds of the criteria are required")
    PUBLICATION_DATE_REQUIRED = ErrorCode(422, "The Belgian State Gazette date is required")
    ADVICE_PENDING = ErrorCode(409, "Advice requests are still unanswered")
    ADVICE_ALREADY_RECEIVED = ErrorCode(409, "This advice was already received")
    APPLICATIONS_OPEN = ErrorCode(409, "Applications of the disaster are still open")
    DISASTER_LOCKED = ErrorCode(409, "The disaster can no longer be edited")
    DISASTER_CLOSED = ErrorCode(409, "The disaster no longer accepts damage reports")
    # Damage reports
    REPORT_WINDOW_CLOSED = ErrorCode(422, "The damage-report window has closed")
    REPORTER_REQUIRED = ErrorCode(422, "A handler names the reporter")
    REPORTER_NOT_ALLOWED = ErrorCode(422, "reporter_id is for handlers only")
    PAPER_FIELDS_NOT_ALLOWED = ErrorCode(422, "Paper-intake fields are for handlers only")
    DUPLICATE_DAMAGE_REPORT = ErrorCode(409, "This reporter already filed a report")
    NOT_OWN_MUNICIPALITY = ErrorCode(403, "A municipality acts for its own territory only")
    # Applications
    REQUIRED_DOCUMENTS_MISSING = ErrorCode(
        409, "The dossier lacks documents its rule set requires for intake")
    DOCUMENT_NOT_REQUIRED = ErrorCode(422, "The rule set does not require this document kind")
    DISASTER_NOT_RECOGNISED = ErrorCode(422, "The recognition is not published yet")
    OUTSIDE_RECOGNITION_SCOPE = ErrorCode(422, "Outside the recognised municipalities or period")
    APPLICATION_DEADLINE_PASSED = ErrorCode(422, "The application deadline has passed")
    TRANSITIONAL_REGIME_ENDED = ErrorCode(422, "The transitional crop regime has ended")
    PAPER_APPLICATION_FIELDS_REQUIRED = ErrorCode(422, "A paper application needs its receipt")
    TIMEZONE_REQUIRED = ErrorCode(422, "A timestamp needs a UTC offset")
    CATEGORY_NOT_ALLOWED = ErrorCode(422, "This category is not claimed by this applicant")
    PRIORITY_REASON_REQUIRED = ErrorCode(422, "A priority request needs its reason")
    INSURANCE_INCONSISTENT = ErrorCode(422, "Insurance compensation without insurance")
    REASON_REQUIRED = ErrorCode(422, "A reason is required")
    EXPERT_REQUIRED = ErrorCode(422, "expert_sub is required")
    APPLICATION_CLOSED = ErrorCode(409, "The dossier is closed")
    # Pauses
    PAUSE_REASON_NOT_ALLOWED = ErrorCode(422, "Only waits on the applicant pause the clock")
    INVALID_PAUSE = ErrorCode(422, "The pause's dates are not valid")
    PAUSE_OVERLAP = ErrorCode(409, "Pauses of one dossier cannot overlap")
    PAUSE_ALREADY_ENDED = ErrorCode(409, "This pause has ended")
    # Expert reports
    NO_EXPERT_REPORT = ErrorCode(409, "The dossier has no expert report")
    EXCESS_REASON_REQUIRED = ErrorCode(
        422, "An assessed amount far above the claim needs a reason")
    EXCESS_NOT_APPROVED = ErrorCode(
        409, "An assessed amount far above the claim needs a second handler's approval")
    EXCESS_APPROVAL_NOT_NEEDED = ErrorCode(409, "This report needs no approval")
    SECOND_HANDLER_REQUIRED = ErrorCode(
        403, "The approval comes from another handler than the dossier's")
    # History import
    HISTORY_INCONSISTENT = ErrorCode(422, "A historic dossier's facts do not agree")
    DOSSIER_NUMBER_TAKEN = ErrorCode(409, "A dossier number is already in use")
    # Corrections and payees
    CORRECTION_NOT_ALLOWED = ErrorCode(409, "This fact can no longer be corrected here")
    PAYEE_INCONSISTENT = ErrorCode(422, "The payee does not fit the dossier")
    # Decisions and appeals
    NO_DECISION = ErrorCode(409, "The dossier has no decision yet")
    RECTIFICATION_ONLY = ErrorCode(422, "A corrected damage amount is given in a rectification")
    REVIEW_NOT_OPEN = ErrorCode(409, "This decision is not open for review")
    APPEAL_PENDING = ErrorCode(409, "An appeal against the decision is pending")
    APPEAL_CLOSED = ErrorCode(409, "The judgment was already recorded")
    # Payments and recoveries
    DECISION_NOT_FINAL = ErrorCode(409, "Only final decisions are paid")
    NOTHING_TO_PAY = ErrorCode(409, "The decision grants no amount")
    PAYMENT_EXISTS = ErrorCode(409, "This decision version already has a payment of this type")
    PAYMENT_NOT_ORDERED = ErrorCode(409, "The payment is not in the ordered state")
    INTEREST_AMOUNT_REQUIRED = ErrorCode(422, "An interest payment states its amount")
    AMOUNT_NOT_ALLOWED = ErrorCode(422, "A compensation pays the decided amount")
    INTEREST_NOT_DUE = ErrorCode(409, "Interest is due after a judgment or a late payment only")
    PAYMENT_NOT_APPROVED = ErrorCode(409, "The payment order awaits a second person's approval")
    PAYMENT_APPROVAL_NOT_NEEDED = ErrorCode(409, "This payment order needs no (further) approval")
    SECOND_PERSON_REQUIRED = ErrorCode(403, "The approval comes from another person")
    NOTHING_PAID = ErrorCode(409, "Only paid dossiers can be recovered from")
    RECOVERY_EXCEEDS_PAID = ErrorCode(422, "Recoveries would exceed the paid amount")
    # Legacy date codes, kept for clients (new checks use the kit's time rules).
    INVALID_DATE = ErrorCode(422, "The date is not valid here")
    INVALID_PERIOD = ErrorCode(422, "The period ends before it starts")
