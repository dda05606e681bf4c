"""People: the directory mirrored from Slack, and the org chart.

`directory`: mirroring Slack's members (`upsert_person`, `ensure_people`, `sync_directory`); `chart`: who
reports to whom, one recursive query each way; `org`: one change to the chart, under the org lock;
`org_import`: the HRIS CSV import (read by `org_csv`, its plan in `org_plan`), planned then applied, all or
nothing; `pause`: pausing one's prompts; `jobs`: the directory sync."""

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
    ERASE_ACTION,
    ensure_people,
    ensure_workspace,
    erased_at,
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
from models.people.org_csv import (
    MAX_TEXT,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    FieldName,
    ImportProblem,
)
from models.people.org_import import (
    SHOWN_PROBLEMS,
    OrgImportError,
    apply_import,
    plan_import,
)
from models.people.org_plan import (
    FieldChange,
    FieldValue,
    ImportPlan,
    ImportResult,
    ManagerChange,
)

FEATURE = Feature(
    name="people",
    description="The directory, the org chart, HR admin tools, pausing prompts",
    slack="handlers.people",
    jobs=_jobs.JOBS,
)

__all__ = [
    "ERASE_ACTION",
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
    "erased_at",
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
