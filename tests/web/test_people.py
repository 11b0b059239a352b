"""People administered in the browser: only roles below one's own, only within one's region;
forced password change; TOTP two-factor sign-in; idle sessions end."""

import re

import pyotp
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dixian.core import actions
from dixian.core.models import AuditEvent, User
from dixian.core.roles import Role
from tests.conftest import COUNTY, PASSWORD, TOWNSHIP, VILLAGE, make_user


@pytest.mark.django_db
def test_a_county_admin_grants_only_roles_below_within_the_county(users):
    admin = users[Role.COUNTY_ADMIN]
    cadre = actions.do_create_user(username="new-cadre", role=Role.VILLAGE_CADRE,
                                   region_code=VILLAGE, password=PASSWORD, actor=admin)
    assert cadre.region_id == VILLAGE
    with pytest.raises(PermissionDenied):
        actions.do_create_user(username="x1", role=Role.COUNTY_ADMIN, region_code=COUNTY,
                               password=PASSWORD, actor=admin)
    with pytest.raises(ValidationError):
        actions.do_create_user(username="x2", role=Role.VILLAGE_CADRE,
                               region_code="522633001001", password=PASSWORD, actor=admin)
    with pytest.raises(PermissionDenied):
        actions.do_create_user(username="x3", role=Role.VILLAGE_CADRE, region_code=VILLAGE,
                               password=PASSWORD, actor=users[Role.COUNTY_APPROVER])
    actions.do_rescope_user(cadre, role=Role.TOWNSHIP_REVIEWER, region_code=TOWNSHIP,
                            actor=admin)
    with pytest.raises(PermissionDenied):  # the admin cannot touch a peer
        actions.do_deactivate_user(make_user(Role.COUNTY_ADMIN, COUNTY, username="peer"),
                                   actor=admin)


@pytest.mark.django_db
def test_a_province_admin_may_create_a_county_admin(county_regions):
    province_admin = make_user(Role.PROVINCE_ADMIN, "52", username="gz-admin")
    county_admin = actions.do_create_user(username="wm-admin", role=Role.COUNTY_ADMIN,
                                          region_code=COUNTY, password=PASSWORD,
                                          actor=province_admin)
    assert county_admin.role == Role.COUNTY_ADMIN
    with pytest.raises(ValidationError):
        actions.do_create_user(username="km-admin", role=Role.COUNTY_ADMIN,
                               region_code="530102", password=PASSWORD, actor=province_admin)


@pytest.mark.django_db
def test_created_in_the_browser_then_forced_to_change_the_password(client, users):
    client.force_login(users[Role.COUNTY_ADMIN])
    page = client.post("/users/new/", {"username": "zhang.cadre", "full_name": "张",
                                       "role": "village_cadre", "region": VILLAGE,
                                       "department": ""})
    assert page.status_code == 200
    first = re.search(r'<code id="secret">([^<]+)</code>', page.content.decode()).group(1)
    user = User.objects.get(username="zhang.cadre")
    assert user.must_change_password and user.check_password(first)
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).exists()
    client.logout()
    client.post("/login/", {"username": "zhang.cadre", "password": first})
    assert client.get("/households/")["Location"] == "/account/password/"
    assert client.get("/api/me").status_code == 403
    answer = client.post("/account/password/", {"old": first, "new": "a-new-long-password",
                                                 "again": "a-new-long-password"})
    assert answer.status_code == 302
    assert client.get("/households/").status_code == 200


@pytest.mark.django_db
def test_two_factor_is_set_up_then_asked_at_each_sign_in(client, users, settings):
    from django.core.cache import cache

    cache.clear()
    settings.DIXIAN_TWO_FACTOR = True
    cadre = users[Role.VILLAGE_CADRE]
    client.post("/login/", {"username": cadre.username, "password": PASSWORD})
    assert client.get("/households/")["Location"] == "/account/two-factor/setup/"
    setup = client.get("/account/two-factor/setup/").content.decode()
    secret = re.search(r'<code id="secret-key"[^>]*>([A-Z2-7]+)</code>', setup).group(1)
    assert client.post("/account/two-factor/setup/", {"code": "000000"}).status_code == 200
    code = pyotp.TOTP(secret).now()
    assert client.post("/account/two-factor/setup/", {"code": code}).status_code == 302
    assert client.get("/households/").status_code == 200
    client.logout()
    client.post("/login/", {"username": cadre.username, "password": PASSWORD})
    assert client.get("/households/")["Location"] == "/account/two-factor/"
    # the code already used is refused (one use), a fresh one is accepted
    assert client.post("/account/two-factor/", {"code": code}).status_code == 200
    cache.delete(f"totp-used:{cadre.pk}:{pyotp.TOTP(secret).now()}")
    fresh = pyotp.TOTP(secret).now()
    if fresh == code:
        cache.delete(f"totp-used:{cadre.pk}:{code}")
    assert client.post("/account/two-factor/", {"code": fresh}).status_code == 302
    assert client.get("/households/").status_code == 200
    # an analyst (no personal data) is not asked
    client.logout()
    client.post("/login/", {"username": users[Role.ANALYST].username, "password": PASSWORD})
    assert client.get("/households/").status_code == 200


@pytest.mark.django_db
def test_an_idle_session_ends(client, users, settings):
    client.post("/login/", {"username": users[Role.ANALYST].username, "password": PASSWORD})
    assert client.get("/households/").status_code == 200
    session = client.session
    session["last_seen"] -= settings.DIXIAN_SESSION_IDLE + 1
    session.save()
    assert "/login/" in client.get("/households/")["Location"]


@pytest.mark.django_db
def test_disable_and_reset_from_the_user_page(client, users):
    admin = users[Role.COUNTY_ADMIN]
    cadre = users[Role.VILLAGE_CADRE]
    client.force_login(admin)
    assert client.get(f"/users/{cadre.pk}/").status_code == 200
    client.post(f"/users/{cadre.pk}/disable/")
    cadre.refresh_from_db()
    assert not cadre.is_active
    page = client.post(f"/users/{cadre.pk}/reset-password/").content.decode()
    cadre.refresh_from_db()
    assert cadre.must_change_password and 'id="secret"' in page
    peer = make_user(Role.COUNTY_ADMIN, COUNTY, username="peer-admin")
    assert client.get(f"/users/{peer.pk}/").status_code == 404
    neighbour = make_user(Role.VILLAGE_CADRE, "522633001001", username="neighbour-cadre")
    assert client.post(f"/users/{neighbour.pk}/disable/").status_code == 404
