"""Every problem code of the statistics service, with its status and title (raise by name)."""

from dkbuza_kit.errors import ErrorCatalogue
from dkbuza_kit.errors import ErrorCode


class Errors(ErrorCatalogue):
    # Not found (404) and unknown references in a body (422).
    ENTITY_NOT_FOUND = ErrorCode(404, "Network entity not found")
    STATISTIC_NOT_FOUND = ErrorCode(404, "Official statistic not found")
    RELEASE_NOT_FOUND = ErrorCode(404, "Release not found")
    CHANGE_REQUEST_NOT_FOUND = ErrorCode(404, "Change request not found")
    ACTION_NOT_FOUND = ErrorCode(404, "Work-programme action not found")
    VERSION_NOT_FOUND = ErrorCode(404, "Work-programme version not found")
    ADVICE_NOT_FOUND = ErrorCode(404, "RVOS advice not found")
    ASSESSMENT_NOT_FOUND = ErrorCode(404, "Self-assessment not found")
    CATALOGUE_NOT_FOUND = ErrorCode(404, "Indicator catalogue not found")
    PROJECT_NOT_FOUND = ErrorCode(404, "Collaboration project not found")
    UNKNOWN_ENTITY = ErrorCode(422, "Unknown network entity")
    UNKNOWN_STATISTIC = ErrorCode(422, "Unknown official statistic")
    UNKNOWN_PROGRAMME = ErrorCode(422, "Unknown programme")
    UNKNOWN_OBJECTIVE = ErrorCode(422, "Unknown objective")
    UNKNOWN_ACTION = ErrorCode(422, "Unknown action")
    UNKNOWN_INDICATOR = ErrorCode(422, "Unknown Code of Practice indicator")
    # Network, list and programme.
    ENTITY_EXISTS = ErrorCode(409, "The entity exists")
    PROGRAMME_EXISTS = ErrorCode(409, "The programme exists")
    OBJECTIVE_EXISTS = ErrorCode(409, "The objective exists")
    STATISTIC_EXISTS = ErrorCode(409, "The statistic exists")
    OWNER_CHANGE_NOT_PERMITTED = ErrorCode(403, "Only VSA staff may change the owner")
    ALREADY_ON_LIST = ErrorCode(409, "Already on the VSP list")
    NOT_ON_LIST = ErrorCode(409, "Not on the VSP list")
    LIST_CHANGE_OUT_OF_ORDER = ErrorCode(409, "A list change cannot predate the last one")
    WORK_PROGRAMME_EXISTS = ErrorCode(409, "The work programme exists")
    VERSION_ALREADY_FIXED = ErrorCode(409, "The version is fixed")
    CVOS_DECISION_REQUIRED = ErrorCode(422, "A CVOS decision reference and date are required")
    COMPLETION_DATE_MISMATCH = ErrorCode(422, "Completion date and state do not match")
    # Releases.
    STATISTIC_NOT_ON_LIST = ErrorCode(409, "The statistic is not on the VSP list")
    RELEASE_EXISTS = ErrorCode(409, "A live release of this statistic, reference period and "
                                    "vintage exists")
    TARGET_IN_PAST = ErrorCode(422, "The target lies in the past")
    EXACT_DATE_REQUIRED = ErrorCode(422, "An exact day is required less than 28 days ahead")
    TARGET_UNCHANGED = ErrorCode(422, "The new target equals the current one")
    TARGET_OUT_OF_WINDOW = ErrorCode(422, "The date lies outside 1900-2099")
    REFERENCE_PERIOD_NOT_ENDED = ErrorCode(
        422, "The reference period does not end before the publication")
    REFERENCE_PERIOD_PERIODICITY = ErrorCode(
        422, "The reference period does not match the statistic's periodicity")
    RELEASE_TIME_WITH_OFFSET = ErrorCode(
        422, "release_time is a Europe/Brussels wall-clock time without offset")
    REASON_REQUIRED = ErrorCode(422, "A reason is required")
    RESCHEDULE_REASON_REQUIRED = ErrorCode(422, "A date change must be explained (reason)")
    OUTPUT_URL_REQUIRED = ErrorCode(422, "A published release links to its output")
    RELEASE_CLOSED = ErrorCode(409, "The release is published or cancelled")
    RELEASE_NOT_PUBLISHED = ErrorCode(409, "The release is not published")
    TARGET_DATE_NOT_EXACT = ErrorCode(409, "A release is published on an exact, announced day")
    PUBLICATION_BEFORE_SCHEDULED_TIME = ErrorCode(409, "Before the scheduled moment")
    OVERRIDE_NOT_PERMITTED = ErrorCode(403, "Only VSA staff may publish early")
    APPROVAL_REQUIRED = ErrorCode(
        409, "A cancellation is requested and approved (POST .../cancellations)")
    CHANGE_REQUEST_PENDING = ErrorCode(409, "A change request of this release awaits a decision")
    CHANGE_REQUEST_DECIDED = ErrorCode(409, "The change request was already decided")
    SELF_APPROVAL_NOT_PERMITTED = ErrorCode(403, "A change is approved by another person")
    HISTORY_BATCH_DUPLICATE = ErrorCode(409, "The batch holds the same release twice")
    # Calendar.
    INVALID_DATE_RANGE = ErrorCode(422, "`to` lies before `from`")
    DATE_RANGE_TOO_LONG = ErrorCode(422, "The range may span at most 3 years")
    # Quality, consultations, collaborations.
    NO_CATALOGUE = ErrorCode(409, "No indicator catalogue is loaded")
    CATALOGUE_INVALID = ErrorCode(422, "The indicator catalogue is not valid")
    UNSUPPORTED_MEDIA_TYPE = ErrorCode(415, "Unsupported media type")
    ASSESSMENT_EXISTS = ErrorCode(409, "The self-assessment exists")
    ASSESSMENT_SUBMITTED = ErrorCode(409, "The self-assessment is submitted")
    ASSESSMENT_INCOMPLETE = ErrorCode(422, "Indicators are unanswered")
    SCORE_OR_NOT_APPLICABLE = ErrorCode(422, "A score 1-5 or not applicable")
    JUSTIFICATION_REQUIRED = ErrorCode(422, "Not applicable needs a justification")
    ADVICE_ALREADY_ANSWERED = ErrorCode(409, "The advice is answered")
    ADVICE_NOT_ANSWERED = ErrorCode(409, "The advice is not answered")
    TOO_FEW_PARTICIPANTS = ErrorCode(422, "A project has two or more participants")
