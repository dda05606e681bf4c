"""People: the directory mirrored from Slack, and the org chart.

`directory`: mirroring Slack's members (`upsert_person`, `ensure_people`, `sync_directory`); `chart`: who
reports to whom, one recursive query each way; `org`: one change to the chart, under the org lock;
`org_import`: the HRIS CSV import, planned then applied, all or nothing; `jobs`: the directory sync."""

from __future__ import annotations

from models.core.features import Feature
from models.people import jobs as _jobs
from models.people.chart import (
    MAX_DEPTH,
    chain_cte,
    chain_ids,
    is_in_chain,
    is_manager,
    manager_chain,
    report_ids,
    reports,
    reports_cte,
)
from models.people.directory import (
    ensure_people,
    ensure_workspace,
    labels,
    person_by_slack_id,
    sync_directory,
    upsert_person,
    was_erased,
)
from models.people.jobs import (
    people_complete,
    people_sync,
)
from models.people.org import (
    OrgError,
    lock_org,
    set_manager,
)
from models.people.org_import import (
    CONTROL_CHARACTERS,
    MAX_TEXT,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    SHOWN_PROBLEMS,
    FieldChange,
    FieldName,
    FieldValue,
    ImportPlan,
    ImportProblem,
    ImportResult,
    ManagerChange,
    OrgImportError,
    apply_import,
    plan_import,
)

FEATURE = Feature(
    name="people",
    description="The directory, the org chart, HR admin tools, pausing prompts",
    slack="handlers.people",
    jobs=_jobs.JOBS,
)

__all__ = [
    "CONTROL_CHARACTERS",
    "FEATURE",
    "MAX_DEPTH",
    "MAX_TEXT",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "SHOWN_PROBLEMS",
    "FieldChange",
    "FieldName",
    "FieldValue",
    "ImportPlan",
    "ImportProblem",
    "ImportResult",
    "ManagerChange",
    "OrgError",
    "OrgImportError",
    "apply_import",
    "chain_cte",
    "chain_ids",
    "ensure_people",
    "ensure_workspace",
    "is_in_chain",
    "is_manager",
    "labels",
    "lock_org",
    "manager_chain",
    "people_complete",
    "people_sync",
    "person_by_slack_id",
    "plan_import",
    "report_ids",
    "reports",
    "reports_cte",
    "set_manager",
    "sync_directory",
    "upsert_person",
    "was_erased",
]
