"""Model fields for PostgreSQL types Django lacks."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.fields import HStoreField
from django.db import models
from django.db.models import Lookup, Transform


class LtreeField(models.TextField):
    """A materialised path (``ltree``): labels joined by dots."""

    description = "PostgreSQL ltree path"

    def db_type(self, connection: Any) -> str:
        return "ltree"

    def get_db_prep_value(
        self, value: Any, connection: Any, prepared: bool = False
    ) -> Any:
        return None if value is None else str(value)


@LtreeField.register_lookup
class DescendantOf(Lookup):
    """``path <@ other``: the path itself or any path below it."""

    lookup_name = "descendant_of"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} <@ {rhs}::ltree", [*lhs_params, *rhs_params]


@HStoreField.register_lookup
class HStoreAsJSON(Transform):
    """``hstore_to_jsonb(field)``: an hstore as a jsonb object, so that
    ``attributes__json__contains={"k": "v"}`` can use a jsonb_path_ops GIN
    index, which finds one key's value directly."""

    lookup_name = "json"
    function = "hstore_to_jsonb"
    output_field = models.JSONField()
