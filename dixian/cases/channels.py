"""Clues from the channels that are not a person filling a form: departmental alerts after a
screening run, and associated monitoring when a monitored household splits.

Deduplication (issue 4, item 3): an alert becomes a clue only when it says something new. A
household already monitored for the alert's risk, or already under review for it, gets no
second clue; an alert seen in an earlier run (same household, member, rule and evidence) is
not raised again. Each alert keeps what became of it.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from dixian.cases import actions
from dixian.cases.machine import FINAL
from dixian.cases.models import Case, Channel, MonitoringSpell


class Outcome:
    CLUE = "clue"
    ALREADY_MONITORED = "already_monitored"
    UNDER_REVIEW = "under_review"
    SEEN = "seen_before"
    NO_RISK = "no_risk"  # a negative screen (assets): shown in the data match, not a clue


def do_alerts_to_clues(run) -> dict[str, int]:
    """Turn a screening run's alerts into clues, one per household and risk type."""
    from dixian.exchange.models import Alert

    alerts = list(run.alerts.select_related("household").order_by("household_id", "pk"))
    if not alerts:
        return {}
    household_ids = {a.household_id for a in alerts}
    monitored = {s.household_id: set(s.risk_types) for s in MonitoringSpell.objects.filter(
        household_id__in=household_ids, ended_on__isnull=True)}
    reviewing = {c.household_id: set(c.risk_types) for c in Case.objects.filter(
        household_id__in=household_ids).exclude(state__in=[s.value for s in FINAL])}
    seen = set(Alert.objects.filter(household_id__in=household_ids, clue__isnull=False)
               .exclude(run=run).values_list("household_id", "member_id", "rule_id",
                                             "evidence"))
    groups: dict[tuple[int, str], list] = defaultdict(list)
    outcome: dict[int, str] = {}
    for a in alerts:
        if not a.risk_type:
            outcome[a.pk] = Outcome.NO_RISK
        elif a.risk_type in monitored.get(a.household_id, ()):
            outcome[a.pk] = Outcome.ALREADY_MONITORED
        elif a.risk_type in reviewing.get(a.household_id, ()):
            outcome[a.pk] = Outcome.UNDER_REVIEW
        elif (a.household_id, a.member_id, a.rule_id, a.evidence) in seen:
            outcome[a.pk] = Outcome.SEEN
        else:
            groups[(a.household_id, a.risk_type)].append(a)
    counts: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        for (_household_id, risk_type), group in groups.items():
            first = group[0]
            members = sorted({a.member_id for a in group if a.member_id})
            lines = [a.sentence_zh for a in group[:5]]
            if members:
                lines.append(f"成员：{'、'.join(members)}")
            clue = actions.do_receive_clue(
                first.household, channel=Channel.DEPARTMENT_ALERT, risk_type=risk_type,
                description="\n".join(lines),
                reference=(f"run {run.pk} alert {first.pk}"
                           + (f" +{len(group) - 1}" if len(group) > 1 else ""))[:64],
                received_at=run.started_at)
            Alert.objects.filter(pk__in=[a.pk for a in group]).update(
                clue=clue, outcome=Outcome.CLUE)
            counts[Outcome.CLUE] += 1
        by_outcome: dict[str, list[int]] = defaultdict(list)
        for pk, name in outcome.items():
            by_outcome[name].append(pk)
            counts[name] += 1
        for name, pks in by_outcome.items():
            Alert.objects.filter(pk__in=pks).update(outcome=name)
    return dict(counts)


def do_follow_split(old_household, new_household, *, actor) -> None:
    """Associated monitoring: members who split off from a monitored household take its
    risks with them until the new household has been through identification."""
    spell = MonitoringSpell.objects.filter(household=old_household, ended_on__isnull=True).first()
    if spell is None:
        return
    for risk_type in spell.risk_types[:1] or ["OTHER"]:
        actions.do_receive_clue(
            new_household, channel=Channel.ASSOCIATED, risk_type=risk_type, actor=actor,
            description=f"分户自监测户 {old_household.code}",
            reference=f"split:{old_household.code}")
