"""The organisation's configuration: one validated YAML file (`CANDOR_CONFIG`), read into `OrgConfig`.

Company values, channels, HR admins, limits, the schedule defaults, the pilot rollout, privacy settings and
each feature's section. Every problem is reported as a `ConfigError` whose lines name the field and what is
wrong, so `candor run` and `candor config check` fail with one clear line per problem.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SLACK_ID = re.compile(r"^[UWCGD][A-Z0-9]{2,}$")
VALUE_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(Exception):
    """Configuration is unusable. `problems` holds one human-readable line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))




class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CompanyValue(_Strict):
    """A company value that kudos can be tagged with: `#customer-focus`."""

    name: Annotated[str, Field(description="Tag people type after '#', e.g. customer-focus")]
    emoji: str = ":star:"
    description: str = ""

    @field_validator("name")
    @classmethod
    def _slug(cls, v: str) -> str:
        v = v.strip().lower()
        if not VALUE_SLUG.match(v):
            raise ValueError(
                "must be 1-50 characters of lowercase letters, digits, '-' or '_' (it is typed as #tag)"
            )
        return v

    @field_validator("emoji")
    @classmethod
    def _emoji(cls, v: str) -> str:
        if not re.fullmatch(r":[a-z0-9_+\-']+:", v):
            raise ValueError("must be a Slack emoji code such as ':star:'")
        return v


