"""Signing in: passwords and their rules, the second factor, recovery codes, lock-out, the session's user."""
