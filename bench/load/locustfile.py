"""Mixed roles against the production setup (`make load`, bench/load/run.py).

The demo county's eight users (dixian/core/demo.py), each simulated person logging in with a
real session (CSRF) and reading what that role reads every day, in the proportions of a
county's staff: mostly village cadres and township reviewers. Credentials come from the JSON
file named by DIXIAN_LOAD_USERS ({"cadre": {"password": …, "region": …}, …}).

Every page and API operation is reported under a name with its ids folded
("/households/[id]/"), so p50/p95 are per page, not per household.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import random
import re

from locust import HttpUser, between, task

USERS = json.loads(open(os.environ["DIXIAN_LOAD_USERS"]).read())
COUNTY = os.environ.get("DIXIAN_LOAD_COUNTY", "522326")
HOUSEHOLD = re.compile(r'href="/households/(\d+)/"')
CASE = re.compile(r'href="/cases/(\d+)/"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _SecureOverLoopback(http.cookiejar.DefaultCookiePolicy):
    """gunicorn is reached directly on 127.0.0.1 as nginx would reach it: keep the Secure
    cookies (sessions, CSRF) over plain HTTP."""

    def return_ok(self, cookie, request):
        return True

    def set_ok(self, cookie, request):
        return True


class Role(HttpUser):
    abstract = True
    wait_time = between(1, 5)  # a person reading a page before the next click
    username = ""

    def on_start(self):
        self.client.cookies.set_policy(_SecureOverLoopback())
        host = self.host.split("//", 1)[1]
        self.client.headers.update({"X-Forwarded-Proto": "https",
                                    "Referer": f"https://{host}/",
                                    "Accept-Language": "zh-hans"})
        self.region = USERS[self.username]["region"]
        page = self.client.get("/login/", name="/login/")
        token = TOKEN.search(page.text).group(1)
        self._plain_http_cookies()
        with self.client.post("/login/", name="/login/ (POST)", catch_response=True,
                              allow_redirects=False,
                              data={"csrfmiddlewaretoken": token, "username": self.username,
                                    "password": USERS[self.username]["password"]}) as answer:
            if answer.status_code != 302 or "/login/" in answer.headers.get("Location", ""):
                answer.failure(f"login of {self.username} refused ({answer.status_code})")
            else:
                answer.success()
        self.households: list[str] = []
        self.cases: list[str] = []

    def _plain_http_cookies(self):
        # requests copies the jar (and drops its policy) for each request: clear the Secure
        # flag on the kept cookies instead, as TLS at nginx would make them sendable
        for cookie in self.client.cookies:
            cookie.secure = False

    def page(self, path: str, name: str | None = None, **kwargs):
        self._plain_http_cookies()
        return self.client.get(path, name=name or path, **kwargs)

    def households_page(self):
        page = self.page("/households/", "/households/")
        self.households = HOUSEHOLD.findall(page.text)[:50] or self.households

    def cases_page(self):
        page = self.page("/cases/", "/cases/")
        self.cases = CASE.findall(page.text)[:50] or self.cases

    def a_household(self):
        if not self.households:
            self.households_page()
        return random.choice(self.households) if self.households else None

    def a_case(self):
        if not self.cases:
            self.cases_page()
        return random.choice(self.cases) if self.cases else None


class VillageCadre(Role):
    weight = 30
    username = "cadre"

    @task(3)
    def home(self):
        self.page("/", "/")

    @task(2)
    def inbox(self):
        self.page("/inbox/")

    @task(3)
    def households(self):
        self.households_page()

    @task(4)
    def household(self):
        if (h := self.a_household()):
            self.page(f"/households/{h}/", "/households/[id]/")

    @task(2)
    def monitoring(self):
        if (h := self.a_household()):
            self.page(f"/monitoring/{h}/", "/monitoring/[id]/")

    @task(2)
    def plan(self):
        if (h := self.a_household()):
            self.page(f"/plans/{h}/", "/plans/[id]/")

    @task(2)
    def cases(self):
        self.cases_page()

    @task(1)
    def api_inbox(self):
        self.page("/api/procedures/inbox")

    @task(1)
    def api_households(self):
        self.page("/api/registry/households?limit=20", "/api/registry/households")


class TownshipReviewer(Role):
    weight = 15
    username = "township"

    @task(2)
    def inbox(self):
        self.page("/inbox/")

    @task(3)
    def cases(self):
        self.cases_page()

    @task(4)
    def case(self):
        if (c := self.a_case()):
            self.page(f"/cases/{c}/", "/cases/[id]/")

    @task(2)
    def households(self):
        self.households_page()

    @task(1)
    def statistics(self):
        self.page(f"/statistics/{self.region}/", "/statistics/[region]/")

    @task(1)
    def alerts(self):
        self.page("/alerts/")

    @task(1)
    def visits(self):
        self.page("/visits/")


class CountyApprover(Role):
    weight = 10
    username = "approver"

    @task(3)
    def cases(self):
        self.cases_page()

    @task(3)
    def case(self):
        if (c := self.a_case()):
            self.page(f"/cases/{c}/", "/cases/[id]/")

    @task(1)
    def eliminations(self):
        self.page("/eliminations/")

    @task(2)
    def statistics(self):
        self.page(f"/statistics/{COUNTY}/", "/statistics/[region]/")

    @task(2)
    def api_cases(self):
        self.page("/api/procedures/cases?limit=20", "/api/procedures/cases")

    @task(1)
    def api_case(self):
        if (c := self.a_case()):
            self.page(f"/api/procedures/cases/{c}", "/api/procedures/cases/[id]")


class CountyAdmin(Role):
    weight = 10
    username = "countyadmin"

    @task(2)
    def imports(self):
        self.page("/imports/")

    @task(2)
    def quality(self):
        self.page("/quality/")

    @task(2)
    def alerts(self):
        self.page("/alerts/")

    @task(1)
    def api_alerts(self):
        self.page("/api/exchange/alerts?limit=20", "/api/exchange/alerts")

    @task(2)
    def statistics(self):
        self.page(f"/statistics/{COUNTY}/", "/statistics/[region]/")

    @task(1)
    def coverage(self):
        self.page("/assistance/coverage/")

    @task(1)
    def issues(self):
        self.page("/assistance/issues/")


class DepartmentOfficer(Role):
    weight = 10
    username = "medical"

    @task(2)
    def feeds(self):
        self.page("/feeds/")

    @task(2)
    def measures(self):
        self.page("/measures/")

    @task(1)
    def api_measures(self):
        self.page("/api/assistance/measures?limit=20", "/api/assistance/measures")

    @task(1)
    def home(self):
        self.page("/", "/")


class Analyst(Role):
    weight = 10
    username = "analyst"

    @task(3)
    def statistics(self):
        self.page(f"/statistics/{COUNTY}/", "/statistics/[region]/")

    @task(2)
    def api_statistics(self):
        self.page(f"/api/statistics/{COUNTY}", "/api/statistics/[region]")

    @task(1)
    def coverage(self):
        self.page("/api/assistance/coverage")

    @task(1)
    def households(self):
        self.households_page()


class Auditor(Role):
    weight = 5
    username = "auditor"

    @task(2)
    def audit(self):
        self.page("/audit/")

    @task(2)
    def api_audit(self):
        self.page("/api/audit?limit=50", "/api/audit")

    @task(1)
    def cases(self):
        self.cases_page()


class SystemAdministrator(Role):
    weight = 5
    username = "sysadmin"

    @task(2)
    def users(self):
        self.page("/users/")

    @task(1)
    def regions(self):
        self.page(f"/regions/{COUNTY}/", "/regions/[code]/")

    @task(1)
    def audit(self):
        self.page("/audit/")
