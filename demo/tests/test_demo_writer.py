"""The demo writer: plain rows that are what the services' bulk paths write, and the same people as before
for the same seed."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.db import transaction
from faker import Faker

import personal
from orgs import demo, services
from orgs.models import Member, Organization, Position
from orgs.services import MemberData

TODAY = dt.date(2026, 11, 24)


class Rollback(Exception):
    pass


def test_names_are_the_names_faker_draws_for_the_same_seed() -> None:
    key = "xianfeng/1/340826"
    fake = Faker("zh_CN")
    fake.seed_instance(key)
    expected = [fake.name_male() if i % 3 else fake.name_female() for i in range(3000)] + [fake.name()]
    names = demo.Names(key)
    assert [names.name() for _ in range(3001)] == expected


def test_a_weighted_draw_is_the_draw_random_choices_makes() -> None:
    table = demo.EDUCATION_BY_ERA[2][1]
    draw = demo.Weighted(table)
    a, b = random.Random(5), random.Random(5)
    items, weights = [e for e, _ in table], [w for _, w in table]
    assert [draw.draw(a) for _ in range(5000)] == [b.choices(items, weights)[0] for _ in range(5000)]


def test_seed_7_still_plans_the_people_it_planned_before_the_fast_writer() -> None:
    chunks = list(demo.iter_chunks("tiny", 7, today=TODAY))
    assert sum(len(c.orgs) for c in chunks) == 29
    people = [p for c in chunks for p in c.members()]
    # Drawn by the generator when every name was a Faker call and every row a model instance.
    assert [(p.name, p.id_number, p.phone, p.birth_date, p.joined_on) for p in people[:4]] == [
        ("魏凤英", "340826198204022773", "17706850456", dt.date(1982, 4, 2), dt.date(2022, 3, 16)),
        ("邱晨", "340826197007035976", "18991069158", dt.date(1970, 7, 3), dt.date(1995, 3, 21)),
        ("蔡桂英", "340826196606222744", "13240637308", dt.date(1966, 6, 22), dt.date(2007, 11, 10)),
        ("彭彬", "34082619720204267X", "13766053603", dt.date(1972, 2, 4), dt.date(1999, 12, 13)),
    ]
    assert (len(people), sum(len(p.positions) for p in people)) == (483, 111)


def write_through_services(chunks: Any) -> None:
    """The demo writer as it was: model instances through add_organizations, add_members, add_positions."""
    orgs: dict[str, Organization] = {}
    for chunk in chunks:
        levels: dict[int, list[demo.OrgSpec]] = {}
        for spec in chunk.orgs:
            levels.setdefault(spec.depth, []).append(spec)
        for depth in sorted(levels):
            rows = []
            for spec in levels[depth]:
                org = Organization(
                    parent_id=orgs[spec.parent_path].pk if depth > 1 else None,
                    path=spec.path,
                    depth=spec.depth,
                    name=spec.name,
                    short_name=spec.short_name,
                    code=spec.code,
                    kind=spec.kind,
                    unit_category=spec.unit_category,
                    unit_situation=spec.unit_situation,
                    secretary_name=spec.secretary_name,
                    contact_name=spec.contact_name,
                    established_on=spec.established_on,
                    has_committee=spec.has_committee,
                    term_started_on=spec.term_started_on,
                )
                org.set_contact_phone(spec.contact_phone)
                rows.append(org)
            parents = {
                o.parent_id: orgs[s.parent_path]
                for s, o in zip(levels[depth], rows, strict=True)
                if depth > 1
            }
            services.add_organizations(actor=None, parents=parents, rows=rows)
            orgs.update((row.path, row) for row in rows)
        people = list(chunk.members())
        data = [
            MemberData(
                name=p.name,
                id_number=p.id_number,
                category=p.category,
                joined_on=p.joined_on,
                org=orgs[p.org_path],
                gender=p.gender,
                birth_date=p.birth_date,
                ethnicity=p.ethnicity,
                education=p.education,
                full_member_on=p.full_member_on,
                party_group=orgs[p.group_path] if p.group_path else None,
                phone=p.phone,
                occupation=p.occupation,
                status=p.status,
                is_exempt=p.is_exempt,
                exempt_reason=p.exempt_reason,
            )
            for p in people
        ]
        members = services.add_members(actor=None, rows=data)
        positions = [
            Position(member=m, org=orgs[path], title=title, started_on=start)
            for m, p in zip(members, people, strict=True)
            for path, title, start in p.positions
        ]
        services.add_positions(actor=None, rows=positions)


def db_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[Any, ...]]]:
    """Everything written, without ids and timestamps, with the ciphertexts decrypted."""
    paths = dict(Organization.objects.values_list("id", "path"))
    orgs = []
    for o in Organization.objects.order_by("path").values():
        o["parent"] = paths.get(o.pop("parent_id"))
        o["contact_phone"] = personal.decrypt(o.pop("contact_phone_enc"))
        for name in ("id", "created_at", "updated_at"):
            del o[name]
        orgs.append(o)
    members, numbers = [], {}
    for m in Member.objects.order_by("org__path", "id_number_hash").values():
        numbers[m["id"]] = m["id_number"] = personal.decrypt(m.pop("id_number_enc"))
        m["phone"] = personal.decrypt(m.pop("phone_enc"))
        m["org"], m["party_group"] = paths[m.pop("org_id")], paths.get(m.pop("party_group_id"))
        for name in ("id", "created_at", "updated_at"):
            del m[name]
        members.append(m)
    positions = sorted(
        (numbers[member_id], paths[org_id], title, started, ended)
        for member_id, org_id, title, started, ended in Position.objects.values_list(
            "member_id", "org_id", "title", "started_on", "ended_on"
        )
    )
    return orgs, members, positions


@pytest.mark.django_db
def test_the_plain_rows_are_what_the_services_bulk_paths_write() -> None:
    with pytest.raises(Rollback), transaction.atomic():
        write_through_services(demo.iter_chunks("tiny", 7, today=TODAY))
        reference = db_rows()
        raise Rollback
    assert not Organization.objects.exists()
    stats = demo.write(demo.iter_chunks("tiny", 7, today=TODAY), batch_size=100)
    assert (stats.orgs, stats.members, stats.positions) == (29, 483, 111)
    orgs, members, positions = db_rows()
    assert orgs == reference[0]
    assert members == reference[1]
    assert positions == reference[2]


@pytest.mark.django_db
def test_a_city_cut_off_after_its_first_county_leaves_consistent_child_counters() -> None:
    demo.write(demo.iter_chunks("city", 1, today=TODAY), batch_size=2000, limit_members=1500)
    city = Organization.objects.get(parent__isnull=True)
    assert city.name == "中共安庆市委员会" and city.child_seq == city.children.count() == 1
    for org in Organization.objects.filter(children__isnull=False).distinct():
        assert org.child_seq == org.children.count()
    assert Member.objects.count() == 2000  # one batch, then the limit stops the county
    for m in Member.objects.order_by("id")[:50]:
        number, phone = personal.decrypt(m.id_number_enc), personal.decrypt(m.phone_enc)
        assert m.id_number_hash == personal.blind_index("id", number)
        assert m.id_number_masked == personal.mask_id_number(number)
        assert m.phone_hash == personal.blind_index("phone", phone)
        assert m.phone_masked == personal.mask_phone(phone)
