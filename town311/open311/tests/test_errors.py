import time_machine

from town311.open311.keys import api_key_revoke
from town311.open311.models import ApiRateWindow, RequestToken
from town311.open311.tests.base import NOW, Open311TestCase
from town311.servicerequests.models import ServiceRequest


@time_machine.travel(NOW, tick=False)
class PostErrorsTestCase(Open311TestCase):
    def test_a_missing_api_key_is_403(self) -> None:
        response = self.post(api_key=None)

        self.assertErrors(response, 403, "api_key is missing")
        self.assertFalse(ServiceRequest.objects.exists())

    def test_a_wrong_or_revoked_api_key_is_403_in_both_formats(self) -> None:
        self.assertErrors(self.post(api_key="t311_nonsense"), 403, "not valid")

        api_key_revoke(api_key=self.api_key)
        self.assertXmlErrors(self.post("xml"), 403, "not valid or was revoked")
        self.assertFalse(ServiceRequest.objects.exists())

    def test_going_over_the_rate_limit_is_429_with_retry_after(self) -> None:
        self.api_key.rate_limit = 1
        self.api_key.save()
        self.post()

        response = self.post(description="A second one")

        self.assertErrors(response, 429, "Rate limit of 1 requests per minute")
        self.assertEqual(response["Retry-After"], "60")
        # The refused post left nothing behind, and its call was counted.
        self.assertEqual(RequestToken.objects.count(), 1)
        self.assertEqual(ApiRateWindow.objects.get().count, 2)

    def test_refused_and_repeated_posts_count_towards_the_limit(self) -> None:
        self.api_key.rate_limit = 3
        self.api_key.save()

        self.assertEqual(self.post(service_code="nothing").status_code, 400)
        self.assertEqual(self.post().status_code, 201)
        self.assertEqual(self.post().status_code, 201)
        bad_over = self.post(service_code="nothing")
        good_over = self.post(description="Another one")

        self.assertErrors(bad_over, 429, "Rate limit of 3 requests per minute")
        self.assertErrors(good_over, 429, "Rate limit of 3 requests per minute")
        self.assertEqual(RequestToken.objects.count(), 1)
        self.assertEqual(ApiRateWindow.objects.get().count, 5)

    def test_an_unknown_or_staff_only_service_is_400(self) -> None:
        for code in ("nothing-like-it", "work-order"):
            self.assertErrors(
                self.post(service_code=code), 400, f"service_code “{code}” is not"
            )
        self.assertErrors(self.post(service_code=""), 400, "service_code is missing")

    def test_a_bad_lat_or_long_is_400(self) -> None:
        self.assertErrors(self.post(lat="north"), 400, "lat must be a number")
        self.assertErrors(self.post(long="-200"), 400, "long must be a number")
        self.assertErrors(self.post(lat="nan"), 400, "lat must be a number")
        self.assertErrors(self.post(long=""), 400, "Send lat and long together.")

    def test_no_location_at_all_is_400(self) -> None:
        response = self.post(lat=None, long=None)

        self.assertErrors(response, 400, "send lat and long, address_string")

    def test_an_unknown_address_is_400(self) -> None:
        self.assertErrors(
            self.post(lat=None, long=None, address_string="Nowhere Lane"),
            400,
            "No street or landmark matches",
        )
        self.assertErrors(
            self.post(lat=None, long=None, address_id="999"),
            400,
            "address_id “999” is not a known place.",
        )

    def test_a_place_outside_the_town_is_400(self) -> None:
        response = self.post(lat="41.5", long="-90.0")

        self.assertErrors(response, 400, "outside")
        self.assertFalse(ServiceRequest.objects.exists())

    def test_a_missing_required_attribute_is_400(self) -> None:
        response = self.post(**{"attribute[lane]": ""})

        self.assertErrors(response, 400, "attribute[lane]: Please answer “Which lane?”")

    def test_a_value_not_in_the_list_is_400(self) -> None:
        response = self.post(
            **{"attribute[lane]": "middle", "attribute[hazards][]": ["water", "fire"]}
        )

        errors = self.assertErrors(response, 400)
        self.assertEqual(
            [e["description"] for e in errors],
            [
                "attribute[lane]: “Which lane?”: “middle” is not one of the choices.",
                "attribute[hazards]: “What else is there?”: “fire” is not one of "
                "the choices.",
            ],
        )

    def test_a_description_over_4000_characters_is_400(self) -> None:
        response = self.post(description="x" * 4001)

        self.assertErrors(response, 400, "Keep the description to 4000 characters")

    def test_a_bad_email_or_media_url_is_400(self) -> None:
        self.assertErrors(self.post(email="not-an-address"), 400, "email: Enter")
        self.assertErrors(
            self.post(media_url="javascript:alert(1)"), 400, "media_url must be"
        )

    def test_another_jurisdiction_is_400(self) -> None:
        response = self.post(jurisdiction_id="elsewhere")

        self.assertErrors(response, 400, "use “testville”")


