"""Funds, the ordinances that authorise spending from them, and what was spent.

Spending is recorded against an authorisation (for IPVI: Ordinance 260299, $75,000 from
the Violence Prevention Fund, account 2000-501905). An expenditure is never deleted or
edited: a mistake is voided with a reason, so the ledger the council sees can be
traced line by line.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum


class Fund(models.Model):
    account = models.CharField(max_length=40, unique=True, help_text="For example 2000-501905.")
    name = models.CharField(max_length=160)

    class Meta:
        ordering = ["account"]

    def __str__(self) -> str:
        return f"{self.name} ({self.account})"


class Programme(models.TextChoices):
    IPVI = "ipvi", "IPVI focused deterrence"
    REENTRY = "reentry", "Reentry services"
    TASKFORCE = "taskforce", "Public Safety Taskforce"
    OTHER = "other", "Other"


class Authorisation(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="authorisations")
    ordinance = models.CharField(max_length=40, help_text="For example Ordinance 260299.")
    purpose = models.CharField(max_length=240)
    programme = models.CharField(max_length=20, choices=Programme.choices, db_index=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    starts = models.DateField(null=True, blank=True)
    ends = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["fund__account", "ordinance"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="authorisation_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.ordinance}: {self.purpose}"

    @property
    def spent(self) -> Decimal:
        total = self.expenditures.filter(voided_at__isnull=True).aggregate(total=Sum("amount"))
        return total["total"] or Decimal("0")

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.spent


class Category(models.TextChoices):
    PERSONNEL = "personnel", "Personnel"
    CONTRACT = "contract", "Contracted services"
    SERVICES = "services", "Services for participants and victims"
    MATERIALS = "materials", "Letters, printing and materials"
    EVENTS = "events", "Call-ins and meetings"
    TRAINING = "training", "Training"
    OTHER = "other", "Other"


class Expenditure(models.Model):
    authorisation = models.ForeignKey(
        Authorisation, on_delete=models.PROTECT, related_name="expenditures"
    )
    spent_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    payee = models.CharField(max_length=160)
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.CharField(max_length=500)
    reference = models.CharField(
        max_length=60, blank=True, help_text="Invoice, purchase order or journal number."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    void_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-spent_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expenditure_amount_positive")
        ]

    def __str__(self) -> str:
        return f"${self.amount:,} to {self.payee} on {self.spent_on}"
