"""Bookings: class seats after payment: cancellations, rosters, reminders."""
