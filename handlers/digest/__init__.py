"""The HR weekly digest in Slack: the summary, a thread reply per section, the chart and the CSV files
(`renderers`), and how each looks (`views`, `chart`). The digest is queued by the `digest` job
(`models.digest.queue_digest`)."""

from __future__ import annotations

from bot.registry import SlackSide
from handlers.digest.renderers import RENDERERS

SLACK = SlackSide(renderers=RENDERERS)

__all__ = ["SLACK"]
