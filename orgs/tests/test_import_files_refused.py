"""A damaged workbook and a file with no data rows are refused by the organizations and posts imports with
the same clear messages as the member roster, and nothing is written."""

import io

import pytest

from orgs.models import Organization, Position
from orgs.services import positions_file, tree_file
from orgs.services.roster import RosterFileError

IMPORTS = [
    (tree_file.import_tree, tree_file.build_template, "文件中没有党组织数据行"),
    (positions_file.import_positions, positions_file.build_template, "文件中没有职务数据行"),
]


@pytest.mark.parametrize(("run", "template", "empty"), IMPORTS)
def test_a_damaged_workbook_is_refused_in_chinese_and_nothing_is_written(cast, run, template, empty):
    orgs, posts = Organization.objects.count(), Position.objects.count()
    damaged = template()[:2000]  # a cut-off download: the zip directory is missing
    with pytest.raises(RosterFileError, match="无法读取该文件|文件已损坏或格式不正确"):
        run(actor=cast.dept_admin, file=io.BytesIO(damaged), file_name="cut.xlsx")
    assert (Organization.objects.count(), Position.objects.count()) == (orgs, posts)


@pytest.mark.parametrize(("run", "template", "empty"), IMPORTS)
def test_the_template_itself_has_no_data_rows_and_is_refused(cast, run, template, empty):
    with pytest.raises(RosterFileError, match=empty):
        run(actor=cast.dept_admin, file=io.BytesIO(template()), file_name="template.xlsx")
