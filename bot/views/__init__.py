"""Views: pure functions from domain objects to Block Kit (`slack_sdk.models`). No I/O here."""
