"""What each user may use: the navigation bar and the links on its home page. Each link is
shown when its capability (accounts/permissions.py) allows it; its badge counts what waits for
the user there."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from accounts import permissions
from verification import waiting


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    description: str
    # The capability that shows the link: function(user) -> bool.
    may: Callable
    # What waits for this user there: function(user) -> int, a badge.
    waiting: Callable | None = None

    @property
    def url(self):
        return reverse(self.url_name)


_LINKS = [
    Link(
        "Formulir SKTM",
        "sktm:form_list",
        "Formulir verifikasi permohonan SKTM (Lampiran A) dan skornya.",
        permissions.can_read_sktm,
    ),
    Link(
        "SKTM",
        "sktm:letter_list",
        "Surat Keterangan Tidak Mampu yang diterbitkan, masa berlaku dan pencabutannya.",
        permissions.can_read_sktm,
    ),
    Link(
        "Peserta",
        "enrollment:roster",
        "Daftar peserta PBI Pemda aktif, riwayat mutasi, dan unduhan .xlsx.",
        permissions.can_read_residents,
    ),
    Link(
        "Usulan",
        "verification:proposal_list",
        "Usulan bulanan penambahan dan pengurangan peserta, keputusan Tim Verifikasi, "
        "dan Lampiran D.",
        permissions.can_read_proposals,
        waiting.proposals,
    ),
    Link(
        "Validasi pengurangan",
        "verification:validation_queue",
        "Pengurangan yang disetujui dan menunggu validasi data kependudukan (Pasal 5 ayat 3).",
        permissions.can_validate_removal,
        waiting.removals,
    ),
    Link(
        "Data ganda",
        "enrollment:duplicates",
        "Dugaan satu orang dengan dua NIK, untuk diselesaikan dengan pengurangan dasar duplikasi.",
        permissions.can_review_duplicates,
    ),
    Link(
        "Instruksi Bupati",
        "instructions:list",
        "Butir Instruksi Bupati untuk Anda, laporan pelaksanaan berkala dan rekapnya.",
        permissions.can_read_instructions,
    ),
    Link(
        "Dasbor",
        "oversight:dashboard",
        "Grafik peserta, mutasi, skor SKTM, usulan menunggu dan cakupan verifikasi ulang, "
        "dengan tabel angka dan unduhan .xlsx; rekap bulanan untuk dicetak.",
        permissions.can_read_figures,
    ),
    Link(
        "Verifikasi ulang",
        "oversight:reverification_list",
        "Peserta yang jatuh tempo dan lewat jatuh tempo verifikasi ulang 3 bulanan "
        "(Instruksi KELIMA b), dan pencatatannya.",
        permissions.can_read_reverification,
    ),
    Link(
        "Iuran PBI",
        "oversight:premium",
        "Iuran JKN yang ditanggung kabupaten per bulan, sampai bulan ini dan proyeksi "
        "sampai akhir tahun.",
        permissions.can_read_premium,
    ),
    Link(
        "Wilayah",
        "village_list",
        "Daftar wilayah kerja Anda beserta faskesnya.",
        permissions.can_read_residents,
    ),
    Link(
        "Impor peserta",
        "enrollment:import_participants",
        "Impor daftar peserta PBI Pemda yang sudah ada (saldo awal) dari .xlsx atau .csv.",
        permissions.can_import_data,
    ),
    Link(
        "Impor DTKS/DTSEN",
        "enrollment:import_registry",
        "Impor data DTKS/DTSEN, bukti penambahan dasar Pasal 5 ayat (4) c.1.",
        permissions.can_import_data,
    ),
    Link(
        "Pekerjaan saya",
        "jobs:list",
        "Impor dan ekspor yang berjalan di latar belakang: kemajuan, hasil dan unduhannya.",
        permissions.can_follow_jobs,
    ),
    Link(
        "Admin data induk",
        "admin:index",
        "Pengguna, wilayah, faskes, UMK, tarif iuran dan perangkat daerah.",
        permissions.can_manage_master_data,
    ),
]


def links_for(user):
    if not user.is_authenticated:
        return []
    return [link for link in _LINKS if link.may(user)]


def context(request):
    links = links_for(request.user)
    badges = {link.url_name: link.waiting(request.user) for link in links if link.waiting}
    return {"nav_links": links, "nav_badges": badges}
