"""The header's navigation: what each role may open, grouped so it fits one row."""

import pytest
from django.urls import reverse

from jcihub.core.tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def _header(client_for, role: str) -> str:
    page = client_for(user_with_role(role)).get(reverse("core:home")).content.decode()
    return page.split('aria-label="Primary navigation"')[1].split("</nav>")[0]


def test_a_role_with_many_areas_gets_them_grouped_in_menus(client_for) -> None:
    header = _header(client_for, "director")
    for menu in ("Police data", "Programmes", "Taskforce"):
        assert f"<span>{menu}</span></button>" in header
    assert header.count('class="usa-nav__primary-item"') <= 8  # one row on a desktop
    for area in ("incidents:list", "places:list", "ipvi:queue", "taskforce:properties"):
        assert f'href="{reverse(area)}"' in header


def test_a_menu_with_one_area_for_the_role_is_a_plain_link(client_for) -> None:
    header = _header(client_for, "auditor")
    assert f'href="{reverse("audit:list")}"><span>Audit trail</span></a>' in header
    assert f'href="{reverse("directory:search")}"><span>Directory</span></a>' in header
    assert "usa-nav__submenu" not in header  # nothing to group: no menus at all


def test_areas_the_role_may_not_open_are_not_offered(client_for) -> None:
    header = _header(client_for, "victim_advocate")
    assert reverse("incidents:list") not in header
    assert f'href="{reverse("ipvi:queue")}"' not in header  # /ipvi/victims/ is theirs
    assert f'href="{reverse("ipvi_victims:list")}"' in header
    assert reverse("audit:list") not in header
