"""Reaching clients: their consent to be contacted on each channel, and the quiet hours of SMS."""
