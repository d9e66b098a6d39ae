from pydantic_settings import SettingsConfigDict

from dkbuza_kit.settings import ServiceSettings


class ExportControlSettings(ServiceSettings):
    """Environment variables prefixed `EXPORT_CONTROL_` (e.g. `EXPORT_CONTROL_DATABASE_URL`)."""

    model_config = SettingsConfigDict(env_prefix="EXPORT_CONTROL_", extra="ignore")

    service_name: str = "export-control"
    # Fuzzy name score (0-100, rapidfuzz token-sort ratio) from which a party matches a listed name.
    screening_match_threshold: float = 88.0
    # Working value (no document fixes it): a new sanctions list with more than this share
    # fewer entities than the active one is activated only with an explicit confirmation.
    screening_list_shrink_alert_pct: float = 20.0
    # A denial notice younger than this many years (and not revoked) blocks a grant.
    denial_notice_validity_years: int = 3
    # Days after a customs debit by which the holder must report the effective transaction.
    transaction_report_term_days: int = 30
    # Days after the report became overdue before an infringement case is opened.
    transaction_report_grace_days: int = 30
    # Default validity of a licence issued on a grant, in months (capped by the legal maximum
    # of its type in data/licence-validity.json, or the file named here).
    licence_validity_months: int = 24
    licence_validity_file: str | None = None
