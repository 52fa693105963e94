"""needlewise's tables, one module per concept."""

from needlewise.storage.models.audit import AuditEntry, AuditHead
from needlewise.storage.models.clinic import (
    AssessmentDocument,
    Clearance,
    Client,
    Clinic,
    ConsultationRequest,
    LoginFailure,
    Screening,
    StaffMember,
)
from needlewise.storage.models.saved import SavedResult

__all__ = [
    "AssessmentDocument",
    "AuditEntry",
    "AuditHead",
    "Clearance",
    "Client",
    "Clinic",
    "ConsultationRequest",
    "LoginFailure",
    "SavedResult",
    "Screening",
    "StaffMember",
]
