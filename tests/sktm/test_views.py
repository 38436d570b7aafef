import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from sktm import services
from sktm.models import FormStatus, Letter, LetterCheck, LetterTemplate, VerificationForm
from tests.builders import NOT_POOR_9, POOR_15, post_data

pytestmark = pytest.mark.django_db


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_operator_fills_the_form_and_sees_the_score(client, operator_a):
    client.force_login(operator_a)
    assert client.get(reverse("sktm:form_create")).status_code == 200
    response = client.post(reverse("sktm:form_create"), post_data(POOR_15))
    form = VerificationForm.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sktm:form_detail", args=[form.pk])
    page = client.get(response["Location"]).content.decode()
    assert "TERMASUK KATEGORI MASYARAKAT TIDAK MAMPU" in page and ">15<" in page


def test_live_score_preview_shows_the_options_and_total(client, operator_a):
    client.force_login(operator_a)
    page = client.post(reverse("sktm:score_preview"), post_data(NOT_POOR_9)).content.decode()
    assert "Jumlah skor: 9" in page and "TIDAK TERMASUK" in page
    assert "1. ≤3 orang" in page and "2. &lt; UMK" in page
    partial = client.post(reverse("sktm:score_preview"), {"dependants_count": "5"}).content.decode()
    assert "2. 4-6 orang" in partial and "Lengkapi keenam indikator" in partial


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nik", "34010152018500", "16"),
        ("nik", "3401019913850003", "Tanggal lahir dalam NIK tidak valid"),
        ("nik", "340101520185000A", "16"),
        ("kk_number", "3401010101", "16"),
        ("rt", "<script>", "RT berupa 1 sampai 3 angka"),
        ("applicant_name", "x" * 300, "150"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_writes_nothing(
    client, operator_a, field, value, message
):
    client.force_login(operator_a)
    response = client.post(reverse("sktm:form_create"), post_data({**POOR_15, field: value}))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, []))
    assert not VerificationForm.objects.exists()


def test_nik_warnings_must_be_confirmed(client, operator_a):
    client.force_login(operator_a)
    foreign = {**POOR_15, "nik": "3313015201850003"}  # Karanganyar prefix
    response = client.post(reverse("sktm:form_create"), post_data(foreign))
    assert response.context["form"].warnings
    assert not VerificationForm.objects.exists()
    response = client.post(
        reverse("sktm:form_create"), post_data({**foreign, "confirm_warnings": "on"})
    )
    assert response.status_code == 302 and VerificationForm.objects.count() == 1


def test_duplicate_applicant_is_refused_with_a_link(client, operator_a, submitted_form):
    client.force_login(operator_a)
    response = client.post(reverse("sktm:form_create"), post_data(POOR_15))
    assert response.context["existing_id"] == submitted_form.pk
    assert reverse("sktm:form_detail", args=[submitted_form.pk]) in response.content.decode()


def test_lurah_signs_off_issues_and_downloads_the_letter(client, lurah_a, submitted_form):
    client.force_login(lurah_a)
    client.post(reverse("sktm:form_acknowledge", args=[submitted_form.pk]))
    client.post(reverse("sktm:letter_issue", args=[submitted_form.pk]))
    letter = Letter.objects.get()
    text = pdf_text(client.get(reverse("sktm:letter_pdf", args=[letter.pk])))
    assert "SURAT KETERANGAN TIDAK MAMPU" in text
    assert letter.number in text and "Sri Wahyuni" in text
    assert "jumlah skor 15" in text
    assert "pengusulan peserta Jaminan Kesehatan PBI Pemda" in text
    assert letter.issued_on.strftime("%Y") in text


def test_no_letter_for_a_score_of_nine_even_by_direct_post(client, operator_a, lurah_a):
    form = services.sktm_form_submit(actor=operator_a, data=NOT_POOR_9)
    client.force_login(lurah_a)
    client.post(reverse("sktm:form_acknowledge", args=[form.pk]))
    response = client.post(reverse("sktm:letter_issue", args=[form.pk]), follow=True)
    assert not Letter.objects.exists()
    assert VerificationForm.objects.get().status == FormStatus.INELIGIBLE
    assert "Terbitkan SKTM" not in response.content.decode()


def test_other_village_gets_404_on_every_form_url(client, operator_b, letter):
    form = letter.form
    client.force_login(operator_b)
    for name in ["form_detail", "lampiran_a_pdf", "form_edit"]:
        assert client.get(reverse(f"sktm:{name}", args=[form.pk])).status_code in (403, 404)
    assert client.get(reverse("sktm:form_detail", args=[form.pk])).status_code == 404
    assert client.get(reverse("sktm:letter_pdf", args=[letter.pk])).status_code == 404
    assert client.post(reverse("sktm:letter_revoke", args=[letter.pk])).status_code == 404
    assert not client.get(reverse("sktm:form_list")).context["page"].object_list
    assert not client.get(reverse("sktm:letter_list")).context["page"].object_list


def test_lurah_of_another_village_gets_404(client, submitted_form):
    from tests.factories import UserFactory, village

    other = UserFactory(role="village_head", village=village("34.01.02.2001"))
    client.force_login(other)
    assert (
        client.post(reverse("sktm:form_acknowledge", args=[submitted_form.pk])).status_code == 404
    )
    assert VerificationForm.objects.get().status == FormStatus.SUBMITTED


