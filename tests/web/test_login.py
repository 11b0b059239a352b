import pytest
from django.test import override_settings

from dixian.core.models import AuditEvent
from dixian.core.roles import Role
from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_login_and_logout_are_audited(client, users):
    user = users[Role.COUNTY_APPROVER]
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")
    actions = list(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))
    assert "auth.login" in actions and "auth.logout" in actions


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_failed_logins_are_throttled_per_account(client, users):
    user = users[Role.VILLAGE_CADRE]
    for _ in range(3):
        response = client.post("/login/", {"username": user.username, "password": "wrong"})
        assert response.status_code == 200
    # Even the right password is refused while the account is throttled.
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(action="auth.login_failed",
                                     object_id=user.username).count() == 3
    # Another account is not affected.
    other = users[Role.COUNTY_ADMIN]
    assert client.post("/login/", {"username": other.username,
                                   "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_the_site_is_chinese_by_default_and_switches_to_english(client, users):
    client.force_login(users[Role.COUNTY_APPROVER])
    assert "区划" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Regions" in client.get("/").content.decode()


@pytest.mark.django_db
def test_every_response_carries_a_request_id_that_reaches_the_audit_row(client, users):
    user = users[Role.COUNTY_APPROVER]
    response = client.post("/login/", {"username": user.username, "password": PASSWORD},
                           headers={"X-Request-ID": "req-test-12345"})
    assert response["X-Request-ID"] == "req-test-12345"
    event = AuditEvent.objects.filter(action="auth.login").order_by("-seq").first()
    assert event.request_id == "req-test-12345"


@pytest.mark.django_db
def test_chinese_is_the_default_whatever_the_browser_asks_for(client, users):
    client.force_login(users[Role.COUNTY_APPROVER])
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "区划" in page and "Regions" not in page


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_wrong_passwords_from_elsewhere_do_not_lock_the_approver_out(client, users):
    from django.test import Client

    approver = users[Role.COUNTY_APPROVER]
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(10):
        attacker.post("/login/", {"username": approver.username, "password": "guess"})
    # the attacker is locked out of that account, even with the right password ...
    refused = attacker.post("/login/", {"username": approver.username, "password": PASSWORD})
    assert refused.status_code == 200 and not refused.wsgi_request.user.is_authenticated
    # ... and the approver, at her own computer, logs in
    office = Client(REMOTE_ADDR="10.1.2.3")
    assert office.post("/login/", {"username": approver.username,
                                   "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=100, LOGIN_CLIENT_FAILURE_LIMIT=4)
def test_a_client_guessing_across_accounts_is_refused_at_the_limit(users):
    from django.test import Client

    guesser = Client(REMOTE_ADDR="203.0.113.7")
    accounts = [u.username for u in users.values()]
    for name in accounts[:3]:  # three failures: one below the limit
        guesser.post("/login/", {"username": name, "password": "guess"})
    assert guesser.post("/login/", {"username": accounts[3],
                                    "password": PASSWORD}).status_code == 302
    guesser.post("/logout/")
    guesser.post("/login/", {"username": accounts[4], "password": "guess"})  # the fourth
    refused = guesser.post("/login/", {"username": accounts[5], "password": PASSWORD})
    assert refused.status_code == 200 and "这台电脑" in refused.content.decode()
    assert Client(REMOTE_ADDR="10.1.2.3").post(
        "/login/", {"username": accounts[5], "password": PASSWORD}).status_code == 302
