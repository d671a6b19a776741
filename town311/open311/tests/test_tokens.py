import time_machine

from town311.open311.tests.base import NOW, Open311TestCase
from town311.servicerequests.models import ServiceRequest


@time_machine.travel(NOW, tick=False)
class TokensTestCase(Open311TestCase):
    def test_it_finds_the_request_posted_with_the_token(self) -> None:
        [answer] = self.post().json()
        token = answer["token"]

        data = self.get_json(f"/open311/v2/tokens/{token}.json")
        root = self.get_xml(f"/open311/v2/tokens/{token}.xml")

        number = str(ServiceRequest.objects.get().pk)
        self.assertEqual(data, [{"service_request_id": number, "token": token}])
        self.assertEqual(root.tag, "service_requests")
        [item] = root
        self.assertEqual(item.tag, "request")
        self.assertEqual(item.findtext("service_request_id"), number)
        self.assertEqual(item.findtext("token"), token)

    def test_an_unknown_token_is_404(self) -> None:
        errors = self.get_json("/open311/v2/tokens/nothing.json", status=404)
        root = self.get_xml("/open311/v2/tokens/nothing.xml", status=404)

        self.assertEqual(
            errors,
            [{"code": 404, "description": "There is no request with token “nothing”."}],
        )
        self.assertEqual(root.find("error").findtext("code"), "404")


@time_machine.travel(NOW, tick=False)
class RoundTripTestCase(Open311TestCase):
    def test_a_posted_request_reads_back_by_id_token_and_list(self) -> None:
        [answer] = self.post(
            email="ann@example.org",
            first_name="Ann",
            phone="555-0100",
            media_url="https://img.example.org/hole.jpg",
            **{"attribute[hazards][]": ["glass"]},
        ).json()
        number = answer["service_request_id"]

        [by_id] = self.get_json(
            f"/open311/v2/requests/{number}.json", {"extensions": "true"}
        )
        [by_token] = self.get_json(f"/open311/v2/tokens/{answer['token']}.json")
        listed = self.get_json(
            "/open311/v2/requests.json", {"service_code": "pothole", "status": "open"}
        )

        self.assertEqual(by_token["service_request_id"], number)
        self.assertEqual([r["service_request_id"] for r in listed], [number])
        self.assertEqual(by_id["description"], "Deep hole in the left lane")
        self.assertEqual(by_id["status"], "open")
        self.assertEqual(by_id["agency_responsible"], "Roads")
        self.assertEqual((by_id["lat"], by_id["long"]), (40.001, -90.002))
        self.assertEqual(by_id["media_url"], "https://img.example.org/hole.jpg")
        self.assertEqual(by_id["requested_datetime"], "2026-03-10T09:30:00-05:00")
        extended = by_id["extended_attributes"]
        self.assertEqual(extended["channel"], "api")
        self.assertEqual(
            extended["attributes"],
            [
                {"code": "lane", "value": "left"},
                {"code": "hazards", "value": ["glass"]},
            ],
        )
        body = str(by_id) + str(listed)
        for private in ("ann@example.org", "Ann", "555-0100"):
            self.assertNotIn(private, body)
