"""What each user may use: the navigation bar and the links on its home page. Each link is
shown when its capability (accounts/permissions.py) allows it; its badge counts what waits for
the user there. The bar shows the links by group, one dropdown each; a group with one link the
user may use is a plain link."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from accounts import permissions
from pbipemda import waiting


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    description: str
    # The capability that shows the link: function(user) -> bool.
    may: Callable
    # What waits for this user there: function(user) -> int, a badge.
    waiting: Callable | None = None
    # The dropdown of the bar that holds it; ACCOUNT is the user's own menu.
    group: str = ""

    @property
    def url(self):
        return reverse(self.url_name)


ACCOUNT = "Akun"
GROUPS = ["SKTM", "Peserta", "Usulan", "Pantauan", "Instruksi"]

_LINKS = [
    Link(
        "Formulir SKTM",
        "sktm:form_list",
        "Formulir verifikasi permohonan SKTM (Lampiran A) dan skornya.",
        permissions.can_read_sktm,
        waiting.badge(waiting.sktm_forms_to_acknowledge, waiting.sktm_forms_returned),
        group="SKTM",
    ),
    Link(
        "SKTM",
        "sktm:letter_list",
        "Surat Keterangan Tidak Mampu yang diterbitkan, masa berlaku dan pencabutannya.",
        permissions.can_read_sktm,
        group="SKTM",
    ),
    Link(
        "Peserta",
        "enrollment:roster",
        "Daftar peserta PBI Pemda aktif, riwayat mutasi, dan unduhan .xlsx.",
        permissions.can_read_residents,
        group="Peserta",
    ),
    Link(
        "Usulan",
        "verification:proposal_list",
        "Usulan bulanan penambahan dan pengurangan peserta, keputusan Tim Verifikasi, "
        "dan Lampiran D.",
        permissions.can_read_proposals,
        waiting.badge(
            waiting.proposals_to_send,
            waiting.proposals_returned,
            waiting.proposals_decided,
            waiting.proposals_to_decide,
        ),
        group="Usulan",
    ),
    Link(
        "Validasi pengurangan",
        "verification:validation_queue",
        "Pengurangan yang disetujui dan menunggu validasi data kependudukan (Pasal 5 ayat 3).",
        permissions.can_validate_removal,
        waiting.badge(waiting.removals_to_validate),
        group="Usulan",
    ),
    Link(
        "Tercatat di desa lain",
        "verification:held_applicants",
        "Pemohon SKTM dan usulan yang NIK atau No. KK-nya tercatat di desa lain: terima atau "
        "tolak.",
        permissions.can_decide,
        waiting.badge(waiting.held_elsewhere),
        group="Usulan",
    ),
    Link(
        "Data ganda",
        "enrollment:duplicates",
        "Dugaan satu orang dengan dua NIK, untuk diselesaikan dengan pengurangan dasar duplikasi.",
        permissions.can_review_duplicates,
        group="Peserta",
    ),
    Link(
        "Instruksi Bupati",
        "instructions:list",
        "Butir Instruksi Bupati untuk Anda, laporan pelaksanaan berkala dan rekapnya.",
        permissions.can_read_instructions,
        waiting.badge(waiting.reports_to_review, waiting.instruction_periods_due),
        group="Instruksi",
    ),
    Link(
        "Dasbor",
        "oversight:dashboard",
        "Grafik peserta, mutasi, skor SKTM, usulan menunggu dan cakupan verifikasi ulang, "
        "dengan tabel angka dan unduhan .xlsx; rekap bulanan untuk dicetak.",
        permissions.can_read_figures,
        group="Pantauan",
    ),
    Link(
        "Verifikasi ulang",
        "oversight:reverification_list",
        "Peserta yang jatuh tempo dan lewat jatuh tempo verifikasi ulang 3 bulanan "
        "(Instruksi KELIMA b), dan pencatatannya.",
        permissions.can_read_reverification,
        group="Pantauan",
    ),
    Link(
        "Calon usulan DTSEN",
        "feeds:dtsen_candidates",
        "Penduduk desil rendah di DTSEN yang belum menjadi peserta (Instruksi KELIMA c dan e).",
        permissions.can_read_candidates,
        group="Usulan",
    ),
    Link(
        "Iuran PBI",
        "oversight:premium",
        "Iuran JKN yang ditanggung kabupaten per bulan, sampai bulan ini dan proyeksi "
        "sampai akhir tahun.",
        permissions.can_read_premium,
        group="Pantauan",
    ),
    Link(
        "Rekonsiliasi BPJS",
        "bpjs:reconciliation",
        "Peserta menurut buku mutasi dibandingkan dengan tagihan BPJS per bulan: selisih dalam "
        "Rupiah per kategori, daftar dan unduhan .xlsx.",
        permissions.can_read_reconciliation,
        group="Pantauan",
    ),
    Link(
        "Status BPJS",
        "bpjs:participant_list",
        "Status peserta di BPJS Kesehatan: No. Kartu, TMT, faskes, PISA dan riwayatnya.",
        permissions.can_read_bpjs,
        group="Peserta",
    ),
    Link(
        "Registrasi e-Dabu",
        "bpjs:registration",
        "Berkas registrasi peserta baru (dan permintaan penonaktifan) untuk diunggah ke e-Dabu.",
        permissions.can_work_bpjs,
        group="Peserta",
    ),
    Link(
        "Impor data BPJS",
        "bpjs:billing_upload",
        "Impor data peserta PBPU/BP Pemda yang ditagihkan BPJS per bulan.",
        permissions.can_work_bpjs,
        group="Peserta",
    ),
    Link(
        "Wilayah",
        "village_list",
        "Daftar wilayah kerja Anda beserta faskesnya.",
        permissions.can_read_residents,
        group="Peserta",
    ),
    Link(
        "Impor peserta",
        "enrollment:import_participants",
        "Impor daftar peserta PBI Pemda yang sudah ada (saldo awal) dari .xlsx atau .csv.",
        permissions.can_import_data,
        group="Peserta",
    ),
    Link(
        "Impor DTKS/DTSEN",
        "enrollment:import_registry",
        "Impor data DTKS/DTSEN, bukti penambahan dasar Pasal 5 ayat (4) c.1.",
        permissions.can_import_data,
        group="Peserta",
    ),
    Link(
        "Temuan data",
        "feeds:finding_list",
        "Kasus yang ditemukan data Dukcapil dan DTSEN tiap bulan: usul pengurangan peserta yang "
        "meninggal atau pindah, pindah antar-desa, kematian yang perlu ditindaklanjuti desa, "
        "verifikasi ulang segera, calon usulan; unduhan .xlsx.",
        permissions.can_read_findings,
        waiting.badge(waiting.findings_waiting),
        group="Pantauan",
    ),
    Link(
        "Impor peristiwa Dukcapil",
        "feeds:extract_upload",
        "Impor ekstrak kematian, pindah dan perubahan NIK/No. KK dari Dukcapil.",
        permissions.can_import_population_events,
        group="Peserta",
    ),
    Link(
        "Data pribadi seseorang",
        "subject_access",
        "Unduh semua data yang tersimpan tentang satu NIK atas permintaan pemiliknya "
        "(UU 27/2022 Pasal 7).",
        permissions.can_export_subject_data,
        group=ACCOUNT,
    ),
    Link(
        "Pekerjaan saya",
        "jobs:list",
        "Impor dan ekspor yang berjalan di latar belakang: kemajuan, hasil dan unduhannya.",
        permissions.can_follow_jobs,
        group=ACCOUNT,
    ),
    Link(
        "Admin data induk",
        "admin:index",
        "Pengguna, wilayah, faskes, UMK, tarif iuran dan perangkat daerah.",
        permissions.can_manage_master_data,
        group=ACCOUNT,
    ),
]


def links_for(user):
    if not user.is_authenticated:
        return []
    return [link for link in _LINKS if link.may(user)]


@dataclass(frozen=True)
class Group:
    label: str
    # (link, its badge) pairs.
    entries: list

    @property
    def badge(self):
        return sum(count for _, count in self.entries)

    @property
    def is_single(self):
        return len(self.entries) == 1


def groups_for(links, badges):
    """The bar's groups in their order, each with the links the user may use; the account menu
    is apart."""
    groups = []
    for label in GROUPS:
        entries = [(link, badges.get(link.url_name, 0)) for link in links if link.group == label]
        if entries:
            groups.append(Group(label, entries))
    return groups


def badges_for(request, links):
    """What waits for the user, counted at most once per request and kept NAV_BADGE_SECONDS
    per user and session: every page shows the bar, and each badge is a query."""
    counted = getattr(request, "_nav_badges", None)
    if counted is None:
        seconds = settings.NAV_BADGE_SECONDS
        key = f"nav-badges:{request.user.pk}:{request.session.session_key}"
        counted = cache.get(key) if seconds else None
        if counted is None:
            counted = {link.url_name: link.waiting(request.user) for link in links if link.waiting}
            if seconds:
                cache.set(key, counted, seconds)
        request._nav_badges = counted
    return counted


def context(request):
    links = links_for(request.user)
    badges = badges_for(request, links) if links else {}
    return {
        "nav_links": links,
        "nav_badges": badges,
        "nav_groups": groups_for(links, badges),
        "nav_account": [link for link in links if link.group == ACCOUNT],
    }
