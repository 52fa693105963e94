"""The pure assessment engine: profile + knowledge base -> assessment. No I/O, no clock."""
