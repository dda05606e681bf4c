"""What the 1:1 listeners share: one unit of work that turns a `OneOnOneError` into an answer, the acting
person's translator, opening a modal, sealing a modal's state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.i18n import Translator
from bot.services import user_of
from models.one_on_ones import OneOnOneError

if TYPE_CHECKING:
    from bot.services import Services

T = TypeVar("T")


@dataclass(frozen=True)
class Kit:
    services: Services

    def attempt(self, fn: Callable[[Session], T]) -> tuple[T | None, OneOnOneError | None]:
        """Run `fn` in one unit of work; a `OneOnOneError` rolls it back and is returned."""
        try:
            with self.services.unit_of_work() as session:
                return fn(session), None
        except OneOnOneError as err:
            return None, err

    def translator_for(self, body: dict[str, Any]) -> Translator:
        return self.services.translator_for(body)

    def open_view(self, trigger_id: str, view: View) -> None:
        self.services.request_client().views_open(trigger_id=trigger_id, view=view)

    def seal(self, callback_id: str, body: dict[str, Any], data: dict[str, Any]) -> str:
        return self.services.sealer.seal(callback_id, user_of(body), data)
