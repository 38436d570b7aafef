import re

import pytest
from django.urls import reverse

from instructions import services
from instructions.models import Report, ReportStatus
from tests.builders import Q1

pytestmark = pytest.mark.django_db


def shown_items(client, instruction):
    page = client.get(reverse("instructions:detail", args=[instruction.pk])).content.decode()
    return re.findall(r'data-item="([^"]+)"', page)


EVERYONE = ["KEDELAPAN BELAS a", "KEDELAPAN BELAS b", "KESEMBILAN BELAS"]


def test_each_role_sees_exactly_its_items(
    client, instruction, dinsos, camat, kades, operator_desa, sekda
):
    client.force_login(dinsos)
    assert shown_items(client, instruction) == [
        "KESATU",
        *[f"KELIMA {letter}" for letter in "abcde"],
        "KETIGA BELAS",
        *EVERYONE,
    ]
    client.force_login(camat)
    assert shown_items(client, instruction) == [
        *[f"KEENAM BELAS {letter}" for letter in "abcd"],
        *EVERYONE,
    ]
    for village_user in (kades, operator_desa):
        client.force_login(village_user)
        assert shown_items(client, instruction) == [
            *[f"KETUJUH BELAS {letter}" for letter in "abcd"],
            *EVERYONE,
        ]
    client.force_login(sekda)
    assert len(shown_items(client, instruction)) == 50


def test_list_opens_the_one_instruction(client, instruction, dinsos):
    client.force_login(dinsos)
    response = client.get(reverse("instructions:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("instructions:detail", args=[instruction.pk])


def test_kulon_progo_users_see_no_karanganyar_instruction(client, instruction, lurah_a, verifier):
    for user in (lurah_a, verifier):
        client.force_login(user)
        assert client.get(reverse("instructions:detail", args=[instruction.pk])).status_code == 404
        assert "Belum ada instruksi" in client.get(reverse("instructions:list")).content.decode()


def test_addressee_opens_a_period_from_its_page(client, instruction, dinsos):
    client.force_login(dinsos)
    url = reverse("instructions:report_open", args=[instruction.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"period_start": "2026-01-01"})
    report = Report.objects.get()
    assert response["Location"] == reverse("instructions:report_edit", args=[report.pk])
    assert report.agency.short_name == "Dinsos"
    response = client.post(url, {"period_start": "2026-01-01"}, follow=True)
    assert "sudah ada" in response.content.decode()
    response = client.post(url, {"period_start": "2099-01-01"}, follow=True)
    assert "belum dimulai" in response.content.decode()
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    "period", ["", "0000-01-01", "10000-01-01", "2026-01-99", "2026-13-01", "9" * 40, "01-01-2026"]
)
def test_a_bad_period_is_refused_with_a_message(client, instruction, dinsos, period):
    client.force_login(dinsos)
    url = reverse("instructions:report_open", args=[instruction.pk])
    response = client.post(url, {"period_start": period}, follow=True)
    assert response.status_code == 200
    assert "Periode laporan tidak sah" in response.content.decode()
    assert not Report.objects.exists()


def test_agency_user_gets_404_for_another_agencys_report(client, agency_report, bkd, dinsos):
    url = reverse("instructions:report_detail", args=[agency_report.pk])
    client.force_login(bkd)
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("instructions:report_edit", args=[agency_report.pk])).status_code == 404
    )
    assert (
        client.post(reverse("instructions:report_submit", args=[agency_report.pk])).status_code
        == 404
    )
    client.force_login(dinsos)
    assert client.get(url).status_code == 200


def test_camat_sees_own_villages_reports_only(
    client, village_report, camat, camat_other, kades_other, verifier, sekda
):
    url = reverse("instructions:report_detail", args=[village_report.pk])
    for outsider in (camat_other, kades_other, verifier):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    for insider in (camat, sekda):
        client.force_login(insider)
        assert client.get(url).status_code == 200


def test_camat_cannot_review_another_kecamatans_village(client, village_report, kades, camat_other):
    services.report_submit(actor=kades, report=village_report)
    client.force_login(camat_other)
    url = reverse("instructions:report_forward", args=[village_report.pk])
    assert client.post(url).status_code == 404
    assert Report.objects.get().status == ReportStatus.SUBMITTED


def test_sekda_reads_but_cannot_edit(client, agency_report, sekda):
    client.force_login(sekda)
    page = client.get(reverse("instructions:report_detail", args=[agency_report.pk]))
    assert "Isi/ubah laporan" not in page.content.decode()
    assert (
        client.get(reverse("instructions:report_edit", args=[agency_report.pk])).status_code == 403
    )
    client.post(reverse("instructions:report_submit", args=[agency_report.pk]))
    assert Report.objects.get().status == ReportStatus.DRAFT


def test_review_actions_are_post_only(client, village_report, camat):
    client.force_login(camat)
    for name in ("report_submit", "report_return", "report_forward"):
        assert (
            client.get(reverse(f"instructions:{name}", args=[village_report.pk])).status_code == 405
        )


def test_home_page_reminds_the_addressee_of_open_periods(client, instruction, kades, camat):
    client.force_login(kades)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="reminders"' in page
    assert "Triwulan I 2026: batas <strong>10 April 2026</strong>" in page
    assert "Belum dibuat" in page
    services.report_submit(
        actor=kades,
        report=services.report_open(actor=kades, instruction=instruction, period_start=Q1),
    )
    page = client.get(reverse("home")).content.decode()
    assert "Triwulan I 2026" not in page
    client.force_login(camat)
    assert "Menunggu telaah" in client.get(reverse("home")).content.decode()


def test_navigation_offers_the_instruction_to_its_addressees_only(client, dinsos, verifier):
    client.force_login(dinsos)
    assert reverse("instructions:list") in client.get(reverse("home")).content.decode()
    client.force_login(verifier)
    assert reverse("instructions:list") not in client.get(reverse("home")).content.decode()


def test_admin_enters_an_instruction_diktum_by_diktum(client, instruction, admin_user):
    from instructions.models import Diktum

    client.force_login(admin_user)
    diktum = Diktum.objects.get(instruction=instruction, label="KELIMA")
    for url in (
        reverse("admin:instructions_instruction_change", args=[instruction.pk]),
        reverse("admin:instructions_diktum_change", args=[diktum.pk]),
        reverse("admin:instructions_report_changelist"),
    ):
        assert client.get(url).status_code == 200
