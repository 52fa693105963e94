"""Booking sessions: appointments, day lists and calendar files."""
