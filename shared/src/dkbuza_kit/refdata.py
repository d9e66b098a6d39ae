"""Reference-data field types: ISO 3166-1 countries (pycountry), IBAN and BIC (python-stdnum).

Used as pydantic types, so a wrong code is a 422 naming the field; values come out normalised
(upper case, IBAN without spaces).
"""

from collections.abc import Callable
from types import ModuleType
from typing import Annotated

import pycountry
from pydantic import AfterValidator
from pydantic import BeforeValidator
from pydantic import WithJsonSchema
from pydantic_core import PydanticCustomError
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError

# Kosovo has no ISO 3166-1 code yet; the EU and customs use the user-assigned XK for it.
EXTRA_COUNTRIES = {"XK": "Kosovo"}


def country_name(code: str) -> str | None:
    """The English short name of an ISO 3166-1 alpha-2 code, None when it is not one."""
    code = code.strip().upper()
    if code in EXTRA_COUNTRIES:
        return EXTRA_COUNTRIES[code]
    if len(code) != 2 or not code.isalpha():
        return None
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else None


def is_country(code: str) -> bool:
    return country_name(code) is not None


def _country(value: str) -> str:
    code = value.strip().upper()
    if not is_country(code):
        raise PydanticCustomError("unknown_country", "{value} is not an ISO 3166-1 alpha-2 code",
                                  {"value": value})
    return code


def _stdnum_validator(scheme: ModuleType, error_type: str, label: str) -> Callable[[str], str]:
    """A pydantic validator from a python-stdnum scheme (its normal form, or a typed error)."""
    def validate(value: str) -> str:
        try:
            return scheme.validate(value)
        except StdnumError as exc:
            raise PydanticCustomError(error_type, f"{{value}} is not a valid {label} ({{reason}})",
                                      {"value": value, "reason": str(exc)}) from None
    return validate


_iban = _stdnum_validator(stdnum_iban, "invalid_iban", "IBAN")
_bic = _stdnum_validator(stdnum_bic, "invalid_bic", "BIC")


def _text(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


CountryCode = Annotated[str, BeforeValidator(_text), AfterValidator(_country),
                        WithJsonSchema({"type": "string", "pattern": "^[A-Z]{2}$",
                                        "description": "ISO 3166-1 alpha-2 (XK for Kosovo)",
                                        "examples": ["BE"]})]
Iban = Annotated[str, BeforeValidator(_text), AfterValidator(_iban),
                 WithJsonSchema({"type": "string", "examples": ["BE71096123456769"],
                                 "description": "IBAN, checked (country format and check digits)"})]
Bic = Annotated[str, BeforeValidator(_text), AfterValidator(_bic),
                WithJsonSchema({"type": "string", "examples": ["GKCCBEBB"]})]
