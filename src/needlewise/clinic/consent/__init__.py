"""Consent: the clinic's versioned consent text and clients' signatures on it."""
