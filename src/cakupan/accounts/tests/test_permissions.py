"""Every write service checks a permission; the catalogue grants what the pages and services expect.

The service check is static (ast over the source of every module under src/cakupan/*/services*): a public
function that takes an `actor` must call `require(...)`, directly or through another service function that
does. A public function without an actor must be named in NO_ACTOR below with the reason it needs none,
so a new write service that forgets its actor (or its check) fails here.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from cakupan.accounts.models import Role
from cakupan.accounts.permissions import (
    GRANTS,
    SYSTEM,
    SYSTEM_PERMS,
    Perm,
    claimant_kinds,
    may,
    permissions_of,
    require,
)
from cakupan.accounts.scope import NOTHING, Scope
from cakupan.core.errors import Forbidden

SRC = Path(__file__).resolve().parents[2]  # src/cakupan

# Public functions of the service modules that take an actor but check nothing themselves, and why.
ACTOR_EXEMPT: dict[str, str] = {
    # Called only inside the claim services, after their require(...): whom to tell, and the rows telling.
    "benefits.services.notifications.recipients": "reads whom a claim step notifies",
    "benefits.services.notifications.notifications_create": "inside the claim services' transaction",
    # Infrastructure: the service that starts a job checks its permission first (billing_run_start,
    # roster_job_start, the coverage command); a job with no user runs as SYSTEM (jobs.services.job_run).
    "jobs.services.job_create": "records a job for a service that has checked",
    "jobs.services.job_start": "starts a job for a service that has checked",
    "enrolment.services.retention.retention_job": "the job of retention_purge, which checks",
    "enrolment.services.pipeline.roster_run": "the one pipeline of roster_import and roster_rows_import",
    "enrolment.services.pipeline.roster_target": "whom rows are for, within the scope its caller checked",
    # Rows given in code: the field sync (FIELD_SYNC) and the outreach conversion (OUTREACH_CONVERT) check
    # and pass their scope, whose role it checks again (may).
    "enrolment.services.rows.roster_rows_import": "its callers check and pass the scope they obtained",
    # Steps of billing_run and billing_run_prepare, after their require(...): which run to execute.
    "contributions.services.billing_claim.run_for_period": "a step of the billing services, which check",
    "contributions.services.billing_jobs.run_job_ensure": "a step of billing_run: the job recording it",
    # Applies end dates an authorised membership_end already decided; it decides nothing. Called by
    # billing_run, membership_enrol and the daily snapshot command, each after its own check.
    "registry.services.memberships.memberships_end_due": "carries out ends already decided and audited",
}

# Public functions of the service modules without an actor, by module, and why they need no permission.
NO_ACTOR: dict[str, tuple[set[str], str]] = {
    "sponsorship.services.endings": (
        {"decided", "endings_due"},
        "reads: which memberships a decision is due for (the services and selectors check)",
    ),
    "sponsorship.services.conversion": (
        {"first_bills_write"},
        "a step of cover_endings_decide, inside its transaction, after its require(...)",
    ),
    "sponsorship.services.endings_follow": ({"still_active"}, "a query expression of retention_follow"),
    "sponsorship.services.notify": (
        {"recipients", "move_waiting", "runway_alert"},
        "mail to the users the permission table names, sent by services after their own require(...)",
    ),
    "benefits.services.notifications": (
        {"claim_message", "notifications_mail", "notification_mark_read"},
        "texts and mail of notifications already created; a user marks only their own as read",
    ),
    "compliance.services._common": ({"chunks"}, "pure helper"),
    "outreach.services.signups": (
        {"signup_submit"},
        "the public sign-up behind an event's QR poster: no account, throttled per address and event",
    ),
    "compliance.services.cases": (
        {"fine_amount", "compliance_remind", "cases_close_by_run", "letter_number"},
        "a pure figure; the daily reminder cron; closing cases inside compliance_match_run; the next letter"
        " number, taken inside the letter's service (which checks)",
    ),
    "compliance.services.findings": (
        {
            "phase",
            "work_tables",
            "rows_insert",
            "ident_exact",
            "ident_rest",
            "ident_add",
            "figures_compute",
            "findings_insert",
            "findings_values",
        },
        "steps of compliance_match_run, which checks",
    ),
    "compliance.services.matching": (
        {"name_key", "similarity", "names_identify", "identify_and_compute", "run_totals"},
        "pure helpers and steps of compliance_match_run, which checks",
    ),
    "contributions.services.billing": ({"period_parse"}, "a parser"),
    "contributions.services.billing_partitions": (
        {"partition_name", "partitioned", "partitions", "partitions_ensure"},
        "the catalogue read, and a step of billing_run, which checks",
    ),
    "contributions.services.billable": (
        {"billable_q", "members_billable", "billable_sql", "billable_params"},
        "the billable condition: reads",
    ),
    "contributions.services.billing_assess": ({"price_keys"}, "pure pricing"),
    "contributions.services.billing_dates": (
        {"working_day_on_or_after", "due_date_for", "virtual_account_for"},
        "pure date and account-number rules",
    ),
    "contributions.services.billing_jobs": (
        {"register_job_kinds", "run_job_end"},
        "start-up wiring; ends the job recording a billing_run, inside it",
    ),
    "partners.services.documents": (
        {"document_path", "documents_dir", "max_bytes"},
        "where an agreement's stored documents live and their size limit (settings)",
    ),
    "contributions.services.billing_sql": (
        {
            "tables_reset",
            "price_table_clear",
            "tables_drop",
            "chunk_fill",
            "chunk_high",
            "price_key",
            "price_key_of",
            "chunk_keys",
            "prices_store",
            "chunk_payers",
            "chunk_deferring_employers",
            "chunk_lines_insert",
            "bills_without_lines_delete",
        },
        "steps of billing_run, which checks",
    ),
    "contributions.services.billing_write": ({"accounts_ensure", "bills_ensure"}, "steps of billing_run"),
    "contributions.services.billing_claim": (
        {"held_elsewhere", "run_claim"},
        "steps of billing_run: whether a live process holds a run, and taking it",
    ),
    "contributions.services.payment_review": ({"headroom", "hold_floor"}, "reads and configuration"),
    "enrolment.services.linking": (
        {"held_rows", "name_key"},
        "the link decision of roster_import (which checks), written once for both merge paths",
    ),
    "registry.services.employment": ({"end_date_too_far"}, "a pure date rule"),
    "outreach.services.convert": (
        {"conversion_source"},
        "the name of a conversion's roster import, read by the demo's removal",
    ),
    "registry.services.scope_keys": (
        {
            "scope_keys_refresh",
            "scope_keys_rebuild",
            "scope_keys_differences",
            "persons_of_employer",
            "scope_keys_follow",
            "ids_sql",
            "region_offices_sql",
        },
        "derived scope keys, kept inside the transaction of the write that checked (or demo, command line)",
    ),
    "contributions.services.account_keys": (
        {"account_keys_refresh", "account_keys_differences", "account_keys_follow"},
        "derived payer-account keys, kept inside the registry's scope-key refresh (start-up wiring, reads)",
    ),
    "contributions.services.payments": (
        {
            "bill_paid_subquery",
            "payment_used_subquery",
            "today",
            "clean_amount",
            "clean_date",
            "clean_reference",
            "allocation_summary",
            "accounts_with_credit",
        },
        "subqueries, input cleaning and reads",
    ),
    "coverage.services.boundaries": ({"project", "geometry_path"}, "pure geometry"),
    "coverage.services.planner": ({"planner_cost", "planner_compare"}, "pure figures, no write"),
    "coverage.services.snapshots": (
        {"period_parse", "period_last_day", "snapshot_due_periods"},
        "a parser and reads",
    ),
    "coverage.services.targets": ({"target_regions", "active_series", "target_progress"}, "reads"),
    "coverage.services.workforce": (
        {"denominator_config", "denominator_of", "workforce_for", "workforce_rows_parse"},
        "configuration, reads and parsing",
    ),
    # `cakupan demo` only (DEBUG deployments): the operator at the server's command line.
    "demo.services": ({"demo_present", "demo_load", "demo_delete"}, "the demo command, on the server"),
    "enrolment.services": (
        {"REPORTS_DIR", "report_path", "parse_as"},
        "paths and parsing",
    ),
    "enrolment.services.background": ({"is_big"}, "a size test"),
    "enrolment.services.merge": (
        {"chunks", "merge_decide", "merge_write", "payer_kind"},
        "steps of roster_import, which checks",
    ),
    "enrolment.services.merge_load": (
        {"merge_path", "dialect", "typed"},
        "the loader and SQL spelling of the merge",
    ),
    "enrolment.services.payer": ({"payer_columns", "payer_income"}, "steps of roster_import, which checks"),
    "enrolment.services.rows": ({"code_field"}, "which field a reason code is about"),
    "enrolment.services.parse": (
        {
            "parse_date",
            "parse_sex",
            "parse_amount",
            "parse_region",
            "parse_programs",
            "nik_stored_as_number",
            "map_unique",
        },
        "pure parsing",
    ),
    "enrolment.services.report": (
        {"status_expr", "report_frame", "write_report", "template_xlsx", "report_preview"},
        "the report files of roster_import, the blank template, and a read of a report the selector found",
    ),
    "enrolment.services.validate": ({"check_rows", "parse_columns"}, "pure validation"),
    "jobs.services": (
        {
            "job_kind_register",
            "job_progress",
            "job_log",
            "job_run",
            "job_fail",
            "job_reap_dead",
            "job_refresh",
            "job_enqueue",
            "job_failed",
            "retry_delay",
        },
        "job bookkeeping and the queue (retries, dead workers); job_run passes the job's user (or SYSTEM)"
        " to the job kind, which checks",
    ),
    "registry.services.memberships": (
        {"kpj_new", "ended_by"},
        "a number generator; a filter (the one rule for an ended membership)",
    ),
}


def service_files() -> list[Path]:
    return sorted({*SRC.glob("*/services.py"), *SRC.glob("*/services/*.py")})


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _calls(node: ast.AST) -> set[str]:
    names: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            if isinstance(sub.func, ast.Name):
                names.add(sub.func.id)
            elif isinstance(sub.func, ast.Attribute):
                names.add(sub.func.attr)
    return names


def _params(fn: ast.FunctionDef) -> set[str]:
    return {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}


def service_functions() -> dict[str, tuple[ast.FunctionDef, set[str]]]:
    """Every top-level function of the service modules, as "module.name" -> (node, names it calls)."""
    out: dict[str, tuple[ast.FunctionDef, set[str]]] = {}
    for path in service_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                out[f"{module_name(path)}.{node.name}"] = (node, _calls(node))
    return out


def checking(functions: dict[str, tuple[ast.FunctionDef, set[str]]]) -> set[str]:
    """Short names of the functions that call require(...), directly or through one that does."""
    checked = {"require"}
    while True:
        more = {key.rsplit(".", 1)[1] for key, (_node, calls) in functions.items() if calls & checked}
        if more <= checked:
            return checked - {"require"}
        checked |= more


def unchecked_services(functions: dict[str, tuple[ast.FunctionDef, set[str]]]) -> list[str]:
    checked = checking(functions)
    return sorted(
        key
        for key, (node, _calls) in functions.items()
        if not node.name.startswith("_")
        and "actor" in _params(node)
        and node.name not in checked
        and key not in ACTOR_EXEMPT
    )


def test_every_service_module_imports() -> None:
    files = service_files()
    assert len(files) > 20  # the glob found the services
    for path in files:
        importlib.import_module(f"cakupan.{module_name(path)}")


def test_every_service_with_an_actor_checks_a_permission() -> None:
    functions = service_functions()
    assert "registry.services.persons.person_register" in functions
    assert unchecked_services(functions) == []


def test_the_check_finds_a_service_that_checks_nothing() -> None:
    """The same analysis on a service whose require(...) was removed: it must be reported."""
    functions = service_functions()
    node, calls = functions["contributions.services.payments.payment_record"]
    functions["contributions.services.payments.payment_record"] = (node, calls - {"require"})
    assert unchecked_services(functions) == ["contributions.services.payments.payment_record"]


def test_every_public_service_without_an_actor_is_listed_with_a_reason() -> None:
    functions = service_functions()
    unlisted = sorted(
        key
        for key, (node, _calls) in functions.items()
        if not node.name.startswith("_")
        and "actor" not in _params(node)
        and node.name not in NO_ACTOR.get(key.rsplit(".", 1)[0], (set(), ""))[0]
    )
    assert unlisted == [], "a write service takes an actor and calls require(); a helper is listed"
    stale = sorted(
        f"{module}.{name}"
        for module, (names, _why) in NO_ACTOR.items()
        for name in names
        if f"{module}.{name}" not in functions
    )
    assert stale == []
    assert not [key for key in ACTOR_EXEMPT if key not in functions]


# --- the catalogue ----------------------------------------------------------------------------------------


def test_every_permission_is_granted_to_known_roles() -> None:
    assert set(GRANTS) == set(Perm)
    for perm, roles in GRANTS.items():
        assert roles <= set(Role.values), perm


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (Role.NATIONAL_ADMIN, {Perm.BILLING_RUN, Perm.TARGET_SET, Perm.ADMIN_SITE}, set()),
        (Role.BRANCH_STAFF, {Perm.PAYMENT_RECORD, Perm.CLAIM_DECIDE}, {Perm.BILLING_RUN, Perm.TARGET_SET}),
        (Role.AGENCY, {Perm.WORKFORCE_REPORT_IMPORT, Perm.COVERAGE_READ}, {Perm.REGISTRY_WRITE}),
        (Role.EMPLOYER_HR, {Perm.REGISTRY_WRITE, Perm.CLAIM_FILE}, {Perm.EMPLOYER_WRITE, Perm.PERSON_CREATE}),
        (Role.SPONSOR, {Perm.ROSTER_UPLOAD, Perm.PERSON_SEARCH}, {Perm.CLAIM_FILE, Perm.EMPLOYER_READ}),
        (Role.WORKER, {Perm.CLAIM_FILE, Perm.PERSON_VIEW}, {Perm.PERSON_READ, Perm.ROSTER_UPLOAD}),
    ],
)
def test_roles_hold_what_their_work_needs(role: str, allowed: set[Perm], refused: set[Perm]) -> None:
    scope = Scope(role=role)
    held = permissions_of(scope)
    assert allowed <= held
    assert not refused & held
    for perm in refused:
        with pytest.raises(Forbidden) as caught:
            require(scope, perm)
        assert caught.value.as_dict()["errors"][0]["field"] == "permission"


def test_an_account_without_a_role_may_do_nothing() -> None:
    assert permissions_of(NOTHING) == frozenset()
    assert permissions_of(None) == frozenset()


def test_system_passes_only_for_its_own_permissions_and_never_through_may() -> None:
    for perm in Perm:
        assert may(SYSTEM, perm) is False
        if perm in SYSTEM_PERMS:
            assert require(SYSTEM, perm).everything
        else:
            with pytest.raises(Forbidden):
                require(SYSTEM, perm)
    assert Perm.CLAIM_DECIDE not in SYSTEM_PERMS
    assert Perm.REGISTRY_WRITE not in SYSTEM_PERMS


def test_claimant_kinds_follow_the_role() -> None:
    every = ("heir", "worker", "employer", "branch_staff")
    assert claimant_kinds(Scope(role=Role.BRANCH_STAFF), every) == every
    assert claimant_kinds(Scope(role=Role.EMPLOYER_HR), every) == ("employer",)
    assert claimant_kinds(Scope(role=Role.WORKER), every) == ("worker",)
    assert claimant_kinds(Scope(role=Role.SPONSOR), every) == ()
