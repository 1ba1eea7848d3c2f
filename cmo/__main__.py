"""`python -m cmo`."""

from cmo.cli.main import run

run()
