"""Backups that restore: one archive of the database and the media, checked, brought back whole."""

import hashlib
import io
import os
import secrets
import socket
import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.db.utils import load_backend

from core.backup import (
    BackupError,
    archive_verify,
    backup_create,
    backup_restore,
    backups_prune,
    backups_retained,
)
from nursery.models import Species, Zone
from workforce.models import Crew, Task, Village

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def backup_dir(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_S3_BUCKET = ""
    return settings.BACKUP_DIR


@pytest.fixture
def restore_target(transactional_db, tmp_path):
    """A new, empty database of the test database's kind, and a connection to it.

    The connection is not registered in ``connections``: the test case allows only the
    databases it was set up with, and a restore is pointed at any database it is given.
    """
    source = connections["default"]
    if source.vendor == "sqlite":
        name = str(tmp_path / "restored.sqlite3")
    else:
        name = f"{source.settings_dict['NAME']}_r{os.getpid()}_{secrets.token_hex(3)}"[:63]
        with source._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {source.ops.quote_name(name)}")
    settings_dict = connections.configure_settings(
        {"default": dict(source.settings_dict), "restore": {**source.settings_dict, "NAME": name}}
    )["restore"]
    target = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "restore")
    try:
        yield target
    finally:
        target.close()
        if source.vendor == "postgresql":
            with source._nodb_cursor() as cursor:
                cursor.execute(
                    f"DROP DATABASE IF EXISTS {source.ops.quote_name(name)} WITH (FORCE)"
                )


@pytest.fixture
def park_rows(make_image):
    """Rows in several apps and a few images with real JPEG files and a rendition each."""
    images = [
        make_image("玫瑰园", name="roses.jpg", size=(640, 420)),
        make_image("三角梅", name="三角梅长廊的春天.jpg", size=(300, 500), colour=(120, 40, 200)),
        make_image("花海", name="flower-sea.jpg", size=(200, 200), colour=(250, 200, 20)),
    ]
    for image in images:
        image.get_rendition("fill-80x60")
    Zone.objects.create(code="A1", name="玫瑰园区", area_mu=12, use="display_garden")
    Species.objects.create(
        scientific_name="Rosa chinensis", name="月季", form="shrub", leaf_habit="evergreen"
    )
    Village.objects.create(code="zili", name="自力村")
    Task.objects.create(code="weeding", name="除草")
    Crew.objects.create(name="一组")
    return images


# --- helpers -------------------------------------------------------------------------------


