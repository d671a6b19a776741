from town311.alerts.models import Subscription
from town311.directory.models import Neighbourhood, Place
from town311.servicerequests import services
from town311.servicerequests.models import ServiceRequest
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase, square

SUBSCRIBER = "subscriber@example.org"
# Metres per degree of latitude on the sphere the matching uses.
METRES_PER_DEGREE = 111_194.93


def north_of_centre(metres: float) -> tuple[float, float]:
    return CENTRE[0] + metres / METRES_PER_DEGREE, CENTRE[1]


class AlertsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # The north-east quarter of town.
        self.hilltop = Neighbourhood.objects.create(
            name="Hilltop", slug="hilltop", area=square(40.005, -89.995, 0.005)
        )
        Place.objects.create(
            name="Mill Road", kind=Place.Kind.STREET, lat=CENTRE[0], long=CENTRE[1]
        )
        Place.objects.create(name="Mill Pond", lat=40.002, long=-90.002)
        Place.objects.create(name="Town Hall", lat=40.001, long=-90.001)

    def subscribe(self, *, confirmed=True, services=(), **fields) -> Subscription:
        values = {"email": SUBSCRIBER}
        if "neighbourhood" not in fields:
            values.update(lat=CENTRE[0], long=CENTRE[1], radius=500)
        values.update(fields)
        subscription = Subscription.objects.create(**values)
        if confirmed:
            subscription.confirmed_at = subscription.created_at
            subscription.save()
        subscription.services.set(services)
        return subscription

    def submit(self, lat=CENTRE[0], long=CENTRE[1], **fields) -> ServiceRequest:
        values = {
            "service": self.pothole,
            "lat": lat,
            "long": long,
            "address": "12 Mill Road",
            "description": "Call me on 555-0199, Ann",
            "reporter_name": "Ann Reporter",
            "reporter_email": RESIDENT_EMAIL,
            "reporter_phone": "555-0199",
        }
        values.update(fields)
        return services.request_submit(**values)
