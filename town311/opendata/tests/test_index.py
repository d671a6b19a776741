from django.urls import reverse

from town311.opendata.tests.base import OpenDataTestCase

URL = reverse("opendata:index")


class OpenDataPageTests(OpenDataTestCase):
    def test_it_lists_the_datasets_with_licence_formats_and_columns(self):
        response = self.client.get(URL)

        self.assertContains(response, "<h1>Open data</h1>", html=True)
        self.assertContains(response, "Service requests</h2>")
        self.assertContains(
            response,
            '<a href="https://opendatacommons.org/licenses/pddl/1-0/" rel="license">'
            "Open Data Commons Public Domain Dedication and License (PDDL) 1.0</a>",
            html=True,
        )
        self.assertContains(response, 'href="/open-data/requests.geojson"')
        self.assertContains(response, 'href="/open-data/requests.csv"')
        self.assertContains(response, "GeoJSON file")
        self.assertContains(response, "CSV file")
        for column in ("number", "service_code", "requested_datetime", "url"):
            self.assertContains(
                response, f'<th scope="row"><code>{column}</code></th>', html=True
            )
        self.assertContains(response, "From May 4, 2026 to May 5, 2026.")

    def test_it_says_what_is_left_out_and_why(self):
        response = self.client.get(URL)

        self.assertContains(response, "Left out to protect residents")
        self.assertContains(
            response, "The reporter&#x27;s name, e-mail address and phone number."
        )
        self.assertContains(response, "residents often put names, phone numbers")

    def test_it_links_the_api_and_the_catalogue(self):
        response = self.client.get(URL)

        self.assertContains(response, '<a href="/open311/">Open311 API</a>', html=True)
        self.assertContains(
            response, '<a href="/data.json">data catalogue</a>', html=True
        )

    def test_it_names_the_publisher_and_contact(self):
        self.town.open_data_publisher = "City of Testville"
        self.town.open_data_contact_email = "data@testville.example"
        self.town.save()

        response = self.client.get(URL)

        self.assertContains(response, "Published by City of Testville")
        self.assertContains(response, 'href="mailto:data@testville.example"')

    def test_it_is_in_spanish_for_a_spanish_reader(self):
        response = self.client.get(URL, headers={"accept-language": "es"})

        self.assertContains(response, "<h1>Datos abiertos</h1>", html=True)
        self.assertContains(response, "Solicitudes de servicio")
        self.assertContains(response, "Lo que se omite para proteger a los vecinos")

    def test_the_footer_links_to_it(self):
        response = self.client.get("/")

        self.assertContains(
            response, '<a class="open-data" href="/open-data/">Open data</a>', html=True
        )

    def test_the_admin_edits_the_licence(self):
        self.client.force_login(self.admin)
        url = reverse("admin:directory_town_change", args=[self.town.pk])

        response = self.client.get(url)

        for field in (
            "open_data_licence_name",
            "open_data_licence_url",
            "open_data_publisher",
            "open_data_contact_email",
        ):
            self.assertContains(response, f'name="{field}"')
