"""The OpenAPI document tells the truth about what each operation answers."""

from __future__ import annotations

import json

import pytest

from pantry.api import api as ninja_api
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def document() -> dict:
    # Through JSON, as clients read it (status keys become strings).
    return json.loads(json.dumps(ninja_api.get_openapi_schema(), default=str))


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_declares_the_errors_it_can_answer(document):
    for path, method, operation in operations(document):
        declared = set(operation["responses"])
        expected = {"400"}
        if operation.get("requestBody"):
            expected.add("422")
        if operation.get("security"):
            expected |= {"401", "403"}
        if "{" in path:
            expected.add("404")
        assert expected <= declared, (method, path, declared)


def test_schemas_of_one_name_have_one_shape():
    from ninja import Schema

    shapes: dict[str, str] = {}

    def walk(cls):
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("pantry."):
                shape = json.dumps(sub.model_json_schema(), sort_keys=True)
                assert shapes.setdefault(sub.__name__, shape) == shape, sub
            walk(sub)

    walk(Schema)


def test_every_limit_states_its_bounds(document):
    limits = [
        (path, parameter["schema"])
        for path, _method, operation in operations(document)
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "limit"
    ]

    assert len(limits) >= 10
    for path, schema in limits:
        text = json.dumps(schema)
        assert '"minimum": 1' in text, path
        assert '"maximum": ' in text, path


def test_email_fields_are_documented_as_emails(document):
    schemas = document["components"]["schemas"]

    for name in ["SignUpIn", "LoginIn", "EmailIn", "CustomerIn"]:
        assert schemas[name]["properties"]["email"]["format"] == "email", name


def test_facets_declare_only_the_filters_they_take(document):
    names = {
        parameter["name"]
        for parameter in document["paths"]["/api/v1/products/facets"]["get"][
            "parameters"
        ]
    }

    assert names == {
        "q",
        "tag",
        "any_tag",
        "category",
        "min_price",
        "max_price",
        "in_stock",
    }


@pytest.mark.parametrize(
    "path",
    ["products/kettle", "variants/KETTLE-1", "posts/brewing-tea", "webhooks/1"],
)
@pytest.mark.parametrize("raw", ["[]", '"text"', "1", "null"])
def test_a_patch_body_that_is_not_an_object_is_422(api, staff_token, path, raw):
    from tests.core.fuzz_data import seed_shop

    seed_shop()

    response = api.patch(path, raw=raw, token=staff_token)

    assert_error(response, 422, "validation_error")
