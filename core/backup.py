"""Backups that restore: the database and every media file in one checked archive.

``backup_create`` writes one dated tar archive (``huagu-backup-20261206T031500Z.tar``) to a
local folder or an S3 bucket. It holds:

- ``database/postgresql.dump`` (``pg_dump`` custom format) or ``database/sqlite3.db`` (a
  copy made with SQLite's online backup API);
- ``media/<name>`` for every file of the media storage (local folder or S3);
- ``manifest.json``: when, which database vendor, the migrations applied per app, the row
  count of every table, and each media file's size and sha256;
- ``SHA256SUMS``: the sha256 of every other member.

``backup_restore`` checks every byte of an archive before it writes anything, refuses a
database that already has tables, then restores the database and the media and checks the
restored row counts against the manifest. ``backups_prune`` keeps the newest archive of
each of the last days and ISO weeks that have one (``backups_retained``).

The functions take their defaults from settings (``BACKUP_DIR``, ``BACKUP_S3_BUCKET``,
``BACKUP_KEEP_DAILY``, ``BACKUP_KEEP_WEEKLY``), so a periodic task calls them bare.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import posixpath
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT_VERSION = 1
ARCHIVE_PREFIX = "huagu-backup-"
ARCHIVE_NAME = re.compile(r"^huagu-backup-(\d{8}T\d{6}Z)\.tar$")
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
DATABASE_FILES = {"postgresql": "database/postgresql.dump", "sqlite": "database/sqlite3.db"}
MEDIA_DIR = "media/"
BLOCK = tarfile.BLOCKSIZE
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    """One archive written by ``backup_create``."""

    name: str
    location: str
    size: int
    created: datetime.datetime
    vendor: str
    tables: int
    rows: int
    media_files: int


@dataclass(frozen=True)
class RestoreResult:
    """What ``backup_restore`` brought back."""

    name: str
    database: str
    tables: int
    rows: int
    media_files: int
    # Migrations the code has that the archive's database had not applied: run migrate.
    unapplied_migrations: list[str] = field(default_factory=list)


# --- where archives are kept ---------------------------------------------------------------


class _Folder:
    """Archives in a local folder."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def __str__(self) -> str:
        return str(self.path)

    def names(self) -> list[str]:
        if not self.path.is_dir():
            return []
        return sorted(entry.name for entry in self.path.iterdir() if entry.is_file())

    def exists(self, name: str) -> bool:
        return (self.path / name).exists()

    def put(self, local: Path, name: str) -> str:
        self.path.mkdir(parents=True, exist_ok=True)
        target = self.path / name
        # A partial file never carries an archive's name: copy beside it, then rename.
        partial = self.path / f".{name}.partial"
        shutil.copyfile(local, partial)
        os.replace(partial, target)
        return str(target)

    @contextmanager
    def fetched(self, name: str):
        path = self.path / name
        if not path.is_file():
            raise BackupError(f"There is no archive named {name!r} in {self}.")
        yield path

    def delete(self, name: str) -> None:
        (self.path / name).unlink(missing_ok=True)


class _Bucket:
    """Archives in an S3 bucket, under an optional key prefix, reached like the media."""

    def __init__(self, bucket: str, prefix: str = ""):
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        try:
            # Imported here: only deployments that keep backups on S3 need them.
            import boto3
            from botocore.exceptions import BotoCoreError, ClientError
        except ImportError as error:
            raise BackupError(
                'Backups to S3 need boto3: install Huagu with pip install ".[s3]".'
            ) from error
        self.errors = (BotoCoreError, ClientError)
        self.client = boto3.client(
            "s3",
            endpoint_url=getattr(settings, "BACKUP_S3_ENDPOINT_URL", "") or None,
            region_name=getattr(settings, "BACKUP_S3_REGION", "") or None,
        )

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    @contextmanager
    def _speaking(self, doing: str):
        """S3's errors (no such bucket, no credentials, refused) as a BackupError."""
        try:
            yield
        except self.errors as error:
            raise BackupError(f"Could not {doing} {self}: {error}") from error

    def names(self) -> list[str]:
        names = []
        with self._speaking("list the archives in"):
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    rest = item["Key"][len(self.prefix) :]
                    if "/" not in rest:
                        names.append(rest)
        return sorted(names)

    def exists(self, name: str) -> bool:
        return name in self.names()

    def put(self, local: Path, name: str) -> str:
        with self._speaking(f"upload {name} to"):
            self.client.upload_file(str(local), self.bucket, self.prefix + name)
        return f"s3://{self.bucket}/{self.prefix}{name}"

    @contextmanager
    def fetched(self, name: str):
        if name not in self.names():
            raise BackupError(f"There is no archive named {name!r} in {self}.")
        with tempfile.TemporaryDirectory(prefix="huagu-restore-") as scratch:
            path = Path(scratch) / "archive.tar"
            with self._speaking(f"download {name} from"):
                self.client.download_file(self.bucket, self.prefix + name, str(path))
            yield path

    def delete(self, name: str) -> None:
        with self._speaking(f"delete {name} from"):
            self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)