class FormatErrorsTestCase(Open311TestCase):
    def test_an_unknown_format_is_404_in_json(self) -> None:
        for path in (
            "/open311/v2/services.csv",
            "/open311/v2/discovery.html",
            "/open311/v2/requests.yaml",
            "/open311/v2/requests/1.txt",
        ):
            response = self.client.get(path)
            self.assertErrors(response, 404, "Unknown format")
            self.assertEqual(
                response["Content-Type"], "application/json; charset=utf-8"
            )

    def test_get_errors_are_written_in_xml_too(self) -> None:
        response = self.client.get(
            "/open311/v2/requests.xml", {"start_date": "last tuesday"}
        )

        self.assertXmlErrors(response, 400, "start_date must be a W3C date")

    def test_other_methods_are_refused(self) -> None:
        self.assertEqual(self.client.post("/open311/v2/services.json").status_code, 405)
        self.assertEqual(
            self.client.delete("/open311/v2/requests.json").status_code, 405
        )


class DateArgumentsTestCase(Open311TestCase):
    def test_it_reads_offsets_postgresql_would_refuse(self) -> None:
        data = self.get_json(
            "/open311/v2/requests.json", {"start_date": "2026-03-01T00:00:00-22:19"}
        )

        self.assertEqual(data, [])

    def test_a_date_that_leaves_the_calendar_is_400(self) -> None:
        response = self.client.get(
            "/open311/v2/requests.json", {"start_date": "0001-01-01T00:00:00+05:00"}
        )

        self.assertErrors(response, 400, "start_date must be a W3C date")

    def test_a_year_before_1000_reads_as_a_date(self) -> None:
        bench = self.submit()

        data = self.get_json(
            "/open311/v2/requests.json", {"start_date": "0089-06-01T00:00:00-05:00"}
        )
        updates = self.get_json(
            "/open311/v2/servicerequestupdates.json",
            {"start_date": "0089-06-01T00:00:00-22:19", "end_date": "2026-03-01"},
        )

        self.assertEqual([r["service_request_id"] for r in data], [str(bench.pk)])
        self.assertEqual(updates, [])

    def test_updates_read_offsets_postgresql_would_refuse(self) -> None:
        data = self.get_json(
            "/open311/v2/servicerequestupdates.json",
            {"start_date": "2026-03-01T00:00:00+23:59"},
        )

        self.assertEqual(data, [])


class PathErrorsTestCase(Open311TestCase):
    def test_any_service_code_gets_the_open311_404(self) -> None:
        for code in ("no such thing", "café", "a/b", "pot.hole"):
            with self.subTest(code=code):
                response = self.client.get(f"/open311/v2/services/{code}.xml")
                self.assertXmlErrors(response, 404, "There is no service")

    def test_any_request_id_or_token_gets_the_open311_404(self) -> None:
        cases = [
            ("/open311/v2/requests/12%2F3.json", "There is no request “12/3”"),
            ("/open311/v2/requests/²³.json", "There is no request “²³”"),
            ("/open311/v2/requests/99999999999999999999.json", "There is no request"),
            ("/open311/v2/tokens/a/b.json", "There is no request with token “a/b”"),
        ]
        for path, message in cases:
            with self.subTest(path=path):
                self.assertErrors(self.client.get(path), 404, message)

    def test_ids_that_are_no_numbers_match_nothing(self) -> None:
        bench = self.submit()

        data = self.get_json(
            "/open311/v2/requests.json",
            {"service_request_id": f"²,{bench.pk},99999999999999999999"},
        )

        self.assertEqual([r["service_request_id"] for r in data], [str(bench.pk)])

    def test_a_nul_character_is_400_wherever_it_is(self) -> None:
        cases = [
            ("/open311/v2/services/pot%00hole.json", {}, "service_code holds a NUL"),
            ("/open311/v2/tokens/%00.json", {}, "token holds a NUL"),
            ("/open311/v2/requests.json", {"service_code": "a\x00"}, "service_code"),
        ]
        for path, query, message in cases:
            with self.subTest(path=path, query=query):
                self.assertErrors(self.client.get(path, query), 400, message)
        response = self.post(description="Deep\x00hole")
        self.assertErrors(response, 400, "description holds a NUL character")
        self.assertFalse(ServiceRequest.objects.exists())

    def test_an_unknown_endpoint_is_an_open311_404(self) -> None:
        for path in ("/open311/v2/", "/open311/v2/services/.json", "/open311/v2/x"):
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertErrors(response, 404, "There is no such endpoint")


class PageErrorsTestCase(Open311TestCase):
    def test_the_last_page_answers_and_one_more_is_400(self) -> None:
        for url in (
            "/open311/v2/requests.json",
            "/open311/v2/servicerequestupdates.json",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.get_json(url, {"page": "1000000"}), [])
                for page in ("1000001", "9" * 30):
                    self.assertErrors(
                        self.client.get(url, {"page": page}),
                        400,
                        "page must be a whole number of at least 1 and at most "
                        "1,000,000",
                    )
