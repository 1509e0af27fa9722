from decimal import Decimal

from juli.rating import scoring
from juli.rating.actions.rounds import assessment_rows


def test_open_round_prefills_computed_rows(rw):
    rows = assessment_rows(rw.a1)
    assert [r.criterion.title for r in rows] == ["三会一课按时召开", "党员先锋作用", "服务群众成效"]
    computed = rows[0]
    assert computed.share == Decimal("0.8100")
    # 40 × min(1, 0.81 / 0.9) = 36
    assert computed.self_points == Decimal("36.00")
    assert computed.sources[0]["record"] == f"test.x:{rw.c.branch1.pk}"
    # branch2 has no figure: the criterion does not apply
    assert not assessment_rows(rw.a2)[0].applicable
    rw.standard.refresh_from_db()
    assert rw.standard.is_frozen


def test_measure_follows_records_until_frozen(rw):
    rw.figures[rw.c.branch1.pk] = Decimal("0.45")
    assert scoring.measure(rw.round) == 1
    assert assessment_rows(rw.a1)[0].self_points == Decimal("20.00")


def test_ranks_and_edges():
    rank_of = scoring.ranks(
        [(1, Decimal(90)), (2, Decimal(85)), (3, Decimal(85)), (4, Decimal(70)), (5, None)]
    )
    assert rank_of == {1: 1, 2: 2, 3: 2, 4: 4}
    top, bottom = scoring.edges(rank_of)
    assert top == {1, 2, 3} and bottom == {4}
