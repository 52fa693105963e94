"""After a session: check-ins and their alerts, adverse events, aftercare, re-screening, lot and device recall."""