def _place(destination: str | os.PathLike | None) -> _Folder | _Bucket:
    """A folder path, ``s3://bucket[/prefix]``, or None for the settings' choice."""
    if destination is None:
        bucket = getattr(settings, "BACKUP_S3_BUCKET", "")
        if bucket:
            return _Bucket(bucket)
        return _Folder(Path(getattr(settings, "BACKUP_DIR", Path(settings.BASE_DIR) / "backups")))
    text = os.fspath(destination)
    if text.startswith("s3://"):
        bucket, _, prefix = text[len("s3://") :].partition("/")
        if not bucket:
            raise BackupError(f"{text!r} names no bucket: write s3://bucket or s3://bucket/prefix.")
        return _Bucket(bucket, prefix)
    return _Folder(Path(text))


# --- the database --------------------------------------------------------------------------


def _libpq_environment(settings_dict: dict) -> dict[str, str]:
    """The connection of a Django PostgreSQL alias as libpq environment variables."""
    environment = dict(os.environ)
    options = settings_dict.get("OPTIONS") or {}
    pairs = {
        "PGDATABASE": settings_dict.get("NAME"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSERVICE": options.get("service"),
        "PGPASSFILE": options.get("passfile"),
    }
    environment.update({key: str(value) for key, value in pairs.items() if value})
    return environment


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client programs "
            "(the same major version as the server or newer) to back up or restore PostgreSQL."
        )
    return path


def _run(command: list[str], *, environment: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()
        raise BackupError(f"{what} failed (exit status {done.returncode}): {detail}")


_PG_TABLES = """
    SELECT c.relname FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND pg_catalog.pg_table_is_visible(c.oid)
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    ORDER BY c.relname
"""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _count_rows(cursor, tables: Iterable[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\' ORDER BY name"
    )
    return [row[0] for row in cursor.fetchall()]


def _sqlite_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as database:
        cursor = database.cursor()
        return _count_rows(cursor, _sqlite_tables(cursor))


def _connection(database: str | BaseDatabaseWrapper) -> BaseDatabaseWrapper:
    """A connection alias, or a connection made by the caller (a database not in settings)."""
    if isinstance(database, BaseDatabaseWrapper):
        return database
    return connections[database]


@contextmanager
def _pg_raw(wrapper: BaseDatabaseWrapper):
    """A connection of its own to the wrapper's database, outside Django's transactions."""
    raw = wrapper.get_new_connection(wrapper.get_connection_params())
    raw.autocommit = True
    try:
        yield raw
    finally:
        raw.close()


def _dump_database(*, connection: BaseDatabaseWrapper, into: Path) -> tuple[Path, dict[str, int]]:
    """Copy the database to a file in ``into``; the file and the row count of every table."""
    vendor = connection.vendor
    if vendor == "sqlite":
        path = into / "sqlite3.db"
        connection.ensure_connection()
        with closing(sqlite3.connect(path)) as copy:
            connection.connection.backup(copy)
        return path, _sqlite_counts(path)
    if vendor == "postgresql":
        pg_dump = _program("pg_dump")
        path = into / "postgresql.dump"
        # The counts and the dump read one snapshot, so the counts are those of the dump.
        with _pg_raw(connection) as raw, raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_catalog.pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            cursor.execute(_PG_TABLES)
            counts = _count_rows(cursor, [row[0] for row in cursor.fetchall()])
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={path}",
                ],
                environment=_libpq_environment(connection.settings_dict),
                what="pg_dump",
            )
            cursor.execute("COMMIT")
        return path, counts
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")


