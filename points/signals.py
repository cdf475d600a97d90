"""What points' writes tell the rest of the site: a catalogue, version or block saved or deleted bumps the
reference data's version (orgs.reference), since the version in force with its blocks (selectors.totals) is
kept in each process's memory."""

from orgs.reference import bump_on_change
from points.models import Block, Catalogue, RuleVersion


def connect_signals() -> None:
    bump_on_change(Catalogue, RuleVersion, Block)
