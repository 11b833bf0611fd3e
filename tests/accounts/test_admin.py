import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user):
    staff = make_user(email="staff@example.com", is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def test_admin_user_list_searches_by_email_and_name(admin_client, user, other_user):
    response = admin_client.get("/admin/accounts/user/", {"q": "ana@"})

    assert response.status_code == 200
    assert b"ana@example.com" in response.content
    assert b"otro@example.com" not in response.content


def test_admin_user_list_filters_by_language_and_active(admin_client, make_user):
    make_user(email="english@example.com", language="en")
    make_user(email="inactivo@example.com", is_active=False)

    english = admin_client.get("/admin/accounts/user/", {"language__exact": "en"})
    inactive = admin_client.get("/admin/accounts/user/", {"is_active__exact": "0"})

    assert b"english@example.com" in english.content
    assert b"inactivo@example.com" not in english.content
    assert b"inactivo@example.com" in inactive.content
    assert b"english@example.com" not in inactive.content


def test_admin_creates_a_user_with_lowercased_email(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "Nuevo@Example.com",
            "usable_password": "true",
            "password1": "una-clave-muy-larga-y-rara",
            "password2": "una-clave-muy-larga-y-rara",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(email="nuevo@example.com")
    assert created.check_password("una-clave-muy-larga-y-rara")


def test_admin_refuses_a_duplicate_email_in_another_case(admin_client, user):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "ANA@example.com",
            "usable_password": "true",
            "password1": "una-clave-muy-larga-y-rara",
            "password2": "una-clave-muy-larga-y-rara",
        },
    )

    assert response.status_code == 200
    assert User.objects.filter(email__iexact="ana@example.com").count() == 1


def test_admin_change_form_validates_timezone(admin_client, user):
    url = f"/admin/accounts/user/{user.pk}/change/"
    form = {
        "email": user.email,
        "name": "Ana",
        "timezone": "Nowhere/Land",
        "language": "es",
        "preferences": "{}",
        "is_active": "on",
    }

    bad = admin_client.post(url, form)
    good = admin_client.post(url, {**form, "timezone": "Atlantic/Canary"})

    assert bad.status_code == 200
    assert good.status_code == 302, good.content.decode()[:2000]
    user.refresh_from_db()
    assert user.timezone == "Atlantic/Canary"
