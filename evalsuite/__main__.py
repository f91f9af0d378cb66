import sys

from evalsuite.cli.main import main

sys.exit(main())
