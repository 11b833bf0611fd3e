"""Messages come out in the user's language: Spanish by default, Accept-Language for anonymous
requests, the user's own `language` once authenticated (whatever the header says)."""

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from tests.config.conftest import error_of

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me"


def test_anonymous_default_is_spanish(anon_client):
    response = anon_client.get(ME)

    assert error_of(response)["message"] == "Las credenciales de autenticación no se proveyeron."
    assert response["Content-Language"] == "es"


def test_anonymous_accept_language_english(anon_client):
    response = anon_client.get(ME, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert error_of(response)["message"] == "Authentication credentials were not provided."
    assert response["Content-Language"] == "en"


def test_anonymous_unsupported_language_falls_back_to_spanish(anon_client):
    response = anon_client.get(ME, HTTP_ACCEPT_LANGUAGE="fr-FR,de;q=0.8")

    assert error_of(response)["message"] == "Las credenciales de autenticación no se proveyeron."


def test_authenticated_user_language_wins_over_accept_language(make_user, anon_client):
    english_user = make_user(email="en@example.com", language="en")
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(english_user)}")

    response = anon_client.patch(ME, {"timezone": "Nowhere/Land"}, HTTP_ACCEPT_LANGUAGE="es")

    assert error_of(response)["message"] == "Invalid input."
    assert response["Content-Language"] == "en"


def test_spanish_user_gets_spanish_with_english_accept_language(api_client):
    response = api_client.patch(ME, {"language": "xx"}, HTTP_ACCEPT_LANGUAGE="en")

    error = error_of(response)
    assert error["message"] == "Datos no válidos."
    assert error["fields"]["language"] == ['"xx" no es una elección válida.']


def test_user_who_switches_language_gets_the_new_one_on_the_next_request(user, api_client):
    api_client.patch(ME, {"language": "en"})

    response = api_client.patch(ME, {"timezone": "Nowhere/Land"})

    assert error_of(response)["message"] == "Invalid input."


def test_our_own_messages_are_translated(user, anon_client):
    taken = anon_client.post(
        "/api/v1/auth/register", {"email": "ana@example.com", "password": "una-clave-larga-1"}
    )
    malformed = anon_client.generic(
        "POST", "/api/v1/auth/login", b"{", content_type="application/json"
    )
    nul = anon_client.get(f"{ME}?q=%00")

    assert error_of(taken)["message"] == "Ya existe una cuenta con este email."
    assert error_of(malformed)["message"] == "El cuerpo no es un JSON válido."
    assert error_of(nul)["message"] == "El texto no puede contener caracteres NUL."


def test_field_messages_are_translated(anon_client):
    response = anon_client.post("/api/v1/auth/register", {"email": "x", "timezone": "Marte/Base"})

    fields = error_of(response)["fields"]
    assert fields["password"] == ["Este campo es requerido."]
    assert fields["timezone"] == ["«Marte/Base» no es una zona horaria IANA conocida."]
    assert fields["email"] == ["Introduzca una dirección de correo electrónico válida."]


def test_password_validator_messages_are_translated(anon_client):
    response = anon_client.post(
        "/api/v1/auth/register", {"email": "n@example.com", "password": "123"}
    )

    assert "La contraseña es demasiado corta." in " ".join(error_of(response)["fields"]["password"])


def test_simplejwt_messages_are_translated(user, anon_client):
    from datetime import timedelta

    expired = AccessToken.for_user(user)
    expired.set_exp(lifetime=-timedelta(seconds=1))
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {expired}")
    expired_answer = anon_client.get(ME)
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")
    garbage_answer = anon_client.get(ME)
    anon_client.credentials()

    refresh = anon_client.post(
        "/api/v1/auth/login", {"email": user.email, "password": "correct horse battery staple"}
    ).json()["refresh"]
    anon_client.post("/api/v1/auth/logout", {"refresh": refresh})
    blacklisted = anon_client.post("/api/v1/auth/refresh", {"refresh": refresh})

    assert error_of(expired_answer)["message"] == "El token ha caducado."
    assert error_of(garbage_answer)["message"] == "El token no es válido."
    assert error_of(blacklisted)["message"] == "El token está en lista negra"


def test_inactive_user_message_is_translated(user, api_client):
    user.is_active = False
    user.save()

    assert error_of(api_client.get(ME))["message"] == "El usuario está inactivo"


def test_throttle_and_method_messages_are_translated(anon_client):
    response = anon_client.get("/api/v1/auth/login")

    assert error_of(response)["message"] == 'Método "GET" no permitido.'


def test_language_does_not_leak_between_requests(make_user, anon_client):
    english_user = make_user(email="en@example.com", language="en")
    client = anon_client
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(english_user)}")
    client.get(ME)
    client.credentials()

    response = client.get(ME)

    assert error_of(response)["message"] == "Las credenciales de autenticación no se proveyeron."


def test_deep_json_message_is_translated(anon_client):
    body = '{"email": ' + "[" * 70 + "]" * 70 + "}"

    response = anon_client.generic(
        "POST", "/api/v1/auth/login", body, content_type="application/json"
    )

    assert error_of(response)["message"] == "El cuerpo tiene demasiados niveles de anidación."
