from django.test import override_settings
from openapi_spec_validator import validate

from town311.directory.models import Service
from town311.test import BaseTestCase

OPERATIONS = {
    ("/discovery.{format}", "get"),
    ("/services.{format}", "get"),
    ("/services/{service_code}.{format}", "get"),
    ("/requests.{format}", "get"),
    ("/requests.{format}", "post"),
    ("/requests/{service_request_id}.{format}", "get"),
    ("/tokens/{token_id}.{format}", "get"),
    ("/servicerequestupdates.{format}", "get"),
    ("/servicerequestupdates.{format}", "post"),
}


@override_settings(SITE_URL="https://311.testville.example")
class OpenApiTests(BaseTestCase):
    def get_document(self) -> dict:
        response = self.client.get("/open311/v2/openapi.json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        return response.json()

    def test_it_is_a_valid_openapi_document(self):
        document = self.get_document()

        validate(document)
        self.assertEqual(document["openapi"], "3.0.3")

    def test_it_names_this_site_as_the_server(self):
        document = self.get_document()

        self.assertEqual(
            document["servers"], [{"url": "https://311.testville.example/open311/v2"}]
        )

    def test_it_describes_every_operation_in_both_formats(self):
        document = self.get_document()

        operations = {
            (path, method)
            for path, item in document["paths"].items()
            for method in item
        }
        self.assertEqual(operations, OPERATIONS)
        parameter = document["components"]["parameters"]["format"]
        self.assertEqual(parameter["schema"]["enum"], ["json", "xml"])
        for path, method in OPERATIONS:
            operation = document["paths"][path][method]
            self.assertIn(
                {"$ref": "#/components/parameters/format"}, operation["parameters"]
            )
            ok = operation["responses"]["200"]["content"]
            self.assertEqual(set(ok), {"application/json", "text/xml"})

    def test_posts_take_the_api_key_as_a_form_field(self):
        document = self.get_document()
        schemas = document["components"]["schemas"]

        for path in ("/requests.{format}", "/servicerequestupdates.{format}"):
            body = document["paths"][path]["post"]["requestBody"]["content"]
            self.assertEqual(list(body), ["application/x-www-form-urlencoded"])
            name = body["application/x-www-form-urlencoded"]["schema"]["$ref"]
            form = schemas[name.rsplit("/", 1)[1]]
            self.assertIn("api_key", form["required"])
            responses = document["paths"][path]["post"]["responses"]
            self.assertLessEqual({"400", "403", "404", "429"}, set(responses))
        self.assertNotIn("securitySchemes", document["components"])

    def test_errors_are_a_list_of_code_and_description(self):
        document = self.get_document()
        components = document["components"]

        errors = components["schemas"]["Errors"]
        self.assertEqual(errors["type"], "array")
        error = components["schemas"]["Error"]
        self.assertEqual(error["required"], ["code", "description"])
        for name in ("BadRequest", "Forbidden", "NotFound", "RateLimited"):
            content = components["responses"][name]["content"]
            self.assertEqual(
                content["application/json"]["schema"],
                {"$ref": "#/components/schemas/Errors"},
            )

    def test_ids_are_strings_and_times_are_date_times(self):
        schemas = self.get_document()["components"]["schemas"]

        request = schemas["ServiceRequest"]["properties"]
        self.assertEqual(request["service_request_id"]["type"], "string")
        self.assertEqual(request["requested_datetime"]["format"], "date-time")
        self.assertEqual(
            schemas["RequestUpdate"]["properties"]["update_id"]["type"], "string"
        )

    def test_the_example_service_code_is_a_public_service_of_the_town(self):
        Service.objects.filter(code="pothole").update(order=5)

        schemas = self.get_document()["components"]["schemas"]

        code = schemas["NewServiceRequest"]["properties"]["service_code"]
        self.assertEqual(code["example"], "park-upkeep")
