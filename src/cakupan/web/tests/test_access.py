"""Every page answers 200 to the roles it is for, 403 to the other roles and 404 outside the scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from cakupan.registry.models import Employer, Employment, Person

# The users of conftest.World by the short names used below.
USERS = {
    "admin": "admin",
    "branch": "branch_malang",
    "agency": "agency_health_malang",
    "hr": "hr_hospital",
    "sponsor": "sponsor_user",
    "worker": "worker_user",
    "other_branch": "branch_bekasi",
    "other_hr": "hr_factory",
}


def nurse_employment(world: Any) -> Employment:
    return Employment.objects.get(person=world.nurse, employer=world.hospital)


# (url name, args from the world, {user: expected status}); users not listed are not asked.
PAGES: list[tuple[str, Any, dict[str, int]]] = [
    ("home", None, dict.fromkeys(["admin", "branch", "agency", "hr", "sponsor", "worker"], 200)),
    ("search", None, {"admin": 200, "branch": 200, "agency": 200, "hr": 200, "sponsor": 200, "worker": 403}),
    (
        "registry:employer_list",
        None,
        {"admin": 200, "branch": 200, "agency": 200, "hr": 200, "sponsor": 403, "worker": 403},
    ),
    (
        "registry:employer_detail",
        lambda w: [w.hospital.pk],
        {
            "admin": 200,
            "branch": 200,
            "agency": 200,
            "hr": 200,
            "sponsor": 403,
            "worker": 403,
            "other_branch": 404,
            "other_hr": 404,
        },
    ),
    (
        "registry:employer_create",
        None,
        {"admin": 200, "branch": 200, "agency": 403, "hr": 403, "sponsor": 403, "worker": 403},
    ),
    (
        "registry:employer_edit",
        lambda w: [w.hospital.pk],
        {"admin": 200, "branch": 200, "agency": 403, "hr": 403, "sponsor": 403, "other_branch": 404},
    ),
    (
        "registry:worker_register",
        lambda w: [w.hospital.pk],
        {
            "admin": 200,
            "branch": 200,
            "hr": 200,
            "agency": 403,
            "sponsor": 403,
            "worker": 403,
            "other_hr": 404,
        },
    ),
    (
        "registry:person_list",
        None,
        {"admin": 200, "branch": 200, "agency": 200, "hr": 200, "sponsor": 200, "worker": 403},
    ),
    (
        "registry:person_detail",
        lambda w: [w.nurse.pk],
        {
            "admin": 200,
            "branch": 200,
            "agency": 200,
            "hr": 200,
            "worker": 200,
            "sponsor": 404,
            "other_branch": 404,
            "other_hr": 404,
        },
    ),
    ("registry:person_detail", lambda w: [w.driver.pk], {"sponsor": 200, "worker": 404, "hr": 404}),
    (
        "registry:person_create",
        None,
        {"admin": 200, "branch": 200, "agency": 403, "hr": 403, "sponsor": 403, "worker": 403},
    ),
    (
        "registry:person_edit",
        lambda w: [w.nurse.pk],
        {
            "admin": 200,
            "branch": 200,
            "hr": 200,
            "agency": 403,
            "sponsor": 403,
            "worker": 403,
            "other_hr": 404,
        },
    ),
    (
        "registry:employment_create",
        lambda w: [w.nurse.pk],
        {
            "admin": 200,
            "branch": 200,
            "hr": 200,
            "agency": 403,
            "sponsor": 403,
            "worker": 403,
            "other_hr": 404,
        },
    ),
    (
        "registry:membership_create",
        lambda w: [w.nurse.pk],
        {
            "admin": 200,
            "branch": 200,
            "hr": 200,
            "agency": 403,
            "sponsor": 403,
            "worker": 403,
            "other_hr": 404,
        },
    ),
    (
        "registry:employment_list",
        None,
        {"admin": 200, "branch": 200, "agency": 200, "hr": 200, "worker": 200, "sponsor": 403},
    ),
    (
        "registry:employment_detail",
        lambda w: [nurse_employment(w).pk],
        {
            "admin": 200,
            "branch": 200,
            "agency": 200,
            "hr": 200,
            "worker": 200,
            "sponsor": 403,
            "other_hr": 404,
            "other_branch": 404,
        },
    ),
    (
        "registry:employment_edit",
        lambda w: [nurse_employment(w).pk],
        {
            "admin": 200,
            "branch": 200,
            "hr": 200,
            "agency": 403,
            "sponsor": 403,
            "worker": 403,
            "other_hr": 404,
        },
    ),
    ("registry:membership_list", None, dict.fromkeys(USERS, 200)),
    (
        "registry:membership_detail",
        lambda w: [w.driver_membership.pk],
        {"admin": 200, "branch": 200, "sponsor": 200, "worker": 404, "hr": 404, "agency": 404},
    ),
    (
        "registry:membership_end",
        lambda w: [w.driver_membership.pk],
        {"admin": 200, "branch": 200, "agency": 403, "sponsor": 403, "worker": 403, "hr": 404},
    ),
]


@pytest.mark.parametrize(
    ("name", "args", "expected"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)]
)
def test_page_status_by_role(world: Any, as_user: Any, name: str, args: Any, expected: Any) -> None:
    url = reverse(name, args=args(world) if args else None)
    got = {who: as_user(getattr(world, USERS[who])).get(url).status_code for who in expected}
    assert got == expected


def test_pages_need_sign_in(world: Any, client: Any) -> None:
    for name, args in [("home", None), ("registry:person_detail", [world.nurse.pk]), ("search", None)]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_posting_without_the_right_is_refused_and_writes_nothing(world: Any, as_user: Any) -> None:
    before = (Employer.objects.count(), Person.objects.count(), Employment.objects.count())
    employer = {"npp": "NPP99999", "name": "X", "legal_form": "PT", "size_class": "kecil", "kbli": "10750"}
    posts = [
        (world.agency_health_malang, reverse("registry:employer_create"), employer, 403),
        (world.hr_hospital, reverse("registry:employer_create"), employer, 403),
        (
            world.sponsor_user,
            reverse("registry:person_edit", args=[world.driver.pk]),
            {"full_name": "X"},
            403,
        ),
        (
            world.worker_user,
            reverse("registry:membership_create", args=[world.nurse.pk]),
            {"segment": "BPU"},
            403,
        ),
        # An employer's HR may write, but not for another employer: 404, no hint that it exists.
        (world.hr_factory, reverse("registry:worker_register", args=[world.hospital.pk]), {"nik": "1"}, 404),
    ]
    for user, url, data, status in posts:
        assert as_user(user).post(url, data).status_code == status, (user.username, url)
    assert (Employer.objects.count(), Person.objects.count(), Employment.objects.count()) == before
    world.driver.refresh_from_db()
    assert world.driver.full_name == "Pengemudi Contoh"


def test_write_buttons_only_for_roles_that_write(world: Any, as_user: Any) -> None:
    person_page = reverse("registry:person_detail", args=[world.nurse.pk])
    employer_page = reverse("registry:employer_detail", args=[world.hospital.pk])
    edit = reverse("registry:person_edit", args=[world.nurse.pk])
    register = reverse("registry:worker_register", args=[world.hospital.pk])

    def shows(user: Any, url: str, link: str) -> bool:
        return link in as_user(user).get(url).text

    assert shows(world.branch_malang, person_page, edit)
    assert not shows(world.agency_health_malang, person_page, edit)
    assert not shows(world.worker_user, person_page, edit)
    assert shows(world.hr_hospital, employer_page, register)
    assert not shows(world.agency_health_malang, employer_page, register)


def test_header_shows_role_and_scope(world: Any, as_user: Any) -> None:
    html = as_user(world.branch_malang).get(reverse("home")).text
    assert "Kantor Cabang Malang" in html
    html = as_user(world.sponsor_user).get(reverse("home")).text
    assert "CSR RS Contoh Sehat" in html


def test_admin_for_national_admins_only(world: Any, as_user: Any) -> None:
    world.admin.is_staff = True
    world.admin.save()
    world.branch_malang.is_staff = True
    world.branch_malang.save()
    admin_client = as_user(world.admin)
    for url in [
        "/admin/",
        "/admin/regions/region/?q=Malang",
        "/admin/regions/branchoffice/",
        f"/admin/regions/branchoffice/{world.malang.pk}/change/",
        "/admin/partners/partneragency/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{world.hr_hospital.pk}/change/",
        "/admin/core/auditevent/",
        "/admin/registry/person/",
        "/admin/registry/employer/",
        "/admin/registry/membership/",
        "/admin/registry/employment/",
        "/admin/registry/sponsor/",
    ]:
        assert admin_client.get(url).status_code == 200, url
    # Registry rows and the audit log are read-only, even for national administrators.
    assert admin_client.get("/admin/registry/person/add/").status_code == 403
    assert admin_client.get("/admin/core/auditevent/add/").status_code == 403
    branch_client = as_user(world.branch_malang)
    assert branch_client.get("/admin/regions/branchoffice/").status_code == 403
    assert branch_client.get("/admin/core/auditevent/").status_code == 403
