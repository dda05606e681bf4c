"""What every slash command's payload carries, parsed once (each feature's command model extends it)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

_FIRST_WORD = re.compile(r"\s*(\S+)\s*(.*)", re.S)


class SlashCommand(BaseModel):
    model_config = ConfigDict(extra="ignore")

    team_id: str
    user_id: str
    channel_id: str | None = None
    text: str = ""
    trigger_id: str

    def words(self) -> tuple[str, str]:
        """(the first word as typed, the rest), or ("", "") for no text."""
        m = _FIRST_WORD.match(self.text)
        return (m.group(1), m.group(2).strip()) if m else ("", "")
