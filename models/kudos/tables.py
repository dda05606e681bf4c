"""Kudos tables: one recognition, its recipients and its company values."""

from __future__ import annotations

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.base import Base, SlackId, TeamId, Timestamped
from models.core.tables import Person


class Kudos(Timestamped, Base):
    """One recognition: a giver, a message, one or more recipients and company values.

    Written once, in one transaction with its recipients, values and outbox messages. `source_key`
    (the modal's view id or the command's trigger id) is unique, so a double submit saves one kudos.
    """

    __tablename__ = "kudos"
    __table_args__ = (UniqueConstraint("team_id", "source_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TeamId, ForeignKey("workspaces.team_id"))
    giver_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    origin_channel_id: Mapped[str | None] = mapped_column(SlackId)
    permalink: Mapped[str | None] = mapped_column(String(500))
    source_key: Mapped[str] = mapped_column(String(255))

    giver: Mapped[Person] = relationship(foreign_keys=[giver_id])
    recipients: Mapped[list[KudosRecipient]] = relationship(
        back_populates="kudos", cascade="all, delete-orphan", order_by="KudosRecipient.position"
    )
    values: Mapped[list[KudosValue]] = relationship(
        back_populates="kudos", cascade="all, delete-orphan", order_by="KudosValue.value"
    )


class KudosRecipient(Base):
    __tablename__ = "kudos_recipients"

    kudos_id: Mapped[int] = mapped_column(ForeignKey("kudos.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    kudos: Mapped[Kudos] = relationship(back_populates="recipients")
    person: Mapped[Person] = relationship()


class KudosValue(Base):
    __tablename__ = "kudos_values"

    kudos_id: Mapped[int] = mapped_column(ForeignKey("kudos.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[str] = mapped_column(String(50), primary_key=True)

    kudos: Mapped[Kudos] = relationship(back_populates="values")
