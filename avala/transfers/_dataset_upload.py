"""Dataset uploads (UPLOADS.md §1) composed from request values.

``upload_files`` and ``create_from_local`` build one request; nothing here touches the
network or a file while building. When it runs, the request:

1. scans or stats the local files (``Local`` steps: a bad tree is a ``LocalFileError``
   before any call is sent);
2. learns the storage owner: the organization, or the user uid from ``GET /users/me/``;
3. opens the journal of the destination (base URL, owner, dataset name: never the API
   key), folds it, and binds the batch uid in it before any byte moves;
4. plans: files stored with their current stamp are skipped; the rest are presigned
   (v2: ``PUT`` or ``MULTIPART``), ``workers`` at a time;
5. journals a ``FileIntent`` per file about to move, then runs every transfer (whole-file
   PUTs and parts alike) in one ``gather(limit=workers)``: a sliding window, so at most
   ``workers`` transfers are in flight and a slow part never holds up the others; each
   stored part is journaled, and the unit that finishes a file completes it and journals
   ``FileStored``.

Part URLs are asked for ``workers`` numbers per call, a window ahead of the parts that
need them; a 403 (expired URL) asks again for that part alone.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from returns.result import Failure, Result, Success

from avala._decode import structure
from avala._request import Request, fail, gather, pure
from avala._steps import announce, local
from avala.errors import AvalaError, DecodeError, LocalFileError, QuotaExceededError
from avala.events import FileSkipped, FileStarted
from avala.events import FileStored as FileStoredEvent
from avala.events import PartStored as PartStoredEvent
from avala.transfers import _local
from avala.transfers._journal import (
    BatchBound,
    DatasetCreated,
    FileIntent,
    FileStored,
    PartStored,
    Record,
    UploadState,
    apply,
    fold,
)
from avala.transfers._lookahead import LookAhead
from avala.transfers._plan import (
    FileToSend,
    GeometryError,
    PartRange,
    UploadPlan,
    check_geometry,
    plan_upload,
)
from avala.transfers._scan import FileEntry, ScannedFile, ScanResult
from avala.transfers._state import destination_key, journal_path
from avala.transfers._values import Presigned, Stored, presigned, put_object
from avala.types import Dataset, ManualUploadDescriptor, ManualUploadPartGrants, UploadQuota
from avala.types._common import to_plain

if TYPE_CHECKING:
    from avala.resources.datasets import Datasets

__all__ = [
    "Destination",
    "Session",
    "UploadReport",
    "create_from_local",
    "create_key",
    "new_reservations",
    "open_session",
    "upload_files",
]

MAX_PARTS_PER_CALL = 100
"""Part numbers asked for in one ``manual_upload_parts`` call, at most."""

SKIPPED_UNCHANGED = "unchanged since it was stored"
SKIPPED_ON_SERVER = "already stored on the server"


@dataclass(frozen=True, slots=True)
class UploadReport:
    """What an upload run did: the dataset paths it ``stored`` (sent, or completed from
    parts the server held), those it ``skipped`` (already stored), the body ``bytes_sent``
    that were stored, and the ``batch_uid`` the files belong to."""

    dataset_name: str
    batch_uid: str
    stored: tuple[str, ...]
    skipped: tuple[str, ...]
    bytes_sent: int


# --- local steps (run by the driver: the only place these touch the disk) -----------------


def _scan_source(source: str) -> ScanResult:
    return _local.scan(source, state_dir=_local.usable_state_dir())


def _stat_entries(entries: tuple[FileEntry, ...]) -> ScanResult:
    return _local.stat_files(entries, state_dir=_local.usable_state_dir())


@dataclass(frozen=True, slots=True)
class Destination:
    """Where the bytes go: the API, the storage owner (organization or user) and the
    dataset name. It names the journal; the API key is not part of it."""

    base_url: str
    dataset_name: str
    organization_uid: str | None = None
    user_uid: str | None = None

    @property
    def key(self) -> str:
        return destination_key(
            self.base_url,
            dataset_name=self.dataset_name,
            organization_uid=self.organization_uid,
            user_uid=self.user_uid,
        )


@dataclass(frozen=True, slots=True)
class Session:
    """A run under way: its destination, journal file, the state the journal gave (the
    batch bound) and the files found."""

    destination: Destination
    journal: Path
    state: UploadState
    scan: ScanResult

    @property
    def batch_uid(self) -> str:
        assert self.state.batch_uid is not None  # bound by open_session
        return self.state.batch_uid

    @property
    def plan(self) -> UploadPlan:
        return plan_upload(self.scan, self.state)

    def append(self, *records: Record) -> Request[None]:
        """A ``Local`` step appending ``records`` to the journal (fsynced)."""
        return local(partial(_local.append_journal, self.journal, records))


def open_session(
    destination: Destination, scan: ScanResult, *, resume: bool, keep_created: bool = False
) -> Session:
    """Recover the destination's journal and bind the batch before any byte moves.

    A fresh batch is minted (and journaled) when ``resume`` is off, when there is none
    yet, or when a file changed since the journal recorded it: the server keeps one
    session per (batch, path), which would answer for the old content. With
    ``keep_created``, a batch that already made its dataset is kept as it is.
    """
    path = journal_path(_local.usable_state_dir(), destination.key)
    state = fold(_local.recover_journal(path))
    changed = any(f.reason == "changed" for f in plan_upload(scan, state).send)
    done = keep_created and state.created is not None
    if not done and (not resume or state.batch_uid is None or changed):
        bound = BatchBound(str(uuid.uuid4()))
        _local.append_journal(path, [bound])
        state = apply(state, bound)
    return Session(destination, path, state, scan)


# --- part URLs ----------------------------------------------------------------------------


class PartGrants:
    """Part URLs of one multipart session, asked for in calls of up to ``window`` numbers.

    Created when the run reaches the file (never at build time). The part that finds
    fewer than ``window`` parts asked for ahead of it asks for the next ``window`` before
    its own PUT, so later parts find their URL waiting; a part whose URL is not there
    (it was asked for by a call still under way) asks for its own.
    """

    def __init__(
        self, datasets: Datasets, upload_uid: str, numbers: Sequence[int], window: int
    ) -> None:
        self._datasets = datasets
        self._upload_uid = upload_uid
        self._ahead = LookAhead(numbers, min(window, MAX_PARTS_PER_CALL))
        self._lock = threading.Lock()
        self._granted: dict[int, Presigned] = {}

    def prefetch(self) -> Request[None]:
        """Ask for the first window of URLs (before the transfers start)."""
        first = self._ahead.first()
        return self._ask(first) if first else pure(None)

    def target(self, number: int) -> Request[Presigned]:
        """The URL for part ``number``, asking for the next window first when it runs low."""
        ask = self._ahead.due(number)
        if not ask:
            return self._take(number)
        return self._ask(ask).bind(lambda _: self._take(number))

    def single(self, number: int) -> Request[Presigned]:
        """A fresh URL for part ``number`` alone (after a 403: the old one expired)."""
        call = self._datasets.manual_upload_parts(self._upload_uid, part_numbers=[number])
        return call.bind_result(partial(_grant_for, number))

    def _take(self, number: int) -> Request[Presigned]:
        with self._lock:
            grant = self._granted.pop(number, None)
        return pure(grant) if grant is not None else self.single(number)

    def _ask(self, numbers: Sequence[int]) -> Request[None]:
        call = self._datasets.manual_upload_parts(self._upload_uid, part_numbers=list(numbers))
        return call.with_idempotency_key().bind_result(self._keep)

    def _keep(self, grants: ManualUploadPartGrants) -> Result[None, AvalaError]:
        found = _grants(grants)
        if isinstance(found, Failure):
            return found
        with self._lock:
            self._granted.update(found.unwrap())
        return Success(None)


def _grants(grants: ManualUploadPartGrants) -> Result[dict[int, Presigned], AvalaError]:
    found = {}
    for grant in grants.parts:
        try:
            found[grant.part_number] = presigned(grant.url, to_plain(grant.headers))
        except (TypeError, ValueError) as error:
            return Failure(DecodeError(f"part {grant.part_number} grant: {error}"))
    return Success(found)


def _grant_for(number: int, grants: ManualUploadPartGrants) -> Result[Presigned, AvalaError]:
    found = _grants(grants)
    if isinstance(found, Failure):
        return found
    target = found.unwrap().get(number)
    if target is None:
        return Failure(DecodeError(f"the server sent no URL for part {number}"))
    return Success(target)


# --- one file -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Opened:
    """A file presigned for this batch: its v2 ``upload_uid``, and either the single-PUT
    ``target`` or the multipart ``parts`` still to send (with their ``grants``).
    ``on_server``: the descriptor said every byte is already stored."""

    plan: FileToSend
    upload_uid: str
    on_server: bool
    target: Presigned | None = None
    parts: tuple[PartRange, ...] = ()
    grants: PartGrants | None = None

    @property
    def file(self) -> ScannedFile:
        return self.plan.file

    @property
    def transfers(self) -> int:
        """How many PUTs this file still needs."""
        if self.on_server:
            return 0
        return 1 if self.target is not None else len(self.parts)


def _descriptor(
    datasets: Datasets, workers: int, plan: FileToSend, raw: Any
) -> Result[Opened, AvalaError]:
    """Read a v2 descriptor (UPLOADS.md §1.3): PUT or MULTIPART with a UUID upload uid
    and, for MULTIPART, a geometry that fits the file."""
    decoded = structure(to_plain(raw), ManualUploadDescriptor, name="upload descriptor")
    if isinstance(decoded, Failure):
        return decoded
    d: ManualUploadDescriptor = decoded.unwrap()
    where = plan.file.path_in_dataset
    if d.method not in ("PUT", "MULTIPART"):
        return Failure(DecodeError(f"{where}: the server offered a {d.method!r} upload, not v2"))
    try:
        upload_uid = str(uuid.UUID(d.upload_uid or ""))
    except ValueError:
        return Failure(DecodeError(f"{where}: upload_uid {d.upload_uid!r} is not a UUID"))
    if d.complete is True:
        return Success(Opened(plan, upload_uid, on_server=True))
    if d.method == "PUT":
        if not d.url:
            return Failure(DecodeError(f"{where}: a PUT descriptor without a url"))
        try:
            target = presigned(d.url, to_plain(d.headers))
        except (TypeError, ValueError) as error:
            return Failure(DecodeError(f"{where}: descriptor headers: {error}"))
        return Success(Opened(plan, upload_uid, False, target=target))
    try:
        ranges = check_geometry(plan.file.stamp.size, d.part_size, d.part_count)
    except GeometryError as error:
        return Failure(DecodeError(f"{where}: {error}"))
    held = [(p.part_number, p.size) for p in d.uploaded_parts]
    missing = plan.missing_parts(ranges, held)
    grants = PartGrants(datasets, upload_uid, [p.number for p in missing], workers)
    return Success(Opened(plan, upload_uid, False, parts=missing, grants=grants))


def _presign(datasets: Datasets, session: Session, file: ScannedFile) -> Request[Any]:
    d = session.destination
    return datasets.create_manual_upload_url(
        dataset_name=d.dataset_name,
        file_path_in_dataset=file.path_in_dataset,
        content_length=file.stamp.size,
        organization_uid=d.organization_uid,
        dataset_upload_uid=session.batch_uid,
    )


def _fresh_target(raw: Any) -> Result[Presigned, AvalaError]:
    """The URL of a descriptor asked for again after a 403."""
    url = to_plain(raw).get("url") if isinstance(to_plain(raw), dict) else None
    if not isinstance(url, str):
        return Failure(DecodeError("the new upload descriptor has no url"))
    try:
        return Success(presigned(url, to_plain(raw).get("headers") or {}))
    except (TypeError, ValueError) as error:
        return Failure(DecodeError(f"descriptor headers: {error}"))


def _open_file(
    datasets: Datasets, session: Session, workers: int, plan: FileToSend
) -> Request[Opened]:
    """Presign one file; for a multipart one, also ask for its first window of URLs."""
    # Safe to repeat (the server reopens the session), so a 5xx or lost answer is retried.
    presign = _presign(datasets, session, plan.file).with_idempotency_key()
    opened = presign.bind_result(partial(_descriptor, datasets, workers, plan))
    return opened.bind(_prefetch)


def _prefetch(opened: Opened) -> Request[Opened]:
    if opened.grants is None or opened.on_server:
        return pure(opened)
    return opened.grants.prefetch().map(lambda _: opened)


class FileRun:
    """Run-time bookkeeping of one file's transfers: whether it started, and how many
    transfers are left (the one that ends last completes the file). Thread-safe: under
    ``Client`` the transfers run on worker threads."""

    def __init__(self, transfers: int) -> None:
        self._lock = threading.Lock()
        self._started = False
        self._left = transfers

    def start(self) -> bool:
        """True the first time only."""
        with self._lock:
            first, self._started = not self._started, True
            return first

    def finish_one(self) -> bool:
        """True when this was the last transfer."""
        with self._lock:
            self._left -= 1
            return self._left == 0


def _finish(datasets: Datasets, session: Session, opened: Opened) -> Request[None]:
    """Complete the session (the server checks every byte), journal the file stored."""
    file = opened.file
    stored = FileStored(file.path_in_dataset, file.stamp)
    event: Any = (
        FileSkipped(file.local_path, SKIPPED_ON_SERVER)
        if opened.on_server
        else FileStoredEvent(file.local_path, file.stamp.size)
    )
    return (
        datasets.manual_upload_complete(opened.upload_uid)
        .with_idempotency_key()  # completing twice is a no-op: retried like a PUT
        .bind(lambda _: session.append(stored))
        .bind(lambda _: announce(event))
    )


@dataclass(frozen=True, slots=True)
class _Unit:
    """One transfer of a file (the whole file, or one part), as a request of the bytes it
    sent; the unit that ends the file's last transfer also completes the file."""

    datasets: Datasets
    session: Session
    opened: Opened
    run: FileRun
    part: PartRange | None = None

    def request(self) -> Request[int]:
        return pure(None).bind(self._begin)

    def _begin(self, _: object) -> Request[int]:
        file = self.opened.file
        started = announce(FileStarted(file.local_path, file.stamp.size))
        first = started if self.run.start() else pure(None)
        return first.bind(self._target).bind(self._put).bind(self._after)

    def _target(self, _: object) -> Request[Presigned]:
        if self.part is None:
            assert self.opened.target is not None
            return pure(self.opened.target)
        assert self.opened.grants is not None
        return self.opened.grants.target(self.part.number)

    def _put(self, target: Presigned) -> Request[Stored]:
        file = self.opened.file
        if self.part is None:
            refresh = _presign(self.datasets, self.session, file).bind_result(_fresh_target)
            offset, length = 0, file.stamp.size
        else:
            assert self.opened.grants is not None
            refresh = self.opened.grants.single(self.part.number)
            offset, length = self.part.offset, self.part.length
        return put_object(
            target.url,
            file.local_path,
            stamp=file.stamp,
            offset=offset,
            length=length,
            headers=target.headers,
            refresh=refresh,
        )

    def _after(self, stored: Stored) -> Request[int]:
        file = self.opened.file
        step: Request[None] = pure(None)
        if self.part is not None:
            part = self.part
            step = self.session.append(PartStored(file.path_in_dataset, part)).bind(
                lambda _: announce(PartStoredEvent(file.local_path, part.number, part.length))
            )
        if self.run.finish_one():
            ending = partial(_finish, self.datasets, self.session, self.opened)
            step = step.bind(lambda _: ending())
        return step.map(lambda _: stored.bytes_sent)


