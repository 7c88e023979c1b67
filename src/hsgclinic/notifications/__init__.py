"""Messages to patients: reminders enqueued in the outbox with the change that causes them, texts in her language,
email over SMTP and SMS behind a small gateway interface, and the worker that delivers them
(docs/decisions/0002-outbox-delivery.md). Also the post-procedure check-in link (CARE-BLEED)."""
