"""The hash-chained audit log, and the owner's reading and export of it."""
