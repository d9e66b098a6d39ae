"""The parsed plan: plain data produced by the parser modules (no behaviour beyond views)."""

from dataclasses import dataclass
from dataclasses import field

from planning.plan_import.due_moments import DueReading
from planning.plan_import.lines import ParseIssue

STATUS_ON_TRACK = "on_track"
STATUS_ATTENTION = "attention_needed"
STATUS_ACTION = "action_needed"
STATUS_DONE = "done"


@dataclass
class ParsedResult:
    text: str
    line: int
    reading: DueReading = field(default_factory=lambda: DueReading(kind="undated"))

    @property
    def due(self) -> str | None:
        """The due moment as printed precision allows ("2025-Q2", "2025-H1", "2025-03-31")."""
        due = self.reading.due
        return str(due) if due else None

    @property
    def kind(self) -> str:
        return self.reading.kind


@dataclass
class ParsedInitiative:
    code: str
    title: str
    kind: str
    description: str
    results: list[ParsedResult]
    line: int


@dataclass
class ParsedOperationalGoal:
    code: str  # "OD 3.2.3"
    title: str
    line: int
    description: str = ""
    initiatives: list[ParsedInitiative] = field(default_factory=list)


@dataclass
class ParsedStrategicGoal:
    code: str  # "SD 3.1"
    title: str
    line: int
    operational_goals: list[ParsedOperationalGoal] = field(default_factory=list)


@dataclass
class ParsedPolicyField:
    number: int
    title: str
    line: int
    strategic_goals: list[ParsedStrategicGoal] = field(default_factory=list)


@dataclass
class ParsedReviewItem:
    title: str
    status: str
    line: int


@dataclass
class ParsedReview:
    year: int
    line: int
    printed_total: int | None
    printed_counts: dict[str, int]
    items: list[ParsedReviewItem]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.printed_counts, 0)
        for item in self.items:
            counts[item.status] = counts.get(item.status, 0) + 1
        return counts


@dataclass
class ParsedAuditRecommendation:
    code: str
    title: str
    auditing_body: str
    target_date: str  # ISO date
    status_text: str
    line: int


@dataclass
class ParsedIndicator:
    code: str  # "PI <policy field>.<n>", e.g. "PI 4.1"
    title: str
    description: str | None
    policy_field: int | None
    line: int


@dataclass
class ParsedPlan:
    year: int
    title: str
    policy_fields: list[ParsedPolicyField]
    review: ParsedReview | None
    audit_recommendations: list[ParsedAuditRecommendation]
    warnings: list[ParseIssue]
    indicators: list[ParsedIndicator] = field(default_factory=list)

    @property
    def strategic_goals(self) -> list[ParsedStrategicGoal]:
        return [sd for pf in self.policy_fields for sd in pf.strategic_goals]

    @property
    def operational_goals(self) -> list[ParsedOperationalGoal]:
        return [od for sd in self.strategic_goals for od in sd.operational_goals]

    @property
    def initiatives(self) -> list[ParsedInitiative]:
        return [ini for od in self.operational_goals for ini in od.initiatives]
