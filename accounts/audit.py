"""The record of staff reading people's private data in the admin (AdminAccessLog).

Conversations, their messages, check-ins (moods) and memories (what the person told the
assistant about themselves) are the person's most private rows; the admins of chat, check-ins
and memories call `admin_access_record` for every page that shows another person's ones. A
staff member's views of their own rows are not recorded."""

from collections.abc import Iterable

from django.db import transaction

from accounts.models import AdminAccessLog, User


def admin_access_record(
    *, staff: User, kind: str, view: str, owner_ids: Iterable, path: str, object_id=None
) -> int:
    """One row per owner (other than `staff`) whose data the page showed; answers how many."""
    owners = {owner for owner in owner_ids if owner is not None and owner != staff.pk}
    rows = [
        AdminAccessLog(
            staff=staff, owner_id=owner, kind=kind, view=view, object_id=object_id, path=path[:500]
        )
        for owner in owners
    ]
    with transaction.atomic():
        AdminAccessLog.objects.bulk_create(rows)
    return len(rows)


class AdminAccessAuditMixin:
    """For a ModelAdmin of people's private rows: records each change page and each list
    page it serves (status 200) that shows another person's rows.

    `audit_kind` is an AdminAccessLog.Kind; `audit_owner_field` the attribute holding the
    owner's id (`user_id`)."""

    audit_kind: str = ""
    audit_owner_field = "user_id"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = (getattr(response, "context_data", None) or {}).get("original")
        if response.status_code == 200 and obj is not None:
            admin_access_record(
                staff=request.user,
                kind=self.audit_kind,
                view=AdminAccessLog.View.CHANGE,
                owner_ids=[getattr(obj, self.audit_owner_field)],
                object_id=obj.pk,
                path=request.get_full_path(),
            )
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if response.status_code == 200 and changelist is not None:
            admin_access_record(
                staff=request.user,
                kind=self.audit_kind,
                view=AdminAccessLog.View.LIST,
                owner_ids=[getattr(obj, self.audit_owner_field) for obj in changelist.result_list],
                path=request.get_full_path(),
            )
        return response
