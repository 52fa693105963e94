"""Treatment sessions: the session form, the day's checks, recording, photos and the client's treatment overview."""
