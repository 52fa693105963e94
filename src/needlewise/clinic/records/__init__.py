"""A client's health record: the client, screenings and clearances, treatment plans, tamper evidence."""
