"""GET /api/v1/tasks: filters, ordering, pagination and query counts."""

from datetime import UTC, datetime

import pytest

from tasks import services

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [task["title"] for task in response.json()["results"]]


@pytest.fixture
def board(user, make_task, make_category):
    """Five tasks of the user in different states, plus one of another user."""
    work = make_category(user, name="Work")
    home = make_category(user, name="Home")
    tasks = {
        "alpha": make_task(
            user,
            title="alpha",
            category=work,
            priority="high",
            due_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        ),
        "bravo": make_task(
            user,
            title="Bravo",
            category=home,
            priority="low",
            description="buy milk",
            due_at=datetime(2026, 12, 3, 9, tzinfo=UTC),
        ),
        "charlie": make_task(user, title="charlie", priority="medium"),
        "delta": make_task(
            user, title="delta", category=work, due_at=datetime(2026, 12, 2, 9, tzinfo=UTC)
        ),
        "echo": make_task(user, title="echo MILK", priority="high"),
    }
    services.task_start(user=user, task=tasks["alpha"], source="api")
    services.task_complete(user=user, task=tasks["delta"], source="api")
    services.task_start(user=user, task=tasks["echo"], source="api")  # pauses alpha
    return {"work": work, "home": home, **tasks}


def test_the_list_is_newest_first_and_only_mine(api_client, board, other_user, make_task):
    make_task(other_user, title="not mine")
    assert titles(api_client.get("/api/v1/tasks")) == [
        "echo MILK",
        "delta",
        "charlie",
        "Bravo",
        "alpha",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "pending"}, {"Bravo", "charlie"}),
        ({"status": "in_progress"}, {"echo MILK"}),
        ({"status": "paused,completed"}, {"alpha", "delta"}),
        ({"priority": "high"}, {"alpha", "echo MILK"}),
        ({"priority": "low,medium"}, {"Bravo", "charlie", "delta"}),
        ({"category": "none"}, {"charlie", "echo MILK"}),
        ({"search": "milk"}, {"Bravo", "echo MILK"}),
        ({"search": "ALPHA"}, {"alpha"}),
        ({"due_after": "2026-12-02T09:00:00Z"}, {"Bravo", "delta"}),
        ({"due_before": "2026-12-02T09:00:00Z"}, {"alpha"}),
        ({"due_after": "2026-12-02", "due_before": "2026-12-03"}, {"delta"}),
        ({"status": "pending", "priority": "low", "search": "milk"}, {"Bravo"}),
    ],
)
def test_filters(api_client, board, query, expected):
    assert set(titles(api_client.get("/api/v1/tasks", query))) == expected


def test_filter_by_category_id(api_client, board):
    found = titles(api_client.get("/api/v1/tasks/", {"category": str(board["work"].pk)}))
    assert set(found) == {"alpha", "delta"}


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("title", ["alpha", "Bravo", "charlie", "delta", "echo MILK"]),
        ("-title", ["echo MILK", "delta", "charlie", "Bravo", "alpha"]),
        ("created_at", ["alpha", "Bravo", "charlie", "delta", "echo MILK"]),
        ("due_at", ["alpha", "delta", "Bravo", "echo MILK", "charlie"]),
        ("-due_at", ["Bravo", "delta", "alpha", "echo MILK", "charlie"]),
        ("-priority,title", ["alpha", "echo MILK", "charlie", "delta", "Bravo"]),
        ("priority,title", ["Bravo", "charlie", "delta", "alpha", "echo MILK"]),
        ("status,title", ["echo MILK", "alpha", "Bravo", "charlie", "delta"]),
    ],
)
def test_ordering(api_client, board, ordering, expected):
    assert titles(api_client.get("/api/v1/tasks", {"ordering": ordering})) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "running"}, "status"),
        ({"status": "pending,nope"}, "status"),
        ({"priority": "urgent"}, "priority"),
        ({"category": "not-a-uuid"}, "category"),
        ({"category": "00000000-0000-0000-0000-000000000000"}, "category"),
        ({"due_before": "2026-12-01T10:00:00"}, "due_before"),
        ({"due_after": "soon"}, "due_after"),
        ({"due_after": "2026-13-01"}, "due_after"),
        ({"due_after": "2026-12-02", "due_before": "2026-12-01"}, "due_before"),
        ({"ordering": "secret_field"}, "ordering"),
        ({"ordering": "title,-user"}, "ordering"),
        ({"ordering": ","}, "ordering"),
        ({"search": "x" * 201}, "search"),
    ],
)
def test_bad_filters_are_400_with_the_envelope(api_client, board, query, field):
    response = api_client.get("/api/v1/tasks", query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]


def test_another_users_category_as_a_filter_is_a_400(api_client, other_user, make_category):
    theirs = make_category(other_user)
    response = api_client.get("/api/v1/tasks", {"category": str(theirs.pk)})
    assert response.status_code == 400


def test_bad_page_is_a_404_envelope(api_client, board):
    response = api_client.get("/api/v1/tasks", {"page": 99})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_page_size_is_capped(api_client, user, make_task):
    for i in range(3):
        make_task(user, title=f"t{i}")
    body = api_client.get("/api/v1/tasks", {"page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tasks",
        "/api/v1/tasks?status=pending,in_progress&ordering=-priority&search=task",
        "/api/v1/categories",
    ],
)
def test_list_query_count_does_not_grow_with_rows(
    api_client, user, make_task, make_category, django_assert_num_queries, path
):
    def add(n):
        for _ in range(n):
            make_task(user, title="task", category=make_category(user))

    add(2)
    # The auth user, then the page with its count (categories joined).
    with django_assert_num_queries(2) as few:
        api_client.get(path)
    add(10)
    with django_assert_num_queries(len(few.captured_queries)):
        response = api_client.get(path)
    assert response.status_code == 200


def test_list_filtered_by_category_costs_one_more_query(
    api_client, user, make_task, make_category, django_assert_num_queries
):
    category = make_category(user)
    for _ in range(5):
        make_task(user, category=category)
    with django_assert_num_queries(3):  # auth user, category check, page with its count
        response = api_client.get("/api/v1/tasks", {"category": str(category.pk)})
    assert response.json()["count"] == 5


def test_events_query_count_does_not_grow_with_rows(
    api_client, user, make_task, django_assert_num_queries
):
    task = make_task(user)
    with django_assert_num_queries(3):  # auth user, task, page with its count
        api_client.get(f"/api/v1/tasks/{task.pk}/events")
    for _ in range(5):
        services.task_start(user=user, task=task, source="api")
        services.task_pause(user=user, task=task, source="api")
    with django_assert_num_queries(3):
        response = api_client.get(f"/api/v1/tasks/{task.pk}/events")
    assert response.json()["count"] == 11


def test_an_empty_query_value_means_not_given(api_client, user):
    """docs/api-conventions.md, "Writing a viewset": the same rule as goals and check-ins."""
    services.task_create(user=user, source="api", title="Una")
    response = api_client.get("/api/v1/tasks?status=&category=&ordering=")
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 1
