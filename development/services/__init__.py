"""Every write of member development: one named function per step (pipeline), and the reminders."""
