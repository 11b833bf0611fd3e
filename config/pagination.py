from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, IntegerField, QuerySet, Window
from django.db.models.expressions import RawSQL
from rest_framework import pagination

# The annotation that carries the total on every row of a page.
_TOTAL = "_page_total"


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
    first page of an empty list); only the `last` page number still needs a separate COUNT.
    Querysets where a window would count something else (DISTINCT, set operations, already
    sliced) and plain lists use Django's two-step way. A row source of its own (an object with
    `page_rows(offset, limit) -> (rows, total)` and `count()`, such as tasks.selectors.TaskRows)
    is asked for the page directly.
    """

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
    """`?page=` and `?page_size=` (default 20, at most 100)."""

    django_paginator_class = CountingPaginator
    page_size_query_param = "page_size"
    max_page_size = 100
