"""Quickstart: list projects, export one, wait for the export — against the bundled fake API.

Run with ``make demo``. Against the real service, drop the FakeAvala block and set
AVALA_API_KEY in your environment instead.
"""

from __future__ import annotations

import os

from returns.result import Failure, Success

from avala import Client
from avala.testing import FakeAvala


def main() -> None:
    with FakeAvala() as fake:
        fake.add_project(name="Highway lane markings")
        os.environ.update(fake.env())  # AVALA_API_KEY, AVALA_BASE_URL for Client()

        with Client() as client:
            page = client.run(client.projects.list(limit=10)).unwrap()
            for project in page:
                print(f"project  {project.uid}  {project.name!r}  status={project.status}")

            project = page[0]
            export = client.run(client.exports.create(project=project.uid)).unwrap()
            print(f"export   {export.uid}  created, status={export.status}")

            match client.run(client.exports.wait(export.uid, interval=0.5, timeout=30)):
                case Success(done):
                    print(f"export   {done.uid}  finished, status={done.status}")
                    print(f"download {done.download_url}")
                case Failure(error):
                    print(f"export failed: {error!r}")

            print(f"rate limit: {client.rate_limit_info}")
            print(f"the fake API received {len(fake.requests)} requests")


if __name__ == "__main__":
    main()