@pytest.mark.parametrize("persona_name", ["verifier", "panewu_a", "admin_user"])
def test_dinsos_panewu_and_admin_read_and_download_but_cannot_decide(
    client, request, persona_name, letter
):
    client.force_login(request.getfixturevalue(persona_name))
    assert client.get(reverse("sktm:form_detail", args=[letter.form_id])).status_code == 200
    assert client.get(reverse("sktm:letter_pdf", args=[letter.pk])).status_code == 200
    client.post(reverse("sktm:letter_revoke", args=[letter.pk]), {"note": "coba"})
    assert Letter.objects.get().revoked_at is None
    assert client.get(reverse("sktm:form_create")).status_code == 403


def test_agency_staff_see_no_forms(client, agency_staff, submitted_form):
    client.force_login(agency_staff)
    assert client.get(reverse("sktm:form_detail", args=[submitted_form.pk])).status_code == 404


def test_public_verification_page_shows_no_nik_and_reflects_revocation(client, letter, lurah_a):
    url = reverse("sktm:letter_verify", args=[letter.token])
    page = client.get(url).content.decode()
    assert "ASLI dan BERLAKU" in page and letter.number in page
    assert POOR_15["nik"] not in page and "Sri Wahyuni" not in page and "S*** W***" in page
    services.letter_revoke(actor=lurah_a, letter=letter, reason="Pindah")
    assert "DICABUT" in client.get(url).content.decode()
    assert LetterCheck.objects.filter(letter=letter).count() == 2
    assert client.get(reverse("sktm:letter_verify", args=["tebakan"])).status_code == 404


def test_lampiran_a_prints_filled_and_blank(client, operator_a, submitted_form):
    client.force_login(operator_a)
    filled = pdf_text(client.get(reverse("sktm:lampiran_a_pdf", args=[submitted_form.pk])))
    assert "FORMULIR VERIFIKASI" in filled and "Sri Wahyuni" in filled
    assert "Demikian pernyataan ini saya buat" in filled and "Mengetahui" in filled
    blank = pdf_text(client.get(reverse("sktm:lampiran_a_blank")))
    assert "INFORMASI RUMAH TANGGA" in blank and "Sri Wahyuni" not in blank


def test_form_list_filters_and_searches(client, operator_a, submitted_form):
    services.sktm_form_submit(actor=operator_a, data=NOT_POOR_9)
    client.force_login(operator_a)
    url = reverse("sktm:form_list")

    def names(**params):
        page = client.get(url, params).context["page"]
        return sorted(form.applicant_name for form in page.object_list)

    assert names() == ["Bambang", "Sri Wahyuni"]
    assert names(category="poor") == ["Sri Wahyuni"]
    assert names(category="not_poor") == ["Bambang"]
    assert names(q="340101520") == ["Sri Wahyuni"]
    assert names(q="bamb") == ["Bambang"]
    assert names(status="submitted") == ["Bambang", "Sri Wahyuni"]


def test_form_list_queries_do_not_grow_with_rows(client, operator_a, django_assert_num_queries):
    client.force_login(operator_a)
    url = reverse("sktm:form_list")
    services.sktm_form_submit(actor=operator_a, data=POOR_15)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    services.sktm_form_submit(actor=operator_a, data=NOT_POOR_9)
    with django_assert_num_queries(len(few)):
        client.get(url)


def test_sktm_pages_refuse_the_wrong_method(client, operator_a, lurah_a, submitted_form):
    client.force_login(lurah_a)
    assert client.get(reverse("sktm:form_acknowledge", args=[submitted_form.pk])).status_code == 405
    assert client.get(reverse("sktm:letter_issue", args=[submitted_form.pk])).status_code == 405
    assert client.post(reverse("sktm:form_list")).status_code == 405


def test_admin_edits_the_letter_template_without_code(client, admin_user, letter):
    template = LetterTemplate.objects.get()
    url = reverse("admin:sktm_lettertemplate_change", args=[template.pk])
    client.force_login(admin_user)
    broken = client.post(url, {"name": "SKTM", "body": "{% if %}"})
    assert "Templat tidak dapat dibaca" in broken.content.decode()
    body = template.body.replace("SURAT KETERANGAN TIDAK MAMPU", "SURAT KETERANGAN MISKIN UJI")
    assert client.post(url, {"name": "SKTM", "body": body}).status_code == 302
    text = pdf_text(client.get(reverse("sktm:letter_pdf", args=[letter.pk])))
    assert "SURAT KETERANGAN MISKIN UJI" in text


def test_returned_form_opens_with_its_score_and_zero_income_counts(
    client, operator_a, lurah_a, submitted_form
):
    services.sktm_form_return(actor=lurah_a, form=submitted_form, note="Perbaiki RT")
    client.force_login(operator_a)
    page = client.get(reverse("sktm:form_edit", args=[submitted_form.pk])).content.decode()
    assert "Jumlah skor: 15" in page and "Perbaiki RT" in page
    zero = client.post(reverse("sktm:score_preview"), {"monthly_income": "0"}).content.decode()
    assert "2. &lt; UMK" in zero


def test_the_letter_uses_the_shipped_template_when_none_is_left(client, lurah_a, letter):
    from sktm.models import LetterTemplate

    LetterTemplate.objects.all().delete()
    client.force_login(lurah_a)
    response = client.get(reverse("sktm:letter_pdf", args=[letter.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
