"""Clinics and staff accounts: adding and managing staff, the second factor, sign-in lock-out, the clinic's page."""
