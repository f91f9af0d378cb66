"""Unpack the downloaded dm-clrs wheels into DEST/<version>/ (no install, no dependencies)."""

import sys
import zipfile
from pathlib import Path

wheels, destination = Path(sys.argv[1]), Path(sys.argv[2])
for wheel in sorted(wheels.glob("dm_clrs-*.whl")):
    version = wheel.name.split("-")[1]
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(destination / version)
    print(f"unpacked dm-clrs {version}")
