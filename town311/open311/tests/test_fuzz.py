"""Drive every API operation with generated input, straight from the
OpenAPI document, against the real WSGI application.

Each operation gets a couple of dozen generated calls: no answer may be a
server error, and every answer must match the document (status, content
type and, for JSON, the body's schema). Posts carry a real API key, and
half of them a real service inside the town, so the success paths are
fuzzed as well as the refusals.
"""

import zlib

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck as HypothesisCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import HealthCheck
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from town311.directory.models import AttributeValue, ServiceAttribute
from town311.open311.keys import api_key_create
from town311.open311.openapi import openapi_document
from town311.test import CENTRE, TownTestMixin

schema = schemathesis.openapi.from_dict(openapi_document(service_code="pothole"))
schema.app = WSGIHandler()
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE], max_examples=20, deterministic=True
)
schema.config.update(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class FuzzTown(TownTestMixin):
    pass


@pytest.fixture
def api_key(db, settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    town = FuzzTown()
    town.make_town()
    depth = ServiceAttribute.objects.create(
        service=town.pothole,
        code="depth",
        description="How deep is it, in inches?",
        datatype=ServiceAttribute.Datatype.NUMBER,
    )
    lane = ServiceAttribute.objects.create(
        service=town.pothole,
        code="lane",
        description="Which lane?",
        datatype=ServiceAttribute.Datatype.SINGLEVALUELIST,
        required=True,
    )
    AttributeValue.objects.create(attribute=lane, key="left", name="Left lane")
    AttributeValue.objects.create(attribute=lane, key="right", name="Right lane")
    assert depth.pk and lane.pk

    _, raw_key = api_key_create(name="Fuzz", owner=town.admin, rate_limit=1_000_000)

    # Django's WSGI handler closes the connection around each call, which
    # would end the test's transaction; the test client avoids it the same way.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield raw_key
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _prepare(case, raw_key: str) -> None:
    if not isinstance(case.body, dict):
        return

    case.body["api_key"] = raw_key
    # Half the posts name a real service at a real place, chosen from the
    # generated text so the run stays reproducible.
    if case.operation.path == "/requests.{format}" and not (
        zlib.crc32(repr(sorted(case.body.items())).encode()) % 2
    ):
        case.body.update(
            service_code="pothole",
            lat=CENTRE[0] + 0.001,
            long=CENTRE[1] - 0.001,
        )
        case.body.setdefault("attribute[lane]", "left")


@schema.parametrize()
# The fixture's town and key are meant to be shared by every generated call.
@hypothesis_settings(
    suppress_health_check=[HypothesisCheck.function_scoped_fixture], deadline=None
)
def test_api_answers_generated_calls_as_documented(case, api_key):
    _prepare(case, api_key)

    case.call_and_validate(checks=CHECKS)
