from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "jcihub.referrals"
    label = "referrals"
    verbose_name = "Service directory and referrals"

    def ready(self) -> None:
        from jcihub.core import timeline

        from .selectors import referral_timeline_events

        timeline.register("referrals", referral_timeline_events)
