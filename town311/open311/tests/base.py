"""A town with questions on its services and an API client, for the
GeoReport v2 tests."""

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from town311.directory.models import AttributeValue, ServiceAttribute
from town311.open311.keys import api_key_create
from town311.servicerequests.models import Channel
from town311.servicerequests.services import request_submit
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase

Datatype = ServiceAttribute.Datatype

# Tuesday 10 March 2026, 09:30 in Testville (UTC-5 in daylight time).
NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)


class Open311TestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.depth = ServiceAttribute.objects.create(
            service=self.pothole,
            code="depth",
            description="How deep is it, in inches?",
            datatype=Datatype.NUMBER,
            datatype_description="in inches",
            order=2,
        )
        self.lane = ServiceAttribute.objects.create(
            service=self.pothole,
            code="lane",
            description="Which lane?",
            datatype=Datatype.SINGLEVALUELIST,
            required=True,
            order=1,
        )
        AttributeValue.objects.create(attribute=self.lane, key="left", name="Left")
        AttributeValue.objects.create(
            attribute=self.lane, key="right", name="Right", order=1
        )
        self.hazards = ServiceAttribute.objects.create(
            service=self.pothole,
            code="hazards",
            description="What else is there?",
            datatype=Datatype.MULTIVALUELIST,
            order=3,
        )
        AttributeValue.objects.create(attribute=self.hazards, key="water", name="Water")
        AttributeValue.objects.create(attribute=self.hazards, key="glass", name="Glass")
        self.api_key, self.raw_key = api_key_create(
            name="County app", owner=self.coordinator, rate_limit=1000
        )

    def submit(self, service=None, **fields):
        """A request from the web form, with a reporter's details."""
        values = {
            "service": service or self.park_upkeep,
            "lat": CENTRE[0],
            "long": CENTRE[1],
            "description": "Broken bench by the pond",
            "address": "Pond Path",
            "reporter_name": "Rita Resident",
            "reporter_email": RESIDENT_EMAIL,
            "reporter_phone": "555-0142",
            "channel": Channel.WEB,
        }
        values.update(fields)
        return request_submit(**values)

    def get_json(self, path: str, data=None, status: int = 200):
        response = self.client.get(path, data or {})
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        return response.json()

    def get_xml(self, path: str, data=None, status: int = 200) -> ET.Element:
        response = self.client.get(path, data or {})
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], "text/xml; charset=utf-8")
        self.assertTrue(
            response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        )
        return ET.fromstring(response.content)

    def post(self, fmt: str = "json", **fields):
        data = {
            "api_key": self.raw_key,
            "service_code": "pothole",
            "lat": "40.001",
            "long": "-90.002",
            "attribute[lane]": "left",
            "description": "Deep hole in the left lane",
        }
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        return self.client.post(f"/open311/v2/requests.{fmt}", data)

    def assertErrors(self, response, status: int, *fragments: str) -> list:
        self.assertEqual(response.status_code, status, response.content)
        errors = json.loads(response.content)
        self.assertTrue(all(e["code"] == status for e in errors))
        text = " ".join(e["description"] for e in errors)
        for fragment in fragments:
            self.assertIn(fragment, text)
        return errors

    def assertXmlErrors(self, response, status: int, fragment: str) -> None:
        self.assertEqual(response.status_code, status, response.content)
        root = ET.fromstring(response.content)
        self.assertEqual(root.tag, "errors")
        error = root.find("error")
        self.assertEqual(error.findtext("code"), str(status))
        self.assertIn(fragment, error.findtext("description"))
