import re

import pytest


@pytest.mark.django_db
def test_every_response_says_how_long_the_server_took(client) -> None:
    response = client.get("/healthz")
    assert re.fullmatch(r"app;dur=\d+\.\d", response["Server-Timing"])
