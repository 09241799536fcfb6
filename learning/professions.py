"""The controlled vocabularies that describe a person: profession, sector, regulator, stage.

Codes are stable identifiers stored in the database and used in URLs (``?lens=social-work``) and
in content files (``!!! nursing``). Labels may change; codes must not.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Sector(enum.StrEnum):
    """The part of the system a profession belongs to, for mixing cohorts."""

    HEALTH = "health"
    SOCIAL_CARE = "social-care"
    HOUSING = "housing"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "health": "Health",
            "social-care": "Social care",
            "housing": "Housing",
            "other": "Other",
        }[self.value]


class Regulator(enum.StrEnum):
    """Statutory regulators of the professions on the controlled list."""

    NMC = "nmc"
    SWE = "swe"
    HCPC = "hcpc"
    GMC = "gmc"
    GPHC = "gphc"

    @property
    def label(self) -> str:
        return {
            "nmc": "Nursing and Midwifery Council (NMC)",
            "swe": "Social Work England",
            "hcpc": "Health and Care Professions Council (HCPC)",
            "gmc": "General Medical Council (GMC)",
            "gphc": "General Pharmaceutical Council (GPhC)",
        }[self.value]

    @property
    def short(self) -> str:
        return {
            "nmc": "NMC",
            "swe": "Social Work England",
            "hcpc": "HCPC",
            "gmc": "GMC",
            "gphc": "GPhC",
        }[self.value]


class Stage(enum.StrEnum):
    """Where a person is in their career."""

    STUDENT = "student"
    QUALIFIED = "qualified"

    @property
    def label(self) -> str:
        return {
            "student": "Pre-qualification student",
            "qualified": "Qualified practitioner",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Profession:
    """One entry of the controlled list of professions."""

    code: str
    label: str
    sector: Sector
    regulator: Regulator | None
    #: How to address a member in text, e.g. "For nurses".
    plural: str


PROFESSIONS: tuple[Profession, ...] = (
    Profession("social-work", "Social work", Sector.SOCIAL_CARE, Regulator.SWE, "social workers"),
    Profession("nursing", "Nursing", Sector.HEALTH, Regulator.NMC, "nurses"),
    Profession(
        "occupational-therapy",
        "Occupational therapy",
        Sector.HEALTH,
        Regulator.HCPC,
        "occupational therapists",
    ),
    Profession("housing", "Housing", Sector.HOUSING, None, "housing practitioners"),
    Profession("medicine", "Medicine", Sector.HEALTH, Regulator.GMC, "doctors"),
    Profession("physiotherapy", "Physiotherapy", Sector.HEALTH, Regulator.HCPC, "physiotherapists"),
    Profession(
        "paramedic-science", "Paramedic science", Sector.HEALTH, Regulator.HCPC, "paramedics"
    ),
    Profession("pharmacy", "Pharmacy", Sector.HEALTH, Regulator.GPHC, "pharmacists"),
    Profession(
        "social-care",
        "Social care (support and care work)",
        Sector.SOCIAL_CARE,
        None,
        "care and support workers",
    ),
    Profession(
        "other-health",
        "Other health profession",
        Sector.HEALTH,
        None,
        "other health professionals",
    ),
    Profession("other", "Other", Sector.OTHER, None, "others"),
)

BY_CODE: dict[str, Profession] = {p.code: p for p in PROFESSIONS}
CODES: tuple[str, ...] = tuple(BY_CODE)


def profession(code: str) -> Profession:
    """Return the profession with this code; KeyError if the code is not on the list."""
    return BY_CODE[code]


def choices() -> list[tuple[str, str]]:
    """(code, label) pairs for a select field, in list order."""
    return [(p.code, p.label) for p in PROFESSIONS]
