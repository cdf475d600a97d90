"""pytest plugin (loaded by the root conftest): no personal data in anything logged during the suite.

A handler on the root logger (and on every logger that does not propagate) sees every record at
every level while the suite runs; each formatted message, with its traceback, is scanned for
ID numbers with a valid check digit and mobile numbers (audit.personal_data). At the end of the
session the guard fails the run, naming the logger and the masked value, if any was found.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from audit.personal_data import find_personal_data


@dataclass
class Finding:
    logger: str
    test: str
    what: list[str]


class PersonalDataGuard(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(message)s"))
        self.findings: list[Finding] = []
        self.seen = 0
        self.current_test = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.seen += 1
        try:
            text = self.format(record)
        except Exception:  # a broken record must not break the test that logged it
            text = str(record.msg)
        found = find_personal_data(text)
        if found:
            self.findings.append(Finding(record.name, self.current_test, found))


GUARD = PersonalDataGuard()


def _non_propagating() -> list[logging.Logger]:
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    return [lg for lg in loggers if isinstance(lg, logging.Logger) and not lg.propagate]


@pytest.fixture(scope="session", autouse=True)
def _no_personal_data_in_logs() -> Iterator[PersonalDataGuard]:
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(GUARD)
    extra = _non_propagating()
    for lg in extra:
        lg.addHandler(GUARD)
    yield GUARD
    root.removeHandler(GUARD)
    root.setLevel(level)
    for lg in extra:
        lg.removeHandler(GUARD)
    if GUARD.findings:
        lines = [f"{f.logger} ({f.test}): {', '.join(f.what)}" for f in GUARD.findings[:20]]
        pytest.fail("个人信息出现在应用日志中（身份证号/手机号）：\n" + "\n".join(lines), pytrace=False)


@pytest.fixture(autouse=True)
def _name_the_test_for_the_guard(request: pytest.FixtureRequest) -> None:
    GUARD.current_test = request.node.nodeid