class KudosConfig(_Strict):
    announce: Literal["channel", "origin", "none"] = Field(
        default="channel",
        description="Where the public kudos post goes: the kudos channel, the channel the command "
        "came from, or nowhere (recipients still get a DM).",
    )
    channel: str | None = Field(default=None, description="Kudos channel id (C…), for announce=channel")
    min_message_length: int = Field(default=20, ge=1, le=1000)
    max_message_length: int = Field(default=1000, ge=20, le=2500)
    max_recipients: int = Field(default=10, ge=1, le=50)
    weekly_allowance: int | None = Field(
        default=None, ge=1, description="Kudos a person may give per local week; empty = unlimited"
    )

    @field_validator("channel")
    @classmethod
    def _channel(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[CG][A-Z0-9]{2,}", v):
            raise ValueError("must be a Slack channel id such as C0123456789 (not a #name)")
        return v

    @model_validator(mode="after")
    def _coherent(self) -> KudosConfig:
        if self.max_message_length < self.min_message_length:
            raise ValueError("max_message_length must be at least min_message_length")
        if self.announce == "channel" and self.channel is None:
            raise ValueError("announce is 'channel' but no channel is set: set kudos.channel or announce")
        return self


class HrConfig(_Strict):
    digest_channel: str | None = None
    timezone: str = Field(default="UTC", description="HR's time zone: the digest's weeks and its posting time")
    digest_weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    digest_time: time = Field(default=time(9, 0), description="Local time (hr.timezone) the weekly digest is posted")
    unrecognised_weeks: int = Field(default=6, ge=1, le=52,
                                    description="Weeks without kudos before someone is listed as unrecognised")
    admins: list[str] = Field(default_factory=list, description="Slack user ids (U…) of HR admins")

    @field_validator("admins")
    @classmethod
    def _ids(cls, v: list[str]) -> list[str]:
        for uid in v:
            if not re.fullmatch(r"[UW][A-Z0-9]{2,}", uid):
                raise ValueError(f"{uid!r} is not a Slack user id (U…)")
        return v

    @field_validator("timezone")
    @classmethod
    def _hr_tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{v!r} is not an IANA time zone such as 'Europe/Berlin'") from None
        return v

    @field_validator("digest_channel")
    @classmethod
    def _channel(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[CG][A-Z0-9]{2,}", v):
            raise ValueError("must be a Slack channel id such as C0123456789")
        return v


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _weekdays() -> list[Weekday]:
    return ["mon", "tue", "wed", "thu", "fri"]


class ScheduleConfig(_Strict):
    """Defaults for when prompts may reach people (each in their own time zone)."""

    default_timezone: str = Field(default="UTC", description="Used when Slack has no tz for a person")
    working_days: list[Weekday] = Field(default_factory=_weekdays)
    quiet_hours_start: time = time(20, 0)
    quiet_hours_end: time = time(8, 0)
    grace_hours: float = Field(
        default=6.0,
        ge=0,
        le=72,
        description="After downtime, a prompt that fell due less than this long ago is still sent; "
        "older ones are recorded as skipped",
    )

    @field_validator("default_timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{v!r} is not an IANA time zone such as 'Europe/Berlin'") from None
        return v

    @field_validator("working_days")
    @classmethod
    def _days(cls, v: list[Weekday]) -> list[Weekday]:
        if not v:
            raise ValueError("at least one working day is needed")
        return v

    def working_day_numbers(self) -> frozenset[int]:
        return frozenset(WEEKDAYS.index(d) for d in self.working_days)


QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class CheckinQuestion(_Strict):
    """One check-in question. `blocker: true` marks answers to it as blockers in the manager's summary."""

    id: str
    text: str = Field(min_length=1, max_length=150)
    type: Literal["long_text", "scale", "choice"] = "long_text"
    required: bool = True
    choices: list[str] = Field(default_factory=list)
    blocker: bool = False
    max_length: int = Field(default=1500, ge=10, le=3000)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not QUESTION_ID.match(v):
            raise ValueError("must be a short lowercase identifier such as 'wins' or 'next_steps'")
        return v

    @model_validator(mode="after")
    def _choices(self) -> CheckinQuestion:
        if self.type == "choice" and not 2 <= len(self.choices) <= 10:
            raise ValueError("a choice question needs 2 to 10 choices")
        if self.type != "choice" and self.choices:
            raise ValueError("choices are only for type 'choice'")
        if any(len(c) > 75 for c in self.choices):
            raise ValueError("each choice must be at most 75 characters")
        return self


def _default_questions() -> list[CheckinQuestion]:
    return [
        CheckinQuestion(id="wins", text="What went well this week?"),
        CheckinQuestion(id="blockers", text="Anything blocking you or slowing you down?", required=False,
                        blocker=True),
        CheckinQuestion(id="next_steps", text="What are you focusing on next week?"),
        CheckinQuestion(id="week", text="How was your week?", type="scale"),
    ]


class CheckinConfig(_Strict):
    """The weekly check-in: when it is asked (each person's local time) and what it asks."""

    enabled: bool = True
    cadence: Literal["weekly", "biweekly"] = "weekly"
    weekday: Weekday = "fri"
    at: time = Field(default=time(15, 0), description="Local time of the prompt")
    reminder_weekday: Weekday = Field(default="mon", description="Reminder day, in the week after the prompt")
    reminder_time: time = time(10, 0)
    missed_weeks_alert: int = Field(default=2, ge=1, le=12, description="Missed check-ins in a row before an alert")
    questions: list[CheckinQuestion] = Field(default_factory=_default_questions)

    @field_validator("questions")
    @classmethod
    def _questions(cls, v: list[CheckinQuestion]) -> list[CheckinQuestion]:
        if not 1 <= len(v) <= 20:
            raise ValueError("between 1 and 20 questions")
        ids = [q.id for q in v]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"question ids must be unique: {', '.join(dupes)}")
        return v


class OneOnOneConfig(_Strict):
    """Defaults for manager–report 1:1s; each pair can change its own cadence, day and time."""

    enabled: bool = True
    default_cadence: Literal["weekly", "biweekly"] = "biweekly"
    default_weekday: Weekday = "tue"
    default_time: time = time(10, 0)
    agenda_time: time = Field(default=time(9, 0), description="Local time of the agenda DM, the working day before")
    no_meeting_alert_weeks: int = Field(default=4, ge=1, le=26)


class GoalsConfig(_Strict):
    """Goals and OKRs: their periods, limits and nudges (each owner's local working hours)."""

    enabled: bool = True
    period: Literal["quarter", "half", "year"] = Field(default="quarter", description="The default goal period")
    fiscal_year_start_month: int = Field(default=1, ge=1, le=12, description="1 = January; 4 = April, …")
    soft_limit_active: int = Field(default=5, ge=1, le=50, description="Active goals per person before a warning")
    max_key_results: int = Field(default=5, ge=1, le=10)
    stall_days: int = Field(default=14, ge=3, le=90, description="Days without an update before a nudge")
    nudge_time: time = Field(default=time(10, 0), description="Local time of nudges and close-out prompts")
    default_visibility: Literal["public", "private"] = "public"
    in_checkins: bool = Field(default=True, description="The check-in modal shows active goals with a progress field")


COMPETENCY_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")


class Competency(_Strict):
    """A competency of the framework, with behaviour-anchored levels: `levels[0]` describes level 1, and so on.
    Each level is a sentence about what someone at that level is seen to do, so that a level means the same
    in every team. `role_families`: the departments it applies to (empty: everyone)."""

    id: str = Field(description="Short name, e.g. customer-focus (typed in `/feedback request @a about …`)")
    name: str = Field(min_length=1, max_length=75)
    description: str = Field(default="", max_length=300)
    levels: list[Annotated[str, Field(min_length=1, max_length=150)]] = Field(min_length=2, max_length=7)
    role_families: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        v = v.strip().lower()
        if not COMPETENCY_ID.match(v):
            raise ValueError("must be 1-50 characters of lowercase letters, digits, '-' or '_'")
        return v

    def applies_to(self, department: str | None) -> bool:
        families = {f.lower() for f in self.role_families}
        return not families or (department or "").lower() in families


def _default_competencies() -> list[Competency]:
    return [
        Competency(id="customer-focus", name="Customer focus", description="Works from what customers need",
                   levels=["Responds to customer requests when asked.",
                           "Checks what the customer needs before acting and follows up on their issues.",
                           "Anticipates customer needs and changes the team's work to meet them.",
                           "Shapes products or processes from patterns across many customers."]),
        Competency(id="collaboration", name="Collaboration", description="Gets things done with others",
                   levels=["Shares information when someone asks for it.",
                           "Keeps others informed and asks for input before deciding.",
                           "Brings people from several teams together to reach a shared result.",
                           "Builds working relationships across the organisation that others rely on."]),
        Competency(id="ownership", name="Ownership", description="Sees things through",
                   levels=["Completes assigned tasks with guidance.",
                           "Delivers own commitments on time and says early when they slip.",
                           "Takes responsibility for outcomes beyond their own tasks, fixing root causes.",
                           "Owns outcomes for a whole area and sets the standard others follow."]),
        Competency(id="communication", name="Communication", description="Says it clearly and listens",
                   levels=["Shares updates when prompted.",
                           "Writes and speaks clearly for the audience, and checks understanding.",
                           "Explains complex topics simply and handles disagreement constructively.",
                           "Changes how the organisation communicates; others ask them to explain."]),
        Competency(id="growth", name="Growth", description="Learns and helps others learn",
                   levels=["Learns what the role requires when shown.",
                           "Seeks feedback and acts on it; picks up new skills on their own.",
                           "Coaches colleagues and shares what they learn.",
                           "Builds learning into how teams work across the organisation."]),
    ]


class FeedbackConfig(_Strict):
    """Feedback and 360: the competency framework, who sees feedback by default, and request limits."""

    enabled: bool = True
    competencies: list[Competency] = Field(default_factory=_default_competencies)
    default_visibility: Literal["recipient", "recipient_and_manager", "manager"] = Field(
        default="recipient_and_manager", description="Who sees feedback unless the author chooses otherwise")
    max_peers_per_request: int = Field(default=5, ge=1, le=20)
    reminder_days: int = Field(default=3, ge=1, le=30, description="Working days before one reminder to a peer")
    min_example_length: int = Field(default=20, ge=5, le=500)
    max_text_length: int = Field(default=2000, ge=100, le=3000)
    min_reviewers: int = Field(
        default=3, ge=3, le=20,
        description="Fewest answers (the manager's not counted) before an anonymous 360 round shows anything")
    round_days: int = Field(default=14, ge=3, le=90, description="Default time a 360 round runs, in days")
    max_reviewers: int = Field(default=15, ge=3, le=30, description="Most reviewers in one 360 round")
    calibration_min_ratings: int = Field(
        default=5, ge=3, le=100,
        description="Fewest ratings behind a calibration figure (a manager's distribution, recency) before it is shown")

    @field_validator("competencies")
    @classmethod
    def _competencies(cls, v: list[Competency]) -> list[Competency]:
        ids = [c.id for c in v]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"competency ids must be unique: {', '.join(dupes)}")
        if len(v) > 50:
            raise ValueError("at most 50 competencies")
        return v

    @model_validator(mode="after")
    def _reviewers(self) -> FeedbackConfig:
        if self.min_reviewers >= self.max_reviewers:
            raise ValueError(f"min_reviewers ({self.min_reviewers}) must be below max_reviewers "
                             f"({self.max_reviewers}): an anonymous 360 needs the minimum besides the manager")
        return self

    def competency(self, competency_id: str | None) -> Competency | None:
        return next((c for c in self.competencies if c.id == (competency_id or "").lower()), None)


