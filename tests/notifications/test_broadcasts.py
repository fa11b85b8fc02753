import pytest
from django.core import mail

from notifications.broadcasts import run_broadcast
from notifications.models import Broadcast, Message
from participation.models import SignUp
from projects.services import post_update, record_step, set_published
from tests.factories import UserFactory
from tests.projects.factories import ProjectFactory, evidence, make_opportunity

pytestmark = pytest.mark.django_db


def took_part(opportunity, people, attendance="attended"):
    SignUp.objects.bulk_create(
        SignUp(opportunity=opportunity, resident=p, status="booked", attendance=attendance)
        for p in people
    )


def test_an_update_reaches_everyone_who_attended_and_nobody_else(after_commit):
    project = ProjectFactory()
    session = make_opportunity(project, days_ahead=-20)
    attended = UserFactory.create_batch(3)
    took_part(session, attended)
    took_part(session, [UserFactory()], attendance="no_show")

    update = after_commit(
        post_update,
        project,
        by=project.owner,
        said="The bus to the day centre is unreliable",
        did="We moved the session to the library",
    )

    assert set(Message.objects.values_list("recipient_id", flat=True)) == {p.pk for p in attended}
    assert len(mail.outbox) == 3
    assert "We moved the session to the library" in mail.outbox[0].body
    assert Broadcast.objects.get(object_id=update.pk).finished_at is not None


def test_an_update_on_a_hidden_project_waits_until_the_project_is_published(after_commit):
    project = ProjectFactory(is_published=False)
    record_step(project, by=project.owner, claimed=7, evidence=evidence())
    took_part(make_opportunity(project, days_ahead=-20), UserFactory.create_batch(2))

    update = after_commit(post_update, project, by=project.owner, said="s", did="d")

    # Its link would be a page nobody outside the team can open.
    assert not Broadcast.objects.exists()
    assert not mail.outbox

    after_commit(set_published, project, by=project.owner, published=True)
    assert Broadcast.objects.get().object_id == update.pk
    assert len(mail.outbox) == 2
    assert project.get_absolute_url() in mail.outbox[0].body

    # Hiding and showing the project again sends nothing twice.
    after_commit(set_published, project, by=project.owner, published=False)
    after_commit(set_published, project, by=project.owner, published=True)
    assert Broadcast.objects.count() == 1
    assert len(mail.outbox) == 2


def test_running_a_broadcast_again_sends_nothing_twice(after_commit):
    project = ProjectFactory()
    took_part(make_opportunity(project, days_ahead=-20), UserFactory.create_batch(2))
    update = after_commit(post_update, project, by=project.owner, said="s", did="d")
    broadcast = Broadcast.objects.get(object_id=update.pk)

    Broadcast.objects.filter(pk=broadcast.pk).update(finished_at=None, cursor=0)
    after_commit(run_broadcast, broadcast.pk)

    assert Message.objects.count() == 2
    assert len(mail.outbox) == 2


def test_one_update_to_2000_people_takes_a_bounded_number_of_queries(
    django_assert_max_num_queries,
):
    project = ProjectFactory()
    session = make_opportunity(project, days_ahead=-20)
    people = UserFactory.build_batch(2000)
    from coprod_hub.users.models import User

    User.objects.bulk_create(people)
    took_part(session, User.objects.filter(email__in=[p.email for p in people]))
    update = post_update(project, by=project.owner, said="s", did="d")
    broadcast = Broadcast.objects.get(object_id=update.pk)

    # 5 batches of 500 (the last finds nobody), a handful of queries each: not one per person.
    # SQLite allows fewer values per INSERT, so it splits each batch's insert into several.
    from django.db import connection

    with django_assert_max_num_queries(45 if connection.vendor == "postgresql" else 80):
        run_broadcast(broadcast.pk)

    assert Message.objects.filter(kind="we_said_we_did").count() == 2000