def _units(datasets: Datasets, session: Session, opened: Opened) -> list[Request[int]]:
    run = FileRun(opened.transfers)
    if opened.target is not None:
        return [_Unit(datasets, session, opened, run).request()]
    return [_Unit(datasets, session, opened, run, part).request() for part in opened.parts]


# --- the run ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Upload:
    """The steps of one upload run after the session is open."""

    datasets: Datasets
    session: Session
    workers: int

    def run(self) -> Request[UploadReport]:
        plan = self.session.plan
        skipped = tuple(FileSkipped(f.local_path, SKIPPED_UNCHANGED) for f in plan.skip)
        opens = [_open_file(self.datasets, self.session, self.workers, f) for f in plan.send]
        if not opens:
            return announce(*skipped).map(lambda _: self._report((), 0))
        return (
            announce(*skipped)
            .bind(lambda _: gather(*opens, limit=self.workers))
            .bind(self._transfer)
        )

    def _transfer(self, opened: tuple[Opened, ...]) -> Request[UploadReport]:
        moving = [o for o in opened if not o.on_server]
        intents = [FileIntent(o.file.path_in_dataset, o.file.stamp) for o in moving]
        finished = [_finish(self.datasets, self.session, o) for o in opened if o.on_server]
        ready = [o for o in moving if o.transfers == 0]  # every part already held
        finished += [_finish(self.datasets, self.session, o) for o in ready]
        units = [u for o in moving if o.transfers for u in _units(self.datasets, self.session, o)]
        done: Request[tuple[None, ...]] = (
            gather(*finished, limit=self.workers) if finished else pure(())
        )
        sent: Request[tuple[int, ...]] = gather(*units, limit=self.workers) if units else pure(())
        return (
            self.session.append(*intents)
            .bind(lambda _: done)
            .bind(lambda _: sent)
            .map(lambda counts: self._report(opened, sum(counts)))
        )

    def _report(self, opened: tuple[Opened, ...], bytes_sent: int) -> UploadReport:
        plan = self.session.plan
        on_server = {o.file.path_in_dataset for o in opened if o.on_server}
        skipped = sorted([f.path_in_dataset for f in plan.skip] + sorted(on_server))
        stored = sorted(o.file.path_in_dataset for o in opened if not o.on_server)
        return UploadReport(
            self.session.destination.dataset_name,
            self.session.batch_uid,
            tuple(stored),
            tuple(skipped),
            bytes_sent,
        )


