"""Production hashers: Argon2 for new passwords; bcrypt hashes from the Node service verify
and are upgraded to Argon2 at login. The suite runs with MD5 for speed, so these tests put the
project's own PASSWORD_HASHERS back."""

import bcrypt
import pytest

from accounts.models import User
from config import settings as project_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def node_hash(password: str) -> str:
    """What the Node service stored (bcrypt, cost 10, $2b$), as imported into Django."""
    return "bcrypt$" + bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=10)).decode()


def test_argon2_is_the_production_hasher(production_hashers, anon_client):
    response = anon_client.post(
        "/api/v1/auth/register",
        {"email": "argon@example.com", "password": "una-clave-muy-larga-y-rara"},
    )

    assert response.status_code == 201
    assert User.objects.get(email="argon@example.com").password.startswith("argon2$argon2id$")


def test_node_bcrypt_hash_verifies_and_is_upgraded_to_argon2(production_hashers, make_user, login):
    user = make_user(email="node@example.com")
    user.password = node_hash("clave-del-servicio-node")
    user.save(update_fields=["password"])

    response = login("node@example.com", "clave-del-servicio-node")

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert login("node@example.com", "clave-del-servicio-node").status_code == 200


def test_node_bcrypt_hash_with_wrong_password_is_401_and_not_upgraded(
    production_hashers, make_user, login
):
    user = make_user(email="node@example.com")
    stored = node_hash("clave-del-servicio-node")
    user.password = stored
    user.save(update_fields=["password"])

    response = login("node@example.com", "otra-clave")

    assert response.status_code == 401
    user.refresh_from_db()
    assert user.password == stored


def test_node_bcrypt_hash_of_a_long_password_verifies_like_node(
    production_hashers, make_user, login
):
    """Node's bcrypt uses the first 72 bytes of a password; so must we (no 500 either)."""
    long_password = "ñ" * 50  # 100 bytes in UTF-8
    user = make_user(email="largo@example.com")
    user.password = (
        "bcrypt$" + bcrypt.hashpw(long_password.encode()[:72], bcrypt.gensalt(rounds=4)).decode()
    )
    user.save(update_fields=["password"])

    assert login("largo@example.com", "ñ" * 35).status_code == 401
    assert login("largo@example.com", long_password).status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
