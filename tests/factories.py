import factory

from accounts.models import Role, User
from regions.models import Agency, District, HealthFacility, Regency, Village

DEFAULT_PASSWORD = "sandi-uji-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"pengguna{n}")
    first_name = factory.Faker("first_name", locale="id_ID")
    role = Role.OPERATOR
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


def village(code):
    return Village.objects.select_related("district__regency").get(code=code)


def regency(code):
    return Regency.objects.get(code=code)


def district(code):
    return District.objects.get(code=code)


def faskes(village_code="34.01.01.2001"):
    """An active first-level faskes of the village's kapanewon."""
    return HealthFacility.objects.filter(district__code=village_code[:8], is_active=True).first()


def agency(short_name):
    return Agency.objects.get(short_name=short_name)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "people.Household"

    number = factory.Sequence(lambda n: f"340101{n + 1:010d}")
    village = factory.LazyFunction(lambda: village("34.01.01.2001"))
    dusun = "Padukuhan I"
    rt = "001"
    rw = "001"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "people.Person"

    # A valid NIK: kecamatan 34.01.01, a man born 01-01-1990, serial from 0001.
    nik = factory.Sequence(lambda n: f"340101010190{n + 1:04d}")
    name = factory.Faker("name", locale="id_ID")
    household = factory.SubFactory(HouseholdFactory)
    # Kepala keluarga, kawin: Lampiran D prints both for every person added.
    relationship = 1
    marital_status = 2