def _owner(organization_uid: str | None) -> Request[tuple[str | None, str | None]]:
    """(organization uid, user uid): the organization's, or the caller's user uid
    (``GET /users/me/``), which roots a personal upload (UPLOADS.md §1.10)."""
    if organization_uid is not None:
        return pure((organization_uid, None))
    from avala.resources.users import Users

    return Users().me().map(lambda me: (None, me.uid))


def _session(
    scan: Request[ScanResult],
    dataset_name: str,
    organization_uid: str | None,
    *,
    resume: bool,
    keep_created: bool = False,
) -> Request[Session]:
    """Scan, learn the owner, open the journal: the steps before anything is uploaded."""
    from avala._steps import Contextual

    def with_base_url(base_url: str) -> Request[Session]:
        def opened(found: ScanResult) -> Request[Session]:
            def at(owner: tuple[str | None, str | None]) -> Request[Session]:
                where = Destination(base_url, dataset_name, *owner)
                return local(
                    partial(open_session, where, found, resume=resume, keep_created=keep_created)
                )

            return _owner(organization_uid).bind(at)

        return scan.bind(opened)

    return Contextual(with_base_url)


def upload_files(
    datasets: Datasets,
    *,
    dataset_name: str,
    entries: tuple[FileEntry, ...],
    workers: int,
    organization_uid: str | None,
    resume: bool,
) -> Request[UploadReport]:
    """``client.datasets.upload_files``: checked arguments in, one request out."""
    session = _session(
        local(partial(_stat_entries, entries)), dataset_name, organization_uid, resume=resume
    )
    return session.bind(lambda s: _Upload(datasets, s, workers).run())


