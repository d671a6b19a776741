from town311.residents.session import SESSION_KEY
from town311.servicerequests import services
from town311.servicerequests.models import ServiceRequest
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase


class ResidentTestCase(BaseTestCase):
    def submit(self, email=RESIDENT_EMAIL, **fields) -> ServiceRequest:
        values = {
            "service": self.pothole,
            "lat": CENTRE[0],
            "long": CENTRE[1],
            "address": "12 Mill Road",
            "reporter_email": email,
        }
        values.update(fields)
        return services.request_submit(**values)

    def sign_in(self, email=RESIDENT_EMAIL) -> None:
        session = self.client.session
        session[SESSION_KEY] = email
        session.save()
