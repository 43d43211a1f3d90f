"""Report the ingest health of every dataset of an organization, as a table.

    python examples/dataset_health_report.py --organization acme-robotics
    python examples/dataset_health_report.py                 # every dataset the key can see

Lists the datasets (all pages), reads each one's health (item, sequence and frame counts,
calibration, issues the server found) and prints one row per dataset, then the issues.

Reads AVALA_API_KEY (and AVALA_BASE_URL, if set) from the environment. Exit status: 0 when
every dataset is healthy, 1 when one has issues or its health could not be read, 2 when
the organization or the dataset list could not be read. Usable as a scheduled check.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from avala import Client, Failure, Success
from avala.types import Dataset, DatasetHealth

HEADERS = ("DATASET", "TYPE", "STATUS", "ITEMS", "SEQUENCES", "FRAMES", "HEALTH")
NUMERIC = (3, 4, 5)


@dataclass(frozen=True)
class Row:
    dataset: Dataset
    health: DatasetHealth | None  # None when it could not be read
    problems: tuple[str, ...]

    @property
    def healthy(self) -> bool:
        return self.health is not None and self.health.ingest_ok and not self.problems

    def cells(self) -> tuple[str, ...]:
        name = f"{self.dataset.owner_name}/{self.dataset.slug}"
        h = self.health
        if h is None:
            return (
                name,
                self.dataset.data_type or "?",
                self.dataset.status or "?",
                "-",
                "-",
                "-",
                "UNKNOWN",
            )
        verdict = "ok" if self.healthy else f"{len(self.problems)} issue(s)"
        return (
            name,
            h.data_type,
            h.dataset_status or "?",
            str(h.item_count),
            str(h.sequence_count),
            str(h.total_frames),
            verdict,
        )


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, numeric: Sequence[int] = ()
) -> str:
    """Text columns two spaces apart; the columns listed in ``numeric`` right-aligned."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def check(client: Client, dataset: Dataset) -> Row:
    """Read one dataset's health; a failure becomes a problem of its row, not of the report."""
    if not dataset.owner_name:
        return Row(dataset, None, ("dataset has no owner name; health cannot be read",))
    match client.run(client.datasets.get_health(dataset.owner_name, dataset.slug)):
        case Success(health):
            return Row(dataset, health, health.issues)
        case Failure(error):
            return Row(dataset, None, (f"health not available: {error}",))
    raise AssertionError("unreachable")


def main(client: Client, *, organization: str | None = None) -> int:
    if organization is not None:
        match client.run(client.organizations.get(organization)):
            case Success(org):
                print(f"Dataset health of {org.name} ({org.slug})")
            case Failure(error):
                print(f"cannot read organization {organization}: {error}", file=sys.stderr)
                return 2
    else:
        print("Dataset health of every dataset visible to this key")

    datasets: list[Dataset] = []
    for result in client.iterate(client.datasets.list(limit=100)):
        match result:
            case Success(dataset):
                if organization is None or dataset.owner_name == organization:
                    datasets.append(dataset)
            case Failure(error):
                print(f"cannot list datasets: {error}", file=sys.stderr)
                return 2

    if not datasets:
        print("no datasets")
        return 0

    rows = [check(client, dataset) for dataset in datasets]
    print()
    print(format_table(HEADERS, [row.cells() for row in rows], numeric=NUMERIC))

    troubled = [row for row in rows if not row.healthy]
    print()
    print(f"{len(rows) - len(troubled)} of {len(rows)} dataset(s) healthy")
    for row in troubled:
        for problem in row.problems or ("not ingested correctly",):
            print(f"  {row.dataset.owner_name}/{row.dataset.slug}: {problem}")
    return 1 if troubled else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Report the ingest health of datasets.")
    parser.add_argument("--organization", help="slug of the organization whose datasets to check")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse_args()
    with Client() as api:
        sys.exit(main(api, organization=args.organization))
