"""Issue 15 §6: the words a user reads about accounts and the access log are Indonesian."""

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def english_default(name):
    return name.replace("_", " ")


@pytest.mark.parametrize("app_label", ["accounts", "audit"])
def test_every_model_and_field_has_an_indonesian_verbose_name(app_label):
    missing = []
    with translation.override("id"):
        for model in apps.get_app_config(app_label).get_models():
            if str(model._meta.verbose_name) == english_default(model._meta.model_name):
                missing.append(model.__name__)
            for field in model._meta.get_fields():
                if field.auto_created and not field.concrete:
                    continue  # reverse relations: named on the other side
                if field.name != "id" and str(field.verbose_name) == english_default(field.name):
                    missing.append(f"{model.__name__}.{field.name}")
    assert missing == []


def test_wrong_password_says_so_without_repeating_the_label(client, operator_a):
    response = client.post(reverse("login"), {"username": "operator_a", "password": "salah"})
    page = response.content.decode()
    assert "Nama pengguna atau sandi salah" in page
    assert "nama pengguna nama pengguna" not in page.lower()
