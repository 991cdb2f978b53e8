"""Waitlists of full class sessions: places in line, offers of freed seats, their pages."""
