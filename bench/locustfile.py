"""The load mix of bench/load.py: each simulated user signs in through the login form as one role of the
national data set (bench/national.py) and then, with a pause of 1–5 s between requests, opens that role's
pages and API lists (the API takes the session). Roles are weighted as a branch office's day would be:
branch staff most, then employers' HR, agencies, sponsors, workers and a few national admins.

Run by bench/load.py (`locust --headless -f bench/locustfile.py …`), not on its own.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
from typing import Any, ClassVar

from locust import FastHttpUser, between, events, task

from bench.national import PASSWORD, USERNAMES

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Person 1 (PU, employer 1, lives in Kabupaten Malang) and person 625 (BPU paid by sponsor 1) exist at every
# size of the data set; employer 1 and payer account 1 (employer 1's) too.
REGISTRY = ["/persons/", "/memberships/", "/employment/", "/employers/"]
API = ["/api/v1/persons/", "/api/v1/memberships/", "/api/v1/employments/", "/api/v1/employers/"]
PAGES: dict[str, list[str]] = {
    "admin": [
        "/",
        *REGISTRY,
        *API,
        "/coverage/",
        "/contributions/",
        "/contributions/arrears/",
        "/compliance/",
        "/persons/1/",
        "/employers/1/",
        "/api/v1/persons/1/",
    ],
    "branch": [
        "/",
        *REGISTRY,
        *API,
        "/coverage/",
        "/contributions/",
        "/contributions/arrears/",
        "/compliance/",
        "/rosters/reviews/",
        "/persons/1/",
        "/employers/1/",
        "/api/v1/persons/1/",
    ],
    "agency": ["/", *REGISTRY, *API, "/coverage/", "/compliance/", "/persons/1/", "/employers/1/"],
    "employer": [
        "/",
        *REGISTRY,
        *API,
        "/contributions/",
        "/contributions/bills/",
        "/persons/1/",
        "/employers/1/",
        "/contributions/accounts/1/",
    ],
    "sponsor": [
        "/",
        "/persons/",
        "/memberships/",
        "/api/v1/persons/",
        "/api/v1/memberships/",
        "/contributions/",
        "/persons/625/",
        "/api/v1/persons/625/",
    ],
    "worker": [
        "/",
        "/memberships/",
        "/employment/",
        "/api/v1/memberships/",
        "/persons/1/",
        "/api/v1/persons/1/",
        "/benefits/claims/",
        "/benefits/simulator/",
    ],
}
WEIGHTS = {"branch": 40, "employer": 25, "agency": 10, "sponsor": 10, "worker": 10, "admin": 5}
TIMEOUT = float(os.environ.get("BENCH_LOAD_REQUEST_TIMEOUT", "60"))
SIGN_IN = ("login form", "login")
# Page figures without the sign-ins: each is a deliberately slow password hash, once per user, and Locust's
# own totals mix them in. Written as JSON to BENCH_LOAD_PAGES_JSON when Locust quits.
_page_times: list[float] = []
_page_errors: list[str] = []


@events.request.add_listener
def _record(name: str, response_time: float, exception: BaseException | None, **kwargs: Any) -> None:
    if name in SIGN_IN:
        return
    _page_times.append(response_time)
    if exception is not None:
        _page_errors.append(f"{name}: {exception}"[:200])


@events.quitting.add_listener
def _write(**kwargs: Any) -> None:
    target = os.environ.get("BENCH_LOAD_PAGES_JSON")
    if not target:
        return
    ordered = sorted(_page_times)

    def rank(q: float) -> float:
        return ordered[max(0, math.ceil(len(ordered) * q) - 1)] if ordered else 0.0

    with open(target, "w") as f:
        json.dump(
            {
                "requests": len(ordered),
                "errors": len(_page_errors),
                "p50": rank(0.5),
                "p95": rank(0.95),
                "p99": rank(0.99),
                "first_errors": _page_errors[:20],
            },
            f,
        )


class _RoleUser(FastHttpUser):
    abstract = True
    role: ClassVar[str] = ""
    wait_time = between(1, 5)
    network_timeout = TIMEOUT
    connection_timeout = TIMEOUT

    def on_start(self) -> None:
        answer = self.client.get("/login/", name="login form")
        match = CSRF.search(answer.text or "")
        token = match.group(1) if match else ""
        self.client.post(
            "/login/",
            data={"username": USERNAMES[self.role], "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/login/"},
            name="login",
        )

    @task
    def page(self) -> None:
        path = random.choice(PAGES[self.role])
        with self.client.get(
            path, name=f"{self.role} {path}", catch_response=True, allow_redirects=False
        ) as answer:
            # A redirect here can only be to the login page: the session was lost.
            if answer.status_code >= 300:
                answer.failure(f"HTTP {answer.status_code} {answer.headers.get('Location', '')}")


def _user_class(role: str) -> type[Any]:
    return type(f"{role.title()}User", (_RoleUser,), {"role": role, "weight": WEIGHTS[role]})


AdminUser = _user_class("admin")
BranchUser = _user_class("branch")
AgencyUser = _user_class("agency")
EmployerUser = _user_class("employer")
SponsorUser = _user_class("sponsor")
WorkerUser = _user_class("worker")