class PulseQuestion(_Strict):
    """One pulse question: `agree` (a 1–5 agreement scale, favourable at 4–5), `enps` (0–10, "how likely are you
    to recommend…"), `choice` (one of 2–10 options) or `text` (free text, always optional)."""

    id: str
    text: str = Field(min_length=1, max_length=150)
    type: Literal["agree", "enps", "choice", "text"] = "agree"
    choices: list[str] = Field(default_factory=list)
    required: bool = True

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not QUESTION_ID.match(v):
            raise ValueError("must be a short lowercase identifier such as 'workload' or 'enps'")
        return v

    @model_validator(mode="after")
    def _check(self) -> PulseQuestion:
        if self.type == "choice" and not 2 <= len(self.choices) <= 10:
            raise ValueError("a choice question needs 2 to 10 choices")
        if self.type != "choice" and self.choices:
            raise ValueError("choices are only for type 'choice'")
        if any(not c.strip() or len(c) > 75 for c in self.choices):
            raise ValueError("each choice must be 1 to 75 characters")
        return self

    @property
    def is_required(self) -> bool:
        """Free text is always optional: nobody should have to write words that might identify them."""
        return self.required and self.type != "text"


def _default_pulse_questions() -> list[PulseQuestion]:
    return [
        PulseQuestion(id="workload", text="My workload is manageable."),
        PulseQuestion(id="growth", text="I am learning and growing in my role."),
        PulseQuestion(id="recognition", text="I receive recognition when I do good work."),
        PulseQuestion(id="manager_support", text="My manager supports me when I need it."),
        PulseQuestion(id="enps", text="How likely are you to recommend working here to a friend?", type="enps"),
        PulseQuestion(id="improve", text="What one thing would make your work better?", type="text"),
    ]