# --- create_from_local --------------------------------------------------------------------


def new_reservations(plan: UploadPlan) -> int:
    """Bytes of quota this run must newly reserve: every file to send, except those an
    interrupted run of this batch already presigned (their reservation is in ``used``)."""
    return sum(f.file.stamp.size for f in plan.send if f.reason != "resume")


def _quota_ok(needed: int, quota: UploadQuota) -> Result[None, AvalaError]:
    if needed > quota.limit - quota.used:
        return Failure(
            QuotaExceededError(
                f"this upload needs {needed} bytes of storage quota; {quota.limit - quota.used}"
                f" of {quota.limit} remain",
                status_code=None,
                limit=quota.limit,
                used=quota.used,
            )
        )
    return Success(None)


def _check_quota(datasets: Datasets, session: Session) -> Request[None]:
    """Refuse before any byte moves when the new reservations exceed what remains. A
    quota that cannot be read (older server, key without the scope) skips the check: the
    server stays authoritative (a presign past the cap answers 413)."""
    needed = new_reservations(session.plan)
    if needed == 0:
        return pure(None)
    read = datasets.manual_upload_quota(organization_uid=session.destination.organization_uid)
    maybe: Request[UploadQuota | None] = read.map(lambda q: q)
    quota = maybe.recover(lambda _: pure(None))
    return quota.bind_result(lambda q: Success(None) if q is None else _quota_ok(needed, q))