def _database_tables(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _restored_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    if connection.vendor == "postgresql":
        with _pg_raw(connection) as raw, raw.cursor() as cursor:
            cursor.execute(_PG_TABLES)
            return _count_rows(cursor, [row[0] for row in cursor.fetchall()])
    with connection.cursor() as cursor:
        return _count_rows(cursor, _sqlite_tables(cursor))


def _load_database(*, connection: BaseDatabaseWrapper, path: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with closing(sqlite3.connect(path)) as source:
            source.backup(connection.connection)
        return
    pg_restore = _program("pg_restore")
    # One transaction: a failure part way leaves the database as empty as it was.
    _run(
        [
            pg_restore,
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            f"--dbname={connection.settings_dict['NAME']}",
            str(path),
        ],
        environment=_libpq_environment(connection.settings_dict),
        what="pg_restore",
    )


def _applied_migrations(connection: BaseDatabaseWrapper) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


# --- media ---------------------------------------------------------------------------------


def _media_names(storage: Storage) -> list[str]:
    """Every file of the storage, walked from its root."""
    names: list[str] = []
    pending = [""]
    while pending:
        folder = pending.pop()
        try:
            folders, files = storage.listdir(folder)
        except FileNotFoundError:
            continue
        names.extend(posixpath.join(folder, name) for name in files)
        pending.extend(posixpath.join(folder, name) for name in folders)
    return sorted(names)


class _HashingReader:
    """Reads a file through, keeping the sha256 and the size of what was read."""

    def __init__(self, source):
        self.source = source
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


# --- the archive ---------------------------------------------------------------------------


def _tar_info(name: str, size: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = mtime
    info.mode = 0o644
    return info


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes, mtime: int) -> str:
    reader = _HashingReader(_BytesSource(data))
    archive.addfile(_tar_info(name, len(data), mtime), reader)
    return reader.digest.hexdigest()


class _BytesSource:
    def __init__(self, data: bytes):
        self.data = memoryview(data)
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.position + size
        chunk = bytes(self.data[self.position : end])
        self.position += len(chunk)
        return chunk


def archive_name(created: datetime.datetime) -> str:
    """The archive's file name for a moment: ``huagu-backup-20261206T031500Z.tar``."""
    moment = created.astimezone(datetime.UTC)
    return f"{ARCHIVE_PREFIX}{moment:%Y%m%dT%H%M%SZ}.tar"


def archive_time(name: str) -> datetime.datetime | None:
    """When an archive was made, read from its name; None for any other name."""
    match = ARCHIVE_NAME.match(name)
    if match is None:
        return None
    try:
        moment = datetime.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ")
    except ValueError:
        return None
    return moment.replace(tzinfo=datetime.UTC)


def _write_archive(
    *,
    path: Path,
    created: datetime.datetime,
    connection: BaseDatabaseWrapper,
    storage: Storage,
    scratch: Path,
) -> dict:
    """Write the archive to ``path``; its manifest."""
    vendor = connection.vendor
    mtime = int(created.timestamp())
    database_path, counts = _dump_database(connection=connection, into=scratch)
    sums: dict[str, str] = {}
    media: list[dict] = []
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT, encoding="utf-8") as archive:
        member = DATABASE_FILES[vendor]
        database_size = database_path.stat().st_size
        with open(database_path, "rb") as source:
            reader = _HashingReader(source)
            archive.addfile(_tar_info(member, database_size, mtime), reader)
        sums[member] = reader.digest.hexdigest()
        database_path.unlink()
        # After the database: a file it names was saved before it, so it is in the archive.
        for name in _media_names(storage):
            size = storage.size(name)
            with storage.open(name, "rb") as source:
                reader = _HashingReader(source)
                archive.addfile(_tar_info(MEDIA_DIR + name, size, mtime), reader)
            sums[MEDIA_DIR + name] = reader.digest.hexdigest()
            media.append({"name": name, "size": size, "sha256": sums[MEDIA_DIR + name]})
        manifest = {
            "format": FORMAT_VERSION,
            "created": created.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
            "django": django.get_version(),
            "database": {
                "vendor": vendor,
                "file": member,
                "size": database_size,
                "sha256": sums[member],
                "tables": counts,
            },
            "migrations": _applied_migrations(connection),
            "media": media,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
        sums[MANIFEST] = _add_bytes(archive, MANIFEST, data, mtime)
        lines = "".join(f"{digest}  {name}\n" for name, digest in sums.items())
        _add_bytes(archive, CHECKSUMS, lines.encode(), mtime)
    return manifest


def _damaged(path: Path, why: str) -> BackupError:
    return BackupError(
        f"The archive {path.name} is damaged or is not a Huagu backup ({why}); nothing was "
        "restored. Use another archive."
    )


def _check_layout(path: Path, members: list[tarfile.TarInfo]) -> None:
    """Every byte of the file outside the members' data is what the writer put there.

    The members' data is checked against SHA256SUMS; this covers the rest: each header as
    it would be written again, zero padding after each member, and zeros at the end.
    """
    position = 0
    with open(path, "rb") as raw:
        for member in members:
            header = member.tobuf(tarfile.GNU_FORMAT, "utf-8", "surrogateescape")
            raw.seek(member.offset)
            if member.offset != position or raw.read(len(header)) != header:
                raise _damaged(path, f"the header of {member.name} does not read back")
            if member.offset + len(header) != member.offset_data:
                raise _damaged(path, f"the header of {member.name} does not read back")
            end = member.offset_data + member.size
            padded = -(-end // BLOCK) * BLOCK
            raw.seek(end)
            if raw.read(padded - end) != bytes(padded - end):
                raise _damaged(path, f"the padding after {member.name} is not blank")
            position = padded
        raw.seek(position)
        trailer = 0
        while chunk := raw.read(CHUNK):
            if chunk.count(0) != len(chunk):
                raise _damaged(path, "there are bytes after its last member")
            trailer += len(chunk)
    if trailer < 2 * BLOCK:
        raise _damaged(path, "it is cut short")


def _member_digest(archive: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    digest = hashlib.sha256()
    source = archive.extractfile(member)
    while chunk := source.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _read_checksums(path: Path, data: bytes) -> dict[str, str]:
    """SHA256SUMS, read strictly: it must be exactly as the writer writes it."""
    sums = {}
    for line in data.decode().split("\n")[:-1]:
        match = re.fullmatch(r"([0-9a-f]{64})  (\S.*)", line)
        if match is None:
            raise _damaged(path, f"{CHECKSUMS} is not as written")
        sums[match.group(2)] = match.group(1)
    if "".join(f"{digest}  {name}\n" for name, digest in sums.items()).encode() != data:
        raise _damaged(path, f"{CHECKSUMS} is not as written")
    return sums


def archive_verify(*, path: Path) -> dict:
    """Check every checksum and every byte of an archive; its manifest, or BackupError."""
    path = Path(path)
    try:
        with tarfile.open(path, "r:", encoding="utf-8") as archive:
            members = archive.getmembers()
            if not members:
                raise _damaged(path, "it holds nothing")
            by_name = {member.name: member for member in members}
            if len(by_name) != len(members) or any(not m.isfile() for m in members):
                raise _damaged(path, "its members are not as written")
            _check_layout(path, members)
            if CHECKSUMS not in by_name or MANIFEST not in by_name:
                raise _damaged(path, f"{CHECKSUMS} or {MANIFEST} is missing")
            sums = _read_checksums(path, archive.extractfile(by_name[CHECKSUMS]).read())
            if set(sums) != set(by_name) - {CHECKSUMS}:
                raise _damaged(path, f"its members and {CHECKSUMS} disagree")
            for name, digest in sums.items():
                if _member_digest(archive, by_name[name]) != digest:
                    raise _damaged(path, f"the checksum of {name} does not match")
            manifest = json.loads(archive.extractfile(by_name[MANIFEST]).read())
    except (tarfile.TarError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _damaged(path, str(error) or type(error).__name__) from error
    except OSError as error:
        raise BackupError(f"The archive {path} cannot be read: {error}") from error
    try:
        _check_manifest(path, manifest, sums, by_name)
    except (KeyError, TypeError, AttributeError) as error:
        raise _damaged(path, f"its manifest lacks {error}") from error
    return manifest


def _check_manifest(path: Path, manifest: dict, sums: dict, by_name: dict) -> None:
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            f"The archive {path.name} is in format {manifest.get('format')!r}; this version of "
            f"Huagu restores format {FORMAT_VERSION}."
        )
    database = manifest["database"]
    if database["file"] != DATABASE_FILES.get(database["vendor"]):
        raise _damaged(path, "its manifest names no database file of a known kind")
    if sums.get(database["file"]) != database["sha256"]:
        raise _damaged(path, "the manifest and the database file disagree")
    listed = {MEDIA_DIR + item["name"]: item for item in manifest["media"]}
    present = {name for name in sums if name.startswith(MEDIA_DIR)}
    if set(listed) != present:
        raise _damaged(path, "the manifest and the media files disagree")
    for name, item in listed.items():
        if item["sha256"] != sums[name] or item["size"] != by_name[name].size:
            raise _damaged(path, f"the manifest and {name} disagree")


# --- the services --------------------------------------------------------------------------


def backup_create(
    *,
    destination: str | os.PathLike | None = None,
    database: str | BaseDatabaseWrapper = DEFAULT_DB_ALIAS,
    storage: Storage | None = None,
) -> BackupResult:
    """Back up the database and every media file into one dated archive at ``destination``.

    ``destination`` is a folder, ``s3://bucket[/prefix]``, or None for ``BACKUP_S3_BUCKET``
    when set, else ``BACKUP_DIR``. ``database`` is a connection alias (or a connection);
    ``storage`` the media
    storage (the default storage when None). Does not prune: call ``backups_prune`` after.
    """
    place = _place(destination)
    storage = storage if storage is not None else storages["default"]
    created = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    name = archive_name(created)
    if place.exists(name):
        raise BackupError(f"An archive named {name} is already in {place}; try again in a second.")
    with tempfile.TemporaryDirectory(prefix="huagu-backup-") as scratch:
        local = Path(scratch) / name
        manifest = _write_archive(
            path=local,
            created=created,
            connection=_connection(database),
            storage=storage,
            scratch=Path(scratch),
        )
        # Read back before it is stored: an archive that would not restore is not kept.
        archive_verify(path=local)
        size = local.stat().st_size
        location = place.put(local, name)
    counts = manifest["database"]["tables"]
    return BackupResult(
        name=name,
        location=location,
        size=size,
        created=created,
        vendor=manifest["database"]["vendor"],
        tables=len(counts),
        rows=sum(counts.values()),
        media_files=len(manifest["media"]),
    )


def backup_restore(
    *,
    archive: str | os.PathLike,
    source: str | os.PathLike | None = None,
    database: str | BaseDatabaseWrapper = DEFAULT_DB_ALIAS,
    storage: Storage | None = None,
) -> RestoreResult:
    """Restore an archive into an empty database and media storage.

    ``archive`` is a path to an archive file, or the name of one in ``source`` (a folder,
    ``s3://bucket[/prefix]``, or None for the settings' place, as for ``backup_create``).
    ``database`` is the connection alias to restore into (or a connection made for a
    database not in settings); it must have no tables. ``storage``
    is the media storage (the default storage when None); none of the archive's files may be
    in it already. Every check is made before anything is written.
    """
    storage = storage if storage is not None else storages["default"]
    connection = _connection(database)
    local = Path(archive)
    if local.is_file():
        return _restore_file(path=local, connection=connection, storage=storage)
    name = os.fspath(archive)
    if "/" in name or os.sep in name:
        raise BackupError(f"There is no archive file at {name}.")
    with _place(source).fetched(name) as path:
        return _restore_file(path=path, connection=connection, storage=storage, name=name)


def _restore_file(
    *, path: Path, connection: BaseDatabaseWrapper, storage: Storage, name: str | None = None
) -> RestoreResult:
    manifest = archive_verify(path=path)
    name = name or path.name
    alias = connection.alias
    vendor = manifest["database"]["vendor"]
    if connection.vendor != vendor:
        raise BackupError(
            f"The archive holds a {vendor} database; the database {alias!r} is "
            f"{connection.vendor}. Restore it into a {vendor} database."
        )
    tables = _database_tables(connection)
    if tables:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']!s} already has {len(tables)} "
            "tables; a backup is restored only into a new, empty database. Create one (do not "
            "run migrate on it), point DATABASE_URL at it and restore again."
        )
    unknown = _unknown_migrations(manifest["migrations"])
    if unknown:
        raise BackupError(
            "The archive comes from a newer version of Huagu: its database has migrations this "
            f"code does not have ({', '.join(unknown[:5])}). Deploy that version, then restore."
        )
    # A file already there with the same bytes (a fresh checkout's media/.gitkeep) is kept;
    # one with other bytes would be lost or renamed, so the restore stops before it starts.
    missing, different = [], []
    for item in manifest["media"]:
        if not storage.exists(item["name"]):
            missing.append(item)
        elif _stored_digest(storage, item["name"]) != item["sha256"]:
            different.append(item["name"])
    if different:
        raise BackupError(
            f"The media storage already has {len(different)} of the archive's files with other "
            f"contents (such as {different[0]}); restore into an empty media folder or bucket."
        )
    member = manifest["database"]["file"]
    with (
        tempfile.TemporaryDirectory(prefix="huagu-restore-") as scratch,
        tarfile.open(path, "r:", encoding="utf-8") as archive,
    ):
        database_file = Path(scratch) / posixpath.basename(member)
        with open(database_file, "wb") as copy:
            shutil.copyfileobj(archive.extractfile(member), copy, CHUNK)
        _load_database(connection=connection, path=database_file)
        for item in missing:
            saved = storage.save(item["name"], File(archive.extractfile(MEDIA_DIR + item["name"])))
            if saved != item["name"]:
                raise BackupError(
                    f"The media storage saved {item['name']} as {saved}; the media is incomplete."
                )
    expected = manifest["database"]["tables"]
    restored = _restored_counts(connection)
    if restored != expected:
        wrong = sorted(
            t for t in set(expected) | set(restored) if expected.get(t) != restored.get(t)
        )
        raise BackupError(
            f"The restored database does not match the archive's row counts ({', '.join(wrong[:5])})."
        )
    return RestoreResult(
        name=name,
        database=alias,
        tables=len(restored),
        rows=sum(restored.values()),
        media_files=len(manifest["media"]),
        unapplied_migrations=_unapplied_migrations(manifest["migrations"]),
    )


def _stored_digest(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as stored:
        while chunk := stored.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _code_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _unknown_migrations(applied: dict[str, list[str]]) -> list[str]:
    """Migrations of installed apps that the archive's database had and this code has not."""
    known = _code_migrations()
    apps = {app for app, _ in known}
    return [
        f"{app}.{name}"
        for app, names in sorted(applied.items())
        if app in apps
        for name in names
        if (app, name) not in known
    ]


def _unapplied_migrations(applied: dict[str, list[str]]) -> list[str]:
    done = {(app, name) for app, names in applied.items() for name in names}
    return sorted(f"{app}.{name}" for app, name in _code_migrations() - done)


def backups_retained(*, names: Iterable[str], keep_daily: int, keep_weekly: int) -> set[str]:
    """The archive names that retention keeps, from a list of names.

    Kept: the newest archive of each of the ``keep_daily`` most recent days that have one,
    and of each of the ``keep_weekly`` most recent ISO weeks that have one (days and weeks
    in UTC, as the names are), and always the newest archive. Days without a backup do not
    count, so a pause in backups never prunes the last good ones away. Names that are not
    archive names are not considered.
    """
    dated = sorted(
        ((moment, name) for name in names if (moment := archive_time(name)) is not None),
        reverse=True,
    )
    kept: set[str] = set()
    for period, limit in (
        (lambda moment: moment.date(), keep_daily),
        (lambda moment: moment.isocalendar()[:2], keep_weekly),
    ):
        seen = set()
        for moment, name in dated:
            key = period(moment)
            if key not in seen:
                seen.add(key)
                if len(seen) <= limit:
                    kept.add(name)
    if dated:
        kept.add(dated[0][1])
    return kept


def backups_prune(
    *,
    destination: str | os.PathLike | None = None,
    keep_daily: int | None = None,
    keep_weekly: int | None = None,
) -> list[str]:
    """Delete the archives at ``destination`` that retention does not keep; their names.

    Defaults: the settings' place, ``BACKUP_KEEP_DAILY`` and ``BACKUP_KEEP_WEEKLY``.
    """
    place = _place(destination)
    keep_daily = settings.BACKUP_KEEP_DAILY if keep_daily is None else keep_daily
    keep_weekly = settings.BACKUP_KEEP_WEEKLY if keep_weekly is None else keep_weekly
    names = [name for name in place.names() if archive_time(name) is not None]
    kept = backups_retained(names=names, keep_daily=keep_daily, keep_weekly=keep_weekly)
    pruned = sorted(set(names) - kept)
    for name in pruned:
        place.delete(name)
    return pruned