class PulseSurvey(_Strict):
    """A pulse survey: its questions, when it runs (every `every_weeks` weeks, on `weekday` at `at`, each person
    in their own time zone) and for how long it stays open (`open_days` working days), and whom it asks."""

    id: str = Field(default="pulse")
    name: str = Field(default="Team pulse", min_length=1, max_length=75)
    every_weeks: int = Field(default=2, ge=1, le=26, description="Cadence: every this many weeks")
    weekday: Weekday = "tue"
    at: time = Field(default=time(10, 0), description="Local time of the survey DM")
    open_days: int = Field(default=3, ge=1, le=15, description="Working days the survey stays open")
    reminder: bool = Field(default=True, description="One reminder, on the last open day, to people who have not "
                           "answered")
    departments: list[str] = Field(default_factory=list, description="Audience: these departments (empty: everyone "
                                   "in the rollout)")
    questions: list[PulseQuestion] = Field(default_factory=_default_pulse_questions)

    @field_validator("id")
    @classmethod
    def _survey_id(cls, v: str) -> str:
        if not QUESTION_ID.match(v):
            raise ValueError("must be a short lowercase identifier such as 'pulse' or 'engagement'")
        return v

    @field_validator("questions")
    @classmethod
    def _questions(cls, v: list[PulseQuestion]) -> list[PulseQuestion]:
        if not 1 <= len(v) <= 15:
            raise ValueError("between 1 and 15 questions")
        ids = [q.id for q in v]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"question ids must be unique: {', '.join(dupes)}")
        return v

    def question(self, question_id: str) -> PulseQuestion | None:
        return next((q for q in self.questions if q.id == question_id), None)


class PulseBands(_Strict):
    """How scores get their colour: against each group's own baseline (see docs/pulse-bands.md)."""

    method: Literal["xmr", "ewma"] = "xmr"
    min_points: int = Field(default=5, ge=3, le=52, description="Earlier periods needed before any colour")
    amber_sigma: float = Field(default=2.0, gt=0, le=3, description="Amber beyond this many sigmas on the bad side")
    ewma_lambda: float = Field(default=0.3, gt=0, le=1)
    ewma_width: float = Field(default=3.0, gt=0, le=5)


