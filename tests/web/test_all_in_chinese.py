"""Every page, for every role, in Chinese: no English left untranslated, no raw codes (an
enum such as ILLNESS or DIBAO is shown by its label), no float noise (12.199999809265137).

The pages are the access matrix's pages (every GET route that answers with HTML), rendered
for each role with the matrix's data (a household, a case, an alert, a measure, a screening,
an import with a rejected row), in zh-hans, the platform's default language."""

from __future__ import annotations

import pytest

from tests.web.test_access_matrix import ROUTES, registry_targets  # noqa: F401 - a fixture
from tests.web.visible_text import english_words, float_noise, visible_text

PAGES = [r for r in ROUTES if not r.api and r.method == "get"]


@pytest.mark.django_db
def test_every_page_for_every_role_is_in_chinese(client, users, registry_targets):  # noqa: F811
    found = []
    for role, user in users.items():
        client.force_login(user)
        for route in PAGES:
            url = route.path.format(code=user.region_id, **registry_targets["inside"])
            response = client.get(url, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
            if not response["Content-Type"].startswith("text/html"):
                continue
            text = visible_text(response.content.decode())
            for name in {u.username for u in users.values()} | {user.get_full_name()}:
                text = text.replace(name, "") if name else text
            if words := english_words(text):
                found.append(f"{role} {url}: English {words}")
            if noise := float_noise(text):
                found.append(f"{role} {url}: float noise {noise}")
        client.logout()
    assert found == [], "\n".join(found)


def test_the_reader_sees_what_a_person_sees():
    html = ('<p>病 <span class="code">ILLNESS</span> <script>var x = "Hello";</script>'
            '<input placeholder="Note"><button lang="en">English</button>'
            '<td>12.199999809265137</td><br>DIBAO</p>')
    text = visible_text(html)
    assert english_words(text) == ["DIBAO", "Note"]
    assert float_noise(text) == ["12.199999809265137"]


@pytest.mark.django_db
def test_the_case_page_at_every_step_for_every_role_is_in_chinese(client, users,
                                                                  registry_targets):  # noqa: F811
    """Each step's forms (the visit, the village review, an objection, the approval) and
    its refusals, in Chinese."""
    from dixian.cases.machine import Kind, State
    from dixian.cases.models import Case

    case_id = registry_targets["inside"]["case"]
    found = []
    for kind in Kind:
        for state in State:
            Case.objects.filter(pk=case_id).update(state=state, kind=kind)
            for role, user in users.items():
                client.force_login(user)
                text = visible_text(client.get(f"/cases/{case_id}/").content.decode())
                for name in {u.username for u in users.values()}:
                    text = text.replace(name, "")
                if words := english_words(text):
                    found.append(f"{kind} {state} {role}: English {words}")
    # A refused step says why in Chinese (the notice must run its days).
    Case.objects.filter(pk=case_id).update(state=State.NOTICE, kind=Kind.IDENTIFICATION)
    from django.utils import timezone

    Case.objects.filter(pk=case_id).update(notice_started_at=timezone.now())
    from dixian.core.roles import Role

    client.force_login(users[Role.VILLAGE_CADRE])
    page = client.post(f"/cases/{case_id}/act/", {"action": "close_notice",
                                                  "expected_state": "notice"}, follow=True)
    said = visible_text(page.content.decode())
    assert "公示不少于5天" in said and "close_notice" not in said
    assert found == [], "\n".join(sorted(set(found)))
