"""Printed café lists: sorted by surname without titles, nameless people counted, hosts marked."""

from __future__ import annotations

from rooms.cafe.views import CafePerson
from server.cafe_print import printed_lists, surname_key


def person(pid: str, name: str | None, tables: list[int | None], host: bool = False) -> CafePerson:
    return CafePerson(pid, name, None, host, tables)


def test_surname_sort_ignores_titles_particles_and_umlauts() -> None:
    names = [
        "Prof. Dr. Anna von Weber",
        "Dr. Claudia Haußmann",
        "Jens Köhler",
        "Mehmet Yilmaz",
        "Bernd Adler",
        "Dipl.-Ing. Sophie Kohl",
    ]
    ordered = sorted(names, key=surname_key)
    assert ordered == [
        "Bernd Adler",
        "Dr. Claudia Haußmann",
        "Dipl.-Ing. Sophie Kohl",
        "Jens Köhler",
        "Prof. Dr. Anna von Weber",
        "Mehmet Yilmaz",
    ]
    assert surname_key("Weber, Anna") == ("weber", "anna")


def test_lists_leave_out_nameless_people_and_give_each_table_a_page() -> None:
    people = [
        person("p1", "Mehmet Yilmaz", [1, 2]),
        person("p2", None, [2, 1]),
        person("p3", "Dr. Claudia Haußmann", [2, 2], host=True),
        person("p4", "  ", [1, 1]),
        person("p5", "Bernd Adler", [2, 1]),
    ]
    lists = printed_lists(people, [(1, None), (2, "Dr. Claudia Haußmann")], rounds=2)
    assert lists.without_name == 2
    assert [row.name for row in lists.rounds[0]] == [
        "Bernd Adler",
        "Dr. Claudia Haußmann",
        "Mehmet Yilmaz",
    ]
    assert [row.table for row in lists.rounds[1]] == [1, 2, 2]
    assert [row.host for row in lists.rounds[0]] == [False, True, False]
    table_2 = lists.tables[1]
    assert table_2.number == 2 and table_2.host == "Dr. Claudia Haußmann"
    assert table_2.rounds == [["Bernd Adler"], ["Mehmet Yilmaz"]]  # the host is not a guest
    assert lists.tables[0].rounds == [["Mehmet Yilmaz"], ["Bernd Adler"]]
