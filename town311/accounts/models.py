from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who signs in to work requests: staff, leads, coordinators.

    Administrators are superusers. Residents do not need an account.
    """

    class Role(models.TextChoices):
        STAFF = "staff", "Staff member"
        LEAD = "lead", "Department lead"
        COORDINATOR = "coordinator", "Coordinator"

    role = models.CharField(max_length=20, choices=Role, default=Role.STAFF)
    department = models.ForeignKey(
        "directory.Department",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        help_text="The department whose queue this person works.",
    )
    granted_departments = models.ManyToManyField(
        "directory.Department",
        blank=True,
        related_name="granted_members",
        help_text="Other departments whose requests this person may also work.",
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def sees_all_departments(self) -> bool:
        return self.is_superuser or self.role == self.Role.COORDINATOR

    def works_for(self, department) -> bool:
        """May this person act on requests in the department's queue?"""
        if not self.is_active:
            return False

        if self.sees_all_departments:
            return True

        if department is None:
            return False

        if department.pk == self.department_id:
            return True

        return self.granted_departments.filter(pk=department.pk).exists()