def _strays_error(dataset_name: str, strays: tuple[str, ...]) -> LocalFileError:
    """An earlier run stored files under the dataset's prefix that this source lacks: the
    create indexes the whole prefix (UPLOADS.md §1.11), so it would take them in, and the
    SDK cannot delete them."""
    shown = ", ".join(strays[:5]) + (f" and {len(strays) - 5} more" if len(strays) > 5 else "")
    return LocalFileError(
        f"an earlier upload to {dataset_name!r} stored {shown} under the dataset's prefix,"
        " which this source no longer holds; the created dataset would include them: put"
        " them back into the source, or create the dataset under another name",
        path=strays[0],
        reason="stray_objects",
    )


def create_key(batch_uid: str) -> str:
    """The idempotency key of the create call: one per batch, so a rerun after a lost
    answer repeats the same key and the server creates the dataset once."""
    return f"avala-dataset-upload-{batch_uid}"


def create_from_local(
    datasets: Datasets,
    *,
    source: str,
    dataset_name: str,
    create: Callable[[str], Request[Dataset]],
    workers: int,
    organization_uid: str | None,
    resume: bool,
    check_quota: bool,
    wait: Callable[[Dataset], Request[Dataset]] | None,
) -> Request[Dataset]:
    """``client.datasets.create_from_local``: scan, upload, create once, maybe wait.

    ``create(batch_uid)`` builds the create call (the builder knows its fields).
    """

    def after_session(session: Session) -> Request[Dataset]:
        if session.state.created is not None:
            return datasets.get(session.state.created)  # made by an earlier run
        strays = session.plan.strays
        if strays:
            return fail(_strays_error(dataset_name, strays))
        checked = _check_quota(datasets, session) if check_quota else pure(None)
        uploaded = checked.bind(lambda _: _Upload(datasets, session, workers).run())
        batch = session.batch_uid

        def created(dataset: Dataset) -> Request[Dataset]:
            return session.append(DatasetCreated(batch, dataset.uid)).map(lambda _: dataset)

        return uploaded.bind(lambda _: create(batch).with_idempotency_key(create_key(batch))).bind(
            created
        )

    scan = local(partial(_scan_source, source))
    session = _session(scan, dataset_name, organization_uid, resume=resume, keep_created=True)
    made = session.bind(after_session)
    return made.bind(wait) if wait is not None else made
