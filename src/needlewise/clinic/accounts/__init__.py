"""Clinics and staff accounts: the clinic and its staff, the clinic's settings, the checked fields of both."""
