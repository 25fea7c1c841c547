"""Channels: console and Slack render the same services' results; no domain logic here."""
