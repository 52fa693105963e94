"""needlewise's tables, one module per concept."""

from needlewise.storage.models.access import EmergencyAccess
from needlewise.storage.models.audit import AuditEntry, AuditHead
from needlewise.storage.models.clinic import (
    AssessmentDocument,
    Clearance,
    Client,
    Clinic,
    ConsultationRequest,
    LoginFailure,
    RecoveryCode,
    Screening,
    StaffMember,
)
from needlewise.storage.models.consent import Consent, ConsentTemplate
from needlewise.storage.models.followup import AdverseEvent, CheckIn, RecallContact
from needlewise.storage.models.messages import ContactConsent, QueuedMessage
from needlewise.storage.models.saved import Journal, JournalStart, SavedResult
from needlewise.storage.models.scheduling import Appointment
from needlewise.storage.models.search import ClientSearchToken
from needlewise.storage.models.treatment import PlanZone, SessionPhoto, SessionZone, TreatmentPlan, TreatmentSession

__all__ = [
    "AdverseEvent",
    "Appointment",
    "AssessmentDocument",
    "AuditEntry",
    "AuditHead",
    "CheckIn",
    "Clearance",
    "Client",
    "ClientSearchToken",
    "Clinic",
    "Consent",
    "ConsentTemplate",
    "ConsultationRequest",
    "ContactConsent",
    "EmergencyAccess",
    "Journal",
    "JournalStart",
    "LoginFailure",
    "PlanZone",
    "QueuedMessage",
    "RecallContact",
    "RecoveryCode",
    "SavedResult",
    "Screening",
    "SessionPhoto",
    "SessionZone",
    "StaffMember",
    "TreatmentPlan",
    "TreatmentSession",
]
