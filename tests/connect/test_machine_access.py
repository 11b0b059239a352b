"""Department systems call the API with a service account's token: shown once, stored
hashed, scoped, rate-limited, revocable; DCI search and subscribe/notify."""

import json

import polars as pl
import pytest

from dixian.connect import events, tokens
from dixian.connect.models import ApiToken, OutboxNotice
from dixian.core import pii
from dixian.core.models import AuditEvent
from dixian.core.roles import Role
from dixian.registry import actions, importing
from dixian.registry.models import Member
from tests.conftest import COUNTY, OTHER_COUNTY, VILLAGE, make_user
from tests.registry.builders import households_and_members


@pytest.fixture
def registry(county_regions, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for village in (VILLAGE, "522633001001"):
        tables = households_and_members(2, village)
        importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})


@pytest.fixture
def account(registry, users):
    return tokens.do_create_service_account(name="yibao-system", department="medical_insurance",
                                            region_code=COUNTY,
                                            actor=users[Role.COUNTY_ADMIN])


def _token(account, users, scopes):
    return tokens.do_create_token(account, name="nightly", scopes=scopes,
                                  actor=users[Role.COUNTY_ADMIN])


def _bearer(clear):
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def _envelope(action, message):
    return {"signature": "", "header": {"version": "1.0.0", "message_id": "m1",
                                        "message_ts": "2026-01-01T00:00:00Z", "action": action,
                                        "sender_id": "yibao", "receiver_id": "dixian",
                                        "total_count": 1}, "message": message}


@pytest.mark.django_db
def test_a_token_is_shown_once_stored_hashed_and_audited(account, users):
    token, clear = _token(account, users, ["feeds:upload"])
    assert clear.startswith(f"dxn_{token.prefix}_") and len(clear) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert clear not in json.dumps([stored.digest, stored.prefix, stored.name])
    assert stored.digest == tokens.digest(clear)
    event = AuditEvent.objects.get(action="token.create")
    assert clear not in json.dumps(event.after)


@pytest.mark.django_db
def test_a_department_script_uploads_a_feed_and_reads_its_alerts(client, account, users):
    _token_obj, clear = _token(account, users, ["feeds:upload", "alerts:read"])
    member = Member.objects.get(member_id=f"{VILLAGE}0001-01")
    resident_id = pii.decrypt(member.resident_id_enc, "resident_id")
    from django.core.files.uploadedfile import SimpleUploadedFile

    claims = ("结算编号,身份证号码,就诊类型,结算日期,医疗总费用,政策范围内个人自付\n"
              f"C1,{resident_id},住院,2025-05-20,80000,30000\n").encode()
    upload = client.post("/api/exchange/feeds", {"file": SimpleUploadedFile(
        "claims_2025-05.csv", claims)}, **_bearer(clear))
    assert upload.status_code == 200, upload.content
    assert (upload.json()["status"], upload.json()["matched"]) == ("accepted", 1)
    from dixian.engine.scope import RegionScope
    from dixian.exchange import actions as exchange

    exchange.do_run_screening(RegionScope.of(COUNTY), "2025-05")
    alerts = client.get("/api/dci/alerts", **_bearer(clear))
    assert alerts.status_code == 200, alerts.content
    items = alerts.json()["items"]
    assert items and items[0]["household_code"] == member.household.code
    assert {"outcome", "clue_id", "case_status"} <= set(items[0])
    # the upload is audited under the service account
    assert AuditEvent.objects.filter(action="feed.upload",
                                     actor_username="yibao-system").exists()