def row_counts(connection) -> dict[str, int]:
    """Every table's row count, read through Django's introspection (not the service's)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def file_digests(root) -> dict[str, str]:
    """sha256 of every file under a folder, by its path relative to the folder."""
    digests = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                digests[os.path.relpath(path, root)] = hashlib.sha256(handle.read()).hexdigest()
    return digests


def flipped(path, position: int):
    """A copy of the archive with one byte changed."""
    data = bytearray(path.read_bytes())
    data[position] ^= 0x01
    copy = path.with_name(f"damaged-{position}-{path.name}")
    copy.write_bytes(bytes(data))
    return copy


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the round trip ------------------------------------------------------------------------


@transactional
def test_backup_then_restore_brings_every_row_and_file_back(
    settings, park_rows, backup_dir, restore_target, tmp_path
):
    source_media = settings.MEDIA_ROOT
    # A fresh checkout's media folder holds this file; the same file in the archive is no clash.
    (source_media / ".gitkeep").write_bytes(b"")
    source_counts = row_counts(connections["default"])
    output = io.StringIO()

    call_command("backup", stdout=output)

    archives = sorted(backup_dir.iterdir())
    assert len(archives) == 1
    assert archives[0].name.startswith("huagu-backup-") and archives[0].suffix == ".tar"
    assert archives[0].name in output.getvalue()

    settings.MEDIA_ROOT = tmp_path / "restored-media"
    settings.MEDIA_ROOT.mkdir()
    (settings.MEDIA_ROOT / ".gitkeep").write_bytes(b"")
    result = backup_restore(archive=archives[0].name, database=restore_target)

    restored_counts = row_counts(restore_target)
    assert restored_counts == source_counts
    assert len(source_counts) > 50
    assert source_counts["wagtailimages_image"] == 3
    assert source_counts["wagtailimages_rendition"] == 3
    assert source_counts["workforce_village"] == 1
    source_files = file_digests(source_media)
    assert len(source_files) == 7
    assert file_digests(settings.MEDIA_ROOT) == source_files
    with restore_target.cursor() as cursor:
        cursor.execute("SELECT file FROM wagtailimages_image WHERE title = %s", ["三角梅"])
        restored_file = cursor.fetchone()[0]
    assert restored_file == park_rows[1].file.name
    with open(os.path.join(settings.MEDIA_ROOT, restored_file), "rb") as handle:
        restored_bytes = hashlib.sha256(handle.read()).hexdigest()
    with open(park_rows[1].file.path, "rb") as handle:
        assert restored_bytes == hashlib.sha256(handle.read()).hexdigest()
    assert (result.tables, result.media_files) == (len(source_counts), 7)
    assert result.unapplied_migrations == []


@transactional
def test_manifest_records_vendor_migrations_rows_and_media(settings, park_rows, backup_dir):
    result = backup_create()

    manifest = archive_verify(path=backup_dir / result.name)
    assert manifest["database"]["vendor"] == connections["default"].vendor
    assert manifest["database"]["tables"] == row_counts(connections["default"])
    assert "0001_initial" in manifest["migrations"]["wagtailimages"]
    assert manifest["created"].endswith("Z")
    media = {item["name"]: item for item in manifest["media"]}
    assert len(media) == 6
    original = park_rows[0].file.name
    with open(os.path.join(settings.MEDIA_ROOT, original), "rb") as handle:
        data = handle.read()
    assert media[original]["sha256"] == hashlib.sha256(data).hexdigest()
    assert media[original]["size"] == len(data)
    assert result.media_files == 6 and result.rows == sum(manifest["database"]["tables"].values())


# --- refusals ------------------------------------------------------------------------------


def damage_positions(path) -> list[int]:
    """Bytes in every part of an archive: each header (its checksum field whole), each
    member's data, the padding after it, and the blank blocks at the end."""
    positions = []
    with tarfile.open(path, "r:") as archive:
        members = archive.getmembers()
    for member in members:
        header = member.offset_data - tarfile.BLOCKSIZE
        positions += [member.offset, header + 10, header + 124, header + 136, header + 257]
        positions += list(range(header + 148, header + 156))
        positions += [member.offset_data, member.offset_data + member.size - 1]
        end = member.offset_data + member.size
        if end % tarfile.BLOCKSIZE:
            positions.append(end)
    last = members[-1]
    trailer = -(-(last.offset_data + last.size) // tarfile.BLOCKSIZE) * tarfile.BLOCKSIZE
    positions += [trailer, trailer + 700, path.stat().st_size - 1]
    return positions


@transactional
def test_a_damaged_archive_is_refused_and_nothing_is_written(
    settings, make_image, backup_dir, restore_target, tmp_path
):
    make_image("玫瑰园", name="roses.jpg", size=(64, 48))
    archive = backup_dir / backup_create().name
    settings.MEDIA_ROOT = tmp_path / "restored-media"

    damaged = flipped(archive, archive.stat().st_size // 2)
    with pytest.raises(BackupError, match="damaged"):
        backup_restore(archive=damaged, database=restore_target)

    with pytest.raises(CommandError, match=r"damaged .*nothing was restored"):
        call_command("restore", str(damaged))
    assert row_counts(restore_target) == {}
    assert not os.path.exists(settings.MEDIA_ROOT) or file_digests(settings.MEDIA_ROOT) == {}
    for position in damage_positions(archive):
        with pytest.raises(BackupError, match="damaged"):
            archive_verify(path=flipped(archive, position))
    assert archive_verify(path=archive)["database"]["vendor"] == connections["default"].vendor


@transactional
def test_restoring_into_a_database_that_has_tables_is_refused(settings, park_rows, backup_dir):
    archive = backup_dir / backup_create().name
    before = row_counts(connections["default"])
    settings.MEDIA_ROOT = settings.MEDIA_ROOT.parent / "restored-media"

    with pytest.raises(CommandError, match=r"already has \d+ tables"):
        call_command("restore", str(archive))

    assert row_counts(connections["default"]) == before
    assert not os.path.exists(settings.MEDIA_ROOT)


@transactional
def test_restoring_over_media_files_with_other_contents_is_refused(
    settings, park_rows, backup_dir, restore_target, tmp_path
):
    archive = backup_dir / backup_create().name
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    taken = settings.MEDIA_ROOT / park_rows[0].file.name
    taken.parent.mkdir(parents=True)
    taken.write_bytes(b"another picture")

    with pytest.raises(BackupError, match="already has 1 of the archive's files with other"):
        backup_restore(archive=archive, database=restore_target)

    assert row_counts(restore_target) == {}
    assert file_digests(settings.MEDIA_ROOT) == {
        park_rows[0].file.name: hashlib.sha256(b"another picture").hexdigest()
    }


def test_an_archive_name_that_is_not_there_is_a_clear_error(settings, backup_dir):
    with pytest.raises(
        CommandError, match=r"no archive named 'huagu-backup-20261206T031500Z\.tar'"
    ):
        call_command("restore", "huagu-backup-20261206T031500Z.tar")


def test_pg_dump_missing_is_a_clear_error(db, backup_dir, monkeypatch):
    if connections["default"].vendor != "postgresql":
        pytest.skip("pg_dump is used on PostgreSQL only")
    monkeypatch.setenv("PATH", "")
    with pytest.raises(CommandError, match="pg_dump was not found on PATH"):
        call_command("backup", "--no-prune")


# --- retention -----------------------------------------------------------------------------

ARCHIVES = [
    "huagu-backup-20261206T031500Z.tar",  # Sun, ISO week 49
    "huagu-backup-20261206T010000Z.tar",  # same day, earlier
    "huagu-backup-20261205T031500Z.tar",
    "huagu-backup-20261204T031500Z.tar",
    "huagu-backup-20261202T031500Z.tar",  # Wed, week 49
    "huagu-backup-20261129T031500Z.tar",  # Sun, week 48
    "huagu-backup-20261128T031500Z.tar",  # Sat, week 48
    "huagu-backup-20261120T031500Z.tar",  # week 47
    "huagu-backup-20261110T031500Z.tar",  # week 46
]
OTHER_FILES = ["notes.txt", "huagu-backup-latest.tar"]


def test_retention_keeps_the_newest_of_each_recent_day_and_week():
    kept = backups_retained(names=ARCHIVES + OTHER_FILES, keep_daily=3, keep_weekly=2)

    assert kept == {
        "huagu-backup-20261206T031500Z.tar",
        "huagu-backup-20261205T031500Z.tar",
        "huagu-backup-20261204T031500Z.tar",
        "huagu-backup-20261129T031500Z.tar",
    }


def test_retention_with_more_weeks_reaches_back_to_older_weeks():
    kept = backups_retained(names=ARCHIVES, keep_daily=1, keep_weekly=4)

    assert kept == {
        "huagu-backup-20261206T031500Z.tar",
        "huagu-backup-20261129T031500Z.tar",
        "huagu-backup-20261120T031500Z.tar",
        "huagu-backup-20261110T031500Z.tar",
    }


def test_retention_always_keeps_the_newest_archive():
    assert backups_retained(names=ARCHIVES, keep_daily=0, keep_weekly=0) == {
        "huagu-backup-20261206T031500Z.tar"
    }


def test_prune_deletes_what_retention_does_not_keep_and_leaves_other_files(settings, backup_dir):
    backup_dir.mkdir()
    for name in ARCHIVES + OTHER_FILES:
        (backup_dir / name).write_bytes(b"")
    settings.BACKUP_KEEP_DAILY = 3
    settings.BACKUP_KEEP_WEEKLY = 2

    pruned = backups_prune()

    assert pruned == [
        "huagu-backup-20261110T031500Z.tar",
        "huagu-backup-20261120T031500Z.tar",
        "huagu-backup-20261128T031500Z.tar",
        "huagu-backup-20261202T031500Z.tar",
        "huagu-backup-20261206T010000Z.tar",
    ]
    assert sorted(path.name for path in backup_dir.iterdir()) == [
        "huagu-backup-20261129T031500Z.tar",
        "huagu-backup-20261204T031500Z.tar",
        "huagu-backup-20261205T031500Z.tar",
        "huagu-backup-20261206T031500Z.tar",
        "huagu-backup-latest.tar",
        "notes.txt",
    ]


def test_backup_prune_only_makes_no_archive_and_names_what_it_pruned(settings, backup_dir):
    backup_dir.mkdir()
    for name in ARCHIVES:
        (backup_dir / name).write_bytes(b"")
    settings.BACKUP_KEEP_DAILY = 1
    settings.BACKUP_KEEP_WEEKLY = 1
    output = io.StringIO()

    call_command("backup", "--prune-only", stdout=output)

    assert sorted(path.name for path in backup_dir.iterdir()) == [
        "huagu-backup-20261206T031500Z.tar"
    ]
    assert "Pruned 8 old archive(s)." in output.getvalue()
    assert "huagu-backup-20261110T031500Z.tar" in output.getvalue()


# --- S3 ------------------------------------------------------------------------------------


@pytest.fixture
def s3(monkeypatch, settings):
    """An S3 fake on loopback, with the AWS variables and the backup settings pointing at it."""
    boto3 = pytest.importorskip("boto3")
    server_module = pytest.importorskip("moto.server")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "backup-test",
        "AWS_SECRET_ACCESS_KEY": "backup-test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    port = free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    for bucket in ("huagu-backups", "huagu-media", "huagu-media-restored"):
        client.create_bucket(Bucket=bucket)
    settings.BACKUP_S3_BUCKET = "huagu-backups"
    settings.BACKUP_S3_ENDPOINT_URL = endpoint
    settings.BACKUP_S3_REGION = "us-east-1"
    try:
        yield client, endpoint
    finally:
        server.stop()


def s3_storage(bucket: str, endpoint: str):
    from storages.backends.s3 import S3Storage

    return S3Storage(
        bucket_name=bucket,
        endpoint_url=endpoint,
        region_name="us-east-1",
        file_overwrite=False,
        querystring_auth=False,
    )


@transactional
def test_backup_to_a_bucket_restores_from_its_key(settings, s3, make_image, restore_target):
    client, endpoint = s3
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "huagu-media",
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "file_overwrite": False,
                "querystring_auth": False,
            },
        },
    }
    image = make_image("玫瑰园", name="roses.jpg", size=(120, 90))
    Village.objects.create(code="zili", name="自力村")
    source_counts = row_counts(connections["default"])

    result = backup_create()

    keys = [item["Key"] for item in client.list_objects_v2(Bucket="huagu-backups")["Contents"]]
    assert keys == [result.name]
    assert result.location == f"s3://huagu-backups/{result.name}"
    assert result.media_files == 1
    assert backups_prune() == []

    restored_media = s3_storage("huagu-media-restored", endpoint)
    backup_restore(archive=result.name, database=restore_target, storage=restored_media)

    assert row_counts(restore_target) == source_counts
    with image.file.storage.open(image.file.name, "rb") as original:
        expected = hashlib.sha256(original.read()).hexdigest()
    with restored_media.open(image.file.name, "rb") as copy:
        assert hashlib.sha256(copy.read()).hexdigest() == expected


def test_a_bucket_that_is_not_there_is_a_clear_error(db, settings, s3):
    settings.BACKUP_S3_BUCKET = "no-such-bucket"

    with pytest.raises(CommandError, match=r"Could not .* s3://no-such-bucket/: .*NoSuchBucket"):
        call_command("backup", "--no-prune")


def test_a_key_that_is_not_in_the_bucket_is_a_clear_error(db, s3):
    with pytest.raises(
        CommandError, match=r"no archive named 'nothing\.tar' in s3://huagu-backups/"
    ):
        call_command("restore", "nothing.tar")


@transactional
def test_the_daily_backup_task_writes_an_archive_and_prunes(settings, tmp_path):
    from core.tasks import backup_daily

    settings.BACKUP_DIR = tmp_path / "daily"
    settings.BACKUP_S3_BUCKET = ""
    settings.BACKUP_KEEP_DAILY = 1
    settings.BACKUP_KEEP_WEEKLY = 1
    old = tmp_path / "daily" / "huagu-backup-20200101T031500Z.tar"
    old.parent.mkdir()
    old.write_bytes(b"an archive of long ago")

    name = backup_daily.delay().get()

    assert [path.name for path in (tmp_path / "daily").iterdir()] == [name]
