"""Every problem code the planning service answers (besides the kit's), with status and title."""

from dkbuza_kit.errors import ErrorCatalogue
from dkbuza_kit.errors import ErrorCode


class Errors(ErrorCatalogue):
    # plans and the import
    PLAN_NOT_FOUND = ErrorCode(404, "No such plan")
    PLAN_FILE_UNREADABLE = ErrorCode(422, "The plan file is not UTF-8 text")
    PLAN_FILE_INVALID = ErrorCode(422, "The file is not a business plan in the supported format")
    PLAN_ALREADY_IMPORTED = ErrorCode(409, "The plan of this year exists")
    PLAN_HAS_STATUS_REPORTS = ErrorCode(409, "The plan has status reports and cannot be replaced")
    PAYLOAD_TOO_LARGE = ErrorCode(413, "The file is too large")
    INITIATIVE_NOT_FOUND = ErrorCode(404, "No such initiative")
    EXPECTED_RESULT_NOT_FOUND = ErrorCode(404, "No such expected result")
    NOT_YOUR_TEAM = ErrorCode(403, "The initiative belongs to another team")
    FIELD_NOT_NULLABLE = ErrorCode(422, "This field cannot be emptied")
    ACHIEVED_DATE_REQUIRED = ErrorCode(422, "An achieved result needs its date")
    DROP_REASON_REQUIRED = ErrorCode(422, "A dropped result needs a reason")
    DUE_INVALID = ErrorCode(422, "Not a due moment")
    MILESTONE_NOT_FOUND = ErrorCode(404, "No such milestone of this result")
    OPERATIONAL_GOAL_NOT_FOUND = ErrorCode(404, "No such operational goal")
    # reporting
    PERIOD_NOT_FOUND = ErrorCode(404, "No such reporting period")
    PERIOD_REQUIRED = ErrorCode(422, "A reporting period is required")
    UNKNOWN_PERIOD = ErrorCode(422, "The plan has no reporting period with this code")
    PERIOD_EXISTS = ErrorCode(409, "The period exists")
    PERIOD_CLOSED = ErrorCode(409, "The period is closed")
    PERIOD_OPEN = ErrorCode(409, "The period is open")
    PERIOD_ALREADY_CLOSED = ErrorCode(409, "The period is already closed")
    STATUS_REPORT_NOT_FOUND = ErrorCode(404, "No such status report")
    STATUS_REPORT_EXISTS = ErrorCode(409, "The initiative has a report for this period")
    EXPLANATION_REQUIRED = ErrorCode(422, "This status needs an explanation")
    CORRECTIVE_ACTION_REQUIRED = ErrorCode(422, "This status needs a proposed corrective action")
    COMMENT_NOT_FOUND = ErrorCode(404, "No such comment on this report")
    RESULTS_NOT_FINISHED = ErrorCode(422, "Done needs every result achieved or dropped")
    # indicators
    INDICATOR_NOT_FOUND = ErrorCode(404, "No such indicator")
    INDICATOR_EXISTS = ErrorCode(409, "The indicator exists")
    INDICATOR_LINK_INVALID = ErrorCode(422, "The indicator link is not valid")
    # resources
    RESOURCES_NOT_FOUND = ErrorCode(404, "No such resources record")
    RESOURCES_EXIST = ErrorCode(409, "The initiative has resources for this period")
    # audit recommendations and reviews
    AUDIT_RECOMMENDATION_NOT_FOUND = ErrorCode(404, "No such audit recommendation")
    AUDIT_RECOMMENDATION_EXISTS = ErrorCode(409, "The audit recommendation exists")
    AUDIT_RECOMMENDATION_IMPLEMENTED = ErrorCode(409, "The recommendation is implemented")
    POSTPONEMENT_NOT_LATER = ErrorCode(422, "A postponement must move the date later")
    IMPLEMENTED_DATE_REQUIRED = ErrorCode(422, "An implemented recommendation needs its date")
    REVIEW_NOT_FOUND = ErrorCode(404, "No such look-back")
    REVIEW_EXISTS = ErrorCode(409, "The year has an imported look-back")
