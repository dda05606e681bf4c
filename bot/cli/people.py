"""`candor people|org|hr|alerts|audit`: the directory, the org chart, HR admins, alerts, the audit log and
people's data rights (export, erasure)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sqlalchemy import func, select

from bot.cli.common import CliError, Common, printable, runtime_for, team_of
from models import features
from models.core.audit import cli_actor, entries, record
from models.core.tables import Alert, Person
from models.features import alert_kinds
from models.people.chart import manager_chain, reports
from models.people.org import OrgError
from models.people.org_import import OrgImportError, apply_import, plan_import
from models.privacy import PrivacyError, erase_person, export_person

# -- people, org chart, roles, audit ------------------------------------------------------------------


def _find_person(session: Any, team_id: str, who: str) -> Any:
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
    rt = runtime_for(args)
    with rt.db.reading() as session:
        team = team_of(session, args)
        people = list(session.scalars(select(Person).where(Person.team_id == team).order_by(Person.real_name)))
        by_id = {p.id: p for p in people}
        listed = [p for p in people if args.all or (p.active)]
        if args.department:
            listed = [p for p in listed if (p.department or "").lower() == args.department.lower()]
        print(f"{'SLACK ID':<12} {'NAME':<24} {'EMAIL':<30} {'TIME ZONE':<22} {'MANAGER':<20} "
              f"{'DEPARTMENT':<16} STATUS")
        for p in listed:
            manager = by_id.get(p.manager_id) if p.manager_id else None
            print(f"{printable(p.slack_user_id):<12} {printable(p.label)[:24]:<24} "
                  f"{printable(p.email or '-')[:30]:<30} "
                  f"{printable(p.tz or '-'):<22} {printable(manager.label if manager else '-')[:20]:<20} "
                  f"{printable(p.department or '-')[:16]:<16} {_status(p)}")
        print(f"{len(listed)} of {len(people)} people" + ("" if args.all else " (active; --all for everyone)"))
    return 0


def cmd_people_show(args: argparse.Namespace) -> int:
    rt = runtime_for(args)
    hr_admins = set(rt.org.hr.admins)
    with rt.db.reading() as session:
        team = team_of(session, args)
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
            print(f"{key + ':':<22} {printable(value)}")
    return 0


def cmd_people_sync(args: argparse.Namespace) -> int:
    rt = runtime_for(args, need_slack=True)  # never migrates: the database must be at head already
    try:
        print(printable(rt.run_job("people_sync")))
    finally:
        rt.stop()
    return 0


def cmd_org_import(args: argparse.Namespace) -> int:
    try:
        raw = open(args.file, "rb").read()  # noqa: SIM115
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CliError(f"{args.file}: line {line} is not UTF-8 text; export the file as CSV UTF-8") from None
    rt = runtime_for(args)
    session = rt.db.sessions()
    try:
        team = team_of(session, args)
        plan = plan_import(session, team, text, remove_missing=args.remove_missing)
        for change in plan.describe():
            print(printable(change))
        if args.dry_run:
            print("dry run: nothing was changed")
            session.rollback()
            return 0
        if plan.is_empty:
            session.rollback()
            return 0
        result = apply_import(session, plan, actor=cli_actor())
        followed = features.chart_changed(session, team, rt.org)  # e.g. 1:1 pairs follow the new chart at once
        session.commit()
        for summary in followed:
            print(printable(summary))
        print(f"applied: {result.as_dict()}")
    except OrgImportError as exc:
        session.rollback()
        print(f"candor: {args.file}: nothing was imported:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  line {problem.line}: {printable(problem.message)}", file=sys.stderr)
        return 2
    except OrgError as exc:
        session.rollback()
        raise CliError(printable(str(exc))) from None
    finally:
        session.close()
    return 0


def cmd_hr(args: argparse.Namespace) -> int:
    rt = runtime_for(args)
    with rt.db.unit_of_work() as session:
        team = team_of(session, args)
        p = _find_person(session, team, args.who)
        grant = args.hr_command == "grant"
        if p.is_hr_admin == grant:
            print(f"{printable(p.label)} is {'already' if grant else 'not'} an HR admin; nothing changed")
            return 0
        p.is_hr_admin = grant
        record(session, actor=cli_actor(), action="role.hr_admin." + ("grant" if grant else "revoke"),
               team_id=team, subject=p.slack_user_id)
        print(f"{printable(p.label)} is {'now' if grant else 'no longer'} an HR admin")
    return 0


def cmd_audit_list(args: argparse.Namespace) -> int:
    rt = runtime_for(args)
    with rt.db.reading() as session:
        rows = entries(session, action=args.action, limit=args.limit)
    if not rows:
        print("the audit log is empty" + (f" for {args.action}" if args.action else ""))
        return 0
    print(f"{'WHEN (UTC)':<20} {'ACTOR':<24} {'ACTION':<24} {'SUBJECT':<14} DETAILS")
    for e in rows:
        print(f"{e.created_at:%Y-%m-%d %H:%M:%S} {printable(e.actor)[:24]:<24} {printable(e.action):<24} "
              f"{printable(e.subject or '-'):<14} "
              f"{printable(json.dumps(e.details, ensure_ascii=False, default=str))[:200]}")
    return 0


def cmd_people_export(args: argparse.Namespace) -> int:
    rt = runtime_for(args)
    with rt.db.unit_of_work() as session:
        team = team_of(session, args)
        person = _find_person(session, team, args.who)
        try:
            data = export_person(session, team, person.slack_user_id, actor=cli_actor())
        except PrivacyError as exc:
            raise CliError(printable(exc)) from None
    # JSON escapes newlines inside strings, so every raw newline is layout: escape the rest, line by line. The
    # escapes are JSON's own (\u202e), so the output is still the same JSON.
    dumped = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    text = "\n".join(printable(line) for line in dumped.split("\n"))
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        print(f"wrote {args.output} ({len(text)} characters); the export is in the audit log")
    else:
        print(text)
    return 0


def cmd_people_erase(args: argparse.Namespace) -> int:
    rt = runtime_for(args)
    with rt.db.unit_of_work() as session:
        team = team_of(session, args)
        person = _find_person(session, team, args.who)
        label = printable(f"{person.label} ({person.slack_user_id})")
        if not args.yes:
            raise CliError(f"this erases {label}'s personal data for good (aggregates stay); "
                           "run again with --yes to do it")
        try:
            report = erase_person(session, team, person.slack_user_id, actor=cli_actor())
        except PrivacyError as exc:
            raise CliError(printable(exc)) from None
    print(f"erased {label}: {printable(report.as_audit())}")
    print("Messages Candor already posted in Slack are not removed by this; remove the person from "
          "hr.admins in the organisation file if they were listed there.")
    return 0


def cmd_alerts_list(args: argparse.Namespace) -> int:
    rt = runtime_for(args)
    with rt.db.reading() as session:
        team = team_of(session, args)
        kinds = {k.kind: k for k in alert_kinds()}
        q = select(Alert).where(Alert.team_id == team).order_by(Alert.id.desc()).limit(args.limit)
        if args.kind:
            q = q.where(Alert.kind == args.kind)
        alerts = list(session.scalars(q))
        if not alerts:
            known = "" if not args.kind or args.kind in kinds else f" (the kinds are: {', '.join(sorted(kinds))})"
            print("no alerts" + (f" of kind {printable(args.kind)}{known}" if args.kind else ""))
            return 0
        print(f"{'WHEN (UTC)':<17} {'KIND':<24} {'PERIOD':<9} {'ABOUT':<40} DETAILS")
        for a in alerts:
            kind = kinds.get(a.kind)
            about = kind.about(session, a) if kind is not None else "-"
            print(f"{a.created_at:%Y-%m-%d %H:%M} {printable(a.kind):<24} {printable(a.period):<9} "
                  f"{printable(about)[:40]:<40} "
                  f"{printable(json.dumps(a.details, ensure_ascii=False, default=str))[:120]}")
    return 0


def add_commands(sub: Any, common: Common) -> None:
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
    alist.add_argument("--kind", help="only this kind: " + ", ".join(sorted(k.kind for k in alert_kinds())))
    alist.add_argument("--limit", type=int, default=100)
    alist.set_defaults(handler=cmd_alerts_list)

    audit = sub.add_parser("audit", help="the append-only log of admin actions")
    asub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    al = common(asub.add_parser("list", help="newest first"))
    al.add_argument("--action", help="only this action, e.g. org.import")
    al.add_argument("--limit", type=int, default=100)
    al.set_defaults(handler=cmd_audit_list)