class PulseConfig(_Strict):
    """Pulse surveys: short, anonymous, with results only for groups of at least `min_respondents`."""

    enabled: bool = True
    min_respondents: int = Field(default=5, ge=3, le=10, description="Smallest group whose results are shown")
    trend_periods: int = Field(default=6, ge=2, le=26, description="Periods shown in a trend")
    surveys: list[PulseSurvey] = Field(default_factory=lambda: [PulseSurvey()])
    bands: PulseBands = Field(default_factory=PulseBands)

    @field_validator("surveys")
    @classmethod
    def _surveys(cls, v: list[PulseSurvey]) -> list[PulseSurvey]:
        ids = [s.id for s in v]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"survey ids must be unique: {', '.join(dupes)}")
        return v

    def survey(self, survey_id: str | None) -> PulseSurvey | None:
        return next((s for s in self.surveys if s.id == survey_id), None)


class RolloutConfig(_Strict):
    """Pilot rollout: limit scheduled prompts to some people or departments. Empty = everyone."""

    people: list[str] = Field(default_factory=list, description="Slack user ids or emails")
    departments: list[str] = Field(default_factory=list)

    @property
    def everyone(self) -> bool:
        return not self.people and not self.departments


class PrivacyConfig(_Strict):
    min_group_size: int = Field(
        default=5, ge=3, le=100, description="Smallest group whose anonymous answers may be shown"
    )
    hr_sees_one_on_one_notes: bool = False


class OrgConfig(_Strict):
    """Everything an organisation tunes about Candor. See `candor.example.yml`."""

    values: list[CompanyValue] = Field(
        default_factory=lambda: [
            CompanyValue(name="customer-focus", emoji=":handshake:", description="We start from the customer"),
            CompanyValue(name="ownership", emoji=":muscle:", description="We see things through"),
            CompanyValue(name="teamwork", emoji=":raised_hands:", description="We win together"),
            CompanyValue(name="candor", emoji=":speech_balloon:", description="We say it kindly and clearly"),
        ]
    )
    kudos: KudosConfig = Field(default_factory=lambda: KudosConfig(announce="origin"))
    hr: HrConfig = Field(default_factory=HrConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    rollout: RolloutConfig = Field(default_factory=RolloutConfig)
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig)
    checkins: CheckinConfig = Field(default_factory=CheckinConfig)
    one_on_ones: OneOnOneConfig = Field(default_factory=OneOnOneConfig)
    goals: GoalsConfig = Field(default_factory=GoalsConfig)
    feedback: FeedbackConfig = Field(default_factory=FeedbackConfig)
    pulse: PulseConfig = Field(default_factory=PulseConfig)

    @field_validator("values")
    @classmethod
    def _unique_values(cls, v: list[CompanyValue]) -> list[CompanyValue]:
        seen: set[str] = set()
        for value in v:
            if value.name in seen:
                raise ValueError(f"value {value.name!r} is listed twice")
            seen.add(value.name)
        if len(v) > 100:
            raise ValueError("at most 100 values (Slack's limit for a select menu)")
        return v

    def value(self, name: str) -> CompanyValue | None:
        name = name.lower()
        return next((v for v in self.values if v.name == name), None)

    @classmethod
    def load(cls, path: Path | None) -> OrgConfig:
        """Read and validate the YAML file; `None` gives the defaults."""
        if path is None:
            return cls()
        where = f"CANDOR_CONFIG ({path})"
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError([f"{where}: file not found"]) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f" line {mark.line + 1}" if mark is not None else ""
            raise ConfigError([f"{where}:{line} is not valid YAML: {getattr(exc, 'problem', exc)}"]) from None
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise ConfigError([f"{where}: the top level must be a mapping (values:, kudos:, hr:, …)"])
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError([f"{where}: {line}" for line in validation_lines(exc)]) from None


def validation_lines(exc: ValidationError, *, names: dict[str, str] | None = None,
                     secret: frozenset[str] = frozenset()) -> list[str]:
    """One line per problem: the field (renamed through `names`, e.g. to an environment variable), what is
    wrong, and what was given (never for a `secret` field)."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if p != "__root__")
        if names is not None and loc:
            loc = names.get(loc, loc)
        msg = err["msg"].removeprefix("Value error, ")
        hint = "" if loc in secret or repr(err.get("input")) in msg else _input_hint(err)
        lines.append(f"{loc or '(top level)'}: {msg}{hint}")
    return lines


def _input_hint(err: Any) -> str:
    given = err.get("input")
    if isinstance(given, str | int | float) and not isinstance(given, bool) and err["type"] != "missing":
        return f" (got {given!r})"
    return ""
