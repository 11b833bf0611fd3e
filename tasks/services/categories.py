"""Creating, renaming and deleting categories."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.exceptions import NotFound
from tasks.errors import CategoryExists, InvalidInput
from tasks.models import Category, Task
from tasks.realtime import publish_category, publish_category_deleted, publish_task
from tasks.services.common import CATEGORY_UPDATABLE_FIELDS, _lock_user


def _category_name_taken(*, user, name: str, exclude_pk=None) -> bool:
    qs = Category.objects.filter(user_id=user.pk, name__iexact=name)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _category_clean(category: Category) -> None:
    category.name = (category.name or "").strip()
    category.icon = (category.icon or "").strip()
    category.color = (category.color or "").upper()
    try:
        category.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise InvalidInput(fields=exc.message_dict) from exc


def _category_exists() -> CategoryExists:
    return CategoryExists(fields={"name": [CategoryExists.message]})


def category_create(*, user, name: str, color: str | None = None, icon: str = "") -> Category:
    """Names are unique per user ignoring case (`category_exists`); colors are stored as
    upper-case #RRGGBB."""
    category = Category(user=user, name=name, icon=icon or "")
    if color:
        category.color = color
    _category_clean(category)
    if _category_name_taken(user=user, name=category.name):
        raise _category_exists()
    try:
        with transaction.atomic():
            category.save()
            publish_category(category, "category.created")
    except IntegrityError as exc:  # a concurrent create won the unique index
        raise _category_exists() from exc
    return category


def category_update(*, user, category: Category, **fields) -> Category:
    unknown = set(fields) - set(CATEGORY_UPDATABLE_FIELDS)
    if unknown:
        raise TypeError(f"category_update() cannot change {sorted(unknown)}")
    if category.user_id != user.pk:
        raise NotFound()
    for name, value in fields.items():
        setattr(category, name, value if value is not None else "")
    _category_clean(category)
    if "name" in fields and _category_name_taken(
        user=user, name=category.name, exclude_pk=category.pk
    ):
        raise _category_exists()
    try:
        with transaction.atomic():
            category.save()
            publish_category(category, "category.updated")
    except IntegrityError as exc:
        raise _category_exists() from exc
    return category


def category_delete(*, user, category: Category) -> None:
    """Its tasks stay, uncategorised; each of them is announced as updated."""
    if category.user_id != user.pk:
        raise NotFound()
    with transaction.atomic():
        _lock_user(user.pk)
        task_ids = list(
            Task.objects.select_for_update()
            .filter(user_id=user.pk, category_id=category.pk)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # Detach explicitly (rather than leaving it to SET_NULL) so updated_at moves too.
        Task.objects.filter(pk__in=task_ids).update(category=None, updated_at=timezone.now())
        category_id = category.pk
        category.delete()
        publish_category_deleted(user.pk, category_id)
        for task in Task.objects.filter(pk__in=task_ids).select_related("category"):
            publish_task(task)
