"""The compensation amount of a decision, computed from the rule set's data. Pure.

Steps (each recorded in the result's `lines` so that a decision explains itself):
1. damage = assessed damage (expert) or claimed damage, minus what insurance paid;
2. hail on crops is excluded when the rule set says so (reason HAIL_ON_CROPS_EXCLUDED);
3. the franchise (EUR 500 private goods, EUR 12,500 public domain) is deducted; damage at or
   below the franchise gives 0 (reason BELOW_FRANCHISE);
4. crop damage that was in principle insurable, during the transitional regime: only with
   broad weather insurance on at least the minimum share of the crop area; rate 80 % when
   more than half is insured, else 40 % (reason INSUFFICIENT_CROP_INSURANCE below the minimum);
5. everything else: the calculation brackets (a percentage per amount band).
Amounts are rounded to cents, half up, once at the end of each band.
"""

from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Bracket:
    lower: Decimal
    upper: Decimal | None  # None: no upper bound
    rate: Decimal          # 0..1


@dataclass(frozen=True)
class CropRules:
    transitional_from: date
    transitional_to: date
    min_insured_share: Decimal
    high_rate_above_share: Decimal
    high_rate: Decimal
    low_rate: Decimal
    hail_excluded: bool = True


@dataclass(frozen=True)
class CalculationRules:
    franchise_private: Decimal
    franchise_public_domain: Decimal
    brackets: tuple[Bracket, ...]
    crop_rules: CropRules | None = None


@dataclass(frozen=True)
class CalculationInput:
    category: str                      # private_goods | public_domain | agricultural_crops | business
    phenomenon: str
    damage_date: date
    damage_amount: Decimal             # assessed by the expert (or claimed)
    insurance_compensation: Decimal = ZERO
    crop_area_ha: Decimal | None = None
    insured_crop_area_ha: Decimal | None = None
    crop_insurable_in_principle: bool = True

    def to_json(self) -> dict[str, Any]:
        return {key: (str(value) if isinstance(value, Decimal | date) else value)
                for key, value in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "CalculationInput":
        def dec(key: str) -> Decimal | None:
            return None if data.get(key) is None else Decimal(data[key])

        return cls(
            category=data["category"], phenomenon=data["phenomenon"],
            damage_date=date.fromisoformat(data["damage_date"]),
            damage_amount=Decimal(data["damage_amount"]),
            insurance_compensation=dec("insurance_compensation") or ZERO,
            crop_area_ha=dec("crop_area_ha"), insured_crop_area_ha=dec("insured_crop_area_ha"),
            crop_insurable_in_principle=bool(data.get("crop_insurable_in_principle", True)),
        )


@dataclass(frozen=True)
class CalculationResult:
    amount: Decimal
    reason_code: str | None
    lines: list[dict[str, str]] = field(default_factory=list)

    def breakdown(self) -> dict[str, Any]:
        return {"amount": str(self.amount), "reason_code": self.reason_code, "lines": self.lines}


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def crop_rules_apply(inp: CalculationInput, crop: CropRules | None) -> bool:
    return (crop is not None and inp.category == "agricultural_crops"
            and inp.crop_insurable_in_principle)


def transitional_regime_ended(inp: CalculationInput, crop: CropRules | None) -> bool:
    """In-principle-insurable crop damage after the transitional regime gets nothing."""
    return crop_rules_apply(inp, crop) and inp.damage_date > crop.transitional_to  # type: ignore[union-attr]


def apply_brackets(amount: Decimal, brackets: tuple[Bracket, ...]) -> tuple[Decimal, list[dict]]:
    total = ZERO
    lines = []
    for band in brackets:
        if amount <= band.lower:
            break
        top = amount if band.upper is None else min(amount, band.upper)
        portion = top - band.lower
        part = _money(portion * band.rate)
        lines.append({"step": "bracket", "from": str(band.lower),
                      "to": "" if band.upper is None else str(band.upper),
                      "rate": str(band.rate), "base": str(portion), "amount": str(part)})
        total += part
    return total, lines


def compute(inp: CalculationInput, rules: CalculationRules) -> CalculationResult:
    lines: list[dict[str, str]] = []
    damage = max(ZERO, inp.damage_amount - inp.insurance_compensation)
    lines.append({"step": "damage", "claimed_or_assessed": str(inp.damage_amount),
                  "insurance_compensation": str(inp.insurance_compensation),
                  "amount": str(damage)})
    crop = rules.crop_rules
    is_crop = inp.category == "agricultural_crops"
    if is_crop and crop is not None and crop.hail_excluded and inp.phenomenon == "hail":
        return CalculationResult(ZERO, "HAIL_ON_CROPS_EXCLUDED", lines)
    if crop_rules_apply(inp, crop) and inp.damage_date > crop.transitional_to:  # type: ignore[union-attr]
        return CalculationResult(ZERO, "TRANSITIONAL_REGIME_ENDED", lines)

    franchise = (rules.franchise_public_domain if inp.category == "public_domain"
                 else rules.franchise_private)
    lines.append({"step": "franchise", "amount": str(franchise)})
    if damage <= franchise:
        return CalculationResult(ZERO, "BELOW_FRANCHISE", lines)
    base = damage - franchise

    if crop_rules_apply(inp, crop) and crop.transitional_from <= inp.damage_date:  # type: ignore[union-attr]
        area = inp.crop_area_ha or Decimal(0)
        insured = inp.insured_crop_area_ha or Decimal(0)
        share = (insured / area) if area > 0 else Decimal(0)
        lines.append({"step": "crop_insurance", "insured_share": str(share.quantize(Decimal("0.0001")))})
        if share < crop.min_insured_share:  # type: ignore[union-attr]
            return CalculationResult(ZERO, "INSUFFICIENT_CROP_INSURANCE", lines)
        rate = crop.high_rate if share > crop.high_rate_above_share else crop.low_rate  # type: ignore[union-attr]
        amount = _money(base * rate)
        lines.append({"step": "crop_rate", "rate": str(rate), "base": str(base),
                      "amount": str(amount)})
        return CalculationResult(amount, None, lines)

    amount, bracket_lines = apply_brackets(base, rules.brackets)
    lines.extend(bracket_lines)
    return CalculationResult(amount, None if amount > 0 else "NO_COMPENSABLE_DAMAGE", lines)
