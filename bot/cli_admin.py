"""Operator commands: jobs, outbox (and, as features land, people, org, audit, data rights)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC
from typing import Any

Common = Callable[[argparse.ArgumentParser], argparse.ArgumentParser]


def _runtime(args: argparse.Namespace, *, need_slack: bool = False) -> Any:
    """The process objects; fails with a plain sentence unless the database is reachable and migrated."""
    from bot.cli import _runtime as build

    return build(args, need_slack=need_slack)


def shown(value: object) -> str:
    """Data (names, emails, titles, details) as safe terminal text: see `bot.cli.printable`."""
    from bot.cli import printable

    return printable(value)


# -- jobs ------------------------------------------------------------------------------------------


def cmd_jobs_list(args: argparse.Namespace) -> int:
    from models.core.clock import SYSTEM
    from scheduler.jobs import JOBS

    now = SYSTEM.now()
    print(f"{'JOB':<18} {'NEXT RUN (UTC)':<26} {'WHERE':<12} DESCRIPTION")
    for name, job in sorted(JOBS.items()):
        nxt = job.trigger().get_next_fire_time(None, now)
        when = nxt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if nxt else "-"
        print(f"{name:<18} {when:<26} {'leader' if job.leader_only else 'every node':<12} {job.description}")
    return 0


def cmd_jobs_run(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from scheduler.jobs import JOBS

    if args.name not in JOBS:
        raise CliError(f"no job {args.name!r}; jobs are: {', '.join(sorted(JOBS))}")
    rt = _runtime(args, need_slack=True)  # never migrates: the database must be at head already
    try:
        print(f"{args.name}: {shown(rt.run_job(args.name))}")
    finally:
        rt.stop()
    return 0


# -- outbox ----------------------------------------------------------------------------------------


def cmd_outbox_status(args: argparse.Namespace) -> int:
    from models.core import outbox
    from models.core.clock import SYSTEM

    rt = _runtime(args)
    with rt.db.unit_of_work() as session:
        st = outbox.status(session)
    if not st.counts:
        print("outbox is empty")
        return 0
    print(f"{'STATE':<9} {'KIND':<28} COUNT")
    for (state, kind), n in sorted(st.counts.items()):
        print(f"{shown(state):<9} {shown(kind):<28} {n}")
    if st.oldest_pending is not None:
        age = SYSTEM.now() - st.oldest_pending
        print(f"oldest pending: due {st.oldest_pending:%Y-%m-%d %H:%M:%S} UTC ({int(age.total_seconds())} s ago)")
    return 0


def cmd_outbox_retry(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from models.core import outbox

    if args.id is None and not args.dead:
        raise CliError("name a message id, or --dead for every dead message")
    rt = _runtime(args)
    with rt.db.unit_of_work() as session:
        n = outbox.retry(session, row_id=args.id, dead=args.dead)
    if args.id is not None and n == 0:
        raise CliError(f"outbox message {args.id} does not exist or is not dead/skipped")
    print(f"{n} message(s) queued again")
    return 0


def add_commands(sub: Any, common: Common) -> None:
    add_people_commands(sub, common)
    jobs = sub.add_parser("jobs", help="scheduled jobs")
    jsub = jobs.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)
    common(jsub.add_parser("list", help="each job and its next run")).set_defaults(handler=cmd_jobs_list)
    run = common(jsub.add_parser("run", help="run one job once, now"))
    run.add_argument("name", help="job name (see `candor jobs list`)")
    run.set_defaults(handler=cmd_jobs_run)

    ob = sub.add_parser("outbox", help="outbound message queue")
    osub = ob.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    common(osub.add_parser("status", help="counts per state and kind, oldest pending")).set_defaults(
        handler=cmd_outbox_status
    )
    retry = common(osub.add_parser("retry", help="queue a dead message again (or all with --dead)"))
    retry.add_argument("id", nargs="?", type=int, help="outbox message id")
    retry.add_argument("--dead", action="store_true", help="every dead message")
    retry.set_defaults(handler=cmd_outbox_retry)


# -- people, org chart, roles, audit ------------------------------------------------------------------


def _team(session: Any, args: argparse.Namespace) -> str:
    from sqlalchemy import select

    from bot.cli import CliError
    from models.core.tables import Workspace

    teams = list(session.scalars(select(Workspace.team_id)))
    if getattr(args, "team", None):
        if args.team not in teams:
            raise CliError(f"workspace {args.team} is not in this database (known: {', '.join(teams) or 'none'})")
        return str(args.team)
    if len(teams) == 1:
        return str(teams[0])
    if not teams:
        raise CliError("no workspace in this database yet: run the bot once, or `candor people sync`")
    raise CliError(f"several workspaces here ({', '.join(teams)}): choose one with --team")


def _find_person(session: Any, team_id: str, who: str) -> Any:
    from sqlalchemy import func, select

    from bot.cli import CliError
    from models.core.tables import Person

    q = select(Person).where(Person.team_id == team_id)
    if "@" in who:
        found = list(session.scalars(q.where(func.lower(Person.email) == who.lower())))
    else:
        found = list(session.scalars(q.where(Person.slack_user_id == who)))
    if not found:
        raise CliError(f"nobody with {'email' if '@' in who else 'Slack id'} {who!r} in workspace {team_id}")
    if len(found) > 1:
        active = [p for p in found if p.active]
        if len(active) == 1:
            return active[0]
        raise CliError(f"{who!r} matches several people; use the Slack id instead")
    return found[0]


def _status(person: Any) -> str:
    if person.erased_at is not None:
        return "erased"
    if person.is_bot:
        return "bot"
    if person.is_deleted:
        return "deactivated"
    return "active"


def cmd_people_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from models.core.tables import Person

    rt = _runtime(args)
    with rt.db.unit_of_work() as session:
        team = _team(session, args)
        people = list(session.scalars(select(Person).where(Person.team_id == team).order_by(Person.real_name)))
        by_id = {p.id: p for p in people}
        listed = [p for p in people if args.all or (p.active)]
        if args.department:
            listed = [p for p in listed if (p.department or "").lower() == args.department.lower()]
        print(f"{'SLACK ID':<12} {'NAME':<24} {'EMAIL':<30} {'TIME ZONE':<22} {'MANAGER':<20} "
              f"{'DEPARTMENT':<16} STATUS")
        for p in listed:
            manager = by_id.get(p.manager_id) if p.manager_id else None
            print(f"{shown(p.slack_user_id):<12} {shown(p.label)[:24]:<24} {shown(p.email or '-')[:30]:<30} "
                  f"{shown(p.tz or '-'):<22} {shown(manager.label if manager else '-')[:20]:<20} "
                  f"{shown(p.department or '-')[:16]:<16} {_status(p)}")
        print(f"{len(listed)} of {len(people)} people" + ("" if args.all else " (active; --all for everyone)"))
    return 0


def cmd_people_show(args: argparse.Namespace) -> int:
    from models.people.org import manager_chain, reports

    rt = _runtime(args)
    hr_admins = set(rt.org.hr.admins)
    with rt.db.unit_of_work() as session:
        team = _team(session, args)
        p = _find_person(session, team, args.who)
        rows = [
            ("Slack id", p.slack_user_id), ("Name", p.real_name or "-"), ("Display name", p.display_name or "-"),
            ("Email", p.email or "-"), ("Time zone", p.tz or f"- (default {rt.org.schedule.default_timezone})"),
            ("Locale", p.locale or "-"), ("Status", _status(p)), ("Department", p.department or "-"),
            ("Title", p.title or "-"), ("Start date", str(p.start_date or "-")),
            ("HR admin", "yes" if p.is_hr_admin or p.slack_user_id in hr_admins else "no"),
            ("Prompts paused until", str(p.paused_until or "-")),
            ("Manager chain", " → ".join(m.label for m in manager_chain(session, p)) or "- (top of the chart)"),
            ("Direct reports", ", ".join(r.label for r in reports(session, p)) or "-"),
        ]
        for key, value in rows:
            print(f"{key + ':':<22} {shown(value)}")
    return 0


def cmd_people_sync(args: argparse.Namespace) -> int:
    rt = _runtime(args, need_slack=True)  # never migrates: the database must be at head already
    try:
        print(shown(rt.run_job("people_sync")))
    finally:
        rt.stop()
    return 0


def cmd_org_import(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from models.core.audit import cli_actor
    from models.people.org import OrgError, OrgImportError, apply_import, plan_import

    try:
        raw = open(args.file, "rb").read()  # noqa: SIM115
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CliError(f"{args.file}: line {line} is not UTF-8 text; export the file as CSV UTF-8") from None
    rt = _runtime(args)
    session = rt.db.sessions()
    try:
        team = _team(session, args)
        plan = plan_import(session, team, text, remove_missing=args.remove_missing)
        for change in plan.describe():
            print(shown(change))
        if args.dry_run:
            print("dry run: nothing was changed")
            session.rollback()
            return 0
        if plan.is_empty:
            session.rollback()
            return 0
        result = apply_import(session, plan, actor=cli_actor())
        from models.one_on_ones import sync_pairs

        pairs = sync_pairs(session, team, rt.org)  # 1:1 pairs follow the new chart at once
        session.commit()
        print(f"1:1 pairs: {pairs}")
        print(f"applied: {result.as_dict()}")
    except OrgImportError as exc:
        session.rollback()
        print(f"candor: {args.file}: nothing was imported:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  line {problem.line}: {shown(problem.message)}", file=sys.stderr)
        return 2
    except OrgError as exc:
        session.rollback()
        raise CliError(shown(exc.message)) from None
    finally:
        session.close()
    return 0


def cmd_hr(args: argparse.Namespace) -> int:
    from models.core.audit import cli_actor, record

    rt = _runtime(args)
    with rt.db.unit_of_work() as session:
        team = _team(session, args)
        p = _find_person(session, team, args.who)
        grant = args.hr_command == "grant"
        if p.is_hr_admin == grant:
            print(f"{shown(p.label)} is {'already' if grant else 'not'} an HR admin; nothing changed")
            return 0
        p.is_hr_admin = grant
        record(session, actor=cli_actor(), action="role.hr_admin." + ("grant" if grant else "revoke"),
               team_id=team, subject=p.slack_user_id)
        print(f"{shown(p.label)} is {'now' if grant else 'no longer'} an HR admin")
    return 0


def cmd_audit_list(args: argparse.Namespace) -> int:
    import json

    from models.core.audit import entries

    rt = _runtime(args)
    with rt.db.unit_of_work() as session:
        rows = entries(session, action=args.action, limit=args.limit)
    if not rows:
        print("the audit log is empty" + (f" for {args.action}" if args.action else ""))
        return 0
    print(f"{'WHEN (UTC)':<20} {'ACTOR':<24} {'ACTION':<24} {'SUBJECT':<14} DETAILS")
    for e in rows:
        print(f"{e.created_at:%Y-%m-%d %H:%M:%S} {shown(e.actor)[:24]:<24} {shown(e.action):<24} "
              f"{shown(e.subject or '-'):<14} {shown(json.dumps(e.details, ensure_ascii=False, default=str))[:200]}")
    return 0


def cmd_people_export(args: argparse.Namespace) -> int:
    import json

    from bot.cli import CliError
    from models.core.audit import cli_actor
    from models.privacy import PrivacyError, export_person

    rt = _runtime(args)
    with rt.db.unit_of_work() as session:
        team = _team(session, args)
        person = _find_person(session, team, args.who)
        try:
            data = export_person(session, team, person.slack_user_id, actor=cli_actor())
        except PrivacyError as exc:
            raise CliError(shown(exc)) from None
    # JSON escapes newlines inside strings, so every raw newline is layout: escape the rest, line by line. The
    # escapes are JSON's own (\u202e), so the output is still the same JSON.
    text = "\n".join(shown(line) for line in json.dumps(data, indent=2, ensure_ascii=False, default=str).split("\n"))
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        print(f"wrote {args.output} ({len(text)} characters); the export is in the audit log")
    else:
        print(text)
    return 0


def cmd_people_erase(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from models.core.audit import cli_actor
    from models.privacy import PrivacyError, erase_person

    rt = _runtime(args)
    with rt.db.unit_of_work() as session:
        team = _team(session, args)
        person = _find_person(session, team, args.who)
        label = shown(f"{person.label} ({person.slack_user_id})")
        if not args.yes:
            raise CliError(f"this erases {label}'s personal data for good (aggregates stay); "
                           "run again with --yes to do it")
        try:
            report = erase_person(session, team, person.slack_user_id, actor=cli_actor())
        except PrivacyError as exc:
            raise CliError(shown(exc)) from None
    print(f"erased {label}: {shown(report.as_audit())}")
    print("Messages Candor already posted in Slack are not removed by this; remove the person from "
          "hr.admins in the organisation file if they were listed there.")
    return 0


def cmd_alerts_list(args: argparse.Namespace) -> int:
    import json

    from sqlalchemy import select

    from models.core.tables import Alert, Person
    from models.one_on_ones.tables import OneOnOnePair

    rt = _runtime(args)
    with rt.db.unit_of_work() as session:
        team = _team(session, args)
        q = select(Alert).where(Alert.team_id == team).order_by(Alert.id.desc()).limit(args.limit)
        if args.kind:
            q = q.where(Alert.kind == args.kind)
        alerts = list(session.scalars(q))
        if not alerts:
            print("no alerts" + (f" of kind {args.kind}" if args.kind else ""))
            return 0
        print(f"{'WHEN (UTC)':<17} {'KIND':<24} {'PERIOD':<9} {'ABOUT':<40} DETAILS")
        for a in alerts:
            about = "-"
            if a.person_id is not None:
                person = session.get(Person, a.person_id)
                about = person.label if person else "-"
            elif a.pair_id is not None:
                pair = session.get(OneOnOnePair, a.pair_id)
                if pair is not None:
                    about = f"1:1 {pair.manager.label} – {pair.report.label}"
            print(f"{a.created_at:%Y-%m-%d %H:%M} {shown(a.kind):<24} {shown(a.period):<9} {shown(about)[:40]:<40} "
                  f"{shown(json.dumps(a.details, ensure_ascii=False, default=str))[:120]}")
    return 0


def add_people_commands(sub: Any, common: Common) -> None:
    def with_team(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        common(p)
        p.add_argument("--team", help="workspace id (T…), when the database serves several")
        return p

    people = sub.add_parser("people", help="the people directory mirrored from Slack")
    psub = people.add_subparsers(dest="people_command", metavar="ACTION", required=True)
    lst = with_team(psub.add_parser("list", help="everyone, with manager, department, time zone and status"))
    lst.add_argument("--all", action="store_true", help="include deactivated people, bots and erased records")
    lst.add_argument("--department", help="only this department")
    lst.set_defaults(handler=cmd_people_list)
    show = with_team(psub.add_parser("show", help="one person: profile, manager chain, reports"))
    show.add_argument("who", help="Slack id (U…) or email")
    show.set_defaults(handler=cmd_people_show)
    with_team(psub.add_parser("sync", help="mirror the workspace's members from Slack now")).set_defaults(
        handler=cmd_people_sync)
    exp = with_team(psub.add_parser("export", help="everything Candor holds about one person, as JSON (audited)"))
    exp.add_argument("who", help="Slack id (U…) or email")
    exp.add_argument("--output", "-o", help="write to this file instead of standard output")
    exp.set_defaults(handler=cmd_people_export)
    era = with_team(psub.add_parser("erase", help="remove or anonymise one person's data, keeping aggregates "
                                                  "(audited; see docs/privacy.md)"))
    era.add_argument("who", help="Slack id (U…) or email")
    era.add_argument("--yes", action="store_true", help="really erase (without it, nothing happens)")
    era.set_defaults(handler=cmd_people_erase)

    org = sub.add_parser("org", help="the org chart")
    orgsub = org.add_subparsers(dest="org_command", metavar="ACTION", required=True)
    imp = with_team(orgsub.add_parser("import", help="import managers, departments, titles from an HRIS CSV "
                                                     "(all or nothing; see docs/org-import.md)"))
    imp.add_argument("file", help="CSV with columns email, manager_email, department, title, start_date")
    imp.add_argument("--dry-run", action="store_true", help="print the changes, change nothing")
    imp.add_argument("--remove-missing", action="store_true",
                     help="people not in the file lose their manager (default: they keep it)")
    imp.set_defaults(handler=cmd_org_import)

    hr = sub.add_parser("hr", help="HR admin role (besides hr.admins in the YAML)")
    hsub = hr.add_subparsers(dest="hr_command", metavar="ACTION", required=True)
    for action in ("grant", "revoke"):
        p = with_team(hsub.add_parser(action, help=f"{action} the HR admin role"))
        p.add_argument("who", help="Slack id (U…) or email")
        p.set_defaults(handler=cmd_hr)

    alerts = sub.add_parser("alerts", help="what the HR digest will report: missed check-ins, 1:1s not held")
    alsub = alerts.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    alist = with_team(alsub.add_parser("list", help="newest first"))
    alist.add_argument("--kind", help="only this kind, e.g. checkin.missed")
    alist.add_argument("--limit", type=int, default=100)
    alist.set_defaults(handler=cmd_alerts_list)

    audit = sub.add_parser("audit", help="the append-only log of admin actions")
    asub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    al = common(asub.add_parser("list", help="newest first"))
    al.add_argument("--action", help="only this action, e.g. org.import")
    al.add_argument("--limit", type=int, default=100)
    al.set_defaults(handler=cmd_audit_list)
