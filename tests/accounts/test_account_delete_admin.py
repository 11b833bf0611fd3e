"""Deleting accounts from the admin: the same service as DELETE /auth/me (nothing of the
person left), recorded with the staff member, the id and a hash of the email, never the
email itself."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from accounts.deletion import email_sha256
from accounts.models import AccountDeletion, User
from tests.accounts.test_account_delete import rows_of
from tests.privacy.accounts_data import fill_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user(email="staff@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def test_the_admin_action_deletes_every_row_and_records_who(admin_client, staff, user, other_user):
    fill_account(user, tag="ana")
    fill_account(other_user, tag="otro")
    others_before = rows_of(other_user.pk, other_user.email)
    user_id, email = user.pk, user.email

    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "delete_accounts", "_selected_action": [str(user_id)]},
    )

    assert response.status_code == 302
    assert rows_of(user_id, email) == {}
    assert rows_of(other_user.pk, other_user.email) == others_before
    record = AccountDeletion.objects.get()
    assert (record.user_id_deleted, record.via, record.deleted_by) == (user_id, "admin", staff)
    assert record.email_sha256 == email_sha256(email)
    assert not LogEntry.objects.filter(object_repr__icontains=email).exists()


def test_djangos_own_bulk_delete_is_not_offered(admin_client):
    response = admin_client.get("/admin/accounts/user/")

    assert b'value="delete_accounts"' in response.content
    assert b'value="delete_selected"' not in response.content


def test_the_delete_button_goes_through_the_service(admin_client, staff, user):
    fill_account(user, tag="ana")
    user_id, email = user.pk, user.email

    response = admin_client.post(f"/admin/accounts/user/{user_id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert rows_of(user_id, email) == {}
    assert AccountDeletion.objects.get().deleted_by == staff
    assert not User.objects.filter(pk=user_id).exists()


def test_the_record_cannot_be_changed_or_deleted_by_staff(admin_client, staff, user):
    fill_account(user, tag="ana")
    admin_client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    record = AccountDeletion.objects.get()

    page = admin_client.get(f"/admin/accounts/accountdeletion/{record.pk}/change/")
    assert page.status_code == 200
    assert (
        admin_client.post(f"/admin/accounts/accountdeletion/{record.pk}/delete/").status_code == 403
    )
    assert AccountDeletion.objects.filter(pk=record.pk).exists()
