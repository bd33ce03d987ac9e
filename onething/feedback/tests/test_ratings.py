"""Ratings (好差评): one case one rating, 差评 → rectification → check → re-rating, metrics."""

from datetime import timedelta

import pytest
from django.utils import timezone

from onething.common.errors import Conflict, Forbidden, NotFound, Unprocessable
from onething.common.events import events_for
from onething.common.models import Message
from onething.common.workdays import add_working_days
from onething.feedback import selectors, services
from onething.feedback.constants import RectificationStatus, VisitResult
from onething.feedback.models import Rating, RatingInvitation, Rectification

from .conftest import make_completed_case

pytestmark = pytest.mark.django_db


def rate(user, case, level, **kw):
    return services.rating_submit(actor=user, case_number=case.number, level=level, **kw)


def test_completion_invites_once_with_an_sms_link(completed_case, alice):
    first = services.rating_invite(case=completed_case)
    again = services.rating_invite(case=completed_case)
    assert first.pk == again.pk and RatingInvitation.objects.count() == 1
    message = Message.objects.get(user=alice)
    assert message.link == f"/feedback/rate/{completed_case.number}/"
    assert first.token in message.body
    assert first.expires_at == completed_case.finished_at + timedelta(days=30)


def test_a_good_rating_opens_nothing_and_a_second_one_is_refused(completed_case, alice):
    rating = rate(alice, completed_case, 5, tags=["办事效率高"], comment="很快")
    assert rating.channel == "portal" and rating.department.kind_id == "market"
    assert not Rectification.objects.exists()
    with pytest.raises(Conflict, match="一事一评"):
        rate(alice, completed_case, 1)
    assert Rating.objects.count() == 1 and Rating.objects.get().level == 5


def test_a_bad_rating_goes_through_rectification_check_and_re_rating(
    completed_case, alice, mark, sam
):
    rating = rate(alice, completed_case, 2, tags=["办理时间长"], comment="跑了三次")
    rect = rating.rectification
    assert rect.status == RectificationStatus.PENDING and rect.department == mark.department
    assert rect.deadline == add_working_days(timezone.localdate(), 15)
    assert list(selectors.rectification_queue(mark)) == [rect]
    assert Message.objects.filter(user=mark, link=f"/feedback/rectifications/{rect.pk}/").exists()

    with pytest.raises(Conflict, match="经审核后"):
        services.rating_rerate(actor=alice, rating_id=rating.pk, level=4)
    services.rectification_reply(
        rectification_id=rect.pk,
        actor=mark,
        verification="情况属实",
        measures="增设导办员",
        reply="已整改，欢迎再次评价",
    )
    assert list(selectors.rectification_queue(sam)) == [rect]
    services.rectification_check(rectification_id=rect.pk, actor=sam, approve=True)
    assert Message.objects.filter(user=alice, title__contains="答复").exists()

    services.rating_rerate(actor=alice, rating_id=rating.pk, level=4, comment="改进了")
    rating.refresh_from_db()
    rect.refresh_from_db()
    assert (rating.level, rating.first_level) == (4, 2)
    assert rect.status == RectificationStatus.CLOSED and rect.visit_result == VisitResult.SATISFIED
    with pytest.raises(Conflict):
        services.rating_rerate(actor=alice, rating_id=rating.pk, level=5)
    verbs = [e.verb for e in events_for(rect)]
    assert verbs == [
        "rectification.opened",
        "rectification.replied",
        "rectification.approved",
        "rectification.visited",
    ]


def test_a_returned_reply_goes_back_to_the_department(completed_case, alice, mark, sam):
    rect = rate(alice, completed_case, 1).rectification
    services.rectification_reply(
        rectification_id=rect.pk, actor=mark, verification="x", measures="y", reply="z"
    )
    with pytest.raises(Unprocessable):
        services.rectification_check(rectification_id=rect.pk, actor=sam, approve=False)
    services.rectification_check(
        rectification_id=rect.pk, actor=sam, approve=False, note="答复过简"
    )
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.PENDING and rect.returns == 1


def test_a_bad_rating_is_never_closed_without_a_reply(completed_case, alice, mark, sam, olga, fay):
    rect = rate(alice, completed_case, 1).rectification
    with pytest.raises(Conflict):
        services.rectification_visit(
            rectification_id=rect.pk, actor=olga, result="satisfied", note="x"
        )
    with pytest.raises(Conflict):
        services.rectification_check(rectification_id=rect.pk, actor=sam, approve=True)
    with pytest.raises(NotFound):  # another department cannot answer for this one
        services.rectification_reply(
            rectification_id=rect.pk, actor=fay, verification="x", measures="y", reply="z"
        )
    with pytest.raises(Unprocessable, match="答复内容"):
        services.rectification_reply(
            rectification_id=rect.pk, actor=mark, verification="x", measures="y", reply="  "
        )
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.PENDING and rect.reply == ""


