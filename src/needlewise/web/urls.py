"""URL map: pages, the JSON API and language switching."""

from __future__ import annotations

from django.urls import path
from django.views.i18n import set_language

from needlewise.api.routes import api
from needlewise.web.views import (
    checkin_public,
    clinic_admin,
    clinic_audit,
    clinic_auth,
    clinic_clients,
    clinic_consent,
    clinic_emergency,
    clinic_followup,
    clinic_messages,
    clinic_password,
    clinic_plans,
    clinic_public,
    clinic_recall,
    clinic_records,
    clinic_recovery,
    clinic_schedule,
    clinic_screen,
    clinic_sessions,
    pages,
    questionnaire,
    saved,
)

clinic_urls = [
    path("clinic/", clinic_clients.home, name="clinic-home"),
    path("clinic/sign-in/", clinic_auth.sign_in, name="clinic-sign-in"),
    path("clinic/sign-in/code/", clinic_auth.sign_in_code, name="clinic-sign-in-code"),
    path("clinic/sign-in/second-factor/", clinic_auth.enrol, name="clinic-enrol"),
    path("clinic/sign-out/", clinic_auth.sign_out, name="clinic-sign-out"),
    path("clinic/password-reset/", clinic_password.password_reset, name="clinic-reset"),
    path(
        "clinic/password-reset/<str:uid>/<str:token>/",
        clinic_password.password_reset_confirm,
        name="clinic-reset-confirm",
    ),
    path("clinic/account/", clinic_password.account, name="clinic-account"),
    path("clinic/account/sign-out-others/", clinic_password.sign_out_others, name="clinic-sign-out-others"),
    path("clinic/account/recovery-codes/", clinic_recovery.new_recovery_codes, name="clinic-recovery-codes"),
    path("clinic/clients/", clinic_clients.client_list, name="clinic-clients"),
    path("clinic/clients/new/", clinic_clients.client_new, name="clinic-client-new"),
    path("clinic/clients/<int:client_id>/", clinic_clients.client_page, name="clinic-client"),
    path("clinic/clients/<int:client_id>/edit/", clinic_clients.client_edit, name="clinic-client-edit"),
    path("clinic/clients/<int:client_id>/archive/", clinic_clients.client_archive, name="clinic-client-archive"),
    path("clinic/clients/<int:client_id>/screen/", clinic_screen.screen, name="clinic-screen"),
    path("clinic/screenings/<int:screening_id>/", clinic_records.screening_page, name="clinic-screening"),
    path("clinic/screenings/<int:screening_id>/pdf/", clinic_records.screening_pdf, name="clinic-screening-pdf"),
    path("clinic/screenings/<int:screening_id>/clear/", clinic_records.clearance, name="clinic-clearance"),
    path("clinic/intake/", clinic_admin.intake_queue, name="clinic-intake"),
    path("clinic/intake/<int:request_id>/", clinic_admin.intake_request, name="clinic-intake-request"),
    path("clinic/intake/<int:request_id>/decide/", clinic_admin.intake_decide, name="clinic-intake-decide"),
    path("clinic/rescreen/", clinic_admin.rescreen_page, name="clinic-rescreen"),
    path("clinic/staff/", clinic_admin.staff, name="clinic-staff"),
    path("clinic/staff/clinical-role/", clinic_admin.staff_clinical_role, name="clinic-staff-clinical-role"),
    path("clinic/staff/<int:staff_id>/active/", clinic_admin.staff_active, name="clinic-staff-active"),
    path("clinic/staff/<int:staff_id>/invitation/", clinic_admin.staff_invitation, name="clinic-staff-invitation"),
    path(
        "clinic/staff/<int:staff_id>/second-factor/",
        clinic_admin.staff_second_factor,
        name="clinic-staff-second-factor",
    ),
    path("clinic/settings/", clinic_admin.clinic_settings, name="clinic-settings"),
    path("clinic/audit/", clinic_audit.audit_log, name="clinic-audit"),
    path("clinic/audit.csv", clinic_audit.audit_export, name="clinic-audit-export"),
    path("clinic/messages/", clinic_messages.message_list, name="clinic-messages"),
    path("clinic/messages/<int:message_id>/resend/", clinic_messages.message_resend, name="clinic-message-resend"),
    path("clinics/", clinic_public.directory, name="clinics"),
    path("clinics/send/", clinic_public.choose, name="clinics-choose"),
    path("clinics/<slug:slug>/", clinic_public.clinic, name="clinic-public"),
    path("clinics/<slug:slug>/request/", clinic_public.send, name="clinic-send"),
    *clinic_consent.urls,
    *clinic_plans.urls,
    *clinic_sessions.urls,
    *clinic_recall.urls,
    *clinic_followup.urls,
    *clinic_schedule.urls,
    *checkin_public.urls,
    *clinic_emergency.urls,
]

urlpatterns = [
    path("", pages.landing, name="landing"),
    path("assess/", questionnaire.step, name="assess"),
    path("assess/start-again/", questionnaire.start_again, name="start-again"),
    path("result/", questionnaire.result, name="result"),
    path("result/pdf/", questionnaire.result_pdf, name="result-pdf"),
    path("save/", saved.save, name="save"),
    path("r/<str:token>/", saved.show, name="saved"),
    path("r/<str:token>/pdf/", saved.pdf, name="saved-pdf"),
    path("r/<str:token>/delete/", saved.delete, name="saved-delete"),
    path("sources/", pages.sources, name="sources"),
    path("claims/", pages.claims, name="claims"),
    path("docs", pages.api_docs, name="api-docs"),
    path("language/", set_language, name="set-language"),
    *clinic_urls,
    path("", api.urls),
]

handler404 = "needlewise.web.views.pages.not_found"
handler500 = "needlewise.web.views.pages.server_error"
