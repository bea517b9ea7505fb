from django.urls import path

from . import ladder_views, views
from . import notification_views as notify

app_name = "ipvi"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("rebuild/", views.rebuild, name="rebuild"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate"),
    path("tiers/", views.ladder, name="tiers"),
    path("tiers/new/", ladder_views.tier_edit, name="tier_new"),
    path("tiers/<int:pk>/", ladder_views.tier_edit, name="tier_edit"),
    # Notifications (notification_views): letters, custom notifications, call-ins,
    # services offered, and the liaisons' re-offences.
    path("letter-templates/", notify.letter_templates, name="letter_templates"),
    path("letter-templates/new/", notify.letter_template_new, name="letter_template_new"),
    path("letter-templates/<int:pk>/", notify.letter_template, name="letter_template"),
    path("candidates/<int:pk>/letter/", notify.letter_new, name="letter_new"),
    path("letters/<int:pk>/", notify.letter_detail, name="letter"),
    path("letters/<int:pk>/letter.pdf", notify.letter_pdf, name="letter_pdf"),
    path("candidates/<int:pk>/notification/", notify.notification_new, name="notification_new"),
    path("notifications/<int:pk>/", notify.notification_detail, name="notification"),
    path("call-ins/", notify.call_ins, name="call_ins"),
    path("call-ins/new/", notify.call_in_new, name="call_in_new"),
    path("call-ins/<int:pk>/", notify.call_in_detail, name="call_in"),
    path("candidates/<int:pk>/services/", notify.service_new, name="service_new"),
    path("services/<int:pk>/answer/", notify.service_answer, name="service_answer"),
    path("reoffences/", notify.reoffences, name="reoffences"),
    path("reoffences/<int:pk>/", notify.reoffence_detail, name="reoffence"),
    path("reoffences/<int:pk>/share/", notify.reoffence_share, name="reoffence_share"),
    path("reoffences/<int:pk>/charging/", notify.reoffence_charging, name="reoffence_charging"),
]
