"""Pure value types shared by every layer: profile, tiers, findings, assessment.

Nothing here does I/O or imports anything outside the standard library.
"""
