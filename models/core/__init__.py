"""What every feature builds on, and nothing above it: the declarative base and column types, the one clock,
the organisation's configuration schema, per-person calendar and timing rules, prompt types, message ids
and the domain error, text and time-zone rules, and the ports through which the domain learns about Slack.

Nothing in `models.core` imports a feature, and nothing in `models` imports `bot`, `handlers` or
`scheduler` (tests/test_layers.py)."""