def test_an_operator_visits_by_phone(completed_case, alice, mark, sam, olga):
    services.rating_invite(case=completed_case)
    rating = services.rating_submit(actor=olga, case_number=completed_case.number, level=1)
    assert rating.channel == "hotline" and rating.rater == alice and rating.recorded_by == olga
    rect = rating.rectification
    services.rectification_reply(
        rectification_id=rect.pk, actor=mark, verification="x", measures="y", reply="z"
    )
    services.rectification_check(rectification_id=rect.pk, actor=sam, approve=True)
    assert list(selectors.rectification_queue(olga)) == [rect]
    services.rectification_visit(
        rectification_id=rect.pk, actor=olga, result="dissatisfied", note="仍认为时间长"
    )
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.CLOSED and rect.visited_by == olga


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"level": 0}, "level"),
        ({"level": 6}, "level"),
        ({"level": "很好"}, "level"),
        ({"level": 3, "tags": ["好"]}, "tags"),
        ({"level": 3, "comment": "长" * 501}, "comment"),
        ({"level": 3, "comment": "ok\x00"}, "comment"),
        ({"level": 3, "comment": "ok\u202e"}, "comment"),
    ],
)
def test_bad_rating_input_is_refused_and_changes_nothing(completed_case, alice, kw, field):
    with pytest.raises(Unprocessable) as exc:
        services.rating_submit(actor=alice, case_number=completed_case.number, **kw)
    assert field in exc.value.fields
    assert not Rating.objects.exists()


def test_script_is_stored_as_given(completed_case, alice):
    rating = rate(alice, completed_case, 3, comment="<script>alert(1)</script>\n第二行")
    assert rating.comment == "<script>alert(1)</script>\n第二行"


def test_the_rating_period_is_configurable(alice, settings):
    old = make_completed_case(alice, days_ago=31)
    with pytest.raises(Conflict, match="30 天"):
        rate(alice, old, 5)
    settings.ONETHING_RATING_DAYS = 60
    assert rate(alice, old, 5).level == 5


def test_only_the_applicant_rates_and_only_completed_cases(completed_case, alice, mark, sam):
    other = make_completed_case(
        mark.__class__.objects.create(username="x", role="applicant_person"),
        number="420102-20260105-000002",
    )
    with pytest.raises(NotFound):
        rate(alice, other, 5)
    with pytest.raises(Forbidden):
        rate(sam, completed_case, 5)
    completed_case.status = "processing"
    completed_case.save()
    with pytest.raises(Conflict, match="办结后"):
        rate(alice, completed_case, 5)


def test_an_sms_link_rates_without_login(completed_case, alice):
    from django.contrib.auth.models import AnonymousUser

    token = services.rating_invite(case=completed_case).token
    rating = services.rating_submit(actor=AnonymousUser(), token=token, level=4)
    assert rating.channel == "sms" and rating.rater == alice and rating.recorded_by is None
    with pytest.raises(NotFound):
        services.rating_submit(actor=AnonymousUser(), token="nope", level=4)


def test_window_and_service_ratings(alice, carol, mark):
    window = services.rating_submit(actor=carol, target="window", level=5)
    assert window.channel == "window_pad" and window.department == carol.department
    service = services.rating_submit(
        actor=alice,
        target="service",
        onething="mini-restaurant",
        department_code=mark.department.code,
        level=1,
    )
    assert service.rectification.department == mark.department
    with pytest.raises(Unprocessable):
        services.rating_submit(actor=alice, target="service", level=3)


def test_metrics_over_a_region_and_period(alice, mark, sam):
    cases = [make_completed_case(alice, number=f"420102-20260105-00000{i}") for i in range(1, 5)]
    for case, level in zip(cases[:3], [5, 4, 1], strict=True):
        rate(alice, case, level)
    rect = Rectification.objects.get()
    services.rectification_reply(
        rectification_id=rect.pk, actor=mark, verification="x", measures="y", reply="z"
    )
    services.rectification_check(rectification_id=rect.pk, actor=sam, approve=True)
    now = timezone.now()
    m = selectors.rating_metrics(
        region=sam.region, start=now - timedelta(days=7), end=now + timedelta(days=1), user=sam
    )
    assert (m["ratings"], m["good"], m["bad"]) == (3, 2, 1)
    assert m["good_rate"] == pytest.approx(0.6667)
    assert m["rectification_rate"] == 1.0 and m["visit_rate"] == 0.0
    assert (m["completed_cases"], m["rated_cases"], m["coverage_rate"]) == (4, 3, 0.75)


def _with_a_later_fire_task(case):
    """The case's lead department (market) decided first; the fire brigade decided last."""
    from onething.accounts.models import Department
    from onething.cases.models import Task

    case.blueprint = {"onething": {"lead_department": "market"}}
    case.save(update_fields=["blueprint"])
    fire = Department.objects.get(kind_id="fire", region_id="420102")
    Task.objects.create(
        case=case,
        item="mini-fire-check",
        name="消防安全检查",
        department=fire,
        stage=2,
        days=5,
        status="approved",
        decided_at=case.finished_at + timedelta(minutes=1),
    )
    return fire


def test_a_bad_rating_of_the_whole_case_goes_to_the_lead_department_not_the_last(
    completed_case, alice
):
    _with_a_later_fire_task(completed_case)
    rating = rate(alice, completed_case, 1, comment="材料重复提交")
    assert rating.department.kind_id == "market"
    assert rating.rectification.department.kind_id == "market"


def test_the_applicant_names_the_department_a_rating_is_about_on_the_page(
    completed_case, alice, client
):
    fire = _with_a_later_fire_task(completed_case)
    client.force_login(alice)
    url = f"/feedback/rate/{completed_case.number}/"
    page = client.get(url).content.decode()
    assert (
        'name="department"' in page and "整件办理（由牵头部门负责）" in page and fire.name in page
    )
    client.post(url, {"level": 1, "comment": "检查不守时", "department": fire.code})
    assert Rating.objects.get(case=completed_case).department == fire
