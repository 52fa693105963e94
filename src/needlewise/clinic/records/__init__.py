"""A client's health record: screenings and clearances, treatment plans, tamper evidence."""
