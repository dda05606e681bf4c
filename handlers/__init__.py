"""The Slack side of each feature, one package per feature: `handlers/<feature>/` holds its `register`
(Bolt listeners), ids, payload models, views, outbox renderers and App Home section, and exposes them as
`SLACK` (a `bot.registry.SlackSide`). The features are listed once, in `models.features.FEATURES`; the app,
the runtime and the CLI load their Slack sides from there (`bot.runtime.slack_registry`).

Listeners are thin: parse the payload into a pydantic model, call a domain function inside one unit of work,
render a view, and `ack()` last (Bolt can lose an ack when a listener raises after it; see
shared/PITFALLS.md). Follow-up messages go through the outbox.
"""
