import pytest


@pytest.mark.django_db
def test_staff_home_redirects_to_supplier_list(login, buyer):
    response = login(buyer).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/suppliers/"
