"""CRUD /api/v1/categories."""

import pytest

from tasks.models import Category, Task

pytestmark = pytest.mark.django_db


def test_create_list_retrieve_update_delete(api_client, user):
    created = api_client.post(
        "/api/v1/categories", {"name": " Trabajo ", "color": "#a1b2c3", "icon": "briefcase"}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["name"], body["color"], body["icon"]) == ("Trabajo", "#A1B2C3", "briefcase")
    url = f"/api/v1/categories/{body['id']}"

    listed = api_client.get("/api/v1/categories/").json()
    assert [c["name"] for c in listed["results"]] == ["Trabajo"]
    assert api_client.get(url).json()["icon"] == "briefcase"

    patched = api_client.patch(url + "/", {"color": "#000000"})
    assert patched.status_code == 200
    assert (patched.json()["name"], patched.json()["color"]) == ("Trabajo", "#000000")

    put = api_client.put(url, {"name": "Work", "color": "#FFFFFF", "icon": ""})
    assert put.status_code == 200
    assert put.json()["name"] == "Work"

    assert api_client.delete(url).status_code == 204
    assert not Category.objects.exists()


def test_the_default_color_is_grey(api_client):
    assert api_client.post("/api/v1/categories", {"name": "x"}).json()["color"] == "#6B7280"


def test_categories_are_listed_by_name_ignoring_case(api_client, user, make_category):
    for name in ("beta", "Alpha", "gamma"):
        make_category(user, name=name)
    names = [c["name"] for c in api_client.get("/api/v1/categories").json()["results"]]
    assert names == ["Alpha", "beta", "gamma"]


def test_names_are_unique_per_user_ignoring_case(api_client, user, other_user, make_category):
    make_category(user, name="Work")
    make_category(other_user, name="Home")

    response = api_client.post("/api/v1/categories", {"name": "WORK"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "category_exists"
    assert "name" in response.json()["error"]["fields"]
    # Another user's name is free for me.
    assert api_client.post("/api/v1/categories", {"name": "home"}).status_code == 201


def test_renaming_onto_an_existing_name_is_category_exists(api_client, user, make_category):
    make_category(user, name="Work")
    home = make_category(user, name="Home")
    response = api_client.patch(f"/api/v1/categories/{home.pk}", {"name": "work"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "category_exists"
    # Changing only the case of its own name is fine.
    assert api_client.patch(f"/api/v1/categories/{home.pk}", {"name": "HOME"}).status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 61}, "name"),
        ({"name": "x", "color": "red"}, "color"),
        ({"name": "x", "color": "#12345"}, "color"),
        ({"name": "x", "color": "#1234567"}, "color"),
        ({"name": "x", "color": "#GGGGGG"}, "color"),
        ({"name": "x", "icon": "i" * 41}, "icon"),
    ],
)
def test_bad_category_input_is_400(api_client, payload, field):
    response = api_client.post("/api/v1/categories", payload)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Category.objects.exists()


def test_deleting_a_category_leaves_its_tasks_uncategorised(
    api_client, user, make_category, make_task
):
    category = make_category(user)
    task = make_task(user, category=category)

    assert api_client.delete(f"/api/v1/categories/{category.pk}/").status_code == 204

    task.refresh_from_db()
    assert task.category is None
    assert Task.objects.filter(pk=task.pk).exists()
    assert api_client.get(f"/api/v1/tasks/{task.pk}").json()["category"] is None
