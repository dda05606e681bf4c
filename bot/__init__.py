"""Candor: continuous performance management in Slack. `bot` wires settings, store, Slack and CLI."""

__version__ = "0.1.0"
