"""The applications service layer, one module per concern (this module re-exports them for the
routers, the payments, the jobs and the demo):

- `queries`: visibility and lookups; `journal`: event table + audit;
- `submission`: guards and the one-statement insert; `lifecycle`: `change_state`, completion;
- `transitions`: client-requested steps and bulk assignment; `pauses`: the turnaround clock's
  pauses; `expert_reports`; `decisions`; `appeals`; `turnaround_report`.
"""

from disaster_fund.applications.appeals import lodge_appeal
from disaster_fund.applications.appeals import record_judgment
from disaster_fund.applications.corrections import correct
from disaster_fund.applications.decisions import FINALITY_TASK
from disaster_fund.applications.decisions import calculation_input
from disaster_fund.applications.decisions import decide
from disaster_fund.applications.decisions import finalise_after_term
from disaster_fund.applications.decisions import recompute
from disaster_fund.applications.expert_reports import DEEMED_ACCEPTANCE_TASK
from disaster_fund.applications.expert_reports import approve_excess
from disaster_fund.applications.expert_reports import deem_report_accepted
from disaster_fund.applications.expert_reports import send_expert_report
from disaster_fund.applications.journal import log_event
from disaster_fund.applications.lifecycle import change_state
from disaster_fund.applications.lifecycle import complete
from disaster_fund.applications.lifecycle import lock_in_order
from disaster_fund.applications.pauses import add_pause
from disaster_fund.applications.pauses import end_pause
from disaster_fund.applications.queries import count_open
from disaster_fund.applications.queries import current_decision
from disaster_fund.applications.queries import decisions_of
from disaster_fund.applications.queries import get
from disaster_fund.applications.queries import items_of
from disaster_fund.applications.queries import latest_report
from disaster_fund.applications.queries import open_appeal
from disaster_fund.applications.queries import pauses_of
from disaster_fund.applications.queries import rule_set_for
from disaster_fund.applications.queries import visible
from disaster_fund.applications.submission import SUBMISSION_STATEMENT
from disaster_fund.applications.submission import Submission
from disaster_fund.applications.submission import check_scope
from disaster_fund.applications.submission import insert_submission
from disaster_fund.applications.submission import prepare_submission
from disaster_fund.applications.transitions import bulk_assign_expert
from disaster_fund.applications.transitions import transition
from disaster_fund.applications.turnaround_report import turnaround_of

__all__ = [
    "DEEMED_ACCEPTANCE_TASK", "FINALITY_TASK", "SUBMISSION_STATEMENT", "Submission", "add_pause",
    "approve_excess", "bulk_assign_expert", "calculation_input", "change_state", "check_scope",
    "correct",
    "complete", "count_open", "current_decision", "decide", "decisions_of",
    "deem_report_accepted", "end_pause", "finalise_after_term", "get", "insert_submission",
    "items_of", "latest_report", "lock_in_order", "log_event", "lodge_appeal", "open_appeal", "pauses_of",
    "prepare_submission", "recompute", "record_judgment", "rule_set_for", "send_expert_report",
    "transition", "turnaround_of", "visible",
]
