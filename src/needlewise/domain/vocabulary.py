"""Closed vocabularies of Profile v1: every value a person's answers may take.

The knowledge base's ``vocab`` files give each value its labels; the loader checks the two agree.
"""

from __future__ import annotations

from enum import StrEnum


class Setting(StrEnum):
    """Where microneedling would happen."""

    HOME = "home"
    CLINIC = "clinic"


class Goal(StrEnum):
    """What the person hopes to improve."""

    GLOW = "glow"
    PRODUCT_ABSORPTION = "product_absorption"
    TEXTURE = "texture"
    FINE_LINES = "fine_lines"
    WRINKLES = "wrinkles"
    ACNE_SCARS = "acne_scars"
    SCARS = "scars"
    STRETCH_MARKS = "stretch_marks"
    HYPERPIGMENTATION = "hyperpigmentation"
    MELASMA = "melasma"
    HAIR_LOSS = "hair_loss"


class Area(StrEnum):
    """Treatment areas."""

    FOREHEAD = "forehead"
    CHEEKS = "cheeks"
    NOSE = "nose"
    UPPER_LIP = "upper_lip"
    CHIN = "chin"
    UNDER_EYE = "under_eye"
    NECK = "neck"
    CHEST = "chest"
    SCALP = "scalp"
    BODY = "body"


class DeviceKind(StrEnum):
    """Kinds of microneedling device."""

    ROLLER = "roller"
    STAMP = "stamp"
    PEN = "pen"
    UNDECIDED = "undecided"


class SkinNow(StrEnum):
    """Skin conditions present in or near the area today."""

    ACTIVE_INFECTION = "active_infection"
    COLD_SORE = "cold_sore"
    INFLAMED_ACNE = "inflamed_acne"
    OPEN_WOUND = "open_wound"
    ECZEMA_FLARE = "eczema_flare"
    PSORIASIS_FLARE = "psoriasis_flare"
    ROSACEA_FLARE = "rosacea_flare"
    SUNBURN = "sunburn"
    RECENT_TAN = "recent_tan"
    DERMATITIS = "dermatitis"
    SUSPICIOUS_LESION = "suspicious_lesion"
    WARTS = "warts"


class History(StrEnum):
    """Medical history items."""

    KELOID = "keloid"
    HYPERTROPHIC_SCARS = "hypertrophic_scars"
    FREQUENT_COLD_SORES = "frequent_cold_sores"
    PIH = "pih"
    POOR_WOUND_HEALING = "poor_wound_healing"
    SKIN_CANCER = "skin_cancer"
    RADIATION_TO_AREA = "radiation_to_area"
    METAL_ALLERGY = "metal_allergy"
    ANAESTHETIC_ALLERGY = "anaesthetic_allergy"
    BLEEDING_DISORDER = "bleeding_disorder"
    IMMUNOSUPPRESSED = "immunosuppressed"
    DIABETES_UNCONTROLLED = "diabetes_uncontrolled"
    COLLAGEN_VASCULAR_DISEASE = "collagen_vascular_disease"
    CARDIAC_ABNORMALITY = "cardiac_abnormality"
    CANCER_TREATMENT_FINISHED = "cancer_treatment_finished"
    PRODUCT_ALLERGY = "product_allergy"


class Medication(StrEnum):
    """Current medications that matter for needling."""

    ANTICOAGULANT = "anticoagulant"
    ANTIPLATELET = "antiplatelet"
    IMMUNOSUPPRESSANT = "immunosuppressant"
    CHEMOTHERAPY = "chemotherapy"
    TOPICAL_RETINOID = "topical_retinoid"


class ProcedureKind(StrEnum):
    """Recent procedures whose timing matters.

    ``microneedling`` (v1) does not say who did it and is read as a professional session.
    """

    FILLER = "filler"
    BOTULINUM_TOXIN = "botulinum_toxin"
    CHEMICAL_PEEL = "chemical_peel"
    LASER = "laser"
    MICRONEEDLING = "microneedling"
    PROFESSIONAL_MICRONEEDLING = "professional_microneedling"
    HOME_MICRONEEDLING = "home_microneedling"
    FACIAL_SURGERY = "facial_surgery"


class Product(StrEnum):
    """Products the person plans to apply during or right after needling."""

    VITAMIN_C_SERUM = "vitamin_c_serum"
    RETINOID_SERUM = "retinoid_serum"
    ACID_SERUM = "acid_serum"
    HYALURONIC_ACID = "hyaluronic_acid"
    STERILE_CLINIC_PRODUCT = "sterile_clinic_product"
    PRP = "prp"
    UNKNOWN_SERUM = "unknown_serum"
    NUMBING_CREAM = "numbing_cream"


class Lang(StrEnum):
    """Languages every text of the knowledge base is written in."""

    EN = "en"
    ES = "es"
