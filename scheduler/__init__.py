"""The scheduler process: reminders, releases, the waitlist and outbound delivery (next issue)."""
