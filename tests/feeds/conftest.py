import io

from django.utils import timezone

from feeds import events, services
from tests.builders import this_month

HEADER = (
    "Jenis Peristiwa,NIK,Tanggal Peristiwa,No Akta Kematian,Tujuan Pindah,Kode Desa Tujuan,"
    "Dusun Tujuan,RT Tujuan,RW Tujuan,NIK Baru,No KK Baru"
)


def today():
    return timezone.localdate()


def died(nik, akta="3401-KM-01122026-0001", on=None):
    return f"meninggal,{nik},{(on or today()):%d/%m/%Y},{akta},,,,,,,"


def moved_out(nik, to="Kota Surakarta", on=None):
    return f"pindah keluar,{nik},{(on or today()):%d/%m/%Y},,{to},,,,,,"


def moved_within(nik, code, dusun="Ngringin", rt="002", rw="001"):
    return f"pindah dalam,{nik},{today():%d/%m/%Y},,,{code},{dusun},{rt},{rw},,"


def identity_changed(nik, new_nik="", new_kk=""):
    return f"ganti NIK,{nik},{today():%d/%m/%Y},,,,,,,{new_nik},{new_kk}"


def extract(*lines, header=HEADER):
    return "\n".join([header, *lines]).encode("utf-8")


def plan_of(content, filename="peristiwa.csv", period=None):
    return events.plan(
        io.BytesIO(content), filename, events.event_layout(), period or this_month(), today()
    )


def imported(actor, content, filename="peristiwa.csv", period=None):
    """Reads, checks and saves an extract as the import job does."""
    plan = plan_of(content, filename, period)
    return services.extract_import(
        actor=actor, plan=plan, filename=filename, layout_name="Ekstrak Dukcapil"
    )
