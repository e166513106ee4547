"""Outbox, webhooks, change feed and audit log (uses core only)."""
