"""Traceability and recall: who a cartridge lot or a device touched, exported, and marked for contact."""
