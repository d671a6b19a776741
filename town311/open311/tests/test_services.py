from town311.directory.models import Service, ServiceAttribute
from town311.open311.tests.base import Open311TestCase


class ServicesTestCase(Open311TestCase):
    def test_it_lists_public_active_services_in_json(self) -> None:
        Service.objects.create(
            code="old-kiosk",
            name="Old kiosk",
            department=self.roads,
            is_active=False,
        )

        data = self.get_json("/open311/v2/services.json")

        self.assertEqual(
            data,
            [
                {
                    "service_code": "pothole",
                    "service_name": "Pothole",
                    "description": "",
                    "metadata": True,
                    "type": "batch",
                    "keywords": "hole, road damage",
                    "group": "Streets",
                },
                {
                    "service_code": "park-upkeep",
                    "service_name": "Park upkeep",
                    "description": "",
                    "metadata": False,
                    "type": "batch",
                    "keywords": "",
                    "group": "Parks and trees",
                },
            ],
        )

    def test_it_counts_only_questions_that_take_an_answer_as_metadata(self) -> None:
        ServiceAttribute.objects.create(
            service=self.park_upkeep,
            code="note",
            description="Benches are repaired in spring.",
            datatype=ServiceAttribute.Datatype.STRING,
            variable=False,
        )

        data = self.get_json("/open311/v2/services.json")

        self.assertFalse(data[1]["metadata"])

    def test_it_writes_services_in_xml(self) -> None:
        root = self.get_xml("/open311/v2/services.xml")

        self.assertEqual(root.tag, "services")
        self.assertEqual([s.tag for s in root], ["service", "service"])
        first = root[0]
        self.assertEqual(first.findtext("service_code"), "pothole")
        self.assertEqual(first.findtext("metadata"), "true")
        self.assertEqual(first.findtext("type"), "batch")
        self.assertEqual(first.findtext("group"), "Streets")
        codes = [s.findtext("service_code") for s in root]
        self.assertNotIn("work-order", codes)


class ServiceDefinitionTestCase(Open311TestCase):
    def test_it_lists_the_questions_in_order_in_json(self) -> None:
        data = self.get_json("/open311/v2/services/pothole.json")

        self.assertEqual(data["service_code"], "pothole")
        self.assertEqual(
            [a["code"] for a in data["attributes"]], ["lane", "depth", "hazards"]
        )
        lane, depth, hazards = data["attributes"]
        self.assertEqual(
            lane,
            {
                "variable": True,
                "code": "lane",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": "",
                "order": 1,
                "description": "Which lane?",
                "values": [
                    {"key": "left", "name": "Left"},
                    {"key": "right", "name": "Right"},
                ],
            },
        )
        self.assertEqual(depth["datatype"], "number")
        self.assertEqual(depth["datatype_description"], "in inches")
        self.assertFalse(depth["required"])
        self.assertEqual(depth["values"], [])
        self.assertEqual(hazards["datatype"], "multivaluelist")
        self.assertEqual([v["key"] for v in hazards["values"]], ["water", "glass"])

    def test_it_nests_attributes_and_values_in_xml(self) -> None:
        root = self.get_xml("/open311/v2/services/pothole.xml")

        self.assertEqual(root.tag, "service_definition")
        self.assertEqual(root.findtext("service_code"), "pothole")
        attributes = root.find("attributes")
        self.assertEqual([a.tag for a in attributes], ["attribute"] * 3)
        lane = attributes[0]
        self.assertEqual(lane.findtext("variable"), "true")
        self.assertEqual(lane.findtext("required"), "true")
        self.assertEqual(lane.findtext("datatype"), "singlevaluelist")
        values = lane.find("values")
        self.assertEqual([v.tag for v in values], ["value", "value"])
        self.assertEqual(
            [(v.findtext("key"), v.findtext("name")) for v in values],
            [("left", "Left"), ("right", "Right")],
        )

    def test_it_maps_every_datatype_we_have(self) -> None:
        for datatype in ("string", "datetime", "text"):
            ServiceAttribute.objects.create(
                service=self.park_upkeep,
                code=datatype,
                description=f"A {datatype}?",
                datatype=datatype,
            )

        data = self.get_json("/open311/v2/services/park-upkeep.json")

        self.assertEqual(
            [a["datatype"] for a in data["attributes"]], ["string", "datetime", "text"]
        )

    def test_it_answers_404_for_unknown_and_staff_only_services(self) -> None:
        for code in ("nothing-like-it", "work-order"):
            errors = self.get_json(f"/open311/v2/services/{code}.json", status=404)
            self.assertEqual(
                errors, [{"code": 404, "description": f"There is no service “{code}”."}]
            )

        root = self.get_xml("/open311/v2/services/work-order.xml", status=404)
        self.assertEqual(root.tag, "errors")
        self.assertEqual(root.find("error").findtext("code"), "404")
