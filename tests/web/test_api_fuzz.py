"""Schemathesis over the whole OpenAPI document, as each role: no input gives a server error.

Each operation is exercised with generated path, query and body values (malformed numbers,
dates, codes, huge integers, unicode); the generated requests are sent in turn by every role
of the test county and by an anonymous client, so each role meets every operation; a 5xx
fails. CI-sized by default (9 requests an operation); `make fuzz` raises
``DIXIAN_API_FUZZ_EXAMPLES``.
"""

from __future__ import annotations

import itertools
import json
import os
from urllib.parse import quote, urlencode

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, settings

from dixian.api import api
from tests.conftest import ROLE_BINDINGS

_TURN = itertools.count()
EXAMPLES = int(os.environ.get("DIXIAN_API_FUZZ_EXAMPLES", "9"))
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())


@pytest.fixture
def role_clients(users, settings, tmp_path):
    from django.test import Client

    settings.MEDIA_ROOT = tmp_path / "media"
    clients = {"anonymous": Client()}
    for role in ROLE_BINDINGS:
        client = Client()
        client.force_login(users[role])
        clients[role.value] = client
    return clients


def _request(client, case):
    path = case.operation.path
    for name, value in (case.path_parameters or {}).items():
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    path = "/api" + path if not path.startswith("/api") else path
    query = urlencode(case.query or {}, doseq=True)
    url = f"{path}?{query}" if query else path
    method = case.method.lower()
    if case.body is None or case.media_type is None:
        return client.generic(method.upper(), url)
    if case.media_type.startswith("multipart/"):
        fields = {}
        for key, value in (case.body or {}).items() if isinstance(case.body, dict) else ():
            if isinstance(value, bytes | bytearray):
                value = SimpleUploadedFile(f"{key}.csv", bytes(value))
            elif not isinstance(value, str):
                value = json.dumps(value, default=lambda b: bytes(b).decode("latin-1"))
            fields[key] = value
        return client.post(url, fields)
    body = json.dumps(case.body, default=lambda b: bytes(b).decode("latin-1"))
    return client.generic(method.upper(), url, body, content_type="application/json")


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_input_gives_a_server_error(case, role_clients):
    roles = sorted(role_clients)
    role = roles[next(_TURN) % len(roles)]  # the roles take turns
    response = _request(role_clients[role], case)
    assert response.status_code < 500, (
        role, case.method, case.operation.path, case.path_parameters, case.query,
        case.body, response.content[:300])


MALFORMED = [  # what the probe sent to the running demo
    "/api/regions?limit=1000000000000000000000000000000",
    "/api/audit?offset=1000000000000000000000000000000",
    "/api/registry/households?limit=-1",
    "/api/assistance/coverage?on=abc",
    "/api/statistics/522326/households?indicator=identified&period=abc",
    "/api/registry/imports/abc",
    "/api/procedures/cases/99999999999999999999999",
    "/households/5223261012010001/?month=abc",
    "/measures/?id=abc",
    "/measures/?id=99999999999999999999999",
    "/assistance/coverage/?on=abc",
    "/statistics/522326/?period=abc",
    "/statistics/522326/households/?indicator=identified&period=abc",
    "/regions/?page=abc",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", MALFORMED)
def test_malformed_query_parameters_are_4xx(role_clients, path):
    from dixian.core.roles import Role

    for role in (Role.COUNTY_ADMIN, Role.DEPARTMENT_OFFICER, Role.AUDITOR):
        response = role_clients[role.value].get(path)
        assert response.status_code < 500, (role, path, response.content[:200])
    response = role_clients[Role.COUNTY_ADMIN.value].post("/api/exchange/screening?period=abc")
    assert response.status_code == 400
