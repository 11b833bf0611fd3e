from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, IntegerField, QuerySet, Window
from django.db.models.expressions import RawSQL
from rest_framework import pagination

# The annotation that carries the total on every row of a page.
_TOTAL = "_page_total"

# The largest row offset a database takes (PostgreSQL's OFFSET is a bigint, SQLite's an
# int64). A page starting further on is past the end of any list: 404 without asking.
MAX_OFFSET = 2**63 - 1


def page_number(value) -> int | None:
    """`?page=` as a page number: a positive integer in plain decimal digits (`1`, `2`,
    `007`); None for anything else (`last`, `0`, `-1`, `1.5`, `+2`, ` 2`, `1_0`, non-ASCII
    digits), which is a 404 like a page past the end. A number too long for `int()` is a page
    past the end too, so it comes back as MAX_OFFSET + 2 (past any list at any page size)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 1 else None
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        return None
    if len(value.lstrip("0")) > 19:  # more than any offset; int() refuses over 4300 digits
        return MAX_OFFSET + 2
    number = int(value)
    return number if number >= 1 else None


def page_offset(number: int, size: int) -> int | None:
    """The offset of page `number` at `size` rows a page; None when the page would end past
    MAX_OFFSET (past the end of every list)."""
    offset = (number - 1) * size
    return offset if offset + size <= MAX_OFFSET else None


def total_count(queryset: QuerySet):
    """An expression for "how many rows `queryset` has", to annotate on its own page's rows.

    A plain filtered list gets `(SELECT COUNT(*) FROM (<the same query>) ...)`: PostgreSQL runs
    it once (an InitPlan, off an index) and still reads only the page's rows through the
    ordering index. A grouped queryset (aggregate annotations) gets `COUNT(*) OVER ()`, which
    counts its groups after GROUP BY.
    """
    if queryset.query.group_by is not None:
        return Window(Count("*"))
    # The ORM's own SQL for the queryset, its values still passed apart as parameters.
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    counted = f"SELECT COUNT(*) FROM ({sql}) AS counted"  # noqa: S608
    return RawSQL(counted, params, output_field=IntegerField())  # noqa: S611


class CountingPaginator(Paginator):
    """Fetches a page and the total in one query: `total_count()` on the page's rows.

    Django's paginator asks the database twice per page (COUNT, then the rows); here the count
    rides along with the rows. A page that comes back empty is past the end (or the
    first page of an empty list).
    Querysets where a window would count something else (DISTINCT, set operations, already
    sliced) and plain lists use Django's two-step way. A row source of its own (an object with
    `page_rows(offset, limit) -> (rows, total)` and `count()`, such as tasks.selectors.TaskRows)
    is asked for the page directly.
    """

    def _validate_number(self, number, num_pages):
        """Only a positive integer in plain digits is a page (`page_number`); a page whose rows
        would start past MAX_OFFSET is past the end, whatever the list, before any query."""
        parsed = page_number(number)
        if parsed is None:
            raise PageNotAnInteger(self.error_messages["invalid_page"])
        if page_offset(parsed, self.per_page) is None:
            raise EmptyPage(self.error_messages["no_results"])
        return super()._validate_number(parsed, num_pages)

    def page(self, number):
        source = self.object_list
        if not hasattr(source, "page_rows") and not self._windowable():
            return super().page(number)
        number = self._validate_number(number, float("inf"))
        bottom = (number - 1) * self.per_page
        if hasattr(source, "page_rows"):
            rows, total = source.page_rows(bottom, self.per_page)
        else:
            rows = list(
                source.annotate(**{_TOTAL: total_count(source)})[bottom : bottom + self.per_page]
            )
            total = getattr(rows[0], _TOTAL) if rows else None
        if rows:
            self.__dict__["count"] = total
        elif number == 1:
            self.__dict__["count"] = 0
        else:
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(rows, number, self)

    def _windowable(self) -> bool:
        qs = self.object_list
        if not isinstance(qs, QuerySet) or qs._fields is not None:  # values() rows are dicts
            return False
        query = qs.query
        return not (query.distinct or query.combinator or query.is_sliced or self.orphans)


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (default 20, at most 100).

    A page is a positive integer (`page_number`); anything else, DRF's `last` included, is the
    404 of a page past the end. **Decision:** no `page=last`: the API's docs never offered it
    and always said a page that is not a number is a 404, and it cost a second COUNT query;
    `count` and `page_size` give the last page's number (docs/api-conventions.md).
    """

    django_paginator_class = CountingPaginator
    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()
    page_query_description = (
        "A page number from 1, in plain digits. A page past the end, or anything that is not a "
        "positive integer (`last` included), is a 404 not_found."
    )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters
