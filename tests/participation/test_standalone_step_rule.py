"""An opportunity standing alone claims at most engagement, in the database too."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from participation.models import Opportunity
from projects.ladder import Step

from .factories import OpportunityFactory, ProjectFactory

BEFORE = ("participation", "0011_plain_drop_in_label")
RULE = ("participation", "0012_standalone_step_at_most_engagement")


@pytest.mark.django_db
def test_the_database_refuses_co_design_for_an_opportunity_standing_alone():
    with pytest.raises(IntegrityError), transaction.atomic():
        OpportunityFactory(project=None, step=Step.CO_DESIGN)
    # With a project its step comes from the project, whatever the column says.
    OpportunityFactory(project=ProjectFactory(), step=None)


@pytest.mark.django_db(transaction=True)
def test_the_migration_lowers_older_standalone_opportunities_to_engagement():
    standalone = OpportunityFactory(project=None, step=Step.ENGAGEMENT)
    consultation = OpportunityFactory(project=None, step=Step.CONSULTATION)
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        # Saved before the rule, when nothing stopped it.
        Opportunity.objects.filter(pk=standalone.pk).update(step=Step.CO_PRODUCTION)
    finally:
        executor.loader.build_graph()
        executor.migrate([RULE])
        # And on to the latest, so the tests after this one find every column.
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    standalone.refresh_from_db()
    consultation.refresh_from_db()
    assert standalone.step == Step.ENGAGEMENT
    assert consultation.step == Step.CONSULTATION  # lower steps are left as they were