@pytest.mark.django_db
def test_scopes_revocation_expiry_and_rate(client, account, users, settings):
    token, clear = _token(account, users, ["alerts:read"])
    assert client.get("/api/dci/alerts", **_bearer(clear)).status_code == 200
    # a scope the token lacks, and an endpoint no token may call
    assert client.post("/api/exchange/feeds", **_bearer(clear)).status_code == 403
    assert client.get("/api/registry/households", **_bearer(clear)).status_code == 403
    assert client.get("/api/dci/alerts", **_bearer("dxn_nope_nope")).status_code == 401
    settings.DIXIAN_TOKEN_RATE = 3
    from django.core.cache import cache

    cache.clear()
    statuses = [client.get("/api/dci/alerts", **_bearer(clear)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    cache.clear()
    new, new_clear = tokens.do_rotate_token(token, actor=users[Role.COUNTY_ADMIN])
    assert client.get("/api/dci/alerts", **_bearer(clear)).status_code == 401
    assert client.get("/api/dci/alerts", **_bearer(new_clear)).status_code == 200
    tokens.do_revoke_token(new, actor=users[Role.COUNTY_ADMIN])
    assert client.get("/api/dci/alerts", **_bearer(new_clear)).status_code == 401
    assert {"token.create", "token.rotate", "token.revoke"} <= set(
        AuditEvent.objects.values_list("action", flat=True))


@pytest.mark.django_db
def test_another_county_cannot_see_or_touch_the_account(account, users):
    from dixian.core.access import NotFound

    neighbour = make_user(Role.COUNTY_ADMIN, OTHER_COUNTY, username="neighbour-admin")
    with pytest.raises(NotFound):
        tokens.do_create_token(account, name="x", scopes=["alerts:read"], actor=neighbour)


@pytest.mark.django_db
def test_dci_search_by_id_is_masked_scoped_and_audited(client, account, users):
    _t, clear = _token(account, users, ["registry:search"])
    member = Member.objects.get(member_id=f"{VILLAGE}0002-01")
    resident_id = pii.decrypt(member.resident_id_enc, "resident_id")
    outside = Member.objects.get(member_id="5226330010010001-01")
    body = _envelope("search", {"transaction_id": "t1", "search_request": [
        {"reference_id": "r1", "timestamp": "2026-01-01T00:00:00Z", "search_criteria": {
            "query_type": "idtype-value", "query": {"type": "RESIDENT_ID", "value": resident_id}}},
        {"reference_id": "r2", "timestamp": "2026-01-01T00:00:00Z", "search_criteria": {
            "query_type": "idtype-value",
            "query": {"type": "RESIDENT_ID",
                      "value": pii.decrypt(outside.resident_id_enc, "resident_id")}}},
        {"reference_id": "r3", "timestamp": "2026-01-01T00:00:00Z", "search_criteria": {
            "query_type": "graphql", "query": {"type": "x", "value": "y"}}}]})
    response = client.post("/api/dci/registry/sync/search", body,
                           content_type="application/json", **_bearer(clear))
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["header"]["action"] == "on-search"
    first, second, third = answer["message"]["search_response"]
    records = first["data"]["reg_records"]
    assert records[0]["identifier"][0]["identifier_value"] == member.household.code
    assert resident_id not in response.content.decode()
    assert second["data"]["reg_records"] == []  # another county: nothing
    assert third["status"] == "rjct"
    assert AuditEvent.objects.filter(action="dci.search").exists()


@pytest.mark.django_db
def test_subscribe_to_deaths_and_get_notified(client, account, users):
    _t, clear = _token(account, users, ["registry:subscribe"])
    body = _envelope("subscribe", {"transaction_id": "t2", "subscribe_request": [{
        "reference_id": "r1", "timestamp": "2026-01-01T00:00:00Z",
        "subscribe_criteria": {"reg_event_type": "death"}}]})
    body["header"]["sender_uri"] = "https://yibao.example/dci/notify"
    response = client.post("/api/dci/registry/subscribe", body,
                           content_type="application/json", **_bearer(clear))
    assert response.status_code == 200, response.content
    code = response.json()["message"]["subscribe_response"][0]["subscriptions"][0]["code"]
    member = Member.objects.get(member_id=f"{VILLAGE}0001-02")
    actions.do_record_death(member, "2025-06", actor=users[Role.VILLAGE_CADRE])
    outside = Member.objects.get(member_id="5226330010010001-02")
    actions.do_record_death(outside, "2025-06",
                            actor=make_user(Role.COUNTY_ADMIN, OTHER_COUNTY, username="oa"))
    assert OutboxNotice.objects.count() == 1  # only the county's death
    pulled = client.get("/api/dci/registry/notifications", **_bearer(clear)).json()
    event = pulled["message"]["notify_event"][0]
    assert event["data"]["reg_records"][0]["member_id"] == member.member_id
    assert event["subscription_code"] == code
    sent = []
    assert events.deliver(post=lambda url, envelope: sent.append((url, envelope))) == {
        "delivered": 1, "failed": 0}
    assert sent[0][0] == "https://yibao.example/dci/notify"
    assert sent[0][1]["header"]["action"] == "notify"
    assert events.deliver(post=lambda *a: sent.append(a)) == {"delivered": 0, "failed": 0}
    unsubscribe = _envelope("unsubscribe", {"transaction_id": "t3", "subscription_codes": [code]})
    answer = client.post("/api/dci/registry/unsubscribe", unsubscribe,
                         content_type="application/json", **_bearer(clear)).json()
    assert answer["message"]["subscription_status"] == [{"code": code, "status": "unsubscribe"}]


@pytest.mark.django_db
def test_the_openapi_document_has_the_machine_endpoints(client, users):
    client.force_login(users[Role.COUNTY_ADMIN])
    document = client.get("/api/openapi.json").json()
    paths = set(document["paths"])
    assert {"/api/dci/registry/sync/search", "/api/dci/registry/subscribe",
            "/api/dci/registry/unsubscribe", "/api/dci/registry/notifications",
            "/api/dci/alerts", "/api/registry/households/{code}/split"} <= paths
    assert "ServiceToken" in document["components"]["securitySchemes"]
