import io
import json
import zipfile

import pytest
from django.urls import reverse

from coprod_hub.users.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_resident_downloads_their_data_as_json_and_html(client, resident):
    client.force_login(resident)

    response = client.post(reverse("my_data_download"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("your-data.json"))
    assert data["account"]["email"] == resident.email
    html = archive.read("your-data.html").decode()
    assert resident.display_name in html


def test_the_download_needs_a_post_and_a_signed_in_person(client, resident):
    assert client.post(reverse("my_data_download")).status_code == 302
    client.force_login(resident)
    assert client.get(reverse("my_data_download")).status_code == 405


def test_deleting_an_account_needs_the_password_and_a_tick(client, resident):
    client.force_login(resident)

    response = client.post(reverse("my_data_erase"), {"password": "wrong"})

    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "The password is not right" in page
    assert "Tick the box" in page
    assert User.objects.get(pk=resident.pk).is_active


def test_deleting_an_account_erases_the_person_and_signs_them_out(client, resident):
    client.force_login(resident)

    response = client.post(reverse("my_data_erase"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    erased = User.objects.get(pk=resident.pk)
    assert not erased.is_active
    assert resident.email not in erased.email
    assert erased.display_name == "Erased person"
    assert not erased.has_usable_password()
    assert not erased.groups.exists()
    assert client.get(reverse("my_data")).status_code == 302  # signed out


def test_an_admin_can_export_and_erase_a_persons_data_on_request(client, resident, admin_user):
    from auditlog.models import LogEntry

    client.force_login(admin_user)
    url = reverse("admin:users_user_changelist")

    download = client.post(url, {"action": "download_data", "_selected_action": [resident.pk]})
    assert download["Content-Type"] == "application/zip"
    client.post(url, {"action": "erase_data", "_selected_action": [resident.pk]})

    erased = User.objects.get(pk=resident.pk)
    assert not erased.is_active and erased.display_name == "Erased person"
    trail = LogEntry.objects.filter(actor=admin_user).values_list("changes", flat=True)
    assert any("exported" in str(c) for c in trail)
    assert any("erased" in str(c) for c in trail)
