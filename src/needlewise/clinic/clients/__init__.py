"""Clients: adding, finding, editing and archiving them, their form declared once, the search index."""
