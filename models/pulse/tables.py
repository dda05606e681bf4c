"""Pulse tables: a survey's period (`PulseWave`), who was asked and in which cell (`PulseMember`), who answered
(`PulseParticipation`, keyed so it cannot be read without a server secret), and the anonymous answers
(`PulseResponse`, `PulseAnswer`).

What keeps answers anonymous in storage: a response names only its **cell** (a group of at least the minimum
number of people asked, never a person), has a random id and no time of its own (the wave's period stands for
it); participation is a keyed hash of (wave, person) with no time and no id shared with a response. On SQLite
the participation and response tables are WITHOUT ROWID, so their physical order is their random keys' order,
not the order in which people answered.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.core.base import Base, JSONType, TeamId

WITHOUT_ROWID = ({"sqlite_with_rowid": False},)  # (a tuple: SQLAlchemy reads a trailing dict as table options)


class PulseWave(Base):
    """One period of one survey (`survey_id` of `pulse.surveys`; `period` is the ISO week it opens in). Its
    `questions` are a copy of the survey's at opening, so later edits of the configuration do not change what
    past answers meant. Open from the survey day until `closes_at` (the end of the last open working day
    everywhere); `results_at` is set once its results were sent."""

    __tablename__ = "pulse_waves"
    __table_args__ = (UniqueConstraint("team_id", "survey_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TeamId, ForeignKey("workspaces.team_id"))
    survey_id: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(10))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_at: Mapped[datetime] = mapped_column(index=True)
    min_respondents: Mapped[int] = mapped_column(Integer)
    questions: Mapped[list[dict[str, object]]] = mapped_column(JSONType)
    results_at: Mapped[datetime | None]

    members: Mapped[list[PulseMember]] = relationship(back_populates="wave", cascade="all, delete-orphan")


class PulseMember(Base):
    """Someone asked in a wave, and the cell their answer will count in (see `models.pulse.cells`). Who was
    asked, not who answered."""

    __tablename__ = "pulse_members"

    wave_id: Mapped[int] = mapped_column(ForeignKey("pulse_waves.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)
    cell: Mapped[str] = mapped_column(String(120))
    department: Mapped[str | None] = mapped_column(String(100))
    manager_id: Mapped[int | None] = mapped_column(Integer)  # at the time: for the team groups of the results

    wave: Mapped[PulseWave] = relationship(back_populates="members")


class PulseParticipation(Base):
    """That someone answered a wave: a keyed hash of (wave, person) only, to refuse a second answer and spare
    them the reminder. Without the server's key nobody can tell whose row it is."""

    __tablename__ = "pulse_participation"
    __table_args__ = WITHOUT_ROWID

    wave_id: Mapped[int] = mapped_column(ForeignKey("pulse_waves.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)


class PulseResponse(Base):
    """One anonymous set of answers: its wave and cell, nothing else."""

    __tablename__ = "pulse_responses"
    __table_args__ = WITHOUT_ROWID

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("pulse_waves.id", ondelete="CASCADE"), index=True)
    cell: Mapped[str] = mapped_column(String(120))

    answers: Mapped[list[PulseAnswer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class PulseAnswer(Base):
    """One question's answer in a response: a number (agreement 1–5, eNPS 0–10), a choice, or free text."""

    __tablename__ = "pulse_answers"
    __table_args__ = WITHOUT_ROWID

    response_id: Mapped[str] = mapped_column(ForeignKey("pulse_responses.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int | None] = mapped_column(SmallInteger)
    choice: Mapped[str | None] = mapped_column(String(75))
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[PulseResponse] = relationship(back_populates="answers")
