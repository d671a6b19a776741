from datetime import timedelta

from town311.directory.models import (
    Agency,
    Department,
    RoutingArea,
    Service,
    ServiceAttribute,
)
from town311.test import CENTRE, BaseTestCase, square

LAT, LONG = CENTRE


def inline_management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


class AdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        r = self.client.post(
            "/admin/login/",
            {"username": "admin", "password": "admin-password", "next": "/admin/"},
        )
        self.assertRedirects(r, "/admin/")

    def test_it_lists_departments(self):
        r = self.client.get("/admin/directory/department/")
        self.assertContains(r, "roads@testville.example")
        self.assertContains(r, "parks@testville.example")

        r = self.client.get("/admin/directory/department/?q=park")
        self.assertContains(r, "parks@testville.example")
        self.assertNotContains(r, "roads@testville.example")

    def test_it_adds_a_department(self):
        r = self.client.post(
            "/admin/directory/department/add/",
            {
                "name": "Sanitation",
                "slug": "sanitation",
                "email": "sanitation@testville.example",
                "phone": "",
                "acknowledge_target": "1 00:00:00",
                "close_target": "3 12:00:00",
                "is_active": "on",
            },
        )
        self.assertRedirects(r, "/admin/directory/department/")

        department = Department.objects.get(slug="sanitation")
        self.assertEqual(department.acknowledge_target, timedelta(days=1))
        self.assertEqual(department.close_target, timedelta(days=3, hours=12))

    def test_it_edits_a_department(self):
        url = f"/admin/directory/department/{self.parks.pk}/change/"
        self.assertContains(self.client.get(url), "Parks")

        r = self.client.post(
            url,
            {
                "name": "Parks and Recreation",
                "slug": "parks",
                "email": "parks@testville.example",
                "phone": "555-0199",
                "acknowledge_target": "0 06:00:00",
                "close_target": "14 00:00:00",
                # is_active unticked
            },
        )
        self.assertRedirects(r, "/admin/directory/department/")

        self.parks.refresh_from_db()
        self.assertEqual(self.parks.name, "Parks and Recreation")
        self.assertEqual(self.parks.acknowledge_target, timedelta(hours=6))
        self.assertFalse(self.parks.is_active)

    def test_it_lists_services(self):
        r = self.client.get("/admin/directory/service/")
        self.assertContains(r, "Pothole")
        self.assertContains(r, "Internal work order")

    def test_it_adds_a_service_with_attributes(self):
        r = self.client.post(
            "/admin/directory/service/add/",
            {
                "code": "streetlight",
                "name": "Streetlight out",
                "group": "",
                "description": "A light that does not come on at night.",
                "keywords": "lamp, dark",
                "department": str(self.roads.pk),
                "is_public": "on",
                "is_active": "on",
                "order": "3",
                **inline_management("attributes", 2),
                "attributes-0-order": "1",
                "attributes-0-code": "pole-number",
                "attributes-0-description": "The number on the pole",
                "attributes-0-datatype": "string",
                "attributes-0-variable": "on",
                "attributes-1-order": "2",
                "attributes-1-code": "flickering",
                "attributes-1-description": "Does it flicker?",
                "attributes-1-datatype": "singlevaluelist",
                "attributes-1-required": "on",
                "attributes-1-variable": "on",
            },
        )
        self.assertRedirects(r, "/admin/directory/service/")

        service = Service.objects.get(code="streetlight")
        self.assertEqual(service.department, self.roads)
        self.assertEqual(service.keyword_list, ["lamp", "dark"])
        self.assertEqual(
            list(service.attributes.values_list("code", "datatype", "required")),
            [("pole-number", "string", False), ("flickering", "singlevaluelist", True)],
        )

    def test_it_edits_a_service_and_its_attribute(self):
        attribute = ServiceAttribute.objects.create(
            service=self.pothole,
            code="depth",
            description="How deep is it?",
            datatype=ServiceAttribute.Datatype.NUMBER,
        )

        r = self.client.post(
            f"/admin/directory/service/{self.pothole.pk}/change/",
            {
                "code": "pothole",
                "name": "Pothole or sinkhole",
                "group": str(self.pothole.group_id),
                "description": "",
                "keywords": "hole",
                "department": str(self.parks.pk),
                "is_public": "on",
                "is_active": "on",
                "order": "0",
                **inline_management("attributes", 1, initial=1),
                "attributes-0-id": str(attribute.pk),
                "attributes-0-service": str(self.pothole.pk),
                "attributes-0-order": "0",
                "attributes-0-code": "depth",
                "attributes-0-description": "How deep is it, in inches?",
                "attributes-0-datatype": "number",
                "attributes-0-required": "on",
                "attributes-0-variable": "on",
            },
        )
        self.assertRedirects(r, "/admin/directory/service/")

        self.pothole.refresh_from_db()
        self.assertEqual(self.pothole.name, "Pothole or sinkhole")
        self.assertEqual(self.pothole.department, self.parks)
        attribute.refresh_from_db()
        self.assertEqual(attribute.description, "How deep is it, in inches?")
        self.assertTrue(attribute.required)

    def test_it_adds_values_to_a_list_attribute(self):
        attribute = ServiceAttribute.objects.create(
            service=self.pothole,
            code="size",
            description="How big is it?",
            datatype=ServiceAttribute.Datatype.SINGLEVALUELIST,
        )
        url = f"/admin/directory/serviceattribute/{attribute.pk}/change/"
        self.assertContains(self.client.get(url), "How big is it?")

        r = self.client.post(
            url,
            {
                "service": str(self.pothole.pk),
                "code": "size",
                "description": "How big is it?",
                "datatype": "singlevaluelist",
                "datatype_description": "",
                "variable": "on",
                "order": "0",
                **inline_management("values", 2),
                "values-0-order": "1",
                "values-0-key": "small",
                "values-0-name": "Smaller than a plate",
                "values-1-order": "2",
                "values-1-key": "large",
                "values-1-name": "Larger than a tyre",
            },
        )
        self.assertRedirects(r, "/admin/directory/serviceattribute/")

        self.assertEqual(
            list(attribute.values.values_list("key", "name")),
            [("small", "Smaller than a plate"), ("large", "Larger than a tyre")],
        )

    def test_it_lists_and_searches_service_attributes(self):
        ServiceAttribute.objects.create(
            service=self.pothole,
            code="depth",
            description="How deep is it?",
            datatype=ServiceAttribute.Datatype.NUMBER,
        )

        r = self.client.get("/admin/directory/serviceattribute/?q=deep")
        self.assertContains(r, "How deep is it?")
        r = self.client.get("/admin/directory/serviceattribute/?q=bench")
        self.assertNotContains(r, "How deep is it?")

    def test_it_adds_a_routing_area(self):
        area = square(LAT, LONG, 0.002)
        r = self.client.post(
            "/admin/directory/routingarea/add/",
            {
                "name": "Downtown",
                "area": area,
                "service": "",
                "department": str(self.parks.pk),
                "agency": "",
                "is_active": "on",
            },
        )
        self.assertRedirects(r, "/admin/directory/routingarea/")

        routing_area = RoutingArea.objects.get()
        self.assertEqual(routing_area.name, "Downtown")
        self.assertEqual(routing_area.area, area)
        self.assertEqual(routing_area.department, self.parks)
        self.assertIsNone(routing_area.service)

        r = self.client.get("/admin/directory/routingarea/")
        self.assertContains(r, "Downtown")
        self.assertContains(r, "All services")

    def test_it_edits_a_routing_area(self):
        county = Agency.objects.create(name="Lake County")
        routing_area = RoutingArea.objects.create(
            name="Downtown", area=square(LAT, LONG, 0.002), department=self.parks
        )
        url = f"/admin/directory/routingarea/{routing_area.pk}/change/"
        self.assertContains(self.client.get(url), "GeoJSON lists longitude")

        r = self.client.post(
            url,
            {
                "name": "County road",
                "area": square(LAT, LONG, 0.003),
                "service": str(self.pothole.pk),
                "department": "",
                "agency": str(county.pk),
                "is_active": "on",
            },
        )
        self.assertRedirects(r, "/admin/directory/routingarea/")

        routing_area.refresh_from_db()
        self.assertEqual(routing_area.name, "County road")
        self.assertEqual(routing_area.service, self.pothole)
        self.assertEqual(routing_area.destination, county)
        self.assertIsNone(routing_area.department)

    def test_it_reshows_a_routing_area_with_bad_geojson(self):
        r = self.client.post(
            "/admin/directory/routingarea/add/",
            {
                "name": "Downtown",
                "area": '{"type": "Point", "coordinates": [-90, 40]}',
                "department": str(self.parks.pk),
                "is_active": "on",
            },
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(
            r, "The area must be a Polygon or MultiPolygon (or features of them)."
        )
        self.assertFalse(RoutingArea.objects.exists())

    def test_it_reshows_a_routing_area_without_a_destination(self):
        r = self.client.post(
            "/admin/directory/routingarea/add/",
            {"name": "Downtown", "area": square(LAT, LONG, 0.002), "is_active": "on"},
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Choose where requests inside the area go")
        self.assertNotContains(r, "routing_area_has_one_destination")
        self.assertFalse(RoutingArea.objects.exists())

    def test_it_offers_no_second_town(self):
        r = self.client.get("/admin/directory/town/add/")
        self.assertEqual(r.status_code, 403)

        r = self.client.get(f"/admin/directory/town/{self.town.pk}/delete/")
        self.assertEqual(r.status_code, 403)


class AdminAccessTestCase(BaseTestCase):
    def test_it_keeps_staff_without_is_staff_out(self):
        self.roads_clerk.set_password("clerk-password")
        self.roads_clerk.save()

        r = self.client.post(
            "/admin/login/",
            {"username": "roads-clerk", "password": "clerk-password"},
        )
        self.assertContains(r, "Please enter the correct username and password")

        # Even when signed in elsewhere, the admin sends them to its login.
        self.client.force_login(self.roads_clerk)
        r = self.client.get("/admin/directory/department/")
        self.assertRedirects(r, "/admin/login/?next=/admin/directory/department/")
        r = self.client.post(
            "/admin/directory/department/add/",
            {"name": "Shadow", "slug": "shadow", "email": "shadow@example.org"},
        )
        self.assertEqual(r.status_code, 302)
        self.assertFalse(Department.objects.filter(slug="shadow").exists())

    def test_it_keeps_anonymous_visitors_out(self):
        r = self.client.get("/admin/")
        self.assertRedirects(r, "/admin/login/?next=/admin/")
