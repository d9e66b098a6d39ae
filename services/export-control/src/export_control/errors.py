"""The problem codes of the export-control service (raise by name: `Errors.X("detail")`)."""

from dkbuza_kit.errors import ErrorCatalogue
from dkbuza_kit.errors import ErrorCode


class Errors(ErrorCatalogue):
    # applications
    APPLICANT_ORG_MISMATCH = ErrorCode(422, "An applicant files only for its own organisation")
    APPLICANT_ORG_REQUIRED = ErrorCode(422, "The company's KBO number is required")
    APPLICATION_NOT_EDITABLE = ErrorCode(409, "The application cannot be edited now")
    END_USER_REQUIRED = ErrorCode(422, "An application needs an end user")
    REQUIRED_DOCUMENTS_MISSING = ErrorCode(
        409, "The application lacks documents its type and destination require")
    INVALID_CONTROL_LIST_ENTRY = ErrorCode(422, "Not an entry of the EU control lists")
    REGIME_MISMATCH = ErrorCode(422, "A goods line's regime does not match the application type")
    ADVICE_MISSING = ErrorCode(409, "Advice is missing on a current line or party")
    ADVICE_SUBJECT_UNKNOWN = ErrorCode(422, "The advice names no line or party of the application")
    REASON_REQUIRED = ErrorCode(422, "A reason is required")
    REFUSAL_CRITERIA_REQUIRED = ErrorCode(422, "A refusal names its criteria")
    REFUSAL_CRITERIA_ON_GRANT = ErrorCode(422, "A grant has no refusal criteria")
    INFORMATION_REQUEST_CLOSED = ErrorCode(409, "The information request was already answered")
    MINISTERIAL_DECISION_REQUIRED = ErrorCode(409, "The case is reserved to the minister")
    SCREENING_PENDING = ErrorCode(409, "Screening has not run")
    SCREENING_FLAG_OPEN = ErrorCode(409, "A sanctions hit is not cleared")
    SCREENING_HIT_RESOLVED = ErrorCode(409, "The screening hit is already resolved")
    DENIAL_CONSULTATION_REQUIRED = ErrorCode(409, "Consult the denying member state first")
    NO_RE_EXPORT_EVIDENCE_REQUIRED = ErrorCode(409, "No-re-export-to-Russia evidence missing")
    # mandatory refusals (embargoes and export bans)
    EMBARGO_REFUSAL = ErrorCode(409, "An embargo or export ban forbids this grant")
    EMBARGO_EXCEPTION_INVALID = ErrorCode(422, "The act provides no such exception")
    EMBARGO_EXCEPTION_SIGNED = ErrorCode(409, "The exception is signed already")
    EMBARGO_LIST_VERSION_EXISTS = ErrorCode(409, "This embargo list version already exists")
    BULK_DECISION_NOT_FAST_TRACK = ErrorCode(409, "Only countersigned fast-track cases in delegation")
    PROCEDURE_INVALID = ErrorCode(422, "The procedure step is not complete or not allowed")
    HISTORY_INVALID = ErrorCode(422, "The historic batch is not valid")
    # licences
    INVALID_VALIDITY = ErrorCode(422, "The licence validity is not allowed")
    UNKNOWN_LINE = ErrorCode(422, "No such goods line")
    # customs ledger (the licence refusals are `licences.workflow.REFUSAL_CODES`)
    LICENCE_SUSPENDED = ErrorCode(409, "The licence is suspended")
    LICENCE_REVOKED = ErrorCode(409, "The licence is revoked")
    LICENCE_EXPIRED = ErrorCode(409, "The licence has expired")
    LICENCE_SURRENDERED = ErrorCode(409, "The licence was surrendered")
    LICENCE_SUPERSEDED = ErrorCode(409, "A new decision replaced the licence")
    LICENCE_NOT_YET_VALID = ErrorCode(409, "The licence is not valid yet")
    LICENCE_LINE_NOT_FOUND = ErrorCode(404, "No such licence line")
    DECLARATION_NOT_FOUND = ErrorCode(404, "No debit for this declaration")
    LICENCE_QUANTITY_EXCEEDED = ErrorCode(409, "The debit exceeds what remains")
    DEBIT_KEY_REUSED = ErrorCode(422, "This declaration item was debited with other amounts")
    ALREADY_RECREDITED = ErrorCode(409, "The debit was re-credited in full")
    RECREDIT_EXCEEDS_DEBIT = ErrorCode(409, "A re-credit cannot exceed the debit")
    RECREDIT_VALUE_MISMATCH = ErrorCode(422, "The re-credited value is not pro rata")
    # transaction reports
    REPORT_LINE_DUPLICATE = ErrorCode(409, "This debit line is already reported")
    # screening data
    DENIAL_NOTICE_REVOKED = ErrorCode(409, "The notice is already revoked")
    DENIAL_NOTICE_DUPLICATE = ErrorCode(409, "This notice is already registered")
    DENIAL_NOTICE_OWN_STATE = ErrorCode(422, "Belgium's own denials are not notices of another state")
    SANCTIONS_FILE_INVALID = ErrorCode(422, "The sanctions file is not valid")
    SANCTIONS_LIST_NOT_PENDING = ErrorCode(409, "The upload is not pending")
    SANCTIONS_LIST_SHRINKS = ErrorCode(409, "The new list is much shorter than the active one")
    # routing
    RULE_SET_VERSION_EXISTS = ErrorCode(409, "This rule set version already exists")
    NO_ACTIVE_RULE_SET = ErrorCode(503, "No routing rule set is active")
    # reports
    INVALID_PERIOD = ErrorCode(422, "Not a report period within the window")
